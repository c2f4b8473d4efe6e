import fs from 'node:fs'
import { and, eq } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/client.js'
import { printCopies } from '../db/schema/index.js'
import { printable, PRINT_TOOL, PRINT_VERSION, type Printable } from '../documents/printable.js'
import { Problem } from '../errors.js'
import { readVerified } from '../lib/hash.js'
import type { ObjectStore } from '../lib/object-store.js'

export type PrintableType = 'image/jpeg' | 'image/png'

export const isPrintable = (mediaType: string): mediaType is PrintableType => mediaType === 'image/jpeg' || mediaType === 'image/png'

/** The answer when a photo's stored original is gone or changed: no case file is made from it. */
export const originalChanged = (attachmentId: string): Problem =>
  new Problem(409, 'integrity-failure', `The stored file of attachment ${attachmentId} is missing or no longer matches its SHA-256; the case file is not generated`)

/** Where a print copy is: the file, and the SHA-256 its bytes must have. */
export interface PrintCopyRef { path: string, sha256: string, width: number, height: number, mediaType: PrintableType }

/** The photo a print copy is made from: its attachment id names it in errors. */
export interface PhotoSource { id: string, sha256: string, mediaType: PrintableType }

/**
 * Print copies of photos (schema: print_copies): made once, from the original
 * after its SHA-256 is re-checked, either right after an upload or the first
 * time a case file needs one; afterwards a case file reads a copy of a few
 * hundred KiB instead of decoding a camera's original. A copy whose stored
 * bytes no longer match its recorded SHA-256 (the case file worker checks)
 * is made again from the original.
 */
export function createPrintCopies (db: Db, objects: ObjectStore, now: () => Date, log: FastifyBaseLogger) {
  const find = (source: string) => db.select().from(printCopies)
    .where(and(eq(printCopies.sourceSha256, source), eq(printCopies.version, PRINT_VERSION))).get()

  /** The original's bytes, or integrity-failure when they are gone or no longer match. */
  async function original (photo: PhotoSource): Promise<Buffer> {
    const bytes = await readVerified(objects.pathOf(photo.sha256), photo.sha256)
    if (bytes === null) throw originalChanged(photo.id)
    return bytes
  }

  // Making a copy holds the original and its decoded pixels in memory: two at a time at most,
  // however many uploads arrive together.
  let making = 0
  const waiting: Array<() => void> = []
  async function turn<T> (work: () => Promise<T>): Promise<T> {
    // A slot freed is handed to the next in line, so that no newcomer slips in between.
    if (making >= 2) await new Promise<void>((resolve) => { waiting.push(resolve) })
    else making++
    try {
      return await work()
    } finally {
      const next = waiting.shift()
      if (next !== undefined) next(); else making--
    }
  }

  async function make (photo: PhotoSource): Promise<(Printable & { sha256: string }) | null> {
    return await turn(async () => await makeNow(photo))
  }

  async function makeNow (photo: PhotoSource): Promise<(Printable & { sha256: string }) | null> {
    const copy = await printable(await original(photo), photo.mediaType)
    const put = copy === null ? null : await objects.put(copy.bytes)
    if (put?.outcome === 'repaired') log.warn({ attachmentId: photo.id, printSha256: put.sha256 }, 'a damaged print copy on disk was replaced')
    const copySha256 = put?.sha256 ?? null
    db.insert(printCopies).values({
      sourceSha256: photo.sha256,
      version: PRINT_VERSION,
      sha256: copySha256,
      size: copy?.bytes.length ?? null,
      mediaType: copy?.mediaType ?? null,
      width: copy?.width ?? null,
      height: copy?.height ?? null,
      createdAt: now().toISOString(),
      madeWith: PRINT_TOOL
    }).onConflictDoUpdate({
      target: [printCopies.sourceSha256, printCopies.version],
      set: { sha256: copySha256, size: copy?.bytes.length ?? null, mediaType: copy?.mediaType ?? null, width: copy?.width ?? null, height: copy?.height ?? null, createdAt: now().toISOString(), madeWith: PRINT_TOOL }
    }).run()
    if (copy === null) log.warn({ attachmentId: photo.id, sha256: photo.sha256 }, 'photo cannot be decoded; the case file prints a notice in its place')
    return copy === null || copySha256 === null ? null : { ...copy, sha256: copySha256 }
  }

  /**
   * The print copy as it stands, without waiting: where it is, null when the
   * original cannot be decoded, undefined when it must be made first (none
   * yet, or its file is gone).
   */
  function stored (photo: PhotoSource): PrintCopyRef | null | undefined {
    const row = find(photo.sha256)
    if (row === undefined) return undefined
    if (row.sha256 === null) return null
    const file = objects.pathOf(row.sha256)
    if (!fs.existsSync(file)) return undefined
    return { path: file, sha256: row.sha256, width: row.width ?? 0, height: row.height ?? 0, mediaType: (row.mediaType ?? photo.mediaType) as PrintableType }
  }

  return {
    /**
     * Where the print copy of a photo is, made if there is none (or its file
     * is gone, or `remake`: whoever read it found it damaged); null when the
     * original cannot be decoded as an image. Whoever reads the copy checks
     * its bytes against the SHA-256 given here.
     */
    async locate (photo: PhotoSource, options: { remake?: boolean } = {}): Promise<PrintCopyRef | null> {
      const found = options.remake === true ? undefined : stored(photo)
      if (found !== undefined) return found
      const row = find(photo.sha256)
      if (row !== undefined) log.warn({ attachmentId: photo.id, printSha256: row.sha256 }, 'print copy missing or damaged; made again from the original')
      const copy = await make(photo)
      return copy === null ? null : { ...copy, path: objects.pathOf(copy.sha256) }
    },

    stored,

    /** Makes the copy ahead of need (after an upload). Never throws: a case file would make it later. */
    async prepare (photo: PhotoSource): Promise<void> {
      try {
        if (find(photo.sha256) === undefined) await make(photo)
      } catch (err) {
        log.warn({ err, attachmentId: photo.id }, 'print copy not made after upload')
      }
    }
  }
}

export type PrintCopies = ReturnType<typeof createPrintCopies>
