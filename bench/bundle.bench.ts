/**
 * Case file and bundle bench (issue 7). A reference case of 200 items, 2,000
 * custody events and 100 photos of about 2 MiB is built through the services
 * (so every record is in the audit log), then a server in its own process
 * (as `npm start` runs it, on that data directory) is asked over a real socket, by a
 * client in a process of its own (bench/download.mjs), for:
 *
 *  (a) the case file: GET /api/cases/:id/case-file.pdf, its time, the first
 *      on a server of its own; skipped when the first bundle (which renders the
 *      same case file) took over 40 s, so that the bench stays within minutes;
 *  (b) the bundle: GET /api/cases/:id/bundle.zip written to a file, in MiB/s,
 *      as a ratio to copying the same evidence files with fs streams just
 *      before it (goal: at least 0.5). BENCH_ROUNDS rounds (default 3) of copy
 *      then bundle on the same server; every round is printed and the median
 *      ratio is the figure. The first round is the server's first large case
 *      file, before V8 has optimised the code that lays it out;
 *  (c) the server's resident memory (VmRSS, sampled every 25 ms) while it makes
 *      the bundles: its peak (goal: under 256 MiB), and its rise above the
 *      level at rest.
 *
 * A small case is fetched first, so that fonts and code are loaded before the
 * resting level is read. The last bundle is checked with the project's verifier.
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
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { freePort, MIB, rssMib, seconds, serverCommand } from './common.js'
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

interface Sampled<T> { result: T, rest: number, peak: number, serverCpu: number }
interface Download { bytes: number, firstByte: number, total: number, cpu: number }

/** Peak VmRSS of `pid` while `fn` runs, sampled every 25 ms, and the CPU it used meanwhile. */
async function peakRss<T> (pid: number, fn: () => Promise<T>): Promise<Sampled<T>> {
  const rest = rssMib(pid)
  let peak = rest
  const cpu = cpuSeconds(pid)
  const sampler = setInterval(() => { peak = Math.max(peak, rssMib(pid)) }, 25)
  try {
    const result = await fn()
    peak = Math.max(peak, rssMib(pid))
    return { result, rest, peak, serverCpu: cpuSeconds(pid) - cpu }
  } finally {
    clearInterval(sampler)
  }
}

const DOWNLOADER = path.join(root, 'bench/download.mjs')

/** GET to a file by bench/download.mjs in a process of its own: bytes, time to the first byte and in all, the client's CPU. */
async function download (port: number, token: string, url: string, file: string): Promise<Download> {
  const child = spawn(process.execPath, [DOWNLOADER, String(port), url, file], { env: { ...process.env, BENCH_TOKEN: token }, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  await new Promise((resolve) => child.on('close', resolve))
  const r = JSON.parse(out === '' ? '{}' : out) as Partial<Download> & { status?: number, complete?: boolean, error?: string }
  if (r.status !== 200 || r.error != null || r.complete !== true) {
    const body = fs.existsSync(file) ? fs.readFileSync(file).subarray(0, 2000).toString() : ''
    throw new Error(`GET ${url}: ${r.status ?? 'no answer'} ${r.error ?? ''} ${body}`)
  }
  return { bytes: r.bytes ?? 0, firstByte: r.firstByte ?? 0, total: r.total ?? 0, cpu: r.cpu ?? 0 }
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

/** The server as `npm start` runs it, in its own process on the prepared data directory, warmed up on the small case. */
async function startServer (ref: Reference): Promise<Server> {
  const port = await freePort()
  const profile = process.env.BENCH_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`]
  const server = serverCommand()
  const child = spawn(process.execPath, [...profile, ...server.args], {
    cwd: root,
    env: { ...process.env, ...server.env, ...env, PORT: String(port), STRONGROOM_LOG_LEVEL: 'warn' },
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

/** Above this time for a bundle (its case file rendered meanwhile), no further round is made and the case file is not rendered again on its own. */
const SECOND_RENDER_LIMIT = 40
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))

async function main (): Promise<void> {
  console.log(`reference case: ${ITEMS} items, ${ITEMS * 10} custody events, ${PHOTOS} ${photoType.toUpperCase()} photos, in ${work}`)
  try {
    const t = process.hrtime.bigint()
    const app = await buildApp(loadConfig({ ...env, STRONGROOM_LOG_LEVEL: 'silent' }), { announce: () => {} })
    let ref: Reference
    try { ref = await buildReferenceCase(app) } finally { await app.close() }
    console.log(`  built in ${seconds(t).toFixed(1)} s; photos ${mib(ref.photoBytes)} MiB (${mib(ref.photoBytes / PHOTOS)} MiB each)`)

    // (b) and (c): rounds of a baseline copy then the bundle, on one fresh server.
    const zip = path.join(work, 'bundle.zip')
    let server = await startServer(ref)
    const rest = rssMib(server.pid)
    const rounds: Array<{ copy: { bytes: number, time: number }, bundle: Sampled<Download> }> = []
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const copy = await copyEvidence(ref.evidence)
        fs.rmSync(zip, { force: true })
        const bundle = await peakRss(server.pid, () => download(server.port, server.token, `/api/cases/${ref.caseId}/bundle.zip`, zip))
        rounds.push({ copy, bundle })
        if (bundle.result.total > SECOND_RENDER_LIMIT) break
      }
    } finally { await server.stop() }
    const first = rounds[0]?.bundle.result
    if (first === undefined) throw new Error('no bundle downloaded')

    // (a): the case file alone, on another fresh server, unless that would take too long.
    let pdf: Sampled<Download> | undefined
    if (first.total < SECOND_RENDER_LIMIT || process.env.BENCH_CASE_FILE === '1') {
      server = await startServer(ref)
      try {
        pdf = await peakRss(server.pid, () => download(server.port, server.token, `/api/cases/${ref.caseId}/case-file.pdf`, path.join(work, 'case-file.pdf')))
      } finally { await server.stop() }
    }

    const v = process.hrtime.bigint()
    const verify = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/verify-bundle.ts'), zip, '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * MIB })
    const verified = verify.status === 0

    const rate = (bytes: number, s: number): number => bytes / MIB / s
    console.log()
    if (pdf === undefined) {
      console.log(`(a) case file PDF:                  not rendered on its own: the first bundle took ${first.total.toFixed(1)} s (> ${SECOND_RENDER_LIMIT} s); ` +
        'BENCH_CASE_FILE=1 renders it on its own too')
    } else {
      console.log(`(a) case file PDF, first on a fresh server: ${pdf.result.total.toFixed(2)} s for ${mib(pdf.result.bytes)} MiB   (server RSS ${pdf.rest.toFixed(0)} MiB at rest -> peak ${pdf.peak.toFixed(0)} MiB: +${(pdf.peak - pdf.rest).toFixed(0)} MiB)`)
    }
    console.log(`(b) round  copy of ${ref.evidence.length} evidence files (${mib(rounds[0]?.copy.bytes ?? 0)} MiB)   bundle.zip over HTTP (${mib(first.bytes)} MiB)             CPU: server / client   ratio   server RSS peak`)
    const ratios = rounds.map(({ copy, bundle }, i) => {
      const b = bundle.result
      const ratio = rate(b.bytes, b.total) / rate(copy.bytes, copy.time)
      console.log(`    ${String(i + 1).padStart(3)}    ${copy.time.toFixed(2)} s  ${rate(copy.bytes, copy.time).toFixed(0).padStart(5)} MiB/s` +
        `                ${b.total.toFixed(2)} s  ${rate(b.bytes, b.total).toFixed(0).padStart(4)} MiB/s  (first byte ${b.firstByte.toFixed(2)} s)   ` +
        `${bundle.serverCpu.toFixed(2)} s / ${b.cpu.toFixed(2)} s   ${ratio.toFixed(2)}    ${bundle.peak.toFixed(0)} MiB`)
      return ratio
    })
    const sorted = [...ratios].sort((a, b) => a - b)
    const median = ((sorted[Math.floor((sorted.length - 1) / 2)] ?? 0) + (sorted[Math.ceil((sorted.length - 1) / 2)] ?? 0)) / 2
    console.log(`    throughput ratio bundle/copy, median of ${ratios.length} rounds: ${median.toFixed(2)}   goal >= 0.50 (${median >= 0.5 ? 'ok' : 'MISSED'})   ` +
      `(${os.cpus().length} cores; round 1 is the server's first large case file)`)
    const peak = Math.max(...rounds.map((r) => r.bundle.peak))
    const rise = peak - rest
    console.log(`(c) server RSS during the bundles:  peak ${peak.toFixed(0)} MiB   goal < 256 MiB (${peak < 256 ? 'ok' : 'MISSED'})   (${rest.toFixed(0)} MiB at rest, +${rise.toFixed(0)} MiB while making them)`)
    console.log(`    last bundle checked by strongroom-verify: ${verified ? 'ok' : 'FAILED'} (${seconds(v).toFixed(1)} s)`)
    if (!verified) {
      process.stdout.write(verify.stdout.slice(0, 4000))
      process.exitCode = 1
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

await main()
