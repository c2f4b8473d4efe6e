/**
 * The role × action table (issue 5): every route of the real app, walked with a
 * user of every role, allowed or refused as the table below says; and every
 * by-id route of one agency's records, tried by the other agency's users, which
 * must answer 404 exactly as for an id that does not exist, changing nothing.
 *
 * The table is written here from PRODUCT.md and the issue, not read from
 * access.ts: a route added without a row, a route whose permission changes, or a
 * role added to a permission fails this file until the table says so too.
 */
import dc from 'node:diagnostics_channel'
import type { FastifyInstance, LightMyRequestResponse, RouteOptions } from 'fastify'
import t, { type Test } from 'tap'
import { PERMISSIONS } from '../server/services/access.js'
import { as, assertProblem, auditSize, bearer, makeApp, USER_PASSWORD } from './helpers/app.js'
import { addAction, addMember, attach, caseApp, createCase, tableCounts } from './helpers/cases.js'
import { createItem, createLocation, createSeizure, seizureBody, upload, type Caller } from './helpers/evidence.js'

// The walk downloads every case file and bundle once per role allowed to (ten documents)
// on a world of thirteen users (argon2id at RFC 9106 strength): more than .taprc's 120 s
// on a busy machine.
t.setTimeout(300_000)

// ---------------------------------------------------------------------------
// Every route the app registers, recorded as Fastify adds it. buildApp answers a
// ready app (too late for an onRoute hook), so the hook is added through
// Fastify's documented `fastify.initialization` diagnostics channel, which
// publishes each instance as it is created.

const registered = new WeakMap<object, RouteOptions[]>()
dc.subscribe('fastify.initialization', (message) => {
  const { fastify } = message as { fastify: FastifyInstance }
  const routes: RouteOptions[] = []
  registered.set(fastify, routes)
  // Kept by reference: plugins registered later may still adjust a route's config.
  fastify.addHook('onRoute', (route) => { routes.push(route) })
})

interface Route { method: string, url: string, key: string, permission: string | undefined, public: boolean }

function routesOf (app: FastifyInstance): Route[] {
  const routes = registered.get(app)
  if (routes === undefined) throw new Error('the app was built before the route recorder subscribed')
  return routes.flatMap((r) => [r.method].flat().map((method) => {
    const config = (r.config ?? {}) as { permission?: string, public?: boolean }
    return { method, url: r.url, key: `${method} ${r.url}`, permission: config.permission, public: config.public === true }
  }))
}

// ---------------------------------------------------------------------------
// The table

const ROLES = ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor'] as const
type Role = typeof ROLES[number]

/**
 * Permission → roles. Object rules narrow these further (below, per route):
 * a user sees only their agency's records, a prosecutor only the cases they are a
 * member of, evidence changes only by its agency's officers, custodians and
 * investigators, a case changes only by its members.
 */
const GRANTS = {
  session: ROLES,
  'agency.create': ['admin'],
  'agency.list': ['admin'],
  'user.manage': ['admin'],
  'audit.read': ['admin', 'auditor'],
  'audit.proof': ['admin', 'auditor'],
  'audit.checkpoint': ['admin', 'auditor'],
  'audit.verify': ['admin', 'auditor'],
  'seizure.create': ['officer', 'investigator'],
  'seizure.correct': ['officer', 'investigator'],
  'seizure.read': ['officer', 'custodian', 'investigator', 'prosecutor', 'auditor'],
  'item.create': ['officer', 'custodian', 'investigator'],
  'custody.record': ['officer', 'custodian', 'investigator'],
  'location.manage': ['custodian', 'admin'],
  'location.read': ['officer', 'custodian', 'investigator', 'auditor'],
  'attachment.upload': ['officer', 'custodian', 'investigator', 'prosecutor'],
  'attachment.read': ['officer', 'custodian', 'investigator', 'prosecutor', 'auditor'],
  'case.create': ['investigator'],
  'case.read': ['investigator', 'prosecutor', 'auditor'],
  'case.update': ['investigator', 'prosecutor'],
  'case.share': ['investigator'],
  'stats.read': ['auditor', 'admin'],
  'export.cen': ['auditor', 'admin']
} as const satisfies Record<string, readonly Role[]>
type Permission = keyof typeof GRANTS

/** The ids a row's URL and body are made of: one real record of each kind in AL-CUSTOMS. */
interface Ids {
  seizure: string
  /** A second seizure, linked to the case and unlinked again by the walk. */
  seizure2: string
  item: string
  /** The item's `seized` custody event. */
  event: string
  location: string
  case: string
  action: string
  attSeizure: string
  attItem: string
  attEvent: string
  attCase: string
  attAction: string
  /** AL's officer (read and renamed by the admin routes). */
  officer: string
  /** An AL investigator the walk adds to the case and removes again. */
  investigator2: string
  /** The XK investigator the case is shared with and unshared from. */
  xkInvestigator: string
  verification: string
}

interface Row {
  permission: Permission
  /** The URL to call (with a query where the route needs one). */
  path: (i: Ids) => string
  body?: (i: Ids) => unknown
  /** The body is a multipart upload of a small file. */
  multipart?: true
  /** Roles the permission allows that the route's object rules still refuse with 403 on this fixture, and why. */
  refusedBy?: Partial<Record<Role, string>>
  /** Why a by-id route is not another agency's record (skipped by the cross-agency walk). */
  notAgencyRecord?: string
}

const upload3 = (what: string, path: (i: Ids) => string): Row => ({
  permission: 'attachment.upload',
  path,
  multipart: true,
  refusedBy: { prosecutor: `a prosecutor reads evidence but never changes it (${what})` }
})
const uploadCase = (path: (i: Ids) => string): Row => ({
  permission: 'attachment.upload',
  path,
  multipart: true,
  // Officers and custodians do not see cases at all (case.read): their attempt answers 404.
})
const LEAD_ONLY = 'only the lead investigator changes who works on the case'
const INVESTIGATORS_ONLY = 'only the investigators on the case change its seizures and details'

const TABLE: Record<string, Row> = {
  'GET /api/auth/me': { permission: 'session', path: () => '/api/auth/me' },
  'POST /api/agencies': {
    permission: 'agency.create',
    path: () => '/api/agencies',
    body: () => ({ code: 'MK-CUSTOMS', name: 'Customs Administration of North Macedonia', country: 'MK' }),
    refusedBy: { admin: 'only the bootstrap administrator creates agencies, not an agency\'s admin' }
  },
  'GET /api/agencies': { permission: 'agency.list', path: () => '/api/agencies' },
  'POST /api/users': { permission: 'user.manage', path: () => '/api/users', body: () => ({ username: 'al.new-officer', password: USER_PASSWORD, displayName: 'New officer', role: 'officer' }) },
  'GET /api/users': { permission: 'user.manage', path: () => '/api/users' },
  'GET /api/directory': { permission: 'session', path: () => '/api/directory' },
  'GET /api/users/:id': { permission: 'user.manage', path: (i) => `/api/users/${i.officer}` },
  'PATCH /api/users/:id': { permission: 'user.manage', path: (i) => `/api/users/${i.officer}`, body: () => ({ displayName: 'Elira Krasniqi' }) },

  'GET /api/audit': { permission: 'audit.read', path: () => '/api/audit' },
  'GET /api/audit/checkpoint': { permission: 'audit.proof', path: () => '/api/audit/checkpoint' },
  'POST /api/audit/checkpoint': { permission: 'audit.checkpoint', path: () => '/api/audit/checkpoint' },
  'GET /api/audit/checkpoints': { permission: 'audit.proof', path: () => '/api/audit/checkpoints' },
  'GET /api/audit/proof/inclusion': { permission: 'audit.proof', path: () => '/api/audit/proof/inclusion?index=0&size=2' },
  'GET /api/audit/proof/consistency': { permission: 'audit.proof', path: () => '/api/audit/proof/consistency?from=1&to=2' },
  'GET /api/audit/entries/:index/proof': { permission: 'audit.proof', path: () => '/api/audit/entries/0/proof', notAgencyRecord: 'the audit log is one global sequence; a proof carries hashes, not entries' },
  'POST /api/audit/verifications': { permission: 'audit.verify', path: () => '/api/audit/verifications' },
  'GET /api/audit/verifications/:id': { permission: 'audit.verify', path: (i) => `/api/audit/verifications/${i.verification}`, notAgencyRecord: 'a verification run checks the whole log, not one agency\'s records' },

  'POST /api/seizures': { permission: 'seizure.create', path: () => '/api/seizures', body: () => seizureBody() },
  'GET /api/seizures': { permission: 'seizure.read', path: () => '/api/seizures' },
  'GET /api/seizures/:id': { permission: 'seizure.read', path: (i) => `/api/seizures/${i.seizure}` },
  'PATCH /api/seizures/:id': { permission: 'seizure.correct', path: (i) => `/api/seizures/${i.seizure}`, body: () => ({ reason: 'Registration misread at the scene', conveyance: 'Truck AA124BB' }) },
  'GET /api/seizures/:id/versions': { permission: 'seizure.read', path: (i) => `/api/seizures/${i.seizure}/versions` },
  'POST /api/seizures/:id/items': {
    permission: 'item.create',
    path: (i) => `/api/seizures/${i.seizure}/items`,
    body: () => ({ description: 'Rating plate photograph print', category: 'document', quantity: 1, unit: 'NAR', sealNumber: 'SB-0005555', goodsIndex: 0 })
  },
  'GET /api/seizures/:id/items': { permission: 'seizure.read', path: (i) => `/api/seizures/${i.seizure}/items` },
  'GET /api/items': { permission: 'seizure.read', path: () => '/api/items' },
  'GET /api/items/:id': { permission: 'seizure.read', path: (i) => `/api/items/${i.item}` },
  'GET /api/items/:id/label.pdf': { permission: 'seizure.read', path: (i) => `/api/items/${i.item}/label.pdf` },
  // The officer holds the item and seals it; anyone else is refused by the state machine (409), not by role.
  'POST /api/items/:id/custody': { permission: 'custody.record', path: (i) => `/api/items/${i.item}/custody`, body: () => ({ type: 'sealed', sealNumber: 'SB-0007777' }) },
  'GET /api/items/:id/custody': { permission: 'seizure.read', path: (i) => `/api/items/${i.item}/custody` },
  'POST /api/locations': { permission: 'location.manage', path: () => '/api/locations', body: () => ({ code: 'TIR-EVD/R2', name: 'Room 2', parentCode: 'TIR-EVD' }) },
  'GET /api/locations': { permission: 'location.read', path: () => '/api/locations' },
  'GET /api/locations/:id/items': { permission: 'location.read', path: (i) => `/api/locations/${i.location}/items` },

  'POST /api/seizures/:id/attachments': upload3('seizure', (i) => `/api/seizures/${i.seizure}/attachments`),
  'GET /api/seizures/:id/attachments': { permission: 'attachment.read', path: (i) => `/api/seizures/${i.seizure}/attachments` },
  'POST /api/items/:id/attachments': upload3('item', (i) => `/api/items/${i.item}/attachments`),
  'GET /api/items/:id/attachments': { permission: 'attachment.read', path: (i) => `/api/items/${i.item}/attachments` },
  'POST /api/custody-events/:id/attachments': upload3('custody event', (i) => `/api/custody-events/${i.event}/attachments`),
  'GET /api/custody-events/:id/attachments': { permission: 'attachment.read', path: (i) => `/api/custody-events/${i.event}/attachments` },
  'POST /api/cases/:id/attachments': uploadCase((i) => `/api/cases/${i.case}/attachments`),
  'GET /api/cases/:id/attachments': { permission: 'attachment.read', path: (i) => `/api/cases/${i.case}/attachments` },
  'POST /api/case-actions/:id/attachments': uploadCase((i) => `/api/case-actions/${i.action}/attachments`),
  'GET /api/case-actions/:id/attachments': { permission: 'attachment.read', path: (i) => `/api/case-actions/${i.action}/attachments` },
  'GET /api/attachments/:id': { permission: 'attachment.read', path: (i) => `/api/attachments/${i.attSeizure}` },
  'GET /api/attachments/:id/content': { permission: 'attachment.read', path: (i) => `/api/attachments/${i.attSeizure}/content` },

  'GET /api/cases/:id/case-file.pdf': { permission: 'case.read', path: (i) => `/api/cases/${i.case}/case-file.pdf?lang=en` },
  'GET /api/cases/:id/bundle.zip': { permission: 'case.read', path: (i) => `/api/cases/${i.case}/bundle.zip` },
  'POST /api/cases': { permission: 'case.create', path: () => '/api/cases', body: (i) => ({ title: 'Second look at the Morinë seizure', seizureIds: [i.seizure] }) },
  'GET /api/cases': { permission: 'case.read', path: () => '/api/cases' },
  'GET /api/cases/:id': { permission: 'case.read', path: (i) => `/api/cases/${i.case}` },
  'PATCH /api/cases/:id': { permission: 'case.update', path: (i) => `/api/cases/${i.case}`, body: () => ({ summary: 'Consignor questioned twice.' }), refusedBy: { prosecutor: INVESTIGATORS_ONLY } },
  'POST /api/cases/:id/members': { permission: 'case.update', path: (i) => `/api/cases/${i.case}/members`, body: (i) => ({ userId: i.investigator2, role: 'investigator' }), refusedBy: { prosecutor: LEAD_ONLY } },
  'DELETE /api/cases/:id/members/:userId': { permission: 'case.update', path: (i) => `/api/cases/${i.case}/members/${i.investigator2}`, refusedBy: { prosecutor: LEAD_ONLY } },
  'POST /api/cases/:id/seizures': { permission: 'case.update', path: (i) => `/api/cases/${i.case}/seizures`, body: (i) => ({ seizureId: i.seizure2, reason: 'Same consignor' }), refusedBy: { prosecutor: INVESTIGATORS_ONLY } },
  'POST /api/cases/:id/seizures/:seizureId/unlink': { permission: 'case.update', path: (i) => `/api/cases/${i.case}/seizures/${i.seizure2}/unlink`, body: () => ({ reason: 'Different consignor after all' }), refusedBy: { prosecutor: INVESTIGATORS_ONLY } },
  'POST /api/cases/:id/shares': { permission: 'case.share', path: (i) => `/api/cases/${i.case}/shares`, body: (i) => ({ userId: i.xkInvestigator }) },
  'DELETE /api/cases/:id/shares/:userId': { permission: 'case.share', path: (i) => `/api/cases/${i.case}/shares/${i.xkInvestigator}` },
  'POST /api/cases/:id/actions': { permission: 'case.update', path: (i) => `/api/cases/${i.case}/actions`, body: () => ({ occurredAt: '2026-04-01T10:00:00Z', title: 'Consignor questioned' }) },

  'GET /api/stats': { permission: 'stats.read', path: () => '/api/stats' },
  'GET /api/exports/cen': { permission: 'export.cen', path: () => '/api/exports/cen?format=json' }
}

/** The only routes under /api that answer without a login. */
const PUBLIC_API = ['POST /api/auth/login', 'POST /api/auth/logout', 'GET /api/openapi.json', 'HEAD /api/openapi.json']

// ---------------------------------------------------------------------------

/** Each role's fixture user in AL-CUSTOMS and XK-CUSTOMS, and one record of every kind in AL-CUSTOMS. */
async function world (t: Test) {
  // No background checkpoint may land between two row counts.
  const ctx = await caseApp(t, { env: { STRONGROOM_CHECKPOINT_INTERVAL: '3600' } })
  const { app } = ctx
  const al = {} as Record<Role, Caller>
  const xk = {} as Record<Role, Caller>
  for (const role of ROLES) {
    al[role] = await ctx.user(`al.${role}`)
    xk[role] = await ctx.user(`xk.${role}`)
  }
  const investigator2 = await ctx.user('al.investigator-2')
  const seizure = await createSeizure(app, al.officer.token)
  const seizure2 = await createSeizure(app, al.officer.token, { occurredAt: '2026-03-30T07:15:00Z', conveyance: 'Truck AA777CC' })
  const item = await createItem(app, al.officer.token, seizure.id)
  const event = (await as(app, al.officer.token)('GET', `/api/items/${item.id}/custody`)).json<{ items: Array<{ id: string }> }>().items[0]?.id ?? ''
  const location = await createLocation(app, al.custodian.token, 'TIR-EVD')
  const c = await createCase(app, al.investigator.token, [seizure.id])
  await addMember(app, al.investigator.token, c.id, al.prosecutor.id, 'prosecutor')
  const action = await addAction(app, al.investigator.token, c.id, { occurredAt: '2026-03-30T09:00:00Z', title: 'Consignor summoned' })
  const ids: Ids = {
    seizure: seizure.id,
    seizure2: seizure2.id,
    item: item.id,
    event,
    location: location.id,
    case: c.id,
    action: action.id,
    attSeizure: (await attach(app, al.officer.token, `/api/seizures/${seizure.id}/attachments`, 'photo of the load')).id,
    attItem: (await attach(app, al.officer.token, `/api/items/${item.id}/attachments`, 'photo of the exhibit')).id,
    attEvent: (await attach(app, al.officer.token, `/api/custody-events/${event}/attachments`, 'seizure record scan')).id,
    attCase: (await attach(app, al.investigator.token, `/api/cases/${c.id}/attachments`, 'case note')).id,
    attAction: (await attach(app, al.investigator.token, `/api/case-actions/${action.id}/attachments`, 'summons')).id,
    officer: al.officer.id,
    investigator2: investigator2.id,
    xkInvestigator: xk.investigator.id,
    verification: ''
  }
  const started = await as(app, al.auditor.token)('POST', '/api/audit/verifications')
  ids.verification = started.json<{ id: string }>().id
  await app.services.auditLog.verifications.settle()
  await as(app, al.auditor.token)('POST', '/api/audit/checkpoint')
  return { app, al, xk, ids, secrets: [seizure.reference, seizure2.reference, c.reference, item.label, 'Drini Trading', ...Object.values(al).map((u) => u.id), investigator2.id] }
}

async function call (app: FastifyInstance, token: string, method: string, row: Row, ids: Ids): Promise<LightMyRequestResponse> {
  const url = row.path(ids)
  if (row.multipart === true && method === 'POST') return upload(app, token, url, [{ name: 'file', filename: 'matrix.txt', data: `a file sent to ${url}` }])
  const body = method === 'GET' || method === 'HEAD' || row.body === undefined ? {} : { payload: row.body(ids) as Record<string, unknown> }
  return app.inject({ method: method as 'GET', url, headers: bearer(token), ...body })
}

const allowed = (permission: Permission, role: Role): boolean => (GRANTS[permission] as readonly Role[]).includes(role)
const pick = (res: LightMyRequestResponse): unknown => {
  const body = res.body === '' ? {} : res.json<Record<string, unknown>>()
  return { status: res.statusCode, type: body.type, code: body.code, title: body.title, detail: body.detail }
}

// ---------------------------------------------------------------------------

t.test('every route declares a permission or is public, the table has a row for each, and PERMISSIONS grants what the table says', async (t) => {
  const { app } = await makeApp(t)
  const routes = routesOf(app)
  t.ok(routes.length > 50, `the recorder saw the app's routes (${routes.length})`)

  for (const route of routes) {
    t.ok(route.public !== (route.permission !== undefined), `${route.key} is either public or declares config.permission (public: ${route.public}, permission: ${String(route.permission)})`)
    if (route.permission !== undefined) t.ok(Object.hasOwn(PERMISSIONS, route.permission), `${route.key}: its permission "${route.permission}" exists in PERMISSIONS`)
  }
  const publicApi = routes.filter((r) => r.public && r.url.startsWith('/api')).map((r) => r.key).sort()
  t.same(publicApi, [...PUBLIC_API].sort(), 'the only public routes under /api are login, logout and the OpenAPI document')

  const guarded = routes.filter((r) => !r.public)
  for (const route of guarded) {
    const rowKey = route.method === 'HEAD' ? `GET ${route.url}` : route.key
    const row = TABLE[rowKey]
    if (row === undefined) {
      t.fail(`${route.key} has no row in the role × action table: add "${rowKey}" to TABLE in test/access-matrix.test.ts (its permission, a fixture URL and body)`)
      continue
    }
    t.equal(route.permission, row.permission, `${route.key} needs ${row.permission}, as the table says`)
  }
  for (const key of Object.keys(TABLE)) {
    t.ok(guarded.some((r) => r.key === key), `the table's row "${key}" is a route of the app`)
  }

  t.same(Object.keys(PERMISSIONS).sort(), Object.keys(GRANTS).sort(), 'PERMISSIONS names the same permissions as the table')
  for (const [permission, roles] of Object.entries(GRANTS)) {
    t.same([...(PERMISSIONS[permission as Permission] ?? [])].sort(), [...roles].sort(), `${permission} is granted to ${roles.join(', ')}`)
  }
})

t.test('the table holds for two agencies: the other agency\'s users get 404 on our records by id, and every role is allowed or refused as written', async (t) => {
  const { app, al, xk, ids, secrets } = await world(t)
  const routes = routesOf(app).filter((r) => !r.public)
  const ghost = Object.fromEntries(Object.keys(ids).map((k) => [k, `no-such-${k.toLowerCase()}-0000`])) as unknown as Ids

  await t.test('XK users get 404 on every by-id route of AL records, as for an id that does not exist, and nothing changes', async (t) => {
    const countsBefore = tableCounts(app)
    const auditBefore = await auditSize(app)
    for (const route of routes) {
      if (!route.url.includes(':') || route.method === 'HEAD') continue
      const row = TABLE[route.key]
      if (row === undefined || row.notAgencyRecord !== undefined) continue
      for (const role of ROLES) {
        const what = `${route.method} ${row.path(ids)} as xk.${role}`
        const real = await call(app, xk[role].token, route.method, row, ids)
        const none = await call(app, xk[role].token, route.method, row, ghost)
        if (allowed(row.permission, role)) assertProblem(t, real, 404, { code: 'not-found' }, what)
        else assertProblem(t, real, 403, { code: 'forbidden' }, `${what} (the role may not ${row.permission} at all)`)
        t.same(pick(real), pick(none), `${what}: answers exactly as for an id that does not exist`)
      }
    }
    t.same(tableCounts(app), countsBefore, 'no table gained or lost a row')
    t.equal(await auditSize(app), auditBefore, 'the audit log did not grow')
  })

  await t.test('no list or figure answers XK users with anything of AL', async (t) => {
    for (const route of routes) {
      if (route.url.includes(':') || route.method !== 'GET') continue
      const row = TABLE[route.key]
      if (row === undefined) continue
      for (const role of ROLES) {
        const res = await call(app, xk[role].token, 'GET', row, ids)
        t.ok(res.statusCode === 200 || res.statusCode === 403, `${route.key} as xk.${role}: answers 200 or 403 (got ${res.statusCode})`)
        const leaked = secrets.filter((s) => res.body.includes(s))
        t.same(leaked, [], `${route.key} as xk.${role}: names no AL record, reference, party or user`)
      }
    }
  })

  await t.test('XK users cannot reach AL records through a request body either: the answer is as for an id that does not exist', async (t) => {
    const xkSeizure = await createSeizure(app, xk.officer.token, { route: { origin: 'XK', destination: 'AL', transit: [] } })
    const xkItem = await createItem(app, xk.officer.token, xkSeizure.id)
    const xkCase = await createCase(app, xk.investigator.token, [xkSeizure.id])
    const attempts: Array<[string, Caller, string, string, (id: string) => unknown, string, string]> = [
      ['a case opened on an AL seizure', xk.investigator, 'POST', '/api/cases', (id) => ({ title: 'Joint case', seizureIds: [id] }), ids.seizure, 'seizure'],
      ['an AL seizure linked to an XK case', xk.investigator, 'POST', `/api/cases/${xkCase.id}/seizures`, (id) => ({ seizureId: id, reason: 'Same truck' }), ids.seizure, 'seizure'],
      ['an AL investigator added to an XK case', xk.investigator, 'POST', `/api/cases/${xkCase.id}/members`, (id) => ({ userId: id, role: 'investigator' }), al.investigator.id, 'user'],
      ['an XK exhibit handed over to an AL custodian', xk.officer, 'POST', `/api/items/${xkItem.id}/custody`, (id) => ({ type: 'transferred', toUserId: id }), al.custodian.id, 'user'],
      ['an XK exhibit stored at an AL location', xk.officer, 'POST', `/api/items/${xkItem.id}/custody`, (id) => ({ type: 'stored', location: id }), 'TIR-EVD', 'location']
    ]
    for (const [what, caller, method, url, body, alId] of attempts) {
      const countsBefore = tableCounts(app)
      const real = await as(app, caller.token)(method as 'POST', url, body(alId))
      const none = await as(app, caller.token)(method as 'POST', url, body(alId === 'TIR-EVD' ? 'NO-SUCH-LOC' : 'no-such-record-0000'))
      t.ok(real.statusCode >= 400 && real.statusCode < 500, `${what}: refused with 4xx (got ${real.statusCode})`)
      t.match(real.headers['content-type'], /^application\/problem\+json/, `${what}: the refusal is problem+json`)
      const strip = (res: LightMyRequestResponse): unknown => JSON.parse(JSON.stringify(pick(res)).replaceAll(alId, '<id>').replaceAll(alId === 'TIR-EVD' ? 'NO-SUCH-LOC' : 'no-such-record-0000', '<id>'))
      t.same(strip(real), strip(none), `${what}: answers as for an id that does not exist`)
      t.same(tableCounts(app), countsBefore, `${what}: nothing changed`)
    }
  })

  await t.test('every role of AL is refused (403) where the table says so and never refused by role, unauthenticated or failed where it may act', async (t) => {
    const successes = new Map<string, number>()
    for (const route of routes) {
      const rowKey = route.method === 'HEAD' ? `GET ${route.url}` : route.key
      const row = TABLE[rowKey]
      if (row === undefined) continue
      for (const role of ROLES) {
        const what = `${route.method} ${row.path(ids)} as al.${role}`
        const may = allowed(row.permission, role)
        // A HEAD route runs its GET's handler: the role gate is what it adds.
        if (route.method === 'HEAD' && may) continue
        const before = may ? undefined : tableCounts(app)
        const res = await call(app, al[role].token, route.method, row, ids)
        if (!may) {
          t.equal(res.statusCode, 403, `${what}: 403, ${role} may not ${row.permission}`)
          t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: the refusal is problem+json`)
          if (route.method !== 'HEAD') t.match(res.json(), { code: 'forbidden', detail: new RegExp(row.permission.replace('.', '\\.')) }, `${what}: the refusal names the permission`)
          t.same(tableCounts(app), before, `${what}: the refusal changed nothing`)
          continue
        }
        t.ok(res.statusCode !== 401 && res.statusCode < 500, `${what}: neither 401 nor 5xx (got ${res.statusCode} ${res.body.slice(0, 160)})`)
        if (res.statusCode >= 400) t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: the ${res.statusCode} is problem+json`)
        const reason = row.refusedBy?.[role]
        if (reason !== undefined) {
          t.equal(res.statusCode, 403, `${what}: 403 by the object rules: ${reason}`)
          t.notMatch(res.json<{ detail?: string }>().detail ?? '', /Your role/, `${what}: refused by the object rule, not the role gate`)
        } else {
          t.not(res.statusCode, 403, `${what}: ${role} may ${row.permission} (got ${res.statusCode} ${res.body.slice(0, 160)})`)
        }
        if (res.statusCode < 300) successes.set(rowKey, (successes.get(rowKey) ?? 0) + 1)
      }
    }
    for (const [key, row] of Object.entries(TABLE)) {
      if (key === 'POST /api/agencies') continue // only the bootstrap admin, who has no role of its own in the table
      t.ok((successes.get(key) ?? 0) > 0, `${key}: the table's fixture lets at least one allowed role succeed (${row.permission})`)
    }
    await app.services.auditLog.verifications.settle()
  })
})
