import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { buildApp, type AppOptions } from '../../server/app.js'
import { loadConfig, type Config } from '../../server/config.js'

export const ADMIN_PASSWORD = 'correct horse battery staple'
export const USER_PASSWORD = 'a long enough password'

export interface TestApp {
  app: FastifyInstance
  dir: string
  config: Config
  announced: string[]
}

/**
 * An app on the data directory `dir` (created if needed), closed when the test ends.
 * Use it to start a second app on the directory of a first one.
 */
export async function startApp (t: Test, dir: string, env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ STRONGROOM_DATA_DIR: dir, STRONGROOM_ADMIN_PASSWORD: ADMIN_PASSWORD, STRONGROOM_LOG_LEVEL: 'silent', ...env })
  const announced: string[] = []
  const app = await buildApp(config, { announce: (text) => announced.push(text), ...options })
  t.teardown(() => app.close())
  return { app, dir, config, announced }
}

/** A fresh app on a SQLite file in the test's own directory, closed when the test ends. */
export async function makeApp (t: Test, env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  return startApp(t, t.testdir({}), env, options)
}

/** Logs in through the API (from `remoteAddress`, default 127.0.0.1) and answers the raw response. */
export async function tryLogin (app: FastifyInstance, username: string, password: string, remoteAddress = '127.0.0.1'): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress })
}

export async function login (app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await tryLogin(app, username, password)
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`)
  return res.json<{ token: string }>().token
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

/** Calls the API as the holder of `token`. */
export function as (app: FastifyInstance, token: string) {
  return async (method: InjectOptions['method'], url: string, payload?: unknown): Promise<LightMyRequestResponse> =>
    app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) })
}

/** Creates a user through the admin API and answers its id and token. */
export async function createUser (app: FastifyInstance, adminToken: string, user: { username: string, role: string, agencyCode?: string }): Promise<{ id: string, token: string }> {
  const res = await as(app, adminToken)('POST', '/api/users', { displayName: user.username, password: USER_PASSWORD, ...user })
  if (res.statusCode !== 201) throw new Error(`create ${user.username} failed: ${res.statusCode} ${res.body}`)
  return { id: res.json<{ id: string }>().id, token: await login(app, user.username, USER_PASSWORD) }
}

/** Creates an agency as the bootstrap admin. */
export async function createAgency (app: FastifyInstance, adminToken: string, agency: { code: string, name: string, country: string }): Promise<{ id: string }> {
  const res = await as(app, adminToken)('POST', '/api/agencies', agency)
  if (res.statusCode !== 201) throw new Error(`create agency ${agency.code} failed: ${res.statusCode} ${res.body}`)
  return res.json<{ id: string }>()
}

export async function auditSize (app: FastifyInstance): Promise<number> {
  const row = app.services.db.$client.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_entries').get()
  return row?.n ?? 0
}

export interface AuditEntry {
  index: number
  leafHash: string
  canonical: string
  time: string
  actor: string
  action: string
  entityType: string
  entityId: string
}

/** Every audit entry the holder of `token` may read (all pages of GET /api/audit), oldest first. */
export async function auditEntries (app: FastifyInstance, token: string, query: Record<string, string> = {}): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = []
  let cursor: string | null = null
  do {
    const params = new URLSearchParams({ ...query, limit: '200', ...(cursor === null ? {} : { cursor }) })
    const res = await as(app, token)('GET', `/api/audit?${params.toString()}`)
    if (res.statusCode !== 200) throw new Error(`GET /api/audit failed: ${res.statusCode} ${res.body}`)
    const page = res.json<{ items: AuditEntry[], nextCursor: string | null }>()
    entries.push(...page.items)
    cursor = page.nextCursor
  } while (cursor !== null)
  return entries
}

/**
 * Asserts an RFC 9457 answer: the status, the application/problem+json content type,
 * and a body matching `body` (t.match), with RFC 9457's own members present.
 */
export function assertProblem (t: Test, res: LightMyRequestResponse, status: number, body: Record<string, unknown>, what: string): void {
  t.equal(res.statusCode, status, `${what}: answers ${status}`)
  t.match(res.headers['content-type'], /^application\/problem\+json\b/, `${what}: is application/problem+json`)
  let parsed: unknown
  try {
    parsed = JSON.parse(res.body)
  } catch {
    t.fail(`${what}: the body is JSON (got ${JSON.stringify(res.body.slice(0, 200))})`)
    return
  }
  t.match(parsed, { type: String, title: String, status, ...body }, `${what}: the problem body says so`)
}
