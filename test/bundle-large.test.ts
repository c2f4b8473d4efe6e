/**
 * A bundle whose evidence is larger than the few buffers it is read into
 * (server/lib/chunk-pool.ts: four of 1 MiB, each read into again once the
 * socket has written it). Whatever the client's pace, every byte must be the
 * evidence's own: a buffer read into too early would corrupt the bundle, and
 * the verifier would say so. The response keeps the headers every other
 * answer has, though the reply is written without Fastify's stream sending.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import t from 'tap'
import { as } from './helpers/app.js'
import { generatedNow, readZip, verifyCli } from './helpers/documents.js'
import { caseWithEvidence, evidenceApp, sha256 } from './helpers/evidence.js'

t.setTimeout(240_000)

/** GET over a real socket by a client that takes `piece` bytes at a time with a pause between; the body. */
async function slowGet (port: number, token: string, url: string, piece: number): Promise<{ status: number, body: Buffer }> {
  return await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: url, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = []
      res.on('readable', function more () {
        const chunk = res.read(piece) as Buffer | null
        if (chunk === null) return
        chunks.push(chunk)
        setTimeout(more, 1)
      })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }) })
      res.on('error', reject)
    }).on('error', reject)
  })
}

t.test('a bundle of 24 MiB of evidence, downloaded at any pace, holds every byte and verifies', async (t) => {
  const fixture = await evidenceApp(t)
  const { app } = fixture
  const officer = await fixture.user('al.officer')
  const investigator = await fixture.user('al.investigator')
  const files = [randomBytes(8 * 1024 * 1024), randomBytes(8 * 1024 * 1024 + 12345), randomBytes(7 * 1024 * 1024 + 1)]
  const caseId = await caseWithEvidence(app, officer.token, investigator.token, files, 'image')
  const GENERATED = generatedNow()
  const url = `/api/cases/${caseId}/bundle.zip?generatedAt=${GENERATED}`

  const check = async (what: string, body: Buffer): Promise<void> => {
    const file = path.join(fixture.dir, `${what}.zip`)
    fs.writeFileSync(file, body)
    const members = await readZip(body)
    const evidence = [...members].filter(([name]) => name.startsWith('evidence/')).map(([, bytes]) => sha256(bytes)).sort()
    t.same(evidence, files.map((f) => sha256(f)).sort(), `${what}: the three evidence files, byte for byte`)
    const verified = await verifyCli(file)
    t.equal(verified.code, 0, `${what}: the verifier accepts it${verified.code === 0 ? '' : ` ${verified.stdout.slice(-1500)}`}`)
  }

  const injected = await as(app, investigator.token)('GET', url)
  t.equal(injected.statusCode, 200, 'through inject: 200')
  const json = await as(app, investigator.token)('GET', `/api/cases/${caseId}`)
  for (const name of ['x-content-type-options', 'content-security-policy', 'strict-transport-security', 'x-frame-options', 'referrer-policy']) {
    t.equal(injected.headers[name], json.headers[name], `the bundle answer carries ${name} as other answers do`)
  }
  t.equal(injected.headers['content-type'], 'application/zip', 'application/zip')
  t.match(injected.headers['content-disposition'], /^attachment; filename=".+-bundle\.zip"$/, 'named as an attachment')
  t.equal(injected.headers['cache-control'], 'private, no-store', 'not cached')
  await check('inject', injected.rawPayload)

  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const [slow, fast] = await Promise.all([
    slowGet(port, investigator.token, url, 7919),
    slowGet(port, investigator.token, url, 1024 * 1024)
  ])
  t.equal(slow.status, 200, 'a slow client and a fast one at once: 200')
  t.equal(fast.status, 200, 'and 200')
  await check('slow', slow.body)
  await check('fast', fast.body)
  t.ok(slow.body.equals(injected.rawPayload) && fast.body.equals(injected.rawPayload), 'all three are byte-identical (same case state and generation time)')
})
