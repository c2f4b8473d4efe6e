/** SQL LIKE patterns from user text: the wildcards % and _ are dropped, not interpreted. */
export const likeText = (text: string): string => text.replace(/[%_]/g, '')

/** An FTS5 query from user text: each word a quoted prefix term, so punctuation cannot inject FTS syntax. */
export function ftsQuery (text: string): string {
  return text.split(/\s+/).filter((w) => w !== '').map((w) => `"${w.replace(/"/g, '""')}"*`).join(' ')
}

/** Times may lag (a form filled in later) but may not lead the server's clock by more than this. */
export const FUTURE_SKEW_MS = 5 * 60 * 1000
