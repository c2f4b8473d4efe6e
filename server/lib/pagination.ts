import { Problem } from '../errors.js'

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 200

export interface Page<T> { items: T[], nextCursor: string | null }

/** Cursors are opaque to clients: base64url of the last row's sort key. */
export function encodeCursor (key: string | number): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')
}

export function decodeCursor<K extends string | number> (cursor: string | undefined, kind: 'string' | 'number'): K | undefined {
  if (cursor === undefined || cursor === '') return undefined
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (typeof key === kind) return key as K
  } catch {}
  throw Problem.badRequest('The cursor is not one this server issued', [{ field: 'querystring/cursor', message: 'is not a valid cursor' }])
}

/** Rows were fetched with limit + 1: the extra one tells whether a next page exists. */
export function toPage<R, T> (rows: R[], limit: number, key: (row: R) => string | number, shape: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit
  const pageRows = hasMore ? rows.slice(0, limit) : rows
  const last = pageRows[pageRows.length - 1]
  return {
    items: pageRows.map(shape),
    nextCursor: hasMore && last !== undefined ? encodeCursor(key(last)) : null
  }
}
