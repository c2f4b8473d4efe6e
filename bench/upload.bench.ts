/**
 * Upload bench (issue 4): a 1 GiB attachment streamed over a real socket to a
 * server in its own process. Reports the server's resident-memory rise (goal:
 * under 64 MiB) and the upload speed as a ratio to the physical limit measured
 * in the same run: the slower of `sha256sum` of the file and writing it to the
 * data directory's disk with fsync (`dd ... conv=fsync`). Goal: ratio ≥ 0.5.
 *
 * BENCH_UPLOAD_MIB scales the file (default 1024).
 */
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, MIB, rssMib, serverCommand } from './common.js'

const sizeMib = Number(process.env.BENCH_UPLOAD_MIB ?? 1024)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strongroom-bench-upload-'))
const dataDir = path.join(work, 'data')
const file = path.join(work, 'upload.bin')
const password = 'bench password long enough'

function seconds (fn: () => void): number {
  const t = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t) / 1e9
}

function makeFile (): void {
  const block = randomBytes(16 * MIB)
  const fd = fs.openSync(file, 'w')
  for (let written = 0; written < sizeMib * MIB; written += block.length) {
    block.writeUInt32LE(written / block.length, 0) // blocks differ, so nothing dedupes
    fs.writeSync(fd, block, 0, Math.min(block.length, sizeMib * MIB - written))
  }
  fs.closeSync(fd)
}

async function api (port: number, method: string, url: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const json = await res.json()
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** Streams a multipart body with the file part read from disk; resolves with the JSON answer. */
async function upload (port: number, token: string, seizureId: string, source: string): Promise<{ sha256: string, size: number }> {
  const boundary = `bench${randomBytes(8).toString('hex')}`
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="disk-image.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`)
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  const size = fs.statSync(source).size
  return await new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: `/api/seizures/${seizureId}/attachments`,
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length }
    }, (res) => {
      let text = ''
      res.on('data', (c: Buffer) => { text += c.toString() })
      res.on('end', () => { res.statusCode === 201 ? resolve(JSON.parse(text)) : reject(new Error(`upload: ${res.statusCode} ${text}`)) })
    })
    req.on('error', reject)
    req.write(head)
    const stream = fs.createReadStream(source, { highWaterMark: MIB })
    stream.on('end', () => req.end(tail))
    stream.pipe(req, { end: false })
  })
}

async function main (): Promise<void> {
  console.log(`file: ${sizeMib} MiB in ${work}`)
  makeFile()
  execFileSync('sync')

  const hashTime = seconds(() => execFileSync('sha256sum', [file]))
  const expected = execFileSync('sha256sum', [file]).toString().split(' ')[0]
  fs.mkdirSync(dataDir, { recursive: true })
  const ddTime = seconds(() => execFileSync('dd', [`if=${file}`, `of=${path.join(dataDir, 'dd.out')}`, 'bs=1M', 'conv=fsync'], { stdio: 'ignore' }))
  fs.rmSync(path.join(dataDir, 'dd.out'))
  const limitTime = Math.max(hashTime, ddTime)

  const port = await freePort()
  const command = serverCommand()
  const server = spawn(process.execPath, command.args, {
    cwd: root,
    env: { ...process.env, ...command.env, STRONGROOM_DATA_DIR: dataDir, PORT: String(port), STRONGROOM_ADMIN_PASSWORD: password, STRONGROOM_LOG_LEVEL: 'warn', STRONGROOM_UPLOAD_LIMIT: '4G' },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  try {
    for (let i = 0; ; i++) {
      try { await api(port, 'GET', '/healthz'); break } catch { if (i > 200) throw new Error('server did not start'); await new Promise((r) => setTimeout(r, 100)) }
    }
    const admin = (await api(port, 'POST', '/api/auth/login', { username: 'admin', password })).token as string
    await api(port, 'POST', '/api/users', { username: 'bench.officer', password, displayName: 'Bench', role: 'officer' }, admin)
    const token = (await api(port, 'POST', '/api/auth/login', { username: 'bench.officer', password })).token as string
    const seizure = await api(port, 'POST', '/api/seizures', {
      occurredAt: new Date().toISOString(), place: { name: 'Bench' }, direction: 'import', transportMode: 'road', detectionMethod: 'random'
    }, token)

    // Warm up the upload path with a small file, then take the resting memory.
    const small = path.join(work, 'small.bin')
    fs.writeFileSync(small, randomBytes(MIB))
    await upload(port, token, seizure.id, small)
    await new Promise((r) => setTimeout(r, 500))
    const pid = server.pid as number
    const restRss = rssMib(pid)
    let peakRss = restRss
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssMib(pid)) }, 25)
    const t = process.hrtime.bigint()
    const answer = await upload(port, token, seizure.id, file)
    const uploadTime = Number(process.hrtime.bigint() - t) / 1e9
    clearInterval(sampler)

    const rate = (s: number): string => `${(sizeMib / s).toFixed(0)} MiB/s`
    console.log(`baseline sha256sum:            ${hashTime.toFixed(2)} s  (${rate(hashTime)})`)
    console.log(`baseline dd conv=fsync:        ${ddTime.toFixed(2)} s  (${rate(ddTime)})`)
    console.log(`physical limit (slower):       ${limitTime.toFixed(2)} s  (${rate(limitTime)})`)
    console.log(`upload over HTTP:              ${uploadTime.toFixed(2)} s  (${rate(uploadTime)})`)
    console.log(`speed ratio (limit/upload):    ${(limitTime / uploadTime).toFixed(2)}   goal >= 0.50`)
    console.log(`server RSS at rest / peak:     ${restRss.toFixed(0)} MiB / ${peakRss.toFixed(0)} MiB`)
    console.log(`server RSS rise during upload: ${(peakRss - restRss).toFixed(1)} MiB   goal < 64 MiB`)
    console.log(`SHA-256 matches sha256sum:     ${answer.sha256 === expected ? 'yes' : `NO (${answer.sha256} vs ${expected})`}`)
    if (answer.sha256 !== expected || answer.size !== sizeMib * MIB) process.exitCode = 1
  } finally {
    server.kill('SIGTERM')
    fs.rmSync(work, { recursive: true, force: true })
  }
}

await main()
