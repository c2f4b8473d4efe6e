import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { newId } from './ids.js'

/** How many leading bytes are kept for media-type sniffing. */
export const SNIFF_BYTES = 4100

export interface Received {
  tmpPath: string
  sha256: string
  size: number
  /** The first SNIFF_BYTES bytes, for sniffing the media type. */
  head: Buffer
}

/** Removes the files of `dir` whose names end in `suffix` (not recursively); returns how many. */
export function removeFilesEndingIn (dir: string, suffix: string): number {
  const names = fs.readdirSync(dir).filter((name) => name.endsWith(suffix))
  for (const name of names) fs.rmSync(path.join(dir, name), { force: true })
  return names.length
}

/**
 * The content-addressed store under the data directory: `objects/ab/cdef…`
 * named by SHA-256, written once, never changed. Uploads stream into `tmp/`
 * while they are hashed, are fsynced, then renamed into place.
 */
export class ObjectStore {
  readonly objectsDir: string
  readonly tmpDir: string

  constructor (dataDir: string) {
    this.objectsDir = path.join(dataDir, 'objects')
    this.tmpDir = path.join(dataDir, 'tmp')
    fs.mkdirSync(this.objectsDir, { recursive: true, mode: 0o700 })
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 })
  }

  pathOf (sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`)
    return path.join(this.objectsDir, sha256.slice(0, 2), sha256.slice(2))
  }

  /** Streams `source` to a temporary file, hashing as it goes; never holds the file in memory. */
  async receive (source: AsyncIterable<Buffer>): Promise<Received> {
    const tmpPath = path.join(this.tmpDir, `${newId()}.part`)
    const handle = await fs.promises.open(tmpPath, 'wx', 0o600)
    const hash = createHash('sha256')
    const headChunks: Buffer[] = []
    let headSize = 0
    let size = 0
    try {
      for await (const chunk of source) {
        hash.update(chunk)
        if (headSize < SNIFF_BYTES) {
          headChunks.push(chunk.subarray(0, SNIFF_BYTES - headSize))
          headSize += Math.min(chunk.length, SNIFF_BYTES - headSize)
        }
        size += chunk.length
        let written = 0
        while (written < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, written, chunk.length - written)
          written += bytesWritten
        }
      }
      await handle.sync()
    } catch (err) {
      await handle.close().catch(() => {})
      await fs.promises.rm(tmpPath, { force: true })
      throw err
    }
    await handle.close()
    return { tmpPath, sha256: hash.digest('hex'), size, head: Buffer.concat(headChunks) }
  }

  /**
   * Moves a received file into place; the same content twice is stored once.
   * A stored file that no longer matches its name (damaged on disk) is
   * replaced by the good bytes received.
   */
  async store (received: Received): Promise<'stored' | 'existing' | 'repaired'> {
    const target = this.pathOf(received.sha256)
    const dir = path.dirname(target)
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 })
    const present = fs.existsSync(target)
    if (present && (await this.hash(received.sha256))?.sha256 === received.sha256) {
      await fs.promises.rm(received.tmpPath, { force: true })
      return 'existing'
    }
    await fs.promises.rename(received.tmpPath, target)
    await fs.promises.chmod(target, 0o400)
    // fsync the directory so the rename itself survives a power loss.
    const handle = await fs.promises.open(dir, 'r')
    try { await handle.sync() } finally { await handle.close() }
    return present ? 'repaired' : 'stored'
  }

  /** Stores bytes already in memory (a print copy); returns their SHA-256 and what store() did. */
  async put (bytes: Buffer): Promise<{ sha256: string, outcome: 'stored' | 'existing' | 'repaired' }> {
    const received = await this.receive((async function * () { yield bytes })())
    try {
      return { sha256: received.sha256, outcome: await this.store(received) }
    } finally {
      await this.discard(received)
    }
  }

  async discard (received: Received): Promise<void> {
    await fs.promises.rm(received.tmpPath, { force: true })
  }

  /**
   * Removes the uploads a previous run left half-received in tmp/ (it stopped
   * mid-upload); called when the server starts, while nothing is received.
   * Returns how many.
   */
  removeUnfinished (): number {
    return removeFilesEndingIn(this.tmpDir, '.part')
  }

  /** Hashes a stored object (verification, range requests): its SHA-256 and size, or null if missing. */
  async hash (sha256: string): Promise<{ sha256: string, size: number } | null> {
    const file = this.pathOf(sha256)
    if (!fs.existsSync(file)) return null
    const hash = createHash('sha256')
    let size = 0
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      hash.update(chunk)
      size += chunk.length
    }
    return { sha256: hash.digest('hex'), size }
  }
}
