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

/** A fresh app on a SQLite file in the test's own directory, closed when the test ends. */
export async function makeApp (t: Test, env: Record<string, string> = {}, options: AppOptions = {}): Promise<TestApp> {
  const dir = t.testdir({})
  const config = loadConfig({ STRONGROOM_DATA_DIR: dir, STRONGROOM_ADMIN_PASSWORD: ADMIN_PASSWORD, STRONGROOM_LOG_LEVEL: 'silent', ...env })
  const announced: string[] = []
  const app = await buildApp(config, { announce: (text) => announced.push(text), ...options })
  t.teardown(() => app.close())
  return { app, dir, config, announced }
}

export async function login (app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })
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

export async function auditSize (app: FastifyInstance): Promise<number> {
  const row = app.services.db.$client.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_entries').get()
  return row?.n ?? 0
}
