/**
 * Case file and bundle bench (issue 7). A reference case of 200 items, 2,000
 * custody events and 100 photos of about 2 MiB is built through the services
 * (so every record is in the audit log), then a server in its own process
 * (server/main.ts on that data directory) is asked over a real socket for:
 *
 *  (a) the case file: GET /api/cases/:id/case-file.pdf, its time, on a server of
 *      its own; skipped when the bundle's first byte (the same case file rendered)
 *      took over 40 s, so that the bench stays within minutes;
 *  (b) the bundle: GET /api/cases/:id/bundle.zip streamed to a file, in MiB/s,
 *      as a ratio to copying the same evidence files with fs streams in the
 *      same run (goal: at least 0.5);
 *  (c) the server's resident memory (VmRSS, sampled every 25 ms) while it makes
 *      the bundle, above its level at rest (goal: under 256 MiB).
 *
 * A small case is fetched first, so that fonts and code are loaded before the
 * resting level is read. The bundle is checked with the project's verifier.
 *
 * BENCH_SCALE (default 1) scales items, custody events and photos: 0.1 gives
 *   20 items, 200 events and 10 photos.
 * BENCH_CASE_FILE=1 renders the case file on its own however long the bundle took.
 * BENCH_CPU_PROF=<dir> runs the servers with --cpu-prof, writing a profile per
 *   thread (main, case file worker) into <dir> when they stop.
 * BENCH_PHOTOS=png uses PNG photos instead of JPEG (camera photos are JPEG; the
 *   case file re-encodes every PNG, so this is the slow path).
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { freePort, MIB, rssMib, seconds } from './common.js'
import { buildReferenceCase, ITEMS, password, PHOTOS, photoType, type Reference } from './reference-case.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strongroom-bench-bundle-'))
const dataDir = path.join(work, 'data')

const mib = (bytes: number): string => (bytes / MIB).toFixed(1)

/** CPU seconds a process has used (user + system), from /proc/<pid>/stat at 100 ticks a second. */
function cpuSeconds (pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100
}

interface Sampled<T> { result: T, rest: number, peak: number, serverCpu: number, clientCpu: number }
interface Download { bytes: number, firstByte: number, total: number }

/** Peak VmRSS of `pid` while `fn` runs, sampled every 25 ms. */
async function peakRss<T> (pid: number, fn: () => Promise<T>): Promise<Sampled<T>> {
  const rest = rssMib(pid)
  let peak = rest
  const cpu = cpuSeconds(pid)
  const own = process.cpuUsage()
  const sampler = setInterval(() => { peak = Math.max(peak, rssMib(pid)) }, 25)
  try {
    const result = await fn()
    peak = Math.max(peak, rssMib(pid))
    const used = process.cpuUsage(own)
    return { result, rest, peak, serverCpu: cpuSeconds(pid) - cpu, clientCpu: (used.user + used.system) / 1e6 }
  } finally {
    clearInterval(sampler)
  }
}

/** GET to a file over a real socket: bytes, time to the first byte and in all. */
async function download (port: number, token: string, url: string, file: string): Promise<Download> {
  const start = process.hrtime.bigint()
  return await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: url, headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        let text = ''
        res.on('data', (c: Buffer) => { text += c.toString() })
        res.on('end', () => reject(new Error(`GET ${url}: ${res.statusCode} ${text}`)))
        return
      }
      let firstByte = 0
      let bytes = 0
      res.on('data', (c: Buffer) => { if (bytes === 0) firstByte = seconds(start); bytes += c.length })
      pipeline(res, fs.createWriteStream(file)).then(() => resolve({ bytes, firstByte, total: seconds(start) }), reject)
    }).on('error', reject)
  })
}

/** The baseline: the same evidence files copied with fs streams, in MiB/s. */
async function copyEvidence (files: string[]): Promise<{ bytes: number, time: number }> {
  const dir = fs.mkdtempSync(path.join(work, 'copy-'))
  const start = process.hrtime.bigint()
  let bytes = 0
  for (const [i, f] of files.entries()) {
    await pipeline(fs.createReadStream(f, { highWaterMark: MIB }), fs.createWriteStream(path.join(dir, String(i))))
    bytes += fs.statSync(f).size
  }
  const time = seconds(start)
  fs.rmSync(dir, { recursive: true, force: true })
  return { bytes, time }
}

interface Server { port: number, pid: number, token: string, stop: () => Promise<void> }
const env = { STRONGROOM_DATA_DIR: dataDir, STRONGROOM_ADMIN_PASSWORD: password, STRONGROOM_TOKEN_TTL: '3600' }

/** server/main.ts in its own process on the prepared data directory, warmed up on the small case. */
async function startServer (ref: Reference): Promise<Server> {
  const port = await freePort()
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`]
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(root, 'server/main.ts')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), STRONGROOM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break } catch {}
      if (i > 300) throw new Error('server did not start')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'al.investigator', password }) })
    const token = (await login.json() as { token: string }).token
    await download(port, token, `/api/cases/${ref.warmCaseId}/case-file.pdf`, path.join(work, 'warm.pdf'))
    await download(port, token, `/api/cases/${ref.warmCaseId}/bundle.zip`, path.join(work, 'warm.zip'))
    await new Promise((resolve) => setTimeout(resolve, 1000))
    return { port, pid: child.pid as number, token, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Above this time to the bundle's first byte (the case file rendered), the case file is not rendered a second time on its own. */
const SECOND_RENDER_LIMIT = 40

async function main (): Promise<void> {
  console.log(`reference case: ${ITEMS} items, ${ITEMS * 10} custody events, ${PHOTOS} ${photoType.toUpperCase()} photos, in ${work}`)
  try {
    const t = process.hrtime.bigint()
    const app = await buildApp(loadConfig({ ...env, STRONGROOM_LOG_LEVEL: 'silent' }), { announce: () => {} })
    let ref: Reference
    try { ref = await buildReferenceCase(app) } finally { await app.close() }
    console.log(`  built in ${seconds(t).toFixed(1)} s; photos ${mib(ref.photoBytes)} MiB (${mib(ref.photoBytes / PHOTOS)} MiB each)`)

    // (b) and (c): the bundle, on a fresh server, after the baseline copies.
    const zip = path.join(work, 'bundle.zip')
    let server = await startServer(ref)
    const copies = [await copyEvidence(ref.evidence), await copyEvidence(ref.evidence)]
    const copy = copies.reduce((a, b) => (a.time < b.time ? a : b))
    const bundle = await peakRss(server.pid, () => download(server.port, server.token, `/api/cases/${ref.caseId}/bundle.zip`, zip))
    await server.stop()
    const b = bundle.result

    // (a): the case file alone, on another fresh server, unless that would take too long.
    let pdf: Sampled<Download> | undefined
    if (b.firstByte < SECOND_RENDER_LIMIT || process.env.BENCH_CASE_FILE === '1') {
      server = await startServer(ref)
      try {
        pdf = await peakRss(server.pid, () => download(server.port, server.token, `/api/cases/${ref.caseId}/case-file.pdf`, path.join(work, 'case-file.pdf')))
      } finally { await server.stop() }
    }

    const v = process.hrtime.bigint()
    const verify = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/verify-bundle.ts'), zip, '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * MIB })
    const verified = verify.status === 0

    const rate = (bytes: number, s: number): number => bytes / MIB / s
    const bundleRate = rate(b.bytes, b.total)
    const copyRate = rate(copy.bytes, copy.time)
    const rise = bundle.peak - bundle.rest
    console.log()
    if (pdf === undefined) {
      console.log(`(a) case file PDF:                  not rendered on its own: the bundle's first byte came after ${b.firstByte.toFixed(1)} s (> ${SECOND_RENDER_LIMIT} s), ` +
        'nearly all of it rendering the case file; BENCH_CASE_FILE=1 renders it on its own too')
    } else {
      console.log(`(a) case file PDF:                  ${pdf.result.total.toFixed(2)} s for ${mib(pdf.result.bytes)} MiB   (server RSS ${pdf.rest.toFixed(0)} MiB at rest -> peak ${pdf.peak.toFixed(0)} MiB: +${(pdf.peak - pdf.rest).toFixed(0)} MiB)`)
    }
    console.log(`(b) baseline: copy ${ref.evidence.length} evidence files:  ${copies.map((c) => `${c.time.toFixed(2)} s`).join(', ')} for ${mib(copy.bytes)} MiB -> ${copyRate.toFixed(0)} MiB/s (the faster run)`)
    console.log(`    bundle.zip over HTTP:           ${b.total.toFixed(2)} s for ${mib(b.bytes)} MiB -> ${bundleRate.toFixed(1)} MiB/s  (first byte after ${b.firstByte.toFixed(2)} s; ` +
      `${rate(b.bytes, b.total - b.firstByte).toFixed(0)} MiB/s from then on)`)
    console.log(`    CPU used meanwhile:             server ${bundle.serverCpu.toFixed(2)} s (main thread and case file worker), this client ${bundle.clientCpu.toFixed(2)} s, on ${os.cpus().length} cores`)
    console.log(`    throughput ratio bundle/copy:   ${(bundleRate / copyRate).toFixed(2)}   goal >= 0.50 (${bundleRate / copyRate >= 0.5 ? 'ok' : 'MISSED'})`)
    console.log(`(c) server RSS during the bundle:   ${bundle.rest.toFixed(0)} MiB at rest -> peak ${bundle.peak.toFixed(0)} MiB: +${rise.toFixed(0)} MiB   goal < 256 MiB (${rise < 256 ? 'ok' : 'MISSED'})`)
    console.log(`    bundle checked by strongroom-verify: ${verified ? 'ok' : 'FAILED'} (${seconds(v).toFixed(1)} s)`)
    if (!verified) {
      process.stdout.write(verify.stdout.slice(0, 4000))
      process.exitCode = 1
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

await main()
