import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { ADMIN_PASSWORD, as, assertProblem, auditSize, bearer, createUser, login, makeApp, tryLogin, USER_PASSWORD } from './helpers/app.js'

const NEW_USER = { username: 'new.user', password: USER_PASSWORD, displayName: 'New User', role: 'officer' }

/** No stack trace, source path or SQL in a body meant for a client. */
function assertNoInternals (t: Test, res: LightMyRequestResponse | { body: string }, what: string): void {
  t.notMatch(res.body, /"stack"/, `${what}: no stack member`)
  t.notMatch(res.body, /\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+/, `${what}: no stack frames or source paths`)
  t.notMatch(res.body, /SQLITE|\bSELECT\b|\bINSERT\b|\bUPDATE\b|better-sqlite3|drizzle/i, `${what}: no SQL or database internals`)
}

t.test('malformed JSON answers 400 problem+json and writes nothing', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const before = await auditSize(app)
  for (const payload of ['{"username":', '{username: "x"}', '{"a":1}}', 'nul']) {
    const res = await app.inject({ method: 'POST', url: '/api/users', headers: { ...bearer(token), 'content-type': 'application/json' }, payload })
    assertProblem(t, res, 400, { code: /^(bad-request|validation-failed)$/ }, `body ${JSON.stringify(payload)}`)
    assertNoInternals(t, res, `body ${JSON.stringify(payload)}`)
  }
  const login400 = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":"admin","password":' })
  assertProblem(t, login400, 400, { code: 'bad-request' }, 'malformed JSON on the public login route')
  const empty = await app.inject({ method: 'POST', url: '/api/users', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '' })
  assertProblem(t, empty, 400, {}, 'an empty body declared as JSON')
  t.equal(await auditSize(app), before, 'nothing was written')
})

t.test('wrong types answer 400 naming the field in errors[].field', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const { id } = await createUser(app, token, { username: 'officer.one', role: 'officer' })
  const before = await auditSize(app)
  const call = as(app, token)
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['POST', '/api/users', { ...NEW_USER, displayName: 5 }, 'displayName'],
    ['POST', '/api/users', { ...NEW_USER, role: 'king' }, 'role'],
    ['POST', '/api/users', { ...NEW_USER, username: ['a', 'b'] }, 'username'],
    ['POST', '/api/users', { ...NEW_USER, password: null }, 'password'],
    ['PATCH', `/api/users/${id}`, { displayName: 5 }, 'displayName'],
    ['PATCH', `/api/users/${id}`, { role: 'king' }, 'role'],
    ['PATCH', `/api/users/${id}`, { disabled: 'yes' }, 'disabled'],
    ['PATCH', `/api/users/${id}`, { disabled: 'true' }, 'disabled'],
    ['PATCH', `/api/users/${id}`, { disabled: 1 }, 'disabled'],
    ['POST', '/api/agencies', { code: 'XK-CUSTOMS', name: 'Kosovo Customs', country: 'Kosovo' }, 'country'],
    ['POST', '/api/auth/login', { username: 'admin', password: 12345678901234 }, 'password']
  ]
  for (const [method, url, payload, field] of cases) {
    const res = await call(method as 'POST', url, payload)
    const what = `${method} ${url.replace(id, ':id')} with ${JSON.stringify(payload[field])} for ${field}`
    assertProblem(t, res, 400, { code: 'validation-failed', errors: [{ field: new RegExp(`\\b${field}$`), message: String }] }, what)
    assertNoInternals(t, res, what)
  }
  const missing = await call('POST', '/api/users', { username: 'no.role', password: USER_PASSWORD, displayName: 'No role' })
  assertProblem(t, missing, 400, { code: 'validation-failed', errors: [{ field: /\brole$/ }] }, 'a missing required field')
  t.equal(await auditSize(app), before, 'nothing was written')
})

t.test('an unknown field answers 400 naming it', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const { id } = await createUser(app, token, { username: 'officer.one', role: 'officer' })
  const before = await auditSize(app)
  const call = as(app, token)
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['POST', '/api/users', { ...NEW_USER, isRoot: true }, 'isRoot'],
    ['PATCH', `/api/users/${id}`, { passwordHash: '$argon2id$v=19$m=1,t=1,p=1$x$y' }, 'passwordHash'],
    ['PATCH', `/api/users/${id}`, { role: 'auditor', bootstrap: true }, 'bootstrap'],
    ['POST', '/api/agencies', { code: 'XK-CUSTOMS', name: 'Kosovo Customs', country: 'XK', id: 'chosen' }, 'id']
  ]
  for (const [method, url, payload, field] of cases) {
    const res = await call(method as 'POST', url, payload)
    assertProblem(t, res, 400, { code: 'validation-failed', errors: [{ field: new RegExp(`\\b${field}$`), message: new RegExp(field) }] }, `${method} ${url.replace(id, ':id')} with the unknown field ${field}`)
  }
  t.equal(await auditSize(app), before, 'nothing was written')
  t.equal((await call('GET', `/api/users/${id}`)).json<{ role: string }>().role, 'officer', 'the user was not changed')
})

t.test('a body over 1 MiB answers 413 and writes nothing', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const before = await auditSize(app)
  const payload = JSON.stringify({ ...NEW_USER, displayName: 'x'.repeat(1024 * 1024) })
  const res = await app.inject({ method: 'POST', url: '/api/users', headers: { ...bearer(token), 'content-type': 'application/json' }, payload })
  assertProblem(t, res, 413, { code: 'payload-too-large' }, 'a 1 MiB display name')
  const publicRes = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'admin', password: 'p'.repeat(2 * 1024 * 1024) }) })
  assertProblem(t, publicRes, 413, { code: 'payload-too-large' }, 'a 2 MiB login body')
  t.equal(await auditSize(app), before, 'nothing was written')
})

t.test('a chunked body over 1 MiB with no Content-Length answers 413 over a real socket', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const before = await auditSize(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const answer = await new Promise<{ status: number, contentType: string, body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/users', headers: { ...bearer(token), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c }).on('end', () => { resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }) })
    })
    req.on('error', (err) => { reject(err) })
    req.write(`{"username":"big.user","password":"${USER_PASSWORD}","role":"officer","displayName":"`)
    const chunk = 'y'.repeat(64 * 1024)
    let sent = 0
    const pump = (): void => {
      while (sent < 24) {
        sent++
        if (!req.write(chunk)) { req.once('drain', pump); return }
      }
      req.end('"}')
    }
    pump()
  })
  t.equal(answer.status, 413, 'the server answers 413')
  t.match(answer.contentType, /^application\/problem\+json/, 'as application/problem+json')
  t.match(JSON.parse(answer.body), { status: 413, code: 'payload-too-large' }, 'the body says the payload is too large')
  t.equal(await auditSize(app), before, 'nothing was written')
})

t.test('odd Content-Type headers never let a body skip validation', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const before = await auditSize(app)
  // An admin created through a body the schema refuses (unknown field) would mean validation was skipped.
  const sneaky = JSON.stringify({ username: 'sneaky', password: USER_PASSWORD, displayName: 'Sneaky', role: 'admin', isRoot: true })
  for (const contentType of [' application/json', 'application/json\tx', 'application/json x', 'text/plain', 'application/json ; x', 'application/json;;', 'APPLICATION/JSON\t', 'application/x-www-form-urlencoded']) {
    const what = `Content-Type ${JSON.stringify(contentType)}`
    const res = await app.inject({ method: 'POST', url: '/api/users', headers: { ...bearer(token), 'content-type': contentType }, payload: sneaky })
    t.ok(res.statusCode === 400 || res.statusCode === 415, `${what}: answers 400 or 415 (got ${res.statusCode})`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: the answer is problem+json`)
    assertNoInternals(t, res, what)
  }
  t.equal(await auditSize(app), before, 'nothing was written')
  t.equal((await tryLogin(app, 'sneaky', USER_PASSWORD)).statusCode, 401, 'no user "sneaky" exists')
})

t.test('Content-Type headers other than application/json are refused even with a valid JSON body', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const before = await auditSize(app)
  const body = JSON.stringify(NEW_USER)
  for (const contentType of ['application/json\tx', 'application/json x', 'application/jsonx', 'text/plain', 'text/json', 'application/x-www-form-urlencoded']) {
    const what = `Content-Type ${JSON.stringify(contentType)} with a valid user`
    const res = await app.inject({ method: 'POST', url: '/api/users', headers: { ...bearer(token), 'content-type': contentType }, payload: body })
    t.ok(res.statusCode === 400 || res.statusCode === 415, `${what}: answers 400 or 415 (got ${res.statusCode})`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: the answer is problem+json`)
  }
  t.equal(await auditSize(app), before, 'nothing was written')
  t.equal((await tryLogin(app, 'new.user', USER_PASSWORD)).statusCode, 401, 'the user was not created')
})

t.test('an unknown route answers 404 problem+json, with or without a token', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  for (const url of ['/nope', '/api/nope', '/api/users/x/y/z']) {
    assertProblem(t, await app.inject({ method: 'GET', url }), 404, { code: 'not-found' }, `GET ${url} without a token`)
    assertProblem(t, await app.inject({ method: 'GET', url, headers: bearer(token) }), 404, { code: 'not-found' }, `GET ${url} with a token`)
  }
})

t.test('a wrong method on a known path answers 404 or 405 problem+json', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const me = (await as(app, token)('GET', '/api/auth/me')).json<{ id: string }>()
  const before = await auditSize(app)
  for (const [method, url] of [['DELETE', `/api/users/${me.id}`], ['PUT', '/api/users'], ['DELETE', '/api/audit'], ['GET', '/api/auth/login'], ['PATCH', '/api/audit']] as const) {
    const res = await app.inject({ method, url, headers: bearer(token) })
    t.ok(res.statusCode === 404 || res.statusCode === 405, `${method} ${url.replace(me.id, ':id')} answers 404 or 405 (got ${res.statusCode})`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${method} ${url.replace(me.id, ':id')} answers problem+json`)
  }
  t.equal(await auditSize(app), before, 'nothing was written (audit entries cannot be deleted through the API)')
})

t.test('an unexpected server error answers 500 problem+json with no stack or internals', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  // A real fault, not a mock: the database connection goes away under the running app.
  app.services.db.$client.close()
  const res = await app.inject({ method: 'GET', url: '/api/users', headers: bearer(token) })
  assertProblem(t, res, 500, { code: 'internal-error', requestId: String }, 'a request after the database closed')
  assertNoInternals(t, res, 'the 500 answer')
  t.notMatch(res.body, /database connection is not open/i, 'the error\'s own message is not passed on')
})

t.test('problem answers never include a stack', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const answers = [
    await app.inject({ method: 'GET', url: '/api/users' }),
    await app.inject({ method: 'GET', url: '/api/users', headers: { authorization: 'Bearer x.y.z' } }),
    await as(app, token)('POST', '/api/users', { nope: 1 }),
    await as(app, token)('GET', '/api/users/unknown'),
    await tryLogin(app, 'admin', 'wrong password, surely'),
    await app.inject({ method: 'POST', url: '/api/users', headers: { ...bearer(token), 'content-type': 'application/xml' }, payload: '<user/>' })
  ]
  for (const res of answers) {
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${res.statusCode} ${JSON.parse(res.body).code as string}: is problem+json`)
    assertNoInternals(t, res, `${res.statusCode} ${JSON.parse(res.body).code as string}`)
  }
})

t.test('security headers are present on JSON, problem and health answers', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const answers: Array<[string, LightMyRequestResponse]> = [
    ['GET /api/auth/me', await as(app, token)('GET', '/api/auth/me')],
    ['a 401 problem', await app.inject({ method: 'GET', url: '/api/auth/me' })],
    ['a 404 problem', await app.inject({ method: 'GET', url: '/nope' })],
    ['GET /healthz', await app.inject({ method: 'GET', url: '/healthz' })]
  ]
  for (const [what, res] of answers) {
    t.match(res.headers['content-security-policy'], /default-src 'self'/, `${what}: content-security-policy with default-src 'self'`)
    t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/, `${what}: the CSP forbids framing`)
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: x-content-type-options nosniff`)
  }
})
