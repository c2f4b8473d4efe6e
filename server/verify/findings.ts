/**
 * What a verification found. A place is named as PRODUCT.md says `npm run verify` names it:
 * `entry <index>`, `<table> row <id>`, `checkpoint <size>` or `attachment <sha256>`.
 */
export interface Finding {
  place: string
  reason: string
  /** For a consequence: the mismatch it follows from (a root over a rewritten entry, say). */
  followsFrom?: string
}

/**
 * Mismatches, each place named once. A mismatch that only follows from one already named (every
 * checkpoint after a rewritten entry, the Merkle nodes above it) is kept apart as a consequence,
 * so that the first and only mismatch named is the place that was changed.
 */
export class Findings {
  readonly mismatches: Finding[] = []
  readonly consequences: Finding[] = []
  truncated = false
  readonly #places = new Set<string>()
  /** Leaf positions of entries found wrong, ascending (they are found in index order). */
  readonly #entries: number[] = []
  readonly #entrySet = new Set<number>()

  constructor (readonly limit: number) {}

  get ok (): boolean {
    return this.mismatches.length === 0
  }

  has (place: string): boolean {
    return this.#places.has(place)
  }

  add (place: string, reason: string): void {
    if (this.#places.has(place)) return
    this.#places.add(place)
    if (this.mismatches.length >= this.limit) { this.truncated = true; return }
    this.mismatches.push({ place, reason })
  }

  consequence (place: string, reason: string, followsFrom: string): void {
    if (this.#places.has(place)) return
    this.#places.add(place)
    if (this.consequences.length >= this.limit) { this.truncated = true; return }
    this.consequences.push({ place, reason, followsFrom })
  }

  /** An entry found wrong: named once, and what depends on it becomes a consequence. */
  entry (index: number, reason: string): void {
    this.add(`entry ${index}`, reason)
    if (!this.#entrySet.has(index)) {
      this.#entrySet.add(index)
      if (index > (this.#entries[this.#entries.length - 1] ?? -1)) this.#entries.push(index)
      else { this.#entries.push(index); this.#entries.sort((a, b) => a - b) }
    }
  }

  isEntryWrong (index: number): boolean {
    return this.#entrySet.has(index)
  }

  /** The first wrong entry in [start, end), if any. */
  wrongEntryIn (start: number, end: number): number | undefined {
    const list = this.#entries
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((list[mid] as number) < start) lo = mid + 1
      else hi = mid
    }
    const found = list[lo]
    return found !== undefined && found < end ? found : undefined
  }
}
