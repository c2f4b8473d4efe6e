/**
 * A case file nobody waits for any more is not made and not audited: a client
 * that goes away while its case file is laid out cancels the render (the one
 * worker renders one document at a time, so an abandoned job would hold up
 * everyone behind it), and the audit log records only downloads that were
 * made for someone. A bundle is audited when it starts, as before; its case
 * file is cancelled with it.
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { ADMIN_PASSWORD, as, auditEntries, createUser, login, startApp } from './helpers/app.js'
import { caseWithEvidence, createItem, createSeizure } from './helpers/evidence.js'
import { generatedNow, spooledCaseFiles } from './helpers/documents.js'
import { Problem } from '../server/errors.js'

t.setTimeout(180_000)

/** A case of one seizure with a few exhibits, each with a chain of custody. */
async function caseWithExhibits (app: FastifyInstance, officer: string, investigator: string): Promise<string> {
  const seizure = await createSeizure(app, officer)
  for (let i = 0; i < 6; i++) await createItem(app, officer, seizure.id, { description: `Frequency changer ${i + 1}`, sealNumber: `SB-${i + 1}` })
  const res = await as(app, investigator)('POST', '/api/cases', { title: 'Frequency changers', seizureIds: [seizure.id] })
  if (res.statusCode !== 201) throw new Error(`POST /api/cases: ${res.statusCode} ${res.body}`)
  return res.json<{ id: string }>().id
}

/**
 * A server logging at debug level into `lines`, with an officer, an
 * investigator and their case; `count` counts the log lines with a message,
 * `until` waits (up to about 10 s) for a condition, `logged` for a message.
 */
async function caseServer (t: Test) {
  const lines: Array<{ msg: string }> = []
  const logStream = { write: (line: string) => { lines.push(JSON.parse(line) as { msg: string }) } }
  const { app, dir } = await startApp(t, t.testdir({}), { STRONGROOM_LOG_LEVEL: 'debug' }, { logStream })
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = (await createUser(app, admin, { username: 'al.officer', role: 'officer' })).token
  const investigator = await createUser(app, admin, { username: 'al.investigator', role: 'investigator' })
  const caseId = await caseWithExhibits(app, officer, investigator.token)
  const count = (msg: string): number => lines.filter((l) => l.msg === msg).length
  const until = async (done: () => boolean): Promise<void> => {
    for (let i = 0; i < 5000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 2))
  }
  const logged = async (msg: string, n = 1): Promise<void> => { await until(() => count(msg) >= n) }
  return { app, dir, admin, officer, investigator, caseId, count, until, logged }
}

/** GET over a real socket; the client hangs up after `after` ms, or when `after` settles. Answers whether any byte came back. */
async function hangUp (port: number, token: string, path: string, after: number | Promise<unknown>): Promise<boolean> {
  return await new Promise((resolve) => {
    let answered = false
    const req = http.get({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      answered = true
      res.destroy()
    })
    req.on('error', () => {})
    req.on('close', () => { resolve(answered) })
    if (typeof after === 'number') setTimeout(() => { req.destroy() }, after)
    else void after.then(() => { req.destroy() })
  })
}

t.test('a case file whose client goes away is cancelled and not audited; the next one is made as usual', async (t) => {
  const { app, dir, admin, investigator, caseId, count, logged } = await caseServer(t)
  const downloads = async (): Promise<number> => (await auditEntries(app, admin)).filter((e) => e.action === 'case.download').length
  const rendered = (): number => count('case file worker: rendered')

  // Through the service, with a signal that has already fired: nothing is rendered.
  const user = app.services.accounts.authUser(investigator.id)
  if (user === undefined) throw new Error('no investigator')
  const GENERATED = generatedNow()
  const refused = await app.services.bundles.caseFile(user, caseId, 'en', GENERATED, AbortSignal.abort()).then(() => null, (err: unknown) => err)
  t.ok(refused instanceof Problem, 'the call fails with a problem')
  t.match(refused, { status: 499, code: 'client-closed-request' }, '499 client-closed-request: made for nobody')
  t.equal(await downloads(), 0, 'nothing is audited')
  t.equal(rendered(), 0, 'and the worker rendered nothing')

  // Over a real socket, behind another case file (the first this server's worker makes, so it
  // takes a while): the client gives up as soon as its job is in the worker's queue.
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const first = as(app, investigator.token)('GET', `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}`)
  await logged('case file worker: job sent')
  const answered = await hangUp(port, investigator.token, `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}&lang=sq`, logged('case file worker: job sent', 2))
  t.equal(answered, false, 'the client hung up before the answer')
  t.equal((await first).statusCode, 200, 'the case file before it is made')

  const res = await as(app, investigator.token)('GET', `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}`)
  t.equal(res.statusCode, 200, 'and so is the next one')
  t.equal(res.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF')
  t.equal(rendered(), 2, 'the worker rendered those two and not the abandoned one')
  t.equal(await downloads(), 2, 'only the case files that were delivered are audited')
  t.same(await spooledCaseFiles(dir), [], 'no case file is left in the data directory, sent or cancelled')

  // HEAD would make a download nobody receives.
  const head = await app.inject({ method: 'HEAD', url: `/api/cases/${caseId}/case-file.pdf`, headers: { authorization: `Bearer ${investigator.token}` } })
  t.equal(head.statusCode, 404, 'HEAD is not a way to ask for a case file')
  t.equal(await downloads(), 2, 'and audits nothing')
})

t.test('a bundle whose client goes away mid-way is audited as started, its case file cancelled; the server goes on serving', async (t) => {
  const { app, dir, admin, investigator: { token: investigator }, caseId, count, logged } = await caseServer(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo

  // The client goes away once the bundle has started streaming (its case file is being laid out
  // by a worker that is still starting).
  const GENERATED = generatedNow()
  await hangUp(port, investigator, `/api/cases/${caseId}/bundle.zip?generatedAt=${GENERATED}`, logged('bundle: started, evidence first'))
  await logged('bundle: the client went away; stopped')
  await logged('case file worker: cancelled')
  const kinds = async (): Promise<string[]> => (await auditEntries(app, admin)).filter((e) => e.action === 'case.download')
    .map((e) => (JSON.parse(e.canonical) as { data: { kind: string } }).data.kind)
  t.same(await kinds(), ['bundle'], 'the abandoned bundle is in the audit log, recorded when it started')
  t.equal(count('bundle: the client went away; stopped'), 1, 'the log says the client went away')
  t.equal(count('case file worker: cancelled'), 1, 'and its case file was cancelled in the worker')
  t.equal(count('case file worker: rendered'), 0, 'not rendered for nobody')
  t.same(await spooledCaseFiles(dir), [], 'and none of it is left in the data directory')

  const res = await as(app, investigator)('GET', `/api/cases/${caseId}/bundle.zip?generatedAt=${GENERATED}`)
  t.equal(res.statusCode, 200, 'the next bundle is made')
  t.equal(res.rawPayload.subarray(0, 4).toString('hex'), '504b0304', 'and is a ZIP')
  const again = await as(app, investigator)('GET', `/api/cases/${caseId}/case-file.pdf?generatedAt=${GENERATED}`)
  t.equal(again.statusCode, 200, 'and so is a case file after it')
  const head = await app.inject({ method: 'HEAD', url: `/api/cases/${caseId}/bundle.zip`, headers: { authorization: `Bearer ${investigator}` } })
  t.equal(head.statusCode, 404, 'HEAD is not a way to ask for a bundle')
  t.same(await kinds(), ['bundle', 'bundle', 'case_file'], 'and audits nothing')
  t.same(await spooledCaseFiles(dir), [], 'no case file is left in the data directory once sent')
})

t.test('a bundle whose client goes away after its case file is rendered, before it is read: the case file is not left in tmp/', async (t) => {
  const { app, dir, officer, investigator: { token: investigator }, count, logged } = await caseServer(t)
  // A case with more evidence than the socket buffers hold: while the client reads nothing, the
  // bundle cannot get past the evidence to its case file, which is rendered meanwhile.
  const caseId = await caseWithEvidence(app, officer, investigator, [randomBytes(8 * 1024 * 1024), randomBytes(8 * 1024 * 1024), randomBytes(8 * 1024 * 1024)], 'dump')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo

  // The client takes the answer's head, reads nothing more, and hangs up once the case file is rendered.
  const GENERATED = generatedNow()
  await new Promise<void>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/api/cases/${caseId}/bundle.zip?generatedAt=${GENERATED}`, headers: { authorization: `Bearer ${investigator}` } }, (res) => {
      res.pause()
      void logged('bundle: case file rendered').then(() => { req.destroy() })
    })
    req.on('error', () => {})
    req.on('close', () => { resolve() })
  })
  await logged('bundle: the client went away; stopped')
  t.equal(count('bundle: case file rendered'), 1, 'the case file was rendered while the client was there')
  t.equal(count('bundle: sent'), 0, 'the bundle was not sent to its end')
  t.equal(count('bundle: the client went away; stopped'), 1, 'the client went away before')
  t.same(await spooledCaseFiles(dir), [], 'and the case file it never read is not left in tmp/')
})

t.test('bundles whose clients hang up while their request is still being authenticated are stopped, not left waiting', async (t) => {
  const { app, dir, investigator: { token: investigator }, caseId, count, until } = await caseServer(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  // The request is sent whole and the socket closed at once: the token is still being checked
  // (an asynchronous signature check) when the client has gone, and the handler runs after.
  const GENERATED = generatedNow()
  for (let i = 0; i < 10; i++) {
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end(`GET /api/cases/${caseId}/bundle.zip?generatedAt=${GENERATED} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${investigator}\r\n\r\n`, () => { socket.destroy(); resolve() })
      })
      socket.on('error', () => { resolve() })
    })
  }
  const ended = (): number => count('bundle: the client went away; stopped') + count('bundle: sent')
  await until(() => count('bundle: started, evidence first') > 0 && ended() >= count('bundle: started, evidence first'))
  const started = count('bundle: started, evidence first')
  t.ok(started > 0, `bundles were started for clients that had gone (${started} of 10)`)
  t.equal(ended(), started, 'every one of them ended: stopped when its client was found gone, or sent')
  await until(() => count('case file worker: rendered') + count('case file worker: cancelled') >= started)
  t.same(await spooledCaseFiles(dir), [], 'and no case file of theirs is left in tmp/')
  const res = await as(app, investigator)('GET', `/api/cases/${caseId}/bundle.zip?generatedAt=${GENERATED}`)
  t.equal(res.statusCode, 200, 'the next bundle is made as usual')
})
