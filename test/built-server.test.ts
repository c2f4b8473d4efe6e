/**
 * `npm start` and `npm run demo` run the server from its build in dist/ (server/build.mjs),
 * without a TypeScript loader. This starts it exactly as package.json's start script says, in
 * demo mode on a data directory of its own, and asks it for what depends on where files are:
 * the migrations, the web client, the template, and the case-file worker, which must start from
 * its built JavaScript. The case file and the bundle it makes must be whole and verify.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { freePort, serverCommand } from '../bench/common.js'
import { ROOT, spooledCaseFiles, verifyCli } from './helpers/documents.js'
import { rawGet } from './helpers/evidence.js'

t.setTimeout(180_000)

t.test('the built server, started as npm start starts it, serves the web client, a case file and a bundle that verifies', async (t) => {
  const dir = t.testdir({})
  const port = await freePort()
  const command = serverCommand() // builds dist/ first
  t.ok(fs.existsSync(path.join(ROOT, 'dist', 'server', 'documents', 'case-file-worker.js')), 'the build holds the case-file worker')
  t.match(command.args.at(-1), /dist\/server\/main\.js$/, 'npm start runs the build')
  // Through env -u: tap adds its coverage hooks to the environment of every process a test
  // starts, and would count the built copies as files of the project.
  const child = spawn('env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, ...command.args, '--demo'], {
    cwd: dir, // not the project's directory: files are found from the build's own place
    env: { ...process.env, ...command.env, STRONGROOM_DATA_DIR: path.join(dir, 'data'), STRONGROOM_ADMIN_PASSWORD: '', STRONGROOM_LOG_LEVEL: 'debug', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (c: Buffer) => { out += c.toString() })
  child.stderr.on('data', (c: Buffer) => { out += c.toString() })
  t.teardown(async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; !/Server listening/.test(out); i++) {
    if (i > 1200 || child.exitCode !== null) throw new Error(`the built server did not start:\n${out.slice(-3000)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const password = /password[^"\n]*"([^"]+)"/i.exec(out)?.[1] ?? ''
  t.ok(password.length >= 12, 'the demo start announces its password')

  const page = await fetch(`${base}/`)
  t.equal(page.status, 200, 'the web client is served')
  t.match(await page.text(), /<script[^>]+src="\/?app-[A-Z0-9]+\.js"/, 'its index loads the built script')

  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'al.prosecutor', password }) })
  t.equal(login.status, 200, 'a demo user logs in (the database was migrated)')
  const token = (await login.json() as { token: string }).token
  const cases = await (await fetch(`${base}/api/cases`, { headers: { authorization: `Bearer ${token}` } })).json() as { items: Array<{ id: string, reference: string }> }
  const kase = cases.items[0]
  t.ok(kase !== undefined, 'the demo case is listed')

  const pdf = await rawGet(base, `/api/cases/${kase?.id ?? ''}/case-file.pdf?lang=sq`, token)
  t.equal(pdf.status, 200, 'the Albanian case file is made')
  t.equal(pdf.body.length, Number(pdf.headers['content-length']), 'whole, as long as Content-Length says')
  t.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF')
  const started = out.split('\n').filter((l) => l.includes('case file worker: started')).map((l) => (JSON.parse(l) as { entry: string }).entry)
  t.same(started.map((e) => path.relative(ROOT, e)), [path.join('dist', 'server', 'documents', 'case-file-worker.js')], 'by a worker started from the built JavaScript, not through tsx')

  const zip = await rawGet(base, `/api/cases/${kase?.id ?? ''}/bundle.zip`, token)
  t.equal(zip.status, 200, 'the bundle is made')
  const file = path.join(dir, 'bundle.zip')
  fs.writeFileSync(file, zip.body)
  const verified = await verifyCli(file)
  t.equal(verified.code, 0, `and the verifier accepts it ${verified.stdout.slice(-2000)}`)
  t.same(await spooledCaseFiles(path.join(dir, 'data')), [], 'no case file is left in tmp/')
})
