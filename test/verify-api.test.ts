import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { ADMIN_PASSWORD, as, assertProblem, createUser, login, makeApp } from './helpers/app.js'

interface Job { id: string, status: string, result: null | { ok: boolean, treeSize: number, mismatches: Array<{ place: string, reason: string }> } }

t.test('POST /api/audit/verifications runs the verify command in the background; GET reads its result', async (t) => {
  const { app } = await makeApp(t, { STRONGROOM_DEMO: '1' })
  const auditor = await login(app, 'al.auditor', 'strongroom-demo')
  const started = await as(app, auditor)('POST', '/api/audit/verifications')
  t.equal(started.statusCode, 202, 'answers 202 Accepted')
  const job = started.json<Job>()
  t.match(job, { id: String, status: 'running', result: null }, 'the job is running')
  t.equal(started.headers.location, `/api/audit/verifications/${job.id}`, 'Location names the job')
  await app.services.auditLog.verifications.settle()
  const done = await as(app, auditor)('GET', `/api/audit/verifications/${job.id}`)
  t.equal(done.statusCode, 200, 'GET answers 200')
  t.match(done.json<Job>(), { id: job.id, status: 'passed', finishedAt: String, result: { ok: true, mismatches: [] } }, 'the demo database passes')
  t.ok((done.json<Job>().result?.treeSize ?? 0) > 40, 'every entry was checked')
  assertProblem(t, await as(app, auditor)('GET', '/api/audit/verifications/no-such-job'), 404, { code: 'not-found' }, 'an unknown job')
})

t.test('a verification job names the row changed behind the server\'s back', async (t) => {
  const { app, dir } = await makeApp(t)
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = await createUser(app, admin, { username: 'officer.a', role: 'officer' })
  const db = new Database(path.join(dir, 'strongroom.db'))
  db.prepare('UPDATE users SET display_name = \'Someone else\' WHERE id = ?').run(officer.id)
  db.close()
  const started = await as(app, admin)('POST', '/api/audit/verifications')
  await app.services.auditLog.verifications.settle()
  const job = (await as(app, admin)('GET', `/api/audit/verifications/${started.json<Job>().id}`)).json<Job>()
  t.equal(job.status, 'failed', 'the job fails')
  t.same(job.result?.mismatches.map((m) => m.place), [`users row ${officer.id}`], 'and names the users row')
})

t.test('only auditors and admins run verifications', async (t) => {
  const { app } = await makeApp(t)
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const custodian = await createUser(app, admin, { username: 'custodian.a', role: 'custodian' })
  assertProblem(t, await as(app, custodian.token)('POST', '/api/audit/verifications'), 403, { code: 'forbidden' }, 'a custodian starting one')
  const started = await as(app, admin)('POST', '/api/audit/verifications')
  assertProblem(t, await as(app, custodian.token)('GET', `/api/audit/verifications/${started.json<Job>().id}`), 403, { code: 'forbidden' }, 'a custodian reading one')
  await app.services.auditLog.verifications.settle()
})
