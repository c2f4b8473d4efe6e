/**
 * A case file nobody waits for any more is not made and not audited: a client
 * that goes away while its case file is laid out cancels the render (the one
 * worker renders one document at a time, so an abandoned job would hold up
 * everyone behind it), and the audit log records only downloads that were
 * made for someone. A bundle is audited when it starts, as before; its case
 * file is cancelled with it.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { ADMIN_PASSWORD, as, auditEntries, createUser, login, startApp } from './helpers/app.js'
import { createItem, createSeizure } from './helpers/evidence.js'
import { Problem } from '../server/errors.js'

t.setTimeout(180_000)

const GENERATED = '2026-04-01T10:00:00Z'

/** A case of one seizure with a few exhibits, each with a chain of custody. */
async function caseWithExhibits (app: FastifyInstance, officer: string, investigator: string): Promise<string> {
  const seizure = await createSeizure(app, officer)
  for (let i = 0; i < 6; i++) await createItem(app, officer, seizure.id, { description: `Frequency changer ${i + 1}`, sealNumber: `SB-${i + 1}` })
  const res = await as(app, investigator)('POST', '/api/cases', { title: 'Frequency changers', seizureIds: [seizure.id] })
  if (res.statusCode !== 201) throw new Error(`POST /api/cases: ${res.statusCode} ${res.body}`)
  return res.json<{ id: string }>().id
}

/** GET over a real socket; the client hangs up `after` ms after sending. Answers whether any byte came back. */
async function hangUp (port: number, token: string, path: string, after: number): Promise<boolean> {
  return await new Promise((resolve) => {
    let answered = false
    const req = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      answered = true
      res.destroy()
    })
    req.on('error', () => {})
    req.on('close', () => { resolve(answered) })
    setTimeout(() => { req.destroy() }, after)
  })
}

t.test('a case file whose client goes away is cancelled and not audited; the next one is made as usual', async (t) => {
  const { app } = await startApp(t, t.testdir({}))
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = (await createUser(app, admin, { username: 'al.officer', role: 'officer' })).token
  const investigator = await createUser(app, admin, { username: 'al.investigator', role: 'investigator' })
  const caseId = await caseWithExhibits(app, officer, investigator.token)
  const downloads = async (): Promise<number> => (await auditEntries(app, admin)).filter((e) => e.action === 'case.download').length

  // Through the service, with a signal that has already fired: the job is dropped.
  const user = app.services.accounts.authUser(investigator.id)
  if (user === undefined) throw new Error('no investigator')
  const refused = await app.services.bundles.caseFile(user, caseId, 'en', GENERATED, AbortSignal.abort()).then(() => null, (err: unknown) => err)
  t.ok(refused instanceof Problem, 'the call fails with a problem')
  t.match(refused, { status: 499, code: 'client-closed-request' }, '499 client-closed-request: made for nobody')
  t.equal(await downloads(), 0, 'and nothing is audited')

  // Over a real socket: the first case file of this server (its worker still starting) is given up after 20 ms.
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const answered = await hangUp(port, investigator.token, `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}`, 20)
  t.equal(answered, false, 'the client hung up before the answer')

  const res = await as(app, investigator.token)('GET', `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}`)
  t.equal(res.statusCode, 200, 'the next case file is made')
  t.equal(res.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-', 'and is a PDF')
  t.equal(await downloads(), 1, 'only the case file that was delivered is audited')
})

t.test('a bundle whose client goes away mid-way is audited as started; the server goes on serving', async (t) => {
  const { app } = await startApp(t, t.testdir({}))
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = (await createUser(app, admin, { username: 'al.officer', role: 'officer' })).token
  const investigator = (await createUser(app, admin, { username: 'al.investigator', role: 'investigator' })).token
  const caseId = await caseWithExhibits(app, officer, investigator)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo

  await hangUp(port, investigator, `/api/cases/${caseId}/bundle.zip?generatedAt=${GENERATED}`, 20)
  const kinds = async (): Promise<string[]> => (await auditEntries(app, admin)).filter((e) => e.action === 'case.download')
    .map((e) => (JSON.parse(e.canonical) as { data: { kind: string } }).data.kind)
  // The bundle is recorded before its first byte; wait for the request to have got that far.
  for (let i = 0; i < 100 && (await kinds()).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(await kinds(), ['bundle'], 'the abandoned bundle is in the audit log, recorded when it started')

  const res = await as(app, investigator)('GET', `/api/cases/${caseId}/bundle.zip?generatedAt=${GENERATED}`)
  t.equal(res.statusCode, 200, 'the next bundle is made')
  t.equal(res.rawPayload.subarray(0, 4).toString('hex'), '504b0304', 'and is a ZIP')
  const again = await as(app, investigator)('GET', `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}`)
  t.equal(again.statusCode, 200, 'and so is a case file after it')
})
