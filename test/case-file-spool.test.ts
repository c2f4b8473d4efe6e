/**
 * The case file is written to the data directory's tmp/ while it is laid out
 * and sent from there (server/lib/spool.ts), so that the server never holds a
 * whole PDF in memory. The file leaves the directory as soon as it is opened
 * for sending; one left by a server that stopped mid-way is removed at the
 * next start. (That it leaves while the body is still being sent is checked on
 * the spool itself: over a socket, a small case file is read whole at once.) (That nothing is left after a cancelled, refused or broken-off
 * download is checked where those are tested: case-file-cancel, print-copies
 * and bundle.)
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import t from 'tap'
import { ADMIN_PASSWORD, as, createUser, login, startApp } from './helpers/app.js'
import { generatedNow, spooledCaseFiles } from './helpers/documents.js'
import { createItem, createSeizure } from './helpers/evidence.js'
import { ChunkPool } from '../server/lib/chunk-pool.js'
import { readSpool, SpoolWriter, spoolPath } from '../server/lib/spool.js'

t.setTimeout(120_000)

t.test('a case file and an upload left in tmp/ by a server that stopped are removed at the next start; other files are not', async (t) => {
  const dir = t.testdir({ tmp: { '01a21dfb-0000-7000-8000-000000000001.case-file.pdf': '%PDF-1.7 half', '01a21dfb-0000-7000-8000-000000000002.part': 'half an upload', 'notes.txt': 'an operator\'s file' } })
  await startApp(t, dir)
  t.same(await spooledCaseFiles(dir, 0), [], 'the left-over case file is gone')
  t.notOk(fs.existsSync(path.join(dir, 'tmp', '01a21dfb-0000-7000-8000-000000000002.part')), 'and so is the half-received upload')
  t.ok(fs.existsSync(path.join(dir, 'tmp', 'notes.txt')), 'a file of another kind is left alone')
})

t.test('a spool file is written whole with its SHA-256, leaves the directory once opened for reading, and is still read to its end', async (t) => {
  const dir = t.testdir({ tmp: {} })
  const out = new SpoolWriter(spoolPath(path.join(dir, 'tmp')))
  const chunks = Array.from({ length: 300 }, (_, i) => randomBytes(1 + ((i * 7919) % 20_000)))
  for (const chunk of chunks) out.write(chunk)
  const spooled = out.finish()
  const expected = Buffer.concat(chunks)
  t.equal(spooled.size, expected.length, 'its size is every byte written, across the 1 MiB blocks')
  t.equal(spooled.sha256, createHash('sha256').update(expected).digest('hex'), 'its SHA-256 is of those bytes')
  t.equal(fs.statSync(spooled.path).mode & 0o777, 0o600, 'readable by the server alone')
  const pool = new ChunkPool(2, 64 * 1024)
  const stream = readSpool(spooled.path, pool)
  await new Promise((resolve) => stream.once('open', resolve))
  await new Promise((resolve) => setImmediate(resolve))
  t.same(await spooledCaseFiles(dir), [], 'gone from the directory once open, before it is read (more than one read ahead is left)')
  const read: Buffer[] = []
  for await (const chunk of stream) {
    read.push(Buffer.from(chunk as Buffer)) // a copy: the pool's buffer is read into again once given back
    pool.release(chunk as Buffer)
  }
  t.ok(Buffer.concat(read).equals(expected), 'and read to its end, byte for byte, in chunks from the pool')

  const dropped = new SpoolWriter(spoolPath(path.join(dir, 'tmp')))
  dropped.write(Buffer.from('%PDF-1.7 half'))
  dropped.discard()
  t.same(await spooledCaseFiles(dir), [], 'a discarded one is removed')
})

t.test('a case file is sent from tmp/ whole, and nothing stays there', async (t) => {
  const { app, dir } = await startApp(t, t.testdir({}))
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = (await createUser(app, admin, { username: 'al.officer', role: 'officer' })).token
  const investigator = (await createUser(app, admin, { username: 'al.investigator', role: 'investigator' })).token
  const seizure = await createSeizure(app, officer)
  for (let i = 0; i < 3; i++) await createItem(app, officer, seizure.id, { description: `Machining centre ${i + 1}` })
  const created = await as(app, investigator)('POST', '/api/cases', { title: 'Machining centres', seizureIds: [seizure.id] })
  t.equal(created.statusCode, 201, 'the case is opened')
  const caseId = created.json<{ id: string }>().id
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo

  // The client reads the headers, then holds the body back while tmp/ is looked at.
  const GENERATED = generatedNow()
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}`, headers: { authorization: `Bearer ${investigator}` } }, (r) => { r.pause(); resolve(r) }).on('error', reject)
  })
  t.equal(res.statusCode, 200, '200 once the case file is made')
  const chunks: Buffer[] = []
  for await (const chunk of res) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  t.equal(body.length, Number(res.headers['content-length']), 'the whole body arrives, as long as Content-Length says')
  t.equal(body.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF from its first byte')
  t.match(body.subarray(-8).toString('latin1'), /%%EOF\s*$/, 'to its last')
  const again = await as(app, investigator)('GET', `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}`)
  t.ok(again.rawPayload.equals(body), 'and byte-identical to the same case file asked for again')
  t.same(await spooledCaseFiles(dir), [], 'neither is left in tmp/')
})
