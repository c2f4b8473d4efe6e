import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { verifyLog } from '../server/verify/verify-log.js'
import { ADMIN_PASSWORD, as, createUser, login, makeApp } from './helpers/app.js'
import { parseNote, runCli, signedBy, type Jwk } from './helpers/log.js'

t.test('npm run rotate-key makes a new active key; the old one stays published and its checkpoints still verify', async (t) => {
  const { app, dir } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const call = as(app, token)
  const jwks = async (): Promise<Jwk[]> => (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Jwk[] }>().keys
  const [oldKey] = await jwks() as [Jwk]
  const before = parseNote((await call('POST', '/api/audit/checkpoint')).body)

  const cli = runCli('rotate-key', dir)
  t.equal(cli.status, 0, `rotate-key exits 0 (${cli.stderr})`)
  const keys = await jwks()
  t.equal(keys.length, 2, 'the JWKS now holds two keys')
  const [newKey] = keys as [Jwk]
  t.not(newKey.kid, oldKey.kid, 'the newest key is listed first')
  t.match(cli.stdout, newKey.kid, 'the command prints the new kid')
  t.ok(keys.some((k) => k.kid === oldKey.kid && k.x === oldKey.x), 'the old key is still published, unchanged')
  t.equal(fs.statSync(path.join(dir, 'keys', 'log', `${newKey.kid}.pem`)).mode & 0o777, 0o600, 'the new key file is mode 0600')
  t.ok(fs.existsSync(path.join(dir, 'keys', 'log', `${oldKey.kid}.pem`)), 'the old key file is kept')

  await createUser(app, token, { username: 'officer.a', role: 'officer' })
  const after = parseNote((await call('POST', '/api/audit/checkpoint')).body)
  t.equal(after.origin, before.origin, 'the origin stays the same across the rotation')
  t.ok(signedBy(after, newKey), 'the running server signs the next checkpoint with the new key')
  t.notOk(signedBy(after, oldKey), 'and no longer with the old one')
  const old = parseNote((await call('GET', `/api/audit/checkpoint?size=${before.size}`)).body)
  t.ok(signedBy(old, oldKey), 'the checkpoint made before the rotation still verifies with the old published key')

  await app.close()
  const sqlite = new Database(path.join(dir, 'strongroom.db'), { readonly: true })
  t.teardown(() => sqlite.close())
  const report = await verifyLog({ sqlite, dataDir: dir })
  t.ok(report.ok, 'verify passes with checkpoints by both keys')
  t.equal(report.checked.keys, 2, 'checking both published keys')
})

t.test('a key file that does not hold its published key is named by verify', async (t) => {
  const { app, dir } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  await as(app, token)('POST', '/api/audit/checkpoint')
  const [key] = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Jwk[] }>().keys as [Jwk]
  await app.close()
  const rotated = runCli('rotate-key', dir)
  t.equal(rotated.status, 0, 'a second key is made')
  const other = fs.readdirSync(path.join(dir, 'keys', 'log')).find((f) => f !== `${key.kid}.pem`) ?? ''
  const file = path.join(dir, 'keys', 'log', `${key.kid}.pem`)
  fs.copyFileSync(path.join(dir, 'keys', 'log', other), file)
  const sqlite = new Database(path.join(dir, 'strongroom.db'), { readonly: true })
  t.teardown(() => sqlite.close())
  const report = await verifyLog({ sqlite, dataDir: dir })
  t.same(report.mismatches.map((m) => m.place), [`log_keys row ${key.kid}`], 'the key row whose file holds another key is named')
})
