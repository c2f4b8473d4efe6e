import Database from 'better-sqlite3'
import argon2 from 'argon2'
import t from 'tap'
import { databaseFile } from '../server/db/client.js'
import {
  ADMIN_PASSWORD, as, assertProblem, auditEntries, bearer, createUser, login, makeApp, startApp, tryLogin, USER_PASSWORD
} from './helpers/app.js'

/** The algorithm and parameters of a PHC string such as `$argon2id$v=19$m=65536,p=4,t=3$salt$hash`. */
function phcParams (hash: string): { id: string, m: number, t: number, p: number } {
  const [, id = '', , params = ''] = hash.split('$')
  const map = Object.fromEntries(params.split(',').map((kv) => kv.split('=') as [string, string]))
  return { id, m: Number(map.m), t: Number(map.t), p: Number(map.p) }
}
const STRONG = { id: 'argon2id', m: 65536, t: 3, p: 4 }

function storedHash (dir: string, username: string): string {
  const sqlite = new Database(databaseFile(dir), { readonly: true })
  try {
    const row = sqlite.prepare<[string], { password_hash: string }>('SELECT password_hash FROM users WHERE username = ?').get(username)
    if (row === undefined) throw new Error(`no user ${username}`)
    return row.password_hash
  } finally {
    sqlite.close()
  }
}

/** A clock the test moves; the app reads it for token times and the login window. */
function movableClock (): { now: () => Date, advance: (ms: number) => void } {
  let offset = 0
  return { now: () => new Date(Date.now() + offset), advance: (ms) => { offset += ms } }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] ?? 0 : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

t.test('the bootstrap admin logs in with STRONGROOM_ADMIN_PASSWORD and nothing is announced', async (t) => {
  const { app, announced } = await makeApp(t)
  const res = await tryLogin(app, 'admin', ADMIN_PASSWORD)
  t.equal(res.statusCode, 200, 'admin logs in with the configured password')
  t.same(announced, [], 'no password is announced when one was configured')
})

t.test('without STRONGROOM_ADMIN_PASSWORD a random password is announced once and works', async (t) => {
  const dir = t.testdir({})
  const first = await startApp(t, dir, { STRONGROOM_ADMIN_PASSWORD: '' })
  t.equal(first.announced.length, 1, 'exactly one announcement on the first start')
  const text = first.announced.join('')
  t.match(text, /admin/, 'the announcement names the admin account')
  const password = /password[^:\n]*:\s*(\S+)/i.exec(text)?.[1]
  t.ok(password !== undefined && password.length >= 12, 'the announcement carries a password of at least 12 characters')
  t.not(password, ADMIN_PASSWORD, 'it is not the test suite\'s configured password')
  const res = await tryLogin(first.app, 'admin', password ?? '')
  t.equal(res.statusCode, 200, 'admin logs in with the announced password')
  await first.app.close()

  const second = await startApp(t, dir, { STRONGROOM_ADMIN_PASSWORD: '' })
  t.same(second.announced, [], 'a second start on the same data directory announces nothing')
  const again = await tryLogin(second.app, 'admin', password ?? '')
  t.equal(again.statusCode, 200, 'the announced password still works after the restart')
})

t.test('POST /api/auth/login answers a token, its expiry and the user with their agency', async (t) => {
  const { app } = await makeApp(t)
  const started = Date.now()
  const res = await tryLogin(app, 'admin', ADMIN_PASSWORD)
  t.equal(res.statusCode, 200, 'login succeeds')
  t.match(res.headers['content-type'], /^application\/json/, 'the answer is JSON')
  const body = res.json<{ token: string, expiresAt: string, user: Record<string, unknown> }>()
  t.match(body, {
    token: /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
    expiresAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/,
    user: {
      id: String,
      username: 'admin',
      displayName: String,
      role: 'admin',
      agency: { code: 'AL-CUSTOMS', name: String, country: 'AL' }
    }
  }, 'the answer has the contract shape {token, expiresAt, user:{id, username, displayName, role, agency:{code, name, country}}}')
  const lifetime = (Date.parse(body.expiresAt) - started) / 1000
  t.ok(lifetime > 800 && lifetime <= 901, `the token lives about 15 minutes (${lifetime.toFixed(0)} s)`)
  t.notMatch(res.body, /argon2|password/i, 'the answer carries no password or hash')

  const cookie = String(res.headers['set-cookie'] ?? '')
  t.match(cookie, /HttpOnly/i, 'the session cookie is httpOnly')
  t.match(cookie, /SameSite=Strict/i, 'the session cookie is SameSite=Strict')
})

t.test('GET /api/auth/me answers the same user object as login', async (t) => {
  const { app } = await makeApp(t)
  const res = await tryLogin(app, 'admin', ADMIN_PASSWORD)
  const { token, user } = res.json<{ token: string, user: unknown }>()
  const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })
  t.equal(me.statusCode, 200, 'the bearer token is accepted')
  t.same(me.json(), user, 'GET /api/auth/me equals login\'s user')

  const cookie = /strongroom_token=([^;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1] ?? ''
  const byCookie = await app.inject({ method: 'GET', url: '/api/auth/me', cookies: { strongroom_token: cookie } })
  t.equal(byCookie.statusCode, 200, 'the session cookie authenticates too')
  t.same(byCookie.json(), user, 'and names the same user')
})

t.test('an unknown user and a wrong password get the same 401 answer', async (t) => {
  const { app } = await makeApp(t)
  const unknown = await tryLogin(app, 'nobody', ADMIN_PASSWORD)
  const wrong = await tryLogin(app, 'admin', 'not the admin password')
  assertProblem(t, unknown, 401, { code: 'invalid-credentials' }, 'unknown user')
  assertProblem(t, wrong, 401, { code: 'invalid-credentials' }, 'wrong password')
  const strip = (body: string): unknown => {
    const { requestId: _r, ...rest } = JSON.parse(body) as Record<string, unknown>
    return rest
  }
  t.same(strip(unknown.body), strip(wrong.body), 'both bodies are identical apart from requestId')
  t.equal(unknown.headers['content-type'], wrong.headers['content-type'], 'both have the same content type')
})

t.test('an unknown user and a wrong password take about the same time', async (t) => {
  const { app } = await makeApp(t)
  const unknownTimes: number[] = []
  const wrongTimes: number[] = []
  const timed = async (username: string, address: string): Promise<number> => {
    const start = process.hrtime.bigint()
    const res = await tryLogin(app, username, 'not the right password', address)
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6
    if (res.statusCode !== 401) throw new Error(`expected 401, got ${res.statusCode}`)
    return elapsed
  }
  // Warm up both paths, then interleave them so that load on the machine hits both alike.
  await timed('nobody-warmup', '198.51.100.200')
  await timed('admin', '198.51.100.201')
  for (let i = 0; i < 6; i++) {
    unknownTimes.push(await timed(`nobody${i}`, `198.51.100.${i * 2 + 1}`))
    wrongTimes.push(await timed('admin', `198.51.100.${i * 2 + 2}`))
  }
  const ratio = median(unknownTimes) / median(wrongTimes)
  t.comment(`median unknown user ${median(unknownTimes).toFixed(1)} ms, wrong password ${median(wrongTimes).toFixed(1)} ms`)
  t.ok(ratio >= 0.5 && ratio <= 2, `the ratio of median times is within 0.5..2 (got ${ratio.toFixed(2)})`)
})

t.test('the 10th failed login for one account within 15 minutes answers 429, from whatever address', async (t) => {
  const clock = movableClock()
  const { app } = await makeApp(t, {}, { now: clock.now })
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const other = await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })

  for (let i = 1; i <= 9; i++) {
    const res = await tryLogin(app, 'admin', 'wrong password!', `203.0.113.${i}`)
    t.equal(res.statusCode, 401, `failure ${i} from address 203.0.113.${i} answers 401`)
  }
  const tenth = await tryLogin(app, 'admin', 'wrong password!', '203.0.113.10')
  assertProblem(t, tenth, 429, { code: 'too-many-requests' }, 'the 10th failure')
  const retryAfter = Number(tenth.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 900, `Retry-After is a number of seconds within the window (${String(tenth.headers['retry-after'])})`)

  const right = await tryLogin(app, 'admin', ADMIN_PASSWORD, '203.0.113.11')
  assertProblem(t, right, 429, { code: 'too-many-requests' }, 'the right password after the limit, from a new address')
  t.ok(Number(right.headers['retry-after']) > 0, 'that answer carries Retry-After too')

  const otherUser = await tryLogin(app, 'officer.one', USER_PASSWORD, '203.0.113.1')
  t.equal(otherUser.statusCode, 200, 'another account logs in from an address used in the attack (the limit is per account)')

  const entries = await auditEntries(app, adminToken, { action: 'auth.login_limited' })
  t.equal(entries.length, 1, 'the limit trip wrote exactly one auth.login_limited audit entry')
  t.match(entries[0], { action: 'auth.login_limited', entityType: 'user' }, 'the entry concerns the account')
  const data = (JSON.parse(entries[0]?.canonical ?? '{}') as { data?: unknown }).data
  t.match(data, { subject: 'account', username: 'admin' }, 'the entry\'s data names the account')
  t.notMatch(entries[0]?.canonical, /wrong password!/, 'the entry does not record the password tried')

  clock.advance(15 * 60 * 1000 + 1000)
  const later = await tryLogin(app, 'admin', ADMIN_PASSWORD, '203.0.113.12')
  t.equal(later.statusCode, 200, 'after 15 minutes the right password is accepted again')
  t.ok(other.id.length > 0, 'the other account existed throughout')
})

t.test('the 10th failed login from one address within 15 minutes answers 429, whatever the usernames', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const address = '192.0.2.7'
  for (let i = 1; i <= 9; i++) {
    const res = await tryLogin(app, `someone${i}`, 'wrong password!', address)
    t.equal(res.statusCode, 401, `failure ${i} (username someone${i}) answers 401`)
  }
  const tenth = await tryLogin(app, 'someone10', 'wrong password!', address)
  assertProblem(t, tenth, 429, { code: 'too-many-requests' }, 'the 10th failure from the address')
  t.ok(Number(tenth.headers['retry-after']) > 0, 'Retry-After is a positive number of seconds')

  const right = await tryLogin(app, 'admin', ADMIN_PASSWORD, address)
  assertProblem(t, right, 429, { code: 'too-many-requests' }, 'the right password from the limited address')
  const elsewhere = await tryLogin(app, 'admin', ADMIN_PASSWORD, '192.0.2.8')
  t.equal(elsewhere.statusCode, 200, 'the same account logs in from another address')

  for (let i = 11; i <= 12; i++) await tryLogin(app, `someone${i}`, 'wrong password!', address)
  const entries = await auditEntries(app, adminToken, { action: 'auth.login_limited' })
  t.equal(entries.length, 1, 'exactly one auth.login_limited entry, however many attempts follow')
  t.match(entries[0], { entityType: 'address', entityId: address }, 'the entry names the address')
  t.match((JSON.parse(entries[0]?.canonical ?? '{}') as { data?: unknown }).data, { subject: 'address', address }, 'the entry\'s data says the address was limited')
})

t.test('X-Forwarded-For does not move a client out of the per-address limit when no proxy is trusted', async (t) => {
  const { app } = await makeApp(t)
  const address = '192.0.2.50'
  const attempt = async (username: string, password: string, i: number) => app.inject({
    method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: address, headers: { 'x-forwarded-for': `10.9.8.${i}` }
  })
  for (let i = 1; i <= 9; i++) t.equal((await attempt(`someone${i}`, 'wrong password!', i)).statusCode, 401, `failure ${i} with a made-up X-Forwarded-For answers 401`)
  assertProblem(t, await attempt('someone10', 'wrong password!', 10), 429, { code: 'too-many-requests' }, 'the 10th failure from the same socket address')
})

t.test('an account that does not exist is limited exactly like one that does', async (t) => {
  const { app } = await makeApp(t)
  for (let i = 1; i <= 9; i++) {
    await tryLogin(app, 'admin', 'wrong password!', `198.18.0.${i}`)
    await tryLogin(app, 'no.such.user', 'wrong password!', `198.18.1.${i}`)
  }
  const known = await tryLogin(app, 'admin', 'wrong password!', '198.18.0.10')
  const unknown = await tryLogin(app, 'no.such.user', 'wrong password!', '198.18.1.10')
  assertProblem(t, known, 429, { code: 'too-many-requests' }, 'the 10th failure for the real account')
  assertProblem(t, unknown, 429, { code: 'too-many-requests' }, 'the 10th failure for the unknown account')
  const strip = (body: string): unknown => {
    const { requestId: _r, detail: _d, retryAfter: _w, ...rest } = JSON.parse(body) as Record<string, unknown>
    return rest
  }
  t.same(strip(unknown.body), strip(known.body), 'both 429 bodies are alike apart from requestId and the wording of the wait')
  // Each window runs from its own first failure; the two series were interleaved, so their
  // first failures are one password hash apart, which may straddle a second.
  const wait = (body: string): number => Number((JSON.parse(body) as { retryAfter?: unknown }).retryAfter)
  t.ok(Math.abs(wait(unknown.body) - wait(known.body)) <= 1, `and ask to wait as long, to the second (${wait(unknown.body)} s and ${wait(known.body)} s)`)
})

t.test('a disabled user cannot log in and their live token stops working', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })
  t.equal((await as(app, officer.token)('GET', '/api/auth/me')).statusCode, 200, 'the token works before the user is disabled')

  const patch = await as(app, adminToken)('PATCH', `/api/users/${officer.id}`, { disabled: true })
  t.equal(patch.statusCode, 200, 'the admin disables the user')

  assertProblem(t, await tryLogin(app, 'officer.one', USER_PASSWORD), 401, { code: 'invalid-credentials' }, 'login of the disabled user')
  assertProblem(t, await as(app, officer.token)('GET', '/api/auth/me'), 401, { code: 'invalid-token' }, 'the disabled user\'s earlier token')

  await as(app, adminToken)('PATCH', `/api/users/${officer.id}`, { disabled: false })
  t.equal((await tryLogin(app, 'officer.one', USER_PASSWORD)).statusCode, 200, 'once enabled again the user logs in')
})

t.test('a password reset through PATCH /api/users/:id ends the user\'s older tokens', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })
  const newPassword = 'a brand new password'
  const patch = await as(app, adminToken)('PATCH', `/api/users/${officer.id}`, { password: newPassword })
  t.equal(patch.statusCode, 200, 'the admin resets the password')
  assertProblem(t, await as(app, officer.token)('GET', '/api/auth/me'), 401, { code: 'invalid-token' }, 'the token issued before the reset')
  assertProblem(t, await tryLogin(app, 'officer.one', USER_PASSWORD), 401, { code: 'invalid-credentials' }, 'the old password')
  const fresh = await tryLogin(app, 'officer.one', newPassword)
  t.equal(fresh.statusCode, 200, 'the new password logs in')
  const me = await as(app, fresh.json<{ token: string }>().token)('GET', '/api/auth/me')
  t.equal(me.statusCode, 200, 'and its token works')
})

t.test('stored password hashes are argon2id with m=65536, t=3, p=4', async (t) => {
  const { app, dir } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })
  t.same(phcParams(storedHash(dir, 'admin')), STRONG, 'the bootstrap admin\'s hash has the RFC 9106 second recommended parameters')
  t.same(phcParams(storedHash(dir, 'officer.one')), STRONG, 'a created user\'s hash has the same parameters')
  t.ok(await argon2.verify(storedHash(dir, 'officer.one'), USER_PASSWORD), 'the stored hash verifies the user\'s password')
})

t.test('a hash made with weaker parameters is rehashed at the next successful login', async (t) => {
  const { app, dir } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })
  const weak = await argon2.hash(USER_PASSWORD, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 })
  const sqlite = new Database(databaseFile(dir))
  sqlite.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(weak, 'officer.one')
  sqlite.close()
  t.same(phcParams(storedHash(dir, 'officer.one')), { id: 'argon2id', m: 19456, t: 2, p: 1 }, 'the weak hash is stored')

  assertProblem(t, await tryLogin(app, 'officer.one', 'a wrong password here'), 401, { code: 'invalid-credentials' }, 'a failed login')
  t.equal(storedHash(dir, 'officer.one'), weak, 'a failed login does not rehash')

  const res = await tryLogin(app, 'officer.one', USER_PASSWORD)
  t.equal(res.statusCode, 200, 'the user logs in with the weakly hashed password')
  const rehashed = storedHash(dir, 'officer.one')
  t.same(phcParams(rehashed), STRONG, 'the stored hash now has m=65536, t=3, p=4')
  t.ok(await argon2.verify(rehashed, USER_PASSWORD), 'the new hash verifies the same password')
  t.equal((await as(app, officer.token)('GET', '/api/auth/me')).statusCode, 200, 'the rehash does not end existing sessions')
})

t.test('login refuses a body with unknown fields or a missing password', async (t) => {
  const { app } = await makeApp(t)
  const extra = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD, role: 'admin' } })
  assertProblem(t, extra, 400, { code: 'validation-failed', errors: [{ field: /role/ }] }, 'an unknown field')
  const missing = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin' } })
  assertProblem(t, missing, 400, { code: 'validation-failed', errors: [{ field: /password/ }] }, 'a missing password')
})

