/**
 * Shared fixtures for the case, access and figures tests: an app whose clock the
 * test moves, users created on demand (as in evidence.ts) and re-logged in when the
 * clock has moved past their token, case bodies and calls that expect success,
 * attachments, every page of a list, and a row count of every table (to show that
 * a refused request changed nothing).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { ADMIN_PASSWORD, as, createAgency, createUser, login, makeApp, USER_PASSWORD, type TestApp } from './app.js'
import { upload, XK_AGENCY, type Caller } from './evidence.js'

export const CASE_ROLES = ['lead_investigator', 'investigator', 'prosecutor'] as const
export type CaseRole = typeof CASE_ROLES[number]
export const CASE_OUTCOMES = ['convicted', 'acquitted', 'dismissed', 'administrative_penalty', 'goods_released'] as const

// ---------------------------------------------------------------------------
// A clock the test moves

export interface Clock {
  now: () => Date
  /** Moves the clock to `iso` (never backwards: audit times only grow). */
  set: (iso: string) => void
  advance: (ms: number) => void
}

/**
 * A clock that stands still at `start` until the test moves it, so durations come
 * out exact. Each reading is one millisecond after the one before, so that two
 * changes never share a time (orderings by time stay stable).
 */
export function manualClock (start: string): Clock {
  let at = Date.parse(start)
  if (Number.isNaN(at)) throw new Error(`manualClock: ${start} is not a time`)
  let tick = 0
  return {
    now: () => new Date(at + tick++),
    set: (iso) => {
      const to = Date.parse(iso)
      if (Number.isNaN(to) || to < at + tick) throw new Error(`manualClock: cannot move back to ${iso}`)
      at = to
      tick = 0
    },
    advance: (ms) => { at += tick + ms; tick = 0 }
  }
}

export const DAY = 24 * 3600 * 1000

// ---------------------------------------------------------------------------
// The app and its users

export interface CaseApp extends TestApp {
  /** The bootstrap admin's token (sees every agency); after `relogin()`, only with `{ admin: true }`. */
  readonly admin: string
  clock: Clock | undefined
  /**
   * A user named `al.<role>` or `xk.<role>`, optionally with a suffix after the
   * role (`al.prosecutor-2`): created on first use in AL-CUSTOMS or XK-CUSTOMS with
   * that role, then logged in; the token is kept until `relogin()`.
   */
  user: (username: string) => Promise<Caller>
  /**
   * Forgets every user's token (after the clock moved past a token's lifetime): each
   * logs in again on next use. With `admin`, the bootstrap admin logs in again at once.
   */
  relogin: (options?: { admin?: boolean }) => Promise<void>
}

const FIXTURE_USER = /^(al|xk)\.(admin|officer|custodian|investigator|prosecutor|auditor)(-[a-z0-9]+)?$/

/** A fresh app (no demo data), optionally on a clock the test moves. */
export async function caseApp (t: Test, options: { env?: Record<string, string>, clock?: Clock } = {}): Promise<CaseApp> {
  const started = await makeApp(t, options.env ?? {}, options.clock === undefined ? {} : { now: options.clock.now })
  const { app } = started
  let admin = await login(app, 'admin', ADMIN_PASSWORD)
  let adminStale = false
  const freshAdmin = async (): Promise<string> => {
    if (adminStale) { admin = await login(app, 'admin', ADMIN_PASSWORD); adminStale = false }
    return admin
  }
  const ids = new Map<string, Promise<string>>()
  const tokens = new Map<string, Promise<string>>()
  let xk: Promise<unknown> | undefined
  const user = async (username: string): Promise<Caller> => {
    const match = FIXTURE_USER.exec(username)
    if (match === null) throw new Error(`fixture users are named al.<role> or xk.<role> (optionally -suffix), not ${username}`)
    const [, prefix, role = ''] = match
    let id = ids.get(username)
    if (id === undefined) {
      if (prefix === 'xk') xk ??= freshAdmin().then(async (token) => createAgency(app, token, XK_AGENCY))
      id = (async () => {
        if (prefix === 'xk') await xk
        const created = await createUser(app, await freshAdmin(), { username, role, agencyCode: prefix === 'xk' ? XK_AGENCY.code : 'AL-CUSTOMS' })
        tokens.set(username, Promise.resolve(created.token))
        return created.id
      })()
      ids.set(username, id)
    }
    const userId = await id
    let token = tokens.get(username)
    if (token === undefined) {
      token = login(app, username, USER_PASSWORD)
      tokens.set(username, token)
    }
    return { id: userId, token: await token, username }
  }
  return {
    ...started,
    get admin () { return admin },
    clock: options.clock,
    user,
    relogin: async (opts = {}) => {
      tokens.clear()
      adminStale = true
      if (opts.admin === true) await freshAdmin()
    }
  }
}

// ---------------------------------------------------------------------------
// Cases

export interface Offence { law: string, article: string, description?: string | null }

export interface CaseView {
  id: string
  agencyId: string
  reference: string
  title: string
  summary: string | null
  status: string
  outcome: string | null
  offences: Offence[]
  seizureIds: string[]
  members: Array<{ userId: string, role: CaseRole }>
  sharedWith: string[]
  createdAt: string
  createdBy: string
  referredAt: string | null
  closedAt: string | null
}

export interface TimelineEntry { index: number, time: string, occurredAt: string | null, action: string, entityType: string, entityId: string, actorId: string, actorName: string | null, summary: string }

export interface CaseDetail extends Omit<CaseView, 'members' | 'sharedWith'> {
  seizures: Array<{ id: string, reference: string, [key: string]: unknown }>
  items: Array<{ id: string, label: string, status: string, custodianId: string, location: string | null, [key: string]: unknown }>
  members: Array<{ userId: string, role: CaseRole, displayName: string }>
  sharedWith: Array<{ userId: string, displayName: string }>
  actions: Array<{ id: string, occurredAt: string, title: string, text: string | null, authorId: string }>
  statusHistory: Array<{ fromStatus: string | null, toStatus: string, reason: string | null, outcome: string | null, changedBy: string }>
  timeline: TimelineEntry[]
}

export const OFFENCE: Offence = { law: 'Law No. 9707/2007 on the control of strategic goods', article: 'Art. 32', description: 'Export of dual-use goods without a licence' }

export function caseBody (seizureIds: string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Attempted export of frequency changers without licence',
    summary: 'Twelve frequency changers declared as spare parts.',
    seizureIds,
    offences: [OFFENCE],
    ...overrides
  }
}

async function expect<T> (res: LightMyRequestResponse, status: number, what: string): Promise<T> {
  if (res.statusCode !== status) throw new Error(`${what} failed: ${res.statusCode} ${res.body}`)
  return res.json<T>()
}

/** Opens a case through the API (201 expected) and answers it. */
export async function createCase (app: FastifyInstance, token: string, seizureIds: string[], overrides: Record<string, unknown> = {}): Promise<CaseView> {
  return expect<CaseView>(await as(app, token)('POST', '/api/cases', caseBody(seizureIds, overrides)), 201, 'POST /api/cases')
}

/** Adds a member (201 expected) and answers the case. */
export async function addMember (app: FastifyInstance, token: string, caseId: string, userId: string, role: CaseRole): Promise<CaseView> {
  return expect<CaseView>(await as(app, token)('POST', `/api/cases/${caseId}/members`, { userId, role }), 201, `POST /api/cases/${caseId}/members`)
}

/** PATCH /api/cases/:id with a status move; answers the raw response. */
export async function move (app: FastifyInstance, token: string, caseId: string, status: string, reason?: string, outcome?: string): Promise<LightMyRequestResponse> {
  return as(app, token)('PATCH', `/api/cases/${caseId}`, { status, ...(reason === undefined ? {} : { reason }), ...(outcome === undefined ? {} : { outcome }) })
}

/** A status move that must succeed (200); answers the case. */
export async function moveOk (app: FastifyInstance, token: string, caseId: string, status: string, reason: string, outcome?: string): Promise<CaseView> {
  return expect<CaseView>(await move(app, token, caseId, status, reason, outcome), 200, `PATCH /api/cases/${caseId} → ${status}`)
}

/** Records an investigative action (201 expected) and answers it. */
export async function addAction (app: FastifyInstance, token: string, caseId: string, body: { occurredAt: string, title: string, text?: string | null }): Promise<{ id: string, caseId: string, occurredAt: string, title: string }> {
  return expect(await as(app, token)('POST', `/api/cases/${caseId}/actions`, body), 201, `POST /api/cases/${caseId}/actions`)
}

export async function getCase (app: FastifyInstance, token: string, caseId: string): Promise<CaseDetail> {
  return expect<CaseDetail>(await as(app, token)('GET', `/api/cases/${caseId}`), 200, `GET /api/cases/${caseId}`)
}

export interface AttachmentView { id: string, sha256: string, size: number, mediaType: string, filename: string }

/** Uploads a small file to `url` (…/attachments; 201 expected) and answers the attachment. */
export async function attach (app: FastifyInstance, token: string, url: string, content: string | Buffer, filename = 'note.txt'): Promise<AttachmentView> {
  return expect<AttachmentView>(await upload(app, token, url, [{ name: 'file', filename, data: content, contentType: 'text/plain' }]), 201, `POST ${url}`)
}

// ---------------------------------------------------------------------------
// Lists and tables

/** Every page of a list (following nextCursor with `limit`), and how many pages it took. */
export async function allPages<T> (app: FastifyInstance, token: string, path: string, query: Record<string, string> = {}, limit = 50): Promise<{ items: T[], pages: number }> {
  const items: T[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const params = new URLSearchParams({ ...query, limit: String(limit), ...(cursor === null ? {} : { cursor }) })
    const res = await as(app, token)('GET', `${path}?${params.toString()}`)
    if (res.statusCode !== 200) throw new Error(`GET ${path}?${params.toString()} failed: ${res.statusCode} ${res.body}`)
    const page = res.json<{ items: T[], nextCursor: string | null }>()
    items.push(...page.items)
    cursor = page.nextCursor
    pages++
    if (pages > 1000) throw new Error(`GET ${path}: the cursor never ends`)
  } while (cursor !== null)
  return { items, pages }
}

/** The row count of every table of the database (virtual tables included), read through the app's connection. */
export function tableCounts (app: FastifyInstance): Record<string, number> {
  const sqlite = app.services.db.$client
  const tables = sqlite.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all()
  return Object.fromEntries(tables.map(({ name }) => [name, sqlite.prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get()?.n ?? 0]))
}

/** The audit entries of one action, read straight from the table (all agencies), oldest first. */
export function auditRows (app: FastifyInstance, action: string): Array<{ index: number, actor: string, entityId: string, data: Record<string, any> }> {
  return app.services.db.$client.prepare<[string], { idx: number, actor: string, entity_id: string, canonical: string }>('SELECT idx, actor, entity_id, canonical FROM audit_entries WHERE action = ? ORDER BY idx').all(action)
    .map((r) => ({ index: r.idx, actor: r.actor, entityId: r.entity_id, data: (JSON.parse(r.canonical) as { data: Record<string, any> }).data }))
}
