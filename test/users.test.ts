import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import {
  ADMIN_PASSWORD, as, assertProblem, auditEntries, auditSize, createAgency, createUser, login, makeApp, tryLogin, USER_PASSWORD
} from './helpers/app.js'

const ROLES = ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor'] as const
const XK = { code: 'XK-CUSTOMS', name: 'Kosovo Customs', country: 'XK' }

interface UserBody { id: string, username: string, displayName: string, role: string, disabled: boolean, agency: { code: string, name: string, country: string } }

t.test('an admin creates a user of every role, and each logs in with that role', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  for (const role of ROLES) {
    const username = `user.${role}`
    const res = await as(app, adminToken)('POST', '/api/users', { username, password: USER_PASSWORD, displayName: `A ${role}`, role })
    t.equal(res.statusCode, 201, `POST /api/users creates the ${role}`)
    t.match(res.json(), { id: String, username, displayName: `A ${role}`, role, disabled: false, agency: { code: 'AL-CUSTOMS', country: 'AL' } }, `the ${role} is answered in the contract shape`)
    const logged = await tryLogin(app, username, USER_PASSWORD)
    t.equal(logged.statusCode, 200, `the ${role} logs in`)
    const me = await as(app, logged.json<{ token: string }>().token)('GET', '/api/auth/me')
    t.equal(me.statusCode, 200, `the ${role}'s token works`)
    t.equal(me.json<UserBody>().role, role, `GET /api/auth/me shows the role ${role}`)
  }
})

t.test('users other than admins get 403 on POST, GET and PATCH /api/users', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const target = await createUser(app, adminToken, { username: 'target.user', role: 'officer' })
  const before = await auditSize(app)
  for (const role of ROLES.filter((r) => r !== 'admin')) {
    const { token } = await createUser(app, adminToken, { username: `nonadmin.${role}`, role })
    const call = as(app, token)
    const sizeBefore = await auditSize(app)
    assertProblem(t, await call('POST', '/api/users', { username: `made.by.${role}`, password: USER_PASSWORD, displayName: 'x', role: 'admin' }), 403, { code: 'forbidden' }, `POST /api/users as ${role}`)
    assertProblem(t, await call('GET', '/api/users'), 403, { code: 'forbidden' }, `GET /api/users as ${role}`)
    assertProblem(t, await call('GET', `/api/users/${target.id}`), 403, { code: 'forbidden' }, `GET /api/users/:id as ${role}`)
    assertProblem(t, await call('PATCH', `/api/users/${target.id}`, { role: 'admin' }), 403, { code: 'forbidden' }, `PATCH /api/users/:id as ${role}`)
    assertProblem(t, await call('PATCH', `/api/users/${target.id}`, { disabled: true }), 403, { code: 'forbidden' }, `PATCH disabled as ${role}`)
    t.equal(await auditSize(app), sizeBefore, `the refused calls of the ${role} wrote nothing`)
  }
  t.ok(await auditSize(app) > before, 'only the user creations were audited')
  t.equal((await as(app, target.token)('GET', '/api/auth/me')).json<UserBody>().role, 'officer', 'the target is still an officer')
})

t.test('PATCH /api/users/:id changes the role, the display name and the disabled flag, one audit entry each', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })
  const patches: Array<[Record<string, unknown>, Partial<UserBody>]> = [
    [{ role: 'investigator' }, { role: 'investigator' }],
    [{ displayName: 'Elira Krasniqi' }, { displayName: 'Elira Krasniqi' }],
    [{ disabled: true }, { disabled: true }],
    [{ disabled: false }, { disabled: false }],
    [{ role: 'auditor', displayName: 'E. Krasniqi' }, { role: 'auditor', displayName: 'E. Krasniqi' }]
  ]
  for (const [patch, expected] of patches) {
    const before = await auditSize(app)
    const beforeUpdates = (await auditEntries(app, adminToken, { action: 'user.update', entityId: officer.id })).length
    const res = await as(app, adminToken)('PATCH', `/api/users/${officer.id}`, patch)
    t.equal(res.statusCode, 200, `PATCH ${JSON.stringify(patch)} succeeds`)
    t.match(res.json(), { id: officer.id, ...expected }, `PATCH ${JSON.stringify(patch)} answers the changed user`)
    t.equal(await auditSize(app), before + 1, `PATCH ${JSON.stringify(patch)} adds exactly one audit entry`)
    const updates = await auditEntries(app, adminToken, { action: 'user.update', entityId: officer.id })
    t.equal(updates.length, beforeUpdates + 1, `that entry is a user.update of ${officer.id}`)
    t.match(JSON.parse(updates[updates.length - 1]?.canonical ?? '{}'), { data: expected }, 'the entry holds the new state')
  }
  const me = await as(app, (await tryLogin(app, 'officer.one', USER_PASSWORD)).json<{ token: string }>().token)('GET', '/api/auth/me')
  t.match(me.json(), { role: 'auditor', displayName: 'E. Krasniqi', disabled: false }, 'the user logs in with the new role and name')
})

t.test('a role change takes effect on the user\'s live token at once', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })
  assertProblem(t, await as(app, officer.token)('GET', '/api/users'), 403, { code: 'forbidden' }, 'the officer may not list users')
  await as(app, adminToken)('PATCH', `/api/users/${officer.id}`, { role: 'admin' })
  t.equal((await as(app, officer.token)('GET', '/api/users')).statusCode, 200, 'with the same token, the promoted user lists users')
  t.equal((await as(app, officer.token)('GET', '/api/auth/me')).json<UserBody>().role, 'admin', 'GET /api/auth/me shows the new role')
})

t.test('an empty PATCH or one with an unknown user id changes nothing', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })
  const before = await auditSize(app)
  assertProblem(t, await as(app, adminToken)('PATCH', `/api/users/${officer.id}`, {}), 400, { code: 'validation-failed' }, 'an empty PATCH')
  assertProblem(t, await as(app, adminToken)('PATCH', '/api/users/no-such-user', { role: 'auditor' }), 404, { code: 'not-found' }, 'PATCH of an unknown id')
  assertProblem(t, await as(app, adminToken)('GET', '/api/users/no-such-user'), 404, { code: 'not-found' }, 'GET of an unknown id')
  t.equal(await auditSize(app), before, 'nothing was audited')
})

t.test('an admin cannot disable themselves or give up their own admin role', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  const me = (await as(app, adminToken)('GET', '/api/auth/me')).json<UserBody>()
  const before = await auditSize(app)
  assertProblem(t, await as(app, adminToken)('PATCH', `/api/users/${me.id}`, { disabled: true }), 409, { code: 'conflict' }, 'disabling oneself')
  assertProblem(t, await as(app, adminToken)('PATCH', `/api/users/${me.id}`, { role: 'officer' }), 409, { code: 'conflict' }, 'demoting oneself')
  t.equal(await auditSize(app), before, 'nothing was audited')
})

t.test('a duplicate username answers 409, whatever its case', async (t) => {
  const { app } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })
  const before = await auditSize(app)
  for (const username of ['officer.one', 'Officer.One', 'admin']) {
    const res = await as(app, adminToken)('POST', '/api/users', { username, password: USER_PASSWORD, displayName: 'Someone', role: 'custodian' })
    assertProblem(t, res, 409, { code: 'conflict' }, `creating "${username}" again`)
  }
  t.equal(await auditSize(app), before, 'the refused creations wrote nothing')
})

t.test('an admin of one agency can neither see nor change a user of another agency', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const created = await as(app, rootToken)('POST', '/api/agencies', XK)
  t.equal(created.statusCode, 201, 'the bootstrap admin creates agency XK-CUSTOMS')
  t.match(created.json(), { id: String, ...XK }, 'the agency is answered with its code, name and country')
  const xkAdmin = await createUser(app, rootToken, { username: 'xk.admin', role: 'admin', agencyCode: 'XK-CUSTOMS' })
  const xkOfficer = await createUser(app, xkAdmin.token, { username: 'xk.officer', role: 'officer' })
  const alAdmin = await createUser(app, rootToken, { username: 'al.admin', role: 'admin' })
  const alOfficer = await createUser(app, alAdmin.token, { username: 'al.officer', role: 'officer' })

  t.equal((await as(app, xkOfficer.token)('GET', '/api/auth/me')).json<UserBody>().agency.code, 'XK-CUSTOMS', 'the XK admin\'s user belongs to XK-CUSTOMS')
  const before = await auditSize(app)
  assertProblem(t, await as(app, alAdmin.token)('GET', `/api/users/${xkOfficer.id}`), 404, { code: 'not-found' }, 'the AL admin reading an XK user')
  assertProblem(t, await as(app, alAdmin.token)('PATCH', `/api/users/${xkOfficer.id}`, { disabled: true }), 404, { code: 'not-found' }, 'the AL admin disabling an XK user')
  assertProblem(t, await as(app, xkAdmin.token)('PATCH', `/api/users/${alOfficer.id}`, { role: 'auditor' }), 404, { code: 'not-found' }, 'the XK admin changing an AL user')
  t.equal(await auditSize(app), before, 'the refused calls wrote nothing')

  const alList = (await as(app, alAdmin.token)('GET', '/api/users?limit=200')).json<{ items: UserBody[] }>().items
  t.ok(alList.length > 0, 'the AL admin sees users')
  t.ok(alList.every((u) => u.agency.code === 'AL-CUSTOMS'), 'the AL admin\'s list holds only AL users')
  const xkList = (await as(app, xkAdmin.token)('GET', '/api/users?limit=200')).json<{ items: UserBody[] }>().items
  t.same(xkList.map((u) => u.username).sort(), ['xk.admin', 'xk.officer'], 'the XK admin\'s list holds exactly the XK users')

  const agencyRefused = await as(app, xkAdmin.token)('POST', '/api/users', { username: 'sneaky', password: USER_PASSWORD, displayName: 'Sneaky', role: 'admin', agencyCode: 'AL-CUSTOMS' })
  t.ok(agencyRefused.statusCode === 400 || agencyRefused.statusCode === 403 || agencyRefused.statusCode === 404, `the XK admin cannot create a user in AL-CUSTOMS (${agencyRefused.statusCode})`)
  t.match(agencyRefused.headers['content-type'], /^application\/problem\+json/, 'that refusal is problem+json')
  t.equal((await tryLogin(app, 'sneaky', USER_PASSWORD)).statusCode, 401, 'no such user was created')
})

t.test('only the bootstrap admin may create agencies', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const second = await createUser(app, rootToken, { username: 'second.admin', role: 'admin' })
  const officer = await createUser(app, rootToken, { username: 'officer.one', role: 'officer' })
  const before = await auditSize(app)
  assertProblem(t, await as(app, second.token)('POST', '/api/agencies', XK), 403, { code: 'forbidden' }, 'a second admin creating an agency')
  assertProblem(t, await as(app, officer.token)('POST', '/api/agencies', XK), 403, { code: 'forbidden' }, 'an officer creating an agency')
  t.equal(await auditSize(app), before, 'the refusals wrote nothing')
  t.equal((await as(app, rootToken)('POST', '/api/agencies', XK)).statusCode, 201, 'the bootstrap admin creates it')
  assertProblem(t, await as(app, rootToken)('POST', '/api/agencies', XK), 409, { code: 'conflict' }, 'creating the same agency code again')
})

t.test('GET /api/users pages through every user with limit and nextCursor, without duplicates', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const expected = ['admin']
  for (let i = 0; i < 6; i++) {
    const username = `paged.${i}`
    const res = await as(app, rootToken)('POST', '/api/users', { username, password: USER_PASSWORD, displayName: username, role: ROLES[i % ROLES.length] })
    t.equal(res.statusCode, 201, `${username} is created`)
    expected.push(username)
  }
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const url = `/api/users?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`
    const res: LightMyRequestResponse = await as(app, rootToken)('GET', url)
    t.equal(res.statusCode, 200, `page ${pages + 1} answers 200`)
    const page = res.json<{ items: UserBody[], nextCursor: string | null }>()
    t.ok(page.items.length <= 2, `page ${pages + 1} holds at most 2 users`)
    t.ok(page.nextCursor === null || typeof page.nextCursor === 'string', `page ${pages + 1} has a nextCursor string or null`)
    seen.push(...page.items.map((u) => u.username))
    cursor = page.nextCursor
    pages++
  } while (cursor !== null && pages < 20)
  t.equal(pages, 4, 'seven users at two a page take four pages')
  t.equal(new Set(seen).size, seen.length, 'no user appears twice')
  t.same([...seen].sort(), [...expected].sort(), 'every user appears')
  assertProblem(t, await as(app, rootToken)('GET', '/api/users?cursor=bm90LWEtY3Vyc29y!'), 400, { code: 'validation-failed' }, 'a cursor the server did not issue')
  assertProblem(t, await as(app, rootToken)('GET', '/api/users?limit=0'), 400, { code: 'validation-failed' }, 'limit=0')
})

t.test('no password or password hash appears in any response or audit entry', async (t) => {
  const { app } = await makeApp(t)
  const bodies: string[] = []
  const record = (res: LightMyRequestResponse): LightMyRequestResponse => { bodies.push(res.body, JSON.stringify(res.headers)); return res }
  const loginRes = record(await tryLogin(app, 'admin', ADMIN_PASSWORD))
  const rootToken = loginRes.json<{ token: string }>().token
  const call = as(app, rootToken)
  const created = record(await call('POST', '/api/users', { username: 'officer.one', password: USER_PASSWORD, displayName: 'Officer', role: 'officer' }))
  const id = created.json<UserBody>().id
  const newPassword = 'the second password of this user'
  record(await call('PATCH', `/api/users/${id}`, { password: newPassword }))
  record(await call('GET', `/api/users/${id}`))
  record(await call('GET', '/api/users'))
  record(await tryLogin(app, 'officer.one', newPassword))
  record(await tryLogin(app, 'officer.one', 'a wrong password, logged nowhere'))
  record(await call('POST', '/api/users', { username: 'officer.one', password: 'a duplicate attempt password', displayName: 'Dup', role: 'officer' }))
  record(await call('POST', '/api/users', { username: 'short.pw', password: 'short', displayName: 'Short', role: 'officer' }))
  const audit = await auditEntries(app, rootToken)
  bodies.push(...audit.map((e) => e.canonical))
  const all = bodies.join('\n')
  for (const secret of [ADMIN_PASSWORD, USER_PASSWORD, newPassword, 'a wrong password, logged nowhere', 'a duplicate attempt password']) {
    t.notOk(all.includes(secret), `"${secret}" appears in no response and no audit entry`)
  }
  t.notMatch(all, /\$argon2/, 'no argon2 hash appears anywhere')
  t.notMatch(all, /password_?hash/i, 'no password hash field appears anywhere')
  t.ok(audit.some((e) => e.action === 'user.update' && e.entityId === id), 'the password reset itself is audited')
})

t.test('POST /api/users refuses a password shorter than 12 characters', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const before = await auditSize(app)
  const res = await as(app, rootToken)('POST', '/api/users', { username: 'short.pw', password: 'elevenchars', displayName: 'Short', role: 'officer' })
  assertProblem(t, res, 400, { code: 'validation-failed', errors: [{ field: /password/ }] }, 'an 11-character password')
  t.equal(await auditSize(app), before, 'nothing was written')
})

t.test('GET /api/agencies lists the agencies the bootstrap admin created', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const { id } = await createAgency(app, rootToken, XK)
  const list = (await as(app, rootToken)('GET', '/api/agencies')).json<{ items: Array<{ id: string, code: string }> }>()
  t.same(list.items.map((a) => a.code), ['AL-CUSTOMS', 'XK-CUSTOMS'], 'the bootstrap admin lists both agencies, by code')
  t.ok(list.items.some((a) => a.id === id), 'the new agency is listed with its id')
})
