import t from 'tap'
import { ADMIN_PASSWORD, as, login, makeApp } from './helpers/app.js'

interface OpenApi {
  openapi: string
  info: { title: string, version: string }
  paths: Record<string, Record<string, {
    requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>, required?: string[], additionalProperties?: unknown } }> }
    parameters?: Array<{ name: string, in: string }>
    responses: Record<string, { content?: Record<string, { schema: unknown }> }>
  }>>
}

t.test('GET /api/openapi.json answers an OpenAPI 3.1 document without logging in', async (t) => {
  const { app } = await makeApp(t)
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' })
  t.equal(res.statusCode, 200, 'the document is public')
  t.match(res.headers['content-type'], /^application\/json/, 'it is JSON')
  const doc = res.json<OpenApi>()
  t.match(doc.openapi, /^3\.1\./, 'it declares OpenAPI 3.1')
  t.match(doc.info, { title: String, version: String }, 'it has a title and version')
})

t.test('the OpenAPI document lists login, users and audit with their schemas', async (t) => {
  const { app } = await makeApp(t)
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<OpenApi>()
  for (const path of ['/api/auth/login', '/api/auth/me', '/api/users', '/api/users/{id}', '/api/audit', '/api/agencies', '/healthz']) {
    t.ok(doc.paths[path] !== undefined, `${path} is listed`)
  }
  const login = doc.paths['/api/auth/login']?.post
  const loginBody = login?.requestBody?.content['application/json']?.schema
  t.match(loginBody, { properties: { username: {}, password: {} }, required: ['username', 'password'] }, 'login\'s request body names username and password, both required')
  t.equal(loginBody?.additionalProperties, false, 'login\'s request body refuses unknown fields')
  t.match(login?.responses['200']?.content?.['application/json']?.schema, { properties: { token: {}, expiresAt: {}, user: {} } }, 'login\'s 200 answer has token, expiresAt and user')
  t.ok(login?.responses['401'] !== undefined && login.responses['429'] !== undefined, 'login documents its 401 and 429 answers')

  const createUser = doc.paths['/api/users']?.post?.requestBody?.content['application/json']?.schema
  t.match(createUser, { properties: { username: {}, password: {}, displayName: {}, role: { enum: ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor'] }, agencyCode: {} } }, 'POST /api/users documents its fields and the six roles')
  t.ok(doc.paths['/api/users']?.get !== undefined, 'GET /api/users is documented')
  t.match(doc.paths['/api/users/{id}']?.patch?.requestBody?.content['application/json']?.schema, { properties: { displayName: {}, role: {}, disabled: {}, password: {} } }, 'PATCH /api/users/{id} documents displayName, role, disabled and password')

  const audit = doc.paths['/api/audit']?.get
  const params = (audit?.parameters ?? []).map((p) => p.name)
  for (const name of ['limit', 'cursor', 'action', 'entityType', 'entityId']) t.ok(params.includes(name), `GET /api/audit documents the ${name} parameter`)
  t.match(audit?.responses['200']?.content?.['application/json']?.schema, { properties: { items: { items: { properties: { index: {}, leafHash: {}, canonical: {} } } }, nextCursor: {} } }, 'GET /api/audit documents a page of entries with index, leafHash and canonical')
})

t.test('/docs answers the browsable HTML without logging in', async (t) => {
  const { app } = await makeApp(t)
  let res = await app.inject({ method: 'GET', url: '/docs' })
  for (let hops = 0; hops < 3 && res.statusCode >= 300 && res.statusCode < 400; hops++) {
    res = await app.inject({ method: 'GET', url: new URL(String(res.headers.location), 'http://localhost/docs').pathname })
  }
  t.equal(res.statusCode, 200, '/docs answers 200 (following redirects)')
  t.match(res.headers['content-type'], /^text\/html/, 'it is HTML')
  t.match(res.body, /<html/i, 'the body is an HTML page')
})

t.test('GET /healthz answers that the service and its database are ok', async (t) => {
  const { app } = await makeApp(t)
  const res = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(res.statusCode, 200, '/healthz answers 200 without logging in')
  t.match(res.json(), { status: 'ok', database: 'ok' }, 'the body says {status: "ok", database: "ok"}')
})

t.test('GET /healthz answers 503 problem+json when the database is unreachable', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  t.equal((await as(app, token)('GET', '/api/auth/me')).statusCode, 200, 'the app works before the fault')
  app.services.db.$client.close()
  const res = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(res.statusCode, 503, '/healthz answers 503')
  t.match(res.headers['content-type'], /^application\/problem\+json/, 'as problem+json')
  t.match(res.json(), { status: 503, code: 'unavailable' }, 'the body says the service is unavailable')
})
