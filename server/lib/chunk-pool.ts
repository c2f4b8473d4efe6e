import fs from 'node:fs'
import { Readable } from 'node:stream'

/**
 * A few buffers lent out in turn to read stored files into, so that sending
 * a bundle's hundreds of MiB of evidence does not allocate a new buffer for
 * every read: each would wait for V8 to notice it is garbage (it lets tens of
 * MiB of such buffers gather first), and the server's memory would rise by
 * that much while it sends. A chunk read into a pool buffer must be given back
 * (`release`) once the socket has written it, and only then: the buffer is
 * read into again. A reader waits while every buffer is out, which is the
 * stream's back-pressure.
 */
export class ChunkPool {
  private readonly free: Buffer[]
  private readonly waiting: Array<(buffer: Buffer) => void> = []
  /** The chunks out, each the view of its pool buffer that was handed on. */
  private readonly lent = new WeakMap<Buffer, Buffer>()

  constructor (count: number, readonly size: number) {
    this.free = Array.from({ length: count }, () => Buffer.allocUnsafeSlow(size))
  }

  private async take (): Promise<Buffer> {
    const buffer = this.free.pop()
    if (buffer !== undefined) return buffer
    return await new Promise((resolve) => { this.waiting.push(resolve) })
  }

  private giveBack (buffer: Buffer): void {
    const next = this.waiting.shift()
    if (next !== undefined) next(buffer)
    else this.free.push(buffer)
  }

  /** Gives back the buffer under `chunk` once its bytes are written; a chunk this pool did not lend is ignored. */
  release (chunk: Buffer): void {
    const buffer = this.lent.get(chunk)
    if (buffer === undefined) return
    this.lent.delete(chunk)
    this.giveBack(buffer)
  }

  /**
   * `file` as a stream of chunks lent from the pool, read one at a time as the
   * stream is read; like fs.ReadStream, it emits 'open' once the file is open.
   */
  read (file: string): Readable {
    const pool = this
    let fd: number | undefined
    // The descriptor is closed only once no read is under way on it (as fs.ReadStream does).
    let reading = false
    let closeWhenRead: (() => void) | undefined
    return new Readable({
      highWaterMark: 1, // one chunk read ahead at most
      construct (done) {
        fs.open(file, 'r', (err, descriptor) => {
          fd = descriptor
          if (err === null) this.emit('open', descriptor)
          done(err)
        })
      },
      read () {
        void pool.take().then((buffer) => {
          if (this.destroyed || fd === undefined) { pool.giveBack(buffer); return }
          reading = true
          fs.read(fd, buffer, 0, pool.size, null, (err, n) => {
            reading = false
            if (closeWhenRead !== undefined || err !== null || n === 0) pool.giveBack(buffer)
            if (closeWhenRead !== undefined) { closeWhenRead(); return }
            if (err !== null) { this.destroy(err); return }
            if (n === 0) { this.push(null); return }
            const chunk = buffer.subarray(0, n)
            pool.lent.set(chunk, buffer)
            this.push(chunk)
          })
        })
      },
      destroy (err, done) {
        if (fd === undefined) { done(err); return }
        const open = fd
        const close = (): void => { fs.close(open, () => { done(err) }) }
        if (reading) closeWhenRead = close
        else close()
      }
    })
  }
}
