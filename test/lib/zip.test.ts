/**
 * server/lib/zip.ts gives yazl Node's native CRC-32: the same values as the JavaScript one it
 * replaces, on the check value of the CRC-32 catalogue and on random data fed in pieces, and
 * ZIPs it writes pass `unzip -t` (Info-ZIP, outside the project), which tests every CRC.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import t from 'tap'
import { javascriptCrc32, yazl } from '../../server/lib/zip.js'
import { tool } from '../helpers/documents.js'

const require = createRequire(import.meta.url)
/** The CRC function as yazl finds it. */
const yazlCrc32 = (createRequire(require.resolve('yazl'))('buffer-crc32') as { unsigned: (b: Buffer, previous?: number) => number }).unsigned

t.test('the check value: CRC-32 of "123456789" is cbf43926', async (t) => {
  t.equal(yazlCrc32(Buffer.from('123456789')).toString(16), 'cbf43926', 'through the function yazl calls')
  t.equal(javascriptCrc32(Buffer.from('123456789')).toString(16), 'cbf43926', 'and the JavaScript one it replaced')
  t.not(yazlCrc32, javascriptCrc32, 'yazl calls the native one')
})

t.test('random data in random pieces: the same CRC as the JavaScript function', async (t) => {
  for (let round = 0; round < 50; round++) {
    const data = randomBytes(1 + Math.floor(Math.random() * 200_000))
    let native = 0
    let javascript = 0
    for (let at = 0; at < data.length;) {
      const next = Math.min(data.length, at + 1 + Math.floor(Math.random() * 70_000))
      native = yazlCrc32(data.subarray(at, next), native)
      javascript = javascriptCrc32(data.subarray(at, next), javascript)
      at = next
    }
    if (native !== javascript) { t.fail(`round ${round}: ${native} != ${javascript} for ${data.length} bytes`); return }
  }
  t.pass('50 rounds agree')
})

t.test('a ZIP of streamed and in-memory members passes unzip -t', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strongroom-zip-'))
  t.teardown(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const big = randomBytes(3 * 1024 * 1024 + 17)
  const zip = new yazl.ZipFile()
  zip.addBuffer(Buffer.from('small text\n'), 'small.txt', { compress: false })
  zip.addBuffer(Buffer.alloc(100_000, 'a'), 'deflated.txt', { compress: true })
  zip.addReadStream(Readable.from([big.subarray(0, 1000), big.subarray(1000)]), 'evidence/big.bin', { compress: false, size: big.length })
  zip.end()
  const file = path.join(dir, 'test.zip')
  await pipeline(zip.outputStream, fs.createWriteStream(file))
  const { stdout: out } = await tool('unzip', ['-t', file])
  t.match(out, /No errors detected/, 'unzip -t finds no CRC error')
  t.match(out, /testing: evidence\/big\.bin\s+OK/, 'the streamed member tests OK')
})
