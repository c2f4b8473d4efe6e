import { createRequire } from 'node:module'
import zlib from 'node:zlib'
import yazl from 'yazl'

/**
 * yazl, the ZIP writer, with its CRC-32 computed by Node's zlib.crc32 (native,
 * Node 20.15 and later) instead of buffer-crc32's table in JavaScript: on this
 * project's reference bundle the JavaScript CRC ran at 424 MiB/s and the native
 * one at 4.5 GiB/s (node bench/crc32 figures in issue 7's note), and a case
 * bundle is mostly evidence files stored as they are, so the CRC is most of
 * yazl's work. The same function, the same values: test/lib/zip.test.ts
 * compares them, and every bundle test unpacks with CRC checks on.
 */
const requireFromYazl = createRequire(createRequire(import.meta.url).resolve('yazl'))
const bufferCrc32 = requireFromYazl('buffer-crc32') as { unsigned: (buf: Buffer, previous?: number | Buffer) => number }
export const javascriptCrc32 = bufferCrc32.unsigned

if (typeof zlib.crc32 === 'function') {
  bufferCrc32.unsigned = (buf, previous) => zlib.crc32(buf, typeof previous === 'number' ? previous : previous === undefined ? 0 : previous.readUInt32BE(0))
}

export { yazl }
