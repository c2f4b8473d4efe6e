import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import type { ChunkPool } from './chunk-pool.js'
import { newId } from './ids.js'
import { removeFilesEndingIn } from './object-store.js'

/**
 * Case files are written to the data directory's `tmp/` as they are laid out
 * and streamed to the client from there, so that the server never holds a
 * whole PDF in memory: a case with a thousand photos makes a PDF of hundreds
 * of MiB. A spool file is removed as soon as it is opened for sending (the
 * open descriptor keeps its bytes), or when its case file is not sent after
 * all; any left by a crash are removed at the next start.
 */
export const SPOOL_SUFFIX = '.case-file.pdf'

/** A new spool file's path in `tmpDir` (not created yet). */
export const spoolPath = (tmpDir: string): string => path.join(tmpDir, `${newId()}${SPOOL_SUFFIX}`)

/** A finished spool file: its path, size and SHA-256. */
export interface Spooled { path: string, size: number, sha256: string }

const BLOCK = 1024 * 1024

/**
 * Writes a spool file from many small chunks: gathered into blocks of 1 MiB,
 * hashed and written synchronously (it runs in the case-file worker, whose
 * thread does nothing else meanwhile). Created exclusively, mode 0600.
 */
export class SpoolWriter {
  private readonly fd: number
  private readonly hash = createHash('sha256')
  private readonly block = Buffer.allocUnsafeSlow(BLOCK)
  private used = 0
  private size = 0
  private open = true

  constructor (readonly path: string) {
    this.fd = fs.openSync(path, 'wx', 0o600)
  }

  write (chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      const n = chunk.copy(this.block, this.used, at)
      this.used += n
      at += n
      if (this.used === BLOCK) this.flush()
    }
  }

  private flush (): void {
    const bytes = this.block.subarray(0, this.used)
    this.hash.update(bytes)
    for (let done = 0; done < bytes.length;) done += fs.writeSync(this.fd, bytes, done, bytes.length - done)
    this.size += bytes.length
    this.used = 0
  }

  /** Writes what is left and closes the file. */
  finish (): Spooled {
    this.flush()
    this.close()
    return { path: this.path, size: this.size, sha256: this.hash.digest('hex') }
  }

  /** Closes and removes the file (the render failed or was cancelled). */
  discard (): void {
    this.close()
    discardSpool(this.path)
  }

  private close (): void {
    if (!this.open) return
    this.open = false
    fs.closeSync(this.fd)
  }
}

/** Removes a spool file that will not be sent; never throws. */
export function discardSpool (file: string): void {
  fs.rm(file, { force: true }, () => {})
}

/**
 * The spool file as a stream of chunks lent from `pool` (each must be given
 * back once written: lib/send.ts sendWritten does), removed from the directory
 * once it is open (the descriptor keeps its bytes until the stream closes), or
 * when opening it failed.
 */
export function readSpool (file: string, pool: ChunkPool): Readable {
  const stream = pool.read(file)
  stream.once('open', () => { discardSpool(file) })
  stream.once('close', () => { discardSpool(file) })
  return stream
}

/** Removes the spool files a previous run left behind (it stopped while sending); returns how many. */
export function clearSpools (tmpDir: string): number {
  return removeFilesEndingIn(tmpDir, SPOOL_SUFFIX)
}
