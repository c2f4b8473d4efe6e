import { createHash } from 'node:crypto'
import fs from 'node:fs'

/** Lower-case hex SHA-256 of bytes in memory. */
export const sha256Hex = (bytes: Buffer | Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/**
 * A stored file read whole, when its bytes still have the SHA-256 they were
 * stored under; null when it is gone, unreadable or changed.
 */
export async function readVerified (file: string, sha256: string): Promise<Buffer | null> {
  // A reader of its own: its buffer is this caller's to keep.
  return await new ReusedReader().readVerified(file, sha256)
}

/**
 * Reads stored files whole, as readVerified does, into one buffer that is
 * read into again for the next file (and grown when a file is larger than
 * any before): for a caller that is done with a file's bytes before it reads
 * the next. A case file's photos are read so, since a new buffer for each
 * would wait for V8 to notice it is garbage (it lets tens of MiB of such
 * buffers gather first).
 */
export class ReusedReader {
  private buffer = Buffer.allocUnsafeSlow(0)

  /** The file's bytes, valid until the next call; null when it is gone, unreadable or changed. */
  async readVerified (file: string, sha256: string): Promise<Buffer | null> {
    let handle: fs.promises.FileHandle
    try {
      handle = await fs.promises.open(file, 'r')
    } catch {
      return null
    }
    try {
      const { size } = await handle.stat()
      // One byte more than the size: a file that grew since is read past its size, and fails the hash.
      if (this.buffer.length < size + 1) this.buffer = Buffer.allocUnsafeSlow(size + 1)
      let length = 0
      for (;;) {
        const { bytesRead } = await handle.read(this.buffer, length, this.buffer.length - length, length)
        length += bytesRead
        if (bytesRead === 0 || length === this.buffer.length) break
      }
      const bytes = this.buffer.subarray(0, length)
      return sha256Hex(bytes) === sha256 ? bytes : null
    } catch {
      return null
    } finally {
      await handle.close().catch(() => {})
    }
  }
}
