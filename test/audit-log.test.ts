import { createHash } from 'node:crypto'
import t from 'tap'
import {
  ADMIN_PASSWORD, as, assertProblem, auditEntries, auditSize, createUser, login, makeApp, USER_PASSWORD, type AuditEntry
} from './helpers/app.js'

/** RFC 6962 leaf hash, computed here independently of the server: SHA-256(0x00 || bytes). */
const leafHashHex = (canonical: string): string =>
  createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(canonical, 'utf8')])).digest('hex')

/** For plain ASCII JSON data RFC 8785 amounts to: keys sorted by code unit, no whitespace. */
function sortedJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

const FIXED = new Date('2026-03-29T08:40:00.000Z')

t.test('every change adds exactly one audit entry', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const call = as(app, rootToken)
  const steps: Array<[string, () => Promise<{ statusCode: number }>, string]> = [
    ['creating an agency', async () => call('POST', '/api/agencies', { code: 'XK-CUSTOMS', name: 'Kosovo Customs', country: 'XK' }), 'agency.create'],
    ['creating a user', async () => call('POST', '/api/users', { username: 'officer.one', password: USER_PASSWORD, displayName: 'Officer', role: 'officer' }), 'user.create'],
    ['creating a user of another agency', async () => call('POST', '/api/users', { username: 'xk.officer', password: USER_PASSWORD, displayName: 'XK Officer', role: 'officer', agencyCode: 'XK-CUSTOMS' }), 'user.create'],
    ['changing a user\'s role', async () => {
      const id = (await auditEntries(app, rootToken, { action: 'user.create' })).find((e) => e.canonical.includes('"officer.one"'))?.entityId ?? ''
      return call('PATCH', `/api/users/${id}`, { role: 'custodian' })
    }, 'user.update']
  ]
  for (const [what, step, action] of steps) {
    const before = await auditEntries(app, rootToken)
    const res = await step()
    t.ok(res.statusCode >= 200 && res.statusCode < 300, `${what} succeeds (${res.statusCode})`)
    const after = await auditEntries(app, rootToken)
    t.equal(after.length, before.length + 1, `${what} adds exactly one entry`)
    t.equal(after[after.length - 1]?.action, action, `${what} adds a ${action} entry`)
  }
  t.equal(await auditSize(app), (await auditEntries(app, rootToken)).length, 'the bootstrap admin reads every entry in the table')
})

t.test('entries are numbered 0, 1, 2 ... without gaps and carry their hashed canonical form', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  for (let i = 0; i < 3; i++) await createUser(app, rootToken, { username: `user.${i}`, role: 'officer' })
  const entries = await auditEntries(app, rootToken)
  t.ok(entries.length >= 5, 'there are at least five entries (bootstrap agency, bootstrap admin, three users)')
  t.same(entries.map((e) => e.index), entries.map((_e, i) => i), 'the indexes are 0, 1, 2 ... in order, without gaps')
  for (const entry of entries) {
    t.equal(entry.leafHash, leafHashHex(entry.canonical), `entry ${entry.index}: leafHash is hex SHA-256(0x00 || UTF-8 canonical)`)
    const parsed = JSON.parse(entry.canonical) as Record<string, unknown>
    t.same(Object.keys(parsed).sort(), ['action', 'actor', 'data', 'entityId', 'entityType', 'index', 'time'], `entry ${entry.index}: canonical holds exactly index, time, actor, action, entityType, entityId and data`)
    t.equal(entry.canonical, sortedJson(parsed), `entry ${entry.index}: canonical is RFC 8785 (sorted keys, no whitespace)`)
    t.match(parsed, { index: entry.index, time: entry.time, actor: entry.actor, action: entry.action, entityType: entry.entityType, entityId: entry.entityId }, `entry ${entry.index}: the convenience fields copy the canonical ones`)
    t.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, `entry ${entry.index}: time is RFC 3339 UTC`)
  }
})

t.test('the first entry of a fresh server is the bootstrap agency, byte for byte', async (t) => {
  const { app } = await makeApp(t, {}, { now: () => FIXED })
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const [first, second] = await auditEntries(app, rootToken)
  const id = first?.entityId ?? ''
  const T = FIXED.toISOString()
  const expected = `{"action":"agency.create","actor":"system","data":{"code":"AL-CUSTOMS","country":"AL","createdAt":"${T}","id":"${id}","name":"Albanian Customs Administration"},"entityId":"${id}","entityType":"agency","index":0,"time":"${T}"}`
  t.equal(first?.canonical, expected, 'entry 0 is exactly the hand-written canonical text')
  t.equal(first?.leafHash, createHash('sha256').update(Buffer.from([0])).update(expected, 'utf8').digest('hex'), 'and its leaf hash is SHA-256(0x00 || that text)')
  t.match(second, { index: 1, action: 'user.create', actor: 'system', entityType: 'user' }, 'entry 1 is the bootstrap admin, created by the system')
  t.match(JSON.parse(second?.canonical ?? '{}'), { data: { username: 'admin', role: 'admin', agencyId: id, disabled: false } }, 'entry 1 holds the admin\'s record')
})

t.test('a leaf hash over non-ASCII text hashes its UTF-8 bytes', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const res = await as(app, rootToken)('POST', '/api/users', { username: 'mirela', password: USER_PASSWORD, displayName: 'Mirela Çela — prokurore', role: 'prosecutor' })
  t.equal(res.statusCode, 201, 'a user with a non-ASCII display name is created')
  const entries = await auditEntries(app, rootToken, { action: 'user.create', entityId: res.json<{ id: string }>().id })
  const entry = entries[0]
  t.ok(entry?.canonical.includes('Mirela Çela — prokurore'), 'the canonical text holds the name as characters, not escapes')
  t.equal(entry?.leafHash, leafHashHex(entry?.canonical ?? ''), 'the leaf hash is over the UTF-8 bytes')
})

t.test('only auditors and admins may read GET /api/audit', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  for (const role of ['officer', 'custodian', 'investigator', 'prosecutor']) {
    const { token } = await createUser(app, rootToken, { username: `reader.${role}`, role })
    assertProblem(t, await as(app, token)('GET', '/api/audit'), 403, { code: 'forbidden' }, `GET /api/audit as ${role}`)
  }
  for (const role of ['auditor', 'admin']) {
    const { token } = await createUser(app, rootToken, { username: `reader.${role}`, role })
    const res = await as(app, token)('GET', '/api/audit')
    t.equal(res.statusCode, 200, `GET /api/audit as ${role} answers 200`)
    const page = res.json<{ items: AuditEntry[], nextCursor: string | null }>()
    t.ok(Array.isArray(page.items) && page.items.length > 0, `the ${role} gets a page of entries`)
    t.ok(page.nextCursor === null || typeof page.nextCursor === 'string', `the ${role}'s page has a nextCursor string or null`)
  }
  assertProblem(t, await app.inject({ method: 'GET', url: '/api/audit' }), 401, { code: 'unauthenticated' }, 'GET /api/audit without a token')
})

t.test('an agency\'s auditor reads that agency\'s entries only', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  await as(app, rootToken)('POST', '/api/agencies', { code: 'XK-CUSTOMS', name: 'Kosovo Customs', country: 'XK' })
  const xkOfficer = await createUser(app, rootToken, { username: 'xk.officer', role: 'officer', agencyCode: 'XK-CUSTOMS' })
  const alAuditor = await createUser(app, rootToken, { username: 'al.auditor', role: 'auditor' })
  const seen = await auditEntries(app, alAuditor.token)
  t.ok(seen.length > 0, 'the AL auditor reads entries')
  t.notOk(seen.some((e) => e.entityId === xkOfficer.id), 'the AL auditor does not read the creation of an XK user')
  t.ok(seen.some((e) => e.entityId === alAuditor.id), 'the AL auditor reads the creation of an AL user')
})

t.test('GET /api/audit filters by action, entityType and entityId, and pages with a cursor', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const ids: string[] = []
  for (let i = 0; i < 4; i++) ids.push((await createUser(app, rootToken, { username: `user.${i}`, role: 'officer' })).id)
  await as(app, rootToken)('PATCH', `/api/users/${ids[0] ?? ''}`, { role: 'auditor' })
  await as(app, rootToken)('PATCH', `/api/users/${ids[0] ?? ''}`, { displayName: 'Renamed' })
  const all = await auditEntries(app, rootToken)

  const byAction = await auditEntries(app, rootToken, { action: 'user.create' })
  t.equal(byAction.length, 5, 'action=user.create finds the bootstrap admin and the four users')
  t.ok(byAction.every((e) => e.action === 'user.create'), 'every entry found has that action')

  const byType = await auditEntries(app, rootToken, { entityType: 'agency' })
  t.same(byType.map((e) => e.action), ['agency.create'], 'entityType=agency finds the one agency entry')

  const byId = await auditEntries(app, rootToken, { entityId: ids[0] ?? '' })
  t.same(byId.map((e) => e.action), ['user.create', 'user.update', 'user.update'], 'entityId finds the history of one user, oldest first')

  const combined = await auditEntries(app, rootToken, { action: 'user.update', entityId: ids[0] ?? '' })
  t.equal(combined.length, 2, 'filters combine')

  const none = await auditEntries(app, rootToken, { action: 'no.such.action' })
  t.same(none, [], 'an action nobody did finds nothing')

  const paged: AuditEntry[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await as(app, rootToken)('GET', `/api/audit?limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
    t.equal(res.statusCode, 200, `page ${pages + 1} answers 200`)
    const page = res.json<{ items: AuditEntry[], nextCursor: string | null }>()
    t.ok(page.items.length <= 3, `page ${pages + 1} holds at most 3 entries`)
    paged.push(...page.items)
    cursor = page.nextCursor
    pages++
  } while (cursor !== null && pages < 20)
  t.same(paged.map((e) => e.index), all.map((e) => e.index), 'paging three at a time reads every entry once, in order')
  t.equal(pages, Math.ceil(all.length / 3), 'with the expected number of pages')

  const filteredPage = await as(app, rootToken)('GET', '/api/audit?action=user.create&limit=2')
  const first = filteredPage.json<{ items: AuditEntry[], nextCursor: string }>()
  const next = await as(app, rootToken)('GET', `/api/audit?action=user.create&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)
  t.same(
    [...first.items, ...next.json<{ items: AuditEntry[] }>().items].map((e) => e.index),
    byAction.slice(0, 4).map((e) => e.index),
    'a cursor carries on within a filter'
  )
  assertProblem(t, await as(app, rootToken)('GET', '/api/audit?cursor=garbage'), 400, { code: 'validation-failed' }, 'a cursor the server did not issue')
  assertProblem(t, await as(app, rootToken)('GET', '/api/audit?limit=1000'), 400, { code: 'validation-failed' }, 'a limit over the maximum')
  assertProblem(t, await as(app, rootToken)('GET', '/api/audit?color=blue'), 400, { code: 'validation-failed' }, 'an unknown query parameter')
})

t.test('a failed change adds no audit entry', async (t) => {
  const { app } = await makeApp(t)
  const rootToken = await login(app, 'admin', ADMIN_PASSWORD)
  const { id } = await createUser(app, rootToken, { username: 'officer.one', role: 'officer' })
  const before = await auditEntries(app, rootToken)
  const call = as(app, rootToken)
  assertProblem(t, await call('POST', '/api/users', { username: 'officer.one', password: USER_PASSWORD, displayName: 'Dup', role: 'officer' }), 409, { code: 'conflict' }, 'a duplicate username')
  assertProblem(t, await call('POST', '/api/agencies', { code: 'AL-CUSTOMS', name: 'Again', country: 'AL' }), 409, { code: 'conflict' }, 'a duplicate agency code')
  assertProblem(t, await call('POST', '/api/users', { username: 'nobody.here', password: USER_PASSWORD, displayName: 'X', role: 'officer', agencyCode: 'ZZ-NOWHERE' }), 400, { code: 'validation-failed' }, 'a user of an unknown agency')
  assertProblem(t, await call('PATCH', `/api/users/${id}`, { role: 'king' }), 400, { code: 'validation-failed' }, 'an invalid role')
  t.same(await auditEntries(app, rootToken), before, 'the audit log is exactly as before')
})
