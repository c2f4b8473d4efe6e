/**
 * Shared fixtures for the evidence tests (seizures, custody, attachments): a valid
 * seizure body as PRODUCT.md writes it, helpers that create seizures and items
 * through the API, a builder of real multipart bytes, and a streaming uploader
 * over a real socket for big files and disconnects.
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { ADMIN_PASSWORD, as, bearer, createAgency, createUser, login, makeApp, tryLogin, type TestApp } from './app.js'

import { DEMO_PASSWORD } from '../../server/demo/seed.js'

export { DEMO_PASSWORD }

export interface Caller { id: string, token: string, username: string }

/** Logs a (demo) user in and answers its id and token. */
export async function loginAs (app: FastifyInstance, username: string, password = DEMO_PASSWORD): Promise<Caller> {
  const res = await tryLogin(app, username, password)
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`)
  const body = res.json<{ token: string, user: { id: string } }>()
  return { id: body.user.id, token: body.token, username }
}

export const XK_AGENCY = { code: 'XK-CUSTOMS', name: 'Kosovo Customs', country: 'XK' }

export interface EvidenceApp extends TestApp {
  /** The bootstrap admin's token (reads every agency's audit entries). */
  admin: string
  /**
   * A user named like the demo ones (`al.officer`, `xk.custodian`...): created on
   * first use through the admin API in AL-CUSTOMS or XK-CUSTOMS with the role
   * after the dot, then logged in. Cheaper than seeding every demo user.
   */
  user: (username: string) => Promise<Caller>
}

/** A fresh app (no demo data) whose users are created as a test asks for them. */
export async function evidenceApp (t: Test, env: Record<string, string> = {}): Promise<EvidenceApp> {
  const started = await makeApp(t, env)
  const { app } = started
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const users = new Map<string, Promise<Caller>>()
  let xk: Promise<unknown> | undefined
  const user = async (username: string): Promise<Caller> => {
    let found = users.get(username)
    if (found === undefined) {
      const [prefix, role] = username.split('.')
      if ((prefix !== 'al' && prefix !== 'xk') || role === undefined) throw new Error(`fixture users are named al.<role> or xk.<role>, not ${username}`)
      if (prefix === 'xk') xk ??= createAgency(app, admin, XK_AGENCY)
      found = (async () => {
        if (prefix === 'xk') await xk
        const created = await createUser(app, admin, { username, role, agencyCode: prefix === 'xk' ? XK_AGENCY.code : 'AL-CUSTOMS' })
        return { ...created, username }
      })()
      users.set(username, found)
    }
    return found
  }
  return { ...started, admin, user }
}

export interface GoodsLine {
  description: string
  hsCode: string
  quantity: number
  unit: string
  value?: { amount: string, currency: string } | null
  strategic?: { controlled: boolean, regime?: string | null, entry?: string | null }
  licence?: { number?: string | null, status: string }
}

/** PRODUCT.md's example goods line: frequency changers, HS 850440, EU 2021/821 entry 3A225. */
export function goodsLine (overrides: Partial<GoodsLine> = {}): GoodsLine {
  return {
    description: 'Frequency changers',
    hsCode: '850440',
    quantity: 12,
    unit: 'NAR',
    value: { amount: '48000.00', currency: 'EUR' },
    strategic: { controlled: true, regime: 'EU-2021/821', entry: '3A225' },
    licence: { number: null, status: 'none' },
    ...overrides
  }
}

export type SeizureBody = Record<string, unknown> & { occurredAt: string, goods: GoodsLine[] }

/** PRODUCT.md's example seizure (a truck at Morinë declaring frequency changers as spare parts). */
export function seizureBody (overrides: Record<string, unknown> = {}): SeizureBody {
  return {
    occurredAt: '2026-03-29T08:40:00Z',
    place: { name: 'Morinë border crossing', type: 'road_border_crossing', locode: 'ALMOR', lat: 42.2376, lon: 20.5497 },
    direction: 'export',
    transportMode: 'road',
    conveyance: 'Truck AA123BB',
    route: { origin: 'AL', destination: 'XK', transit: [] },
    detectionMethod: 'risk_profile',
    concealment: 'declared as spare parts',
    legalBasis: 'Customs Code art. 44; Law 10/2026 on strategic goods',
    narrative: 'Twelve frequency changers found behind pallets of brake discs.',
    parties: [{ role: 'consignor', kind: 'organisation', name: 'Drini Trading sh.p.k.', country: 'AL', identifier: 'L91234567A', address: 'Rruga e Kavajës 10, Tiranë' }],
    goods: [goodsLine()],
    ...overrides
  }
}

export interface SeizureView { id: string, reference: string, version: number, agencyId: string, [key: string]: unknown }
export interface ItemView {
  id: string
  label: string
  status: string
  custodianId: string
  pendingToId: string | null
  location: string | null
  sealNumber: string | null
  sealBroken: boolean
  [key: string]: unknown
}

/** Records a seizure through the API (201 expected) and answers it. */
export async function createSeizure (app: FastifyInstance, token: string, overrides: Record<string, unknown> = {}): Promise<SeizureView> {
  const res = await as(app, token)('POST', '/api/seizures', seizureBody(overrides))
  if (res.statusCode !== 201) throw new Error(`POST /api/seizures failed: ${res.statusCode} ${res.body}`)
  return res.json<SeizureView>()
}

/** Adds an evidence item to a seizure through the API (201 expected) and answers it. */
export async function createItem (app: FastifyInstance, token: string, seizureId: string, overrides: Record<string, unknown> = {}): Promise<ItemView> {
  const res = await as(app, token)('POST', `/api/seizures/${seizureId}/items`, {
    description: 'One frequency changer, serial FC-2231', category: 'goods_sample', quantity: 1, unit: 'NAR', sealNumber: 'SB-0001234', condition: 'sealed bag, intact', goodsIndex: 0, ...overrides
  })
  if (res.statusCode !== 201) throw new Error(`POST /api/seizures/${seizureId}/items failed: ${res.statusCode} ${res.body}`)
  return res.json<ItemView>()
}

/** Records a custody event and answers the raw response. */
export async function custody (app: FastifyInstance, token: string, itemId: string, event: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return as(app, token)('POST', `/api/items/${itemId}/custody`, event)
}

/** Registers a storage location (201 expected) and answers it. */
export async function createLocation (app: FastifyInstance, token: string, code: string, parentCode: string | null = null): Promise<{ id: string, code: string }> {
  const res = await as(app, token)('POST', '/api/locations', { code, name: `Location ${code}`, parentCode })
  if (res.statusCode !== 201) throw new Error(`POST /api/locations ${code} failed: ${res.statusCode} ${res.body}`)
  return res.json<{ id: string, code: string }>()
}

// ---------------------------------------------------------------------------
// Multipart

/** A form field, or a file part; `disposition` and `headers` replace or add raw header lines. */
export type Part =
  | { name: string, value: string, disposition?: string, headers?: string[] }
  | { name: string, filename: string, data: Buffer | string, contentType?: string, disposition?: string, headers?: string[] }

const isFile = (p: Part): p is Extract<Part, { filename: string }> => 'filename' in p

function partHead (boundary: string, part: Part): Buffer {
  const lines = [`--${boundary}`]
  if (isFile(part)) {
    lines.push(part.disposition ?? `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"`)
    lines.push(`Content-Type: ${part.contentType ?? 'application/octet-stream'}`)
  } else {
    lines.push(part.disposition ?? `Content-Disposition: form-data; name="${part.name}"`)
  }
  lines.push(...(part.headers ?? []))
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
}

export interface Multipart { body: Buffer, boundary: string, headers: Record<string, string> }

/**
 * The bytes of a multipart/form-data body (RFC 7578), built by hand so tests can
 * also send malformed ones: `close: false` leaves out the closing boundary.
 */
export function multipart (parts: Part[], options: { boundary?: string, close?: boolean } = {}): Multipart {
  const boundary = options.boundary ?? `----strongroom-test-${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const part of parts) {
    chunks.push(partHead(boundary, part))
    chunks.push(isFile(part) ? Buffer.from(part.data) : Buffer.from(part.value, 'utf8'))
    chunks.push(Buffer.from('\r\n'))
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), boundary, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** Uploads a multipart body through inject and answers the raw response. */
export async function upload (app: FastifyInstance, token: string, url: string, parts: Part[], options: { boundary?: string, close?: boolean } = {}): Promise<LightMyRequestResponse> {
  const form = multipart(parts, options)
  return app.inject({ method: 'POST', url, headers: { ...bearer(token), ...form.headers }, payload: form.body })
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')

// ---------------------------------------------------------------------------
// Real sockets

/** Starts the app on an ephemeral port (closed with the app) and answers its base URL. */
export async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address() as AddressInfo
  return `http://127.0.0.1:${address.port}`
}

export interface StreamedUpload {
  status: number
  body: string
  /** SHA-256 (hex) of the file bytes that were sent. */
  sha256: string
  size: number
}

export interface StreamOptions {
  size: number
  filename?: string
  fields?: Array<{ name: string, value: string }>
  /** Chunk size of the generated file bytes. */
  chunk?: number
  /** Stop after writing this many bytes of the body and destroy the socket. */
  abortAfter?: number
  /** Runs just before the socket is destroyed (e.g. to look at the server's temp directory). */
  beforeAbort?: () => void
}

/**
 * Streams a multipart upload of `size` pseudo-random bytes over a real socket,
 * never holding the file in memory, hashing what it sends. With `abortAfter`,
 * the request is destroyed mid-body and the promise answers status 0.
 */
export async function streamUpload (base: string, urlPath: string, token: string, options: StreamOptions): Promise<StreamedUpload> {
  const boundary = `----strongroom-stream-${randomBytes(8).toString('hex')}`
  const fields = (options.fields ?? []).map((f) => Buffer.concat([partHead(boundary, f), Buffer.from(f.value, 'utf8'), Buffer.from('\r\n')]))
  const head = Buffer.concat([...fields, partHead(boundary, { name: 'file', filename: options.filename ?? 'big.bin', data: '' })])
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const total = head.length + options.size + tail.length
  const hash = createHash('sha256')
  const chunkSize = options.chunk ?? 256 * 1024
  return new Promise<StreamedUpload>((resolve, reject) => {
    const req = http.request(`${base}${urlPath}`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(total) }
    })
    let settled = false
    const done = (value: StreamedUpload): void => { if (!settled) { settled = true; resolve(value) } }
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sha256: hash.digest('hex'), size: options.size }))
      res.on('error', reject)
    })
    req.on('error', (err) => {
      if (options.abortAfter !== undefined) done({ status: 0, body: '', sha256: '', size: 0 })
      else if (!settled) reject(err)
    })
    let written = 0
    const write = async (buf: Buffer): Promise<boolean> => {
      if (options.abortAfter !== undefined && written + buf.length >= options.abortAfter) {
        const part = buf.subarray(0, Math.max(0, options.abortAfter - written))
        if (part.length > 0) await new Promise<void>((r) => req.write(part, () => r()))
        written += part.length
        // Give the server a moment to start streaming the file, then vanish.
        await new Promise((r) => setTimeout(r, 200))
        options.beforeAbort?.()
        req.destroy()
        done({ status: 0, body: '', sha256: '', size: written })
        return false
      }
      written += buf.length
      if (!req.write(buf)) await new Promise((r) => req.once('drain', r))
      return true
    }
    void (async () => {
      if (!await write(head)) return
      let left = options.size
      let counter = 0
      while (left > 0) {
        const n = Math.min(chunkSize, left)
        const buf = randomBytes(n)
        buf.writeUInt32BE(counter++ >>> 0, 0)
        hash.update(buf)
        if (!await write(buf)) return
        left -= n
      }
      if (!await write(tail)) return
      req.end()
    })().catch(reject)
  })
}

export interface RawDownload {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  /** The connection broke before the response completed (aborted or reset). */
  broken: boolean
  error: string | null
}

/** A GET over a real socket that reports whether the response completed or was broken off. */
export async function rawGet (base: string, urlPath: string, token: string, headers: Record<string, string> = {}): Promise<RawDownload> {
  return new Promise<RawDownload>((resolve) => {
    const req = http.get(`${base}${urlPath}`, { headers: { ...bearer(token), ...headers } }, (res) => {
      const chunks: Buffer[] = []
      let broken = false
      let error: string | null = null
      let settled = false
      const finish = (): void => {
        if (settled) return
        settled = true
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), broken, error })
      }
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('aborted', () => { broken = true })
      res.on('error', (err) => { broken = true; error = err.message; finish() })
      res.on('end', () => { if (!res.complete) broken = true; finish() })
      res.on('close', () => { if (!res.complete) broken = true; finish() })
    })
    req.on('error', (err) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), broken: true, error: err.message }))
  })
}

// ---------------------------------------------------------------------------
// The data directory

/** Every file under `dir`, relative to it (an empty list if `dir` does not exist). */
export function filesUnder (dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}

export const objectFiles = (dataDir: string): string[] => filesUnder(path.join(dataDir, 'objects'))
export const tmpFiles = (dataDir: string): string[] => filesUnder(path.join(dataDir, 'tmp'))

/** Polls `check` until it holds or `ms` pass; answers whether it held. */
export async function eventually (check: () => boolean, ms = 3000, every = 25): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, every))
  }
  return check()
}

/** How many rows `table` holds, counted through the app's own connection. */
export function rowCount (app: FastifyInstance, table: 'attachments' | 'seizures' | 'custody_events' | 'items'): number {
  return app.services.db.$client.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? 0
}

/**
 * A case opened by `investigator` on one seizure by `officer` with one exhibit
 * carrying `files` (octet-stream, named `<name>-<n>.bin`); answers the case id.
 */
export async function caseWithEvidence (app: FastifyInstance, officer: string, investigator: string, files: Buffer[], name = 'evidence'): Promise<string> {
  const seizure = await createSeizure(app, officer)
  const item = await createItem(app, officer, seizure.id, { description: 'Data storage seized with the goods' })
  for (const [i, data] of files.entries()) {
    const res = await upload(app, officer, `/api/items/${item.id}/attachments`, [{ name: 'file', filename: `${name}-${i}.bin`, data, contentType: 'application/octet-stream' }])
    if (res.statusCode !== 201) throw new Error(`upload ${name}-${i}.bin: ${res.statusCode} ${res.body}`)
  }
  const created = await as(app, investigator)('POST', '/api/cases', { title: `Case of ${name}`, seizureIds: [seizure.id] })
  if (created.statusCode !== 201) throw new Error(`POST /api/cases: ${created.statusCode} ${created.body}`)
  return created.json<{ id: string }>().id
}

