import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { ConfigError, loadConfig } from '../server/config.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

t.test('loadConfig with an empty environment answers the documented defaults', async (t) => {
  const config = loadConfig({})
  t.equal(config.dataDir, path.resolve('./data'), 'STRONGROOM_DATA_DIR defaults to ./data, made absolute')
  t.equal(config.port, 3000, 'PORT defaults to 3000')
  t.equal(config.host, '127.0.0.1', 'HOST defaults to 127.0.0.1')
  t.equal(config.agencyCode, 'AL-CUSTOMS', 'STRONGROOM_AGENCY defaults to AL-CUSTOMS')
  t.equal(config.adminPassword, undefined, 'without STRONGROOM_ADMIN_PASSWORD the password is left to be generated')
  t.equal(config.logLevel, 'info', 'the log level defaults to info')
  t.equal(config.uploadLimit, 2 * 1024 * 1024 * 1024, 'the upload limit defaults to 2 GiB')
  t.equal(config.tokenTtl, 900, 'tokens live 15 minutes by default')
  t.equal(config.demo, false, 'demo mode is off by default')
  t.ok(Object.isFrozen(config), 'the config object is frozen')
})

t.test('loadConfig reads well-formed values from the environment', async (t) => {
  const config = loadConfig({
    STRONGROOM_DATA_DIR: '/tmp/strongroom-config-test',
    PORT: '8080',
    HOST: '0.0.0.0',
    STRONGROOM_ADMIN_PASSWORD: 'twelve chars or more',
    STRONGROOM_UPLOAD_LIMIT: '512M',
    STRONGROOM_TOKEN_TTL: '600',
    STRONGROOM_LOG_LEVEL: 'warn',
    STRONGROOM_DEMO: '1'
  })
  t.equal(config.dataDir, '/tmp/strongroom-config-test', 'the data directory is taken as given')
  t.equal(config.port, 8080, 'PORT is read as a number')
  t.equal(config.host, '0.0.0.0', 'HOST is read')
  t.equal(config.adminPassword, 'twelve chars or more', 'the admin password is read')
  t.equal(config.uploadLimit, 512 * 1024 * 1024, '512M is 512 MiB')
  t.equal(config.tokenTtl, 600, 'the token lifetime is read in seconds')
  t.equal(config.logLevel, 'warn', 'the log level is read')
  t.equal(config.demo, true, 'STRONGROOM_DEMO=1 turns demo mode on')
})

const WRONG: Array<[string, string]> = [
  ['PORT', 'abc'],
  ['PORT', '70000'],
  ['PORT', '-1'],
  ['STRONGROOM_UPLOAD_LIMIT', 'lots'],
  ['STRONGROOM_TOKEN_TTL', '5'],
  ['STRONGROOM_TOKEN_TTL', '15m'],
  ['STRONGROOM_LOG_LEVEL', 'loud'],
  ['STRONGROOM_ADMIN_PASSWORD', 'short'],
  ['STRONGROOM_DEMO', 'maybe']
]

for (const [name, value] of WRONG) {
  t.test(`loadConfig refuses ${name}=${JSON.stringify(value)} with a ConfigError naming ${name}`, async (t) => {
    let caught: unknown
    try {
      loadConfig({ [name]: value })
    } catch (err) {
      caught = err
    }
    t.ok(caught instanceof ConfigError, `${name}=${value} throws a ConfigError`)
    if (!(caught instanceof ConfigError)) return
    t.equal(caught.variable, name, 'the error names the variable')
    t.match(caught.message, name, 'the message names the variable')
  })
}

t.test('the server entry point exits non-zero with a message naming PORT when PORT=abc', async (t) => {
  const dir = t.testdir({})
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', STRONGROOM_DATA_DIR: dir, PORT: 'abc' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  let stdout = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => { resolve(c) }))
  clearTimeout(timer)
  t.not(code, 0, 'the process exits with a non-zero status')
  t.not(code, null, 'the process exits by itself rather than being killed')
  t.match(stderr, /PORT/, 'stderr names the PORT variable')
  t.match(stderr, /abc/, 'stderr quotes the wrong value')
  t.notMatch(stderr, /\n\s+at /, 'the message is not a stack trace')
  t.equal(stdout, '', 'nothing is printed on stdout')
})
