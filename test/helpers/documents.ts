/**
 * Fixtures for the case file and bundle tests: the demo data directory seeded once per test file
 * and copied for each test, the Debian tools (poppler-utils, qpdf) run as a user would run them,
 * ZIP reading and rewriting with yauzl/yazl, the case's attachments gathered through the API, and
 * the bundle verifier run as its command line.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { PNG } from 'pngjs'
import type { Test } from 'tap'
import yauzl from 'yauzl'
import yazl from 'yazl'
import { as, startApp } from './app.js'
import { loginAs, type Caller } from './evidence.js'
import { ROOT } from './log.js'
import { SPOOL_SUFFIX } from '../../server/lib/spool.js'

export { ROOT }

export interface ToolResult { code: number, stdout: string, stderr: string }

/** Runs a command line tool; never throws on a non-zero exit (the code is answered). */
export async function tool (command: string, args: string[], options: { cwd?: string } = {}): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd ?? ROOT, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

/**
 * The case files spooled in a data directory's tmp/ (server/lib/spool.ts),
 * after removals already under way have had up to `wait` ms to end.
 */
export async function spooledCaseFiles (dataDir: string, wait = 2000): Promise<string[]> {
  const list = (): string[] => fs.readdirSync(path.join(dataDir, 'tmp')).filter((name) => name.endsWith(SPOOL_SUFFIX))
  for (const end = Date.now() + wait; list().length > 0 && Date.now() < end;) await new Promise((resolve) => setTimeout(resolve, 10))
  return list()
}

/** `pdftotext` of the whole file or of pages first..last (1-based), as UTF-8 text. */
export async function pdfText (file: string, options: { first?: number, last?: number, layout?: boolean } = {}): Promise<string> {
  const args = [
    ...(options.first === undefined ? [] : ['-f', String(options.first)]),
    ...(options.last === undefined ? [] : ['-l', String(options.last)]),
    ...(options.layout === true ? ['-layout'] : []),
    '-enc', 'UTF-8', file, '-'
  ]
  const run = await tool('pdftotext', args)
  if (run.code !== 0) throw new Error(`pdftotext ${args.join(' ')} failed: ${run.stderr}`)
  return run.stdout
}

/** The page count `pdfinfo` reports. */
export async function pdfPages (file: string): Promise<number> {
  const run = await tool('pdfinfo', [file])
  const m = /^Pages:\s+(\d+)$/m.exec(run.stdout)
  if (run.code !== 0 || m === null) throw new Error(`pdfinfo ${file} failed: ${run.stderr}`)
  return Number(m[1])
}

export interface Word { page: number, xMin: number, yMin: number, xMax: number, yMax: number, text: string }
export interface PageBox { page: number, width: number, height: number, words: Word[] }

/** Every word with its box, page by page (`pdftotext -bbox`). */
export async function pdfWords (file: string): Promise<PageBox[]> {
  const run = await tool('pdftotext', ['-bbox', '-enc', 'UTF-8', file, '-'])
  if (run.code !== 0) throw new Error(`pdftotext -bbox failed: ${run.stderr}`)
  return run.stdout.split('<page ').slice(1).map((chunk, i) => {
    const size = /^width="([\d.]+)" height="([\d.]+)"/.exec(chunk)
    const words = [...chunk.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
      .map((m) => ({ page: i + 1, xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]), text: m[5] as string }))
    return { page: i + 1, width: Number(size?.[1]), height: Number(size?.[2]), words }
  })
}

/** Words that stray closer than `inset` points to an edge of their page. */
export function wordsOffPage (pages: PageBox[], inset: number): Word[] {
  return pages.flatMap((p) => p.words.filter((w) => w.xMin < inset || w.yMin < inset || w.xMax > p.width - inset || w.yMax > p.height - inset))
}

/** Pairs of words whose boxes overlap by more than a fifth of the smaller one: text drawn over text. */
export function overlappingWords (pages: PageBox[]): Array<[Word, Word]> {
  const found: Array<[Word, Word]> = []
  for (const p of pages) {
    const ws = p.words
    for (let i = 0; i < ws.length; i++) {
      for (let j = i + 1; j < ws.length; j++) {
        const a = ws[i] as Word
        const b = ws[j] as Word
        const dx = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin)
        const dy = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin)
        if (dx <= 0.5 || dy <= 0.5) continue
        const smaller = Math.min((a.xMax - a.xMin) * (a.yMax - a.yMin), (b.xMax - b.xMin) * (b.yMax - b.yMin))
        if (dx * dy > 0.2 * smaller) found.push([a, b])
      }
    }
  }
  return found
}

/**
 * Pages with something drawn (text, rules, images, bars) within `band` points of an edge,
 * found on every page rendered by pdftoppm at 36 dpi into `dir`: what overflows a page.
 */
export async function inkNearEdges (file: string, dir: string, band: number): Promise<Array<{ page: number, pixels: number, where: string }>> {
  const out = path.join(dir, 'edges')
  fs.mkdirSync(out, { recursive: true })
  const run = await tool('pdftoppm', ['-r', '36', '-png', file, path.join(out, 'p')])
  if (run.code !== 0) throw new Error(`pdftoppm failed: ${run.stderr}`)
  const scale = 36 / 72
  const edge = Math.round(band * scale)
  return fs.readdirSync(out).filter((f) => f.endsWith('.png')).sort().flatMap((f, i) => {
    const png = PNG.sync.read(fs.readFileSync(path.join(out, f)))
    let pixels = 0
    const sides = new Set<string>()
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const side = y < edge ? 'top' : y >= png.height - edge ? 'bottom' : x < edge ? 'left' : x >= png.width - edge ? 'right' : null
        if (side === null) continue
        const at = (y * png.width + x) * 4
        if ((png.data[at] ?? 255) < 225 || (png.data[at + 1] ?? 255) < 225 || (png.data[at + 2] ?? 255) < 225) { pixels++; sides.add(side) }
      }
    }
    return pixels === 0 ? [] : [{ page: i + 1, pixels, where: [...sides].join('+') }]
  })
}

// ---------------------------------------------------------------------------
// The case file

/** STRONGROOM_SCREENS=<dir> keeps the PDFs and rendered pages there for a human to look at. */
export const SCREENS = process.env.STRONGROOM_SCREENS

/** Saves bytes into `dir` (and, with STRONGROOM_SCREENS, a copy there). */
export function keep (dir: string, name: string, bytes: Buffer): string {
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, name)
  fs.writeFileSync(file, bytes)
  if (SCREENS !== undefined) { fs.mkdirSync(SCREENS, { recursive: true }); fs.writeFileSync(path.join(SCREENS, name), bytes) }
  return file
}

export async function getPdf (t: Test, app: FastifyInstance, token: string, caseId: string, query: string, out: string, name: string): Promise<{ file: string, bytes: Buffer }> {
  const res = await as(app, token)('GET', `/api/cases/${caseId}/case-file.pdf?${query}`)
  t.equal(res.statusCode, 200, `${name}: GET case-file.pdf?${query} answers 200 (${res.statusCode === 200 ? 'ok' : res.body.slice(0, 300)})`)
  t.match(res.headers['content-type'], /^application\/pdf\b/, `${name}: is application/pdf`)
  const bytes = res.rawPayload
  t.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', `${name}: starts with the PDF header`)
  return { file: keep(out, name, bytes), bytes }
}

/** Per page, its text: pdftotext ends every page with a form feed. */
export async function pageTexts (file: string, layout = false): Promise<string[]> {
  const pages = (await pdfText(file, { layout })).split('\f')
  if (pages[pages.length - 1]?.trim() === '') pages.pop()
  return pages
}

/** The first page after the contents on which `heading` stands on a line of its own (1-based; 0 if none). */
export const headingPage = (texts: string[], heading: string): number => texts.findIndex((p, i) => i > 1 && p.split('\n').some((l) => l.trim() === heading)) + 1

/** Share of the pixels of a PNG that are not near-white. */
export function inkShare (png: Buffer): number {
  const image = PNG.sync.read(png)
  let ink = 0
  for (let i = 0; i < image.data.length; i += 4) {
    if ((image.data[i] ?? 255) < 200 || (image.data[i + 1] ?? 255) < 200 || (image.data[i + 2] ?? 255) < 200) ink++
  }
  return ink / (image.width * image.height)
}

export const describeWord = (w: Word): string => `p${w.page} "${w.text}" x ${w.xMin.toFixed(0)}-${w.xMax.toFixed(0)} y ${w.yMin.toFixed(0)}-${w.yMax.toFixed(0)}`

// ---------------------------------------------------------------------------
// ZIP

/** Every member of a ZIP, in the order of its central directory. */
export async function readZip (source: string | Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    const done = (err: Error | null, z?: yauzl.ZipFile): void => { if (err !== null || z === undefined) reject(err ?? new Error('unreadable ZIP')); else resolve(z) }
    if (typeof source === 'string') yauzl.open(source, { lazyEntries: true }, done)
    else yauzl.fromBuffer(source, { lazyEntries: true }, done)
  })
  const members = new Map<string, Buffer>()
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject)
    zip.on('end', resolve)
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err !== null || stream === undefined) { reject(err ?? new Error(`cannot read ${entry.fileName}`)); return }
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('error', reject)
        stream.on('end', () => { members.set(entry.fileName, Buffer.concat(chunks)); zip.readEntry() })
      })
    })
    zip.readEntry()
  })
  return members
}

/** Writes `members` as a new ZIP file (a tampered copy of a bundle, say). */
export async function writeZip (file: string, members: Iterable<[string, Buffer]>): Promise<void> {
  const zip = new yazl.ZipFile()
  for (const [name, bytes] of members) zip.addBuffer(bytes, name, { mtime: new Date('2026-01-01T00:00:00Z') })
  zip.end()
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(file)
    out.on('close', resolve)
    out.on('error', reject)
    zip.outputStream.pipe(out)
  })
}

// ---------------------------------------------------------------------------
// The demo case

/**
 * Seeds the demo once for the test file (`t.before`) and answers a function that gives each
 * test its own copy of that data directory (`<dir>/data`), with an app started on it; `dir` is
 * the test's directory, for the files the test writes. (Call t.testdir() only once per test:
 * each call empties the directory.)
 */
export function demoFixture (root: Test): (t: Test) => Promise<{ app: FastifyInstance, dir: string }> {
  // A directory of its own (not root.testdir(), whose path is the same for every run of the
  // file): a second run of the suite on the same checkout must not reseed it under this one.
  const seededRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'strongroom-demo-'))
  const seeded = path.join(seededRoot, 'data')
  root.teardown(() => { fs.rmSync(seededRoot, { recursive: true, force: true }) })
  root.before(async () => {
    const { app } = await startApp(root, seeded, { STRONGROOM_DEMO: '1' })
    await app.close()
  })
  return async (t: Test) => {
    const dir = t.testdir({})
    fs.cpSync(seeded, path.join(dir, 'data'), { recursive: true })
    return { app: (await startApp(t, path.join(dir, 'data'))).app, dir }
  }
}

export interface CaseView {
  id: string
  reference: string
  status: string
  seizures: Array<{ id: string, reference: string }>
  items: Array<{ id: string, label: string }>
  [key: string]: unknown
}

export interface AttachmentView { id: string, filename: string, sha256: string, size: number, mediaType: string, ownerType: string, ownerId: string }

/** The one referred case of the demo that al.prosecutor is a member of, and al.prosecutor. */
export async function demoCase (app: FastifyInstance): Promise<{ prosecutor: Caller, kase: CaseView }> {
  const prosecutor = await loginAs(app, 'al.prosecutor')
  const list = await as(app, prosecutor.token)('GET', '/api/cases')
  const referred = list.json<{ items: Array<{ id: string, status: string }> }>().items.filter((c) => c.status === 'referred')
  if (referred.length !== 1) throw new Error(`expected one referred demo case for al.prosecutor, found ${referred.length}`)
  return { prosecutor, kase: await caseView(app, prosecutor.token, (referred[0] as { id: string }).id) }
}

export async function caseView (app: FastifyInstance, token: string, id: string): Promise<CaseView> {
  const res = await as(app, token)('GET', `/api/cases/${id}`)
  if (res.statusCode !== 200) throw new Error(`GET /api/cases/${id} failed: ${res.statusCode} ${res.body}`)
  return res.json<CaseView>()
}

/**
 * Every file of a case, read through the API: the case's own, its seizures', its items' and
 * those of each custody event of its items; each with the folder VERIFIABILITY.md gives it in
 * the bundle (the item label, the seizure reference or the case reference).
 */
export async function caseAttachments (app: FastifyInstance, token: string, kase: CaseView): Promise<Array<AttachmentView & { folder: string }>> {
  const call = as(app, token)
  const list = async (url: string): Promise<AttachmentView[]> => {
    const res = await call('GET', url)
    if (res.statusCode !== 200) throw new Error(`GET ${url} failed: ${res.statusCode} ${res.body}`)
    return res.json<{ items: AttachmentView[] }>().items
  }
  const found: Array<AttachmentView & { folder: string }> = []
  for (const a of await list(`/api/cases/${kase.id}/attachments`)) found.push({ ...a, folder: kase.reference })
  for (const s of kase.seizures) for (const a of await list(`/api/seizures/${s.id}/attachments`)) found.push({ ...a, folder: s.reference })
  for (const item of kase.items) {
    for (const a of await list(`/api/items/${item.id}/attachments`)) found.push({ ...a, folder: item.label })
    const chain = await call('GET', `/api/items/${item.id}/custody`)
    if (chain.statusCode !== 200) throw new Error(`GET /api/items/${item.id}/custody failed: ${chain.statusCode} ${chain.body}`)
    for (const e of chain.json<{ items: Array<{ id: string }> }>().items) {
      for (const a of await list(`/api/custody-events/${e.id}/attachments`)) found.push({ ...a, folder: item.label })
    }
  }
  return found
}

// ---------------------------------------------------------------------------
// The bundle verifier, as its command line

export interface VerifyRun { code: number, stdout: string, stderr: string }

/** `strongroom-verify <bundle> [args]`: server/cli/verify-bundle.ts run by node with tsx, from another directory. */
export async function verifyCli (bundle: string, args: string[] = []): Promise<VerifyRun> {
  return tool(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli', 'verify-bundle.ts'), bundle, ...args], { cwd: ROOT })
}

export interface VerifyJson { ok: boolean, keyThumbprint: string | null, findings: Array<{ ok: boolean, member: string, message: string }>, [key: string]: unknown }

/** Runs `items` through `work` with at most `limit` at a time, answers the results in order. */
export async function pool<T, R> (items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}

/**
 * A generation time for a test's case files and bundles: now, to the second.
 * The server takes none before the case's last recorded change, nor one in the
 * future, so a test takes it once its records are made, and asks for every
 * file it compares with it.
 */
export const generatedNow = (): string => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString()

/** `iso` as the Albanian case file writes it (dd.mm.yyyy, HH:MM UTC). */
export const albanianTime = (iso: string): string => {
  const d = new Date(iso)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${two(d.getUTCDate())}.${two(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`
}
