import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { calculateJwkThumbprint } from 'jose'
import t from 'tap'
import { openCheckpoint, parseVerifierKey } from '../server/lib/note.js'
import { ADMIN_PASSWORD, as, assertProblem, auditEntries, createUser, login, makeApp, startApp } from './helpers/app.js'
import { leafOf, mth, parseNote, signedBy, type Jwk } from './helpers/log.js'

async function jwks (app: Awaited<ReturnType<typeof makeApp>>['app']): Promise<Jwk[]> {
  const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  return res.json<{ keys: Jwk[] }>().keys
}

t.test('GET /.well-known/jwks.json publishes the log key to anyone, with its RFC 7638 thumbprint as kid', async (t) => {
  const { app } = await makeApp(t)
  const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  t.equal(res.statusCode, 200, 'answers 200 without a token')
  t.match(res.headers['content-type'], /^application\/json/, 'is JSON')
  const keys = res.json<{ keys: Jwk[] }>().keys
  t.equal(keys.length, 1, 'a new log has one key')
  const [key] = keys as [Jwk]
  t.match(key, { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' }, 'an Ed25519 signing key for EdDSA')
  t.equal(Buffer.from(key.x, 'base64url').length, 32, 'x is a 32-byte public key')
  t.equal(key.kid, await calculateJwkThumbprint({ kty: key.kty, crv: key.crv, x: key.x }, 'sha256'), 'kid is the RFC 7638 thumbprint jose computes')
  const vkey = parseVerifierKey(key.note ?? '')
  t.equal(vkey.name, 'strongroom.al-customs', 'the note member is the signed-note verifier key of the origin strongroom.<agency>')
  t.equal(Buffer.from(vkey.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('base64url'), key.x, 'and carries the same public key')
})

t.test('the log key lives in keys/log/ with mode 0600, apart from the token key', async (t) => {
  const { app, dir } = await makeApp(t)
  const [key] = await jwks(app) as [Jwk]
  const file = path.join(dir, 'keys', 'log', `${key.kid}.pem`)
  t.ok(fs.existsSync(file), 'keys/log/<kid>.pem exists')
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'the private key file is mode 0600')
  t.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700, 'its directory is mode 0700')
  t.not(fs.readFileSync(file, 'utf8'), fs.readFileSync(path.join(dir, 'keys', 'token-signing.pem'), 'utf8'), 'it is not the token signing key')
})

t.test('GET /api/audit/checkpoint answers a signed note that note.ts opens and the JWKS key verifies', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const res = await as(app, token)('GET', '/api/audit/checkpoint')
  t.equal(res.statusCode, 200, 'the first checkpoint is made on demand')
  t.match(res.headers['content-type'], /^text\/plain/, 'as text/plain')
  const keys = await jwks(app)
  const key = keys[0] as Jwk
  const { checkpoint } = openCheckpoint(res.body, [parseVerifierKey(key.note ?? '')], 'strongroom.al-customs')
  const entries = await auditEntries(app, token)
  t.equal(checkpoint.size, entries.length, 'it covers every entry so far')
  t.same(checkpoint.extensions, [], 'it has no extension lines')

  const note = parseNote(res.body)
  t.equal(note.origin, 'strongroom.al-customs', 'origin line')
  t.equal(note.size, entries.length, 'size line, parsed by hand')
  t.ok(signedBy(note, key), 'the Ed25519 signature verifies with the key from the JWKS, converted with createPublicKey')
  t.same(note.root, mth(entries.map((e) => leafOf(e.canonical))), 'the root is RFC 9162 MTH of the entries\' leaf hashes, computed here')
  t.equal(note.body.split('\n')[2], note.root.toString('base64'), 'the root line is standard base64')
})

t.test('POST /api/audit/checkpoint signs the grown log with 201; ?size= answers each stored one, other sizes 404', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const call = as(app, token)
  const first = await call('GET', '/api/audit/checkpoint')
  const firstSize = parseNote(first.body).size
  await createUser(app, token, { username: 'officer.a', role: 'officer' })
  const made = await call('POST', '/api/audit/checkpoint')
  t.equal(made.statusCode, 201, 'POST answers 201')
  t.match(made.headers['content-type'], /^text\/plain/, 'with the note as text/plain')
  const size = parseNote(made.body).size
  t.equal(size, firstSize + 1, 'the new checkpoint covers the new entry')
  t.equal(made.headers.location, `/api/audit/checkpoint?size=${size}`, 'Location names the stored checkpoint')
  const again = await call('POST', '/api/audit/checkpoint')
  t.equal(again.body, made.body, 'with no new entry, POST answers the same stored checkpoint')
  t.equal((await call('GET', '/api/audit/checkpoint')).body, made.body, 'GET answers the latest')
  t.equal((await call('GET', `/api/audit/checkpoint?size=${firstSize}`)).body, first.body, '?size= answers the older checkpoint verbatim')
  assertProblem(t, await call('GET', `/api/audit/checkpoint?size=${firstSize + 100}`), 404, { code: 'not-found', detail: /size/ }, 'a size never checkpointed')
  assertProblem(t, await call('GET', '/api/audit/checkpoint?size=-1'), 400, { code: 'validation-failed' }, 'a negative size')
  assertProblem(t, await call('GET', '/api/audit/checkpoint?size=abc'), 400, { code: 'validation-failed' }, 'a size that is not a number')
  const list = await call('GET', '/api/audit/checkpoints')
  t.same(list.json<{ items: Array<{ size: number }> }>().items.map((c) => c.size), [firstSize, size], 'GET /api/audit/checkpoints lists both, smallest first')
})

t.test('only auditors and admins read checkpoints and make them', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const auditor = await createUser(app, token, { username: 'auditor.a', role: 'auditor' })
  const officer = await createUser(app, token, { username: 'officer.a', role: 'officer' })
  t.equal((await as(app, auditor.token)('POST', '/api/audit/checkpoint')).statusCode, 201, 'an auditor makes a checkpoint')
  t.equal((await as(app, auditor.token)('GET', '/api/audit/checkpoint')).statusCode, 200, 'an auditor reads it')
  assertProblem(t, await as(app, officer.token)('GET', '/api/audit/checkpoint'), 403, { code: 'forbidden' }, 'an officer reading the checkpoint')
  assertProblem(t, await as(app, officer.token)('POST', '/api/audit/checkpoint'), 403, { code: 'forbidden' }, 'an officer making one')
  assertProblem(t, await app.inject({ method: 'GET', url: '/api/audit/checkpoint' }), 401, { code: 'unauthenticated' }, 'no token')
})

t.test('the checkpoints table refuses UPDATE and DELETE', async (t) => {
  const { app, dir } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  await as(app, token)('POST', '/api/audit/checkpoint')
  await app.close()
  const db = new Database(path.join(dir, 'strongroom.db'))
  t.teardown(() => db.close())
  t.throws(() => db.prepare('UPDATE checkpoints SET note = \'x\'').run(), /append-only/, 'UPDATE is refused')
  t.throws(() => db.prepare('DELETE FROM checkpoints').run(), /append-only/, 'DELETE is refused')
  t.throws(() => db.prepare('DELETE FROM log_keys').run(), /append-only/, 'log keys cannot be deleted')
  t.throws(() => db.prepare('INSERT INTO checkpoints (size, root_hash, note, created_at, key_id) SELECT 1000, zeroblob(32), \'n\', \'t\', kid FROM log_keys').run(), /cover existing/, 'a checkpoint beyond the log is refused')
})

t.test('a checkpoint is made every interval while entries arrive, and none while the log is idle', async (t) => {
  const dir = t.testdir({})
  const { app } = await startApp(t, dir, { STRONGROOM_CHECKPOINT_INTERVAL: '1' })
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const sqlite = app.services.db.$client
  const count = (): number => sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM checkpoints').get()?.n ?? 0
  const covered = (): boolean => (sqlite.prepare<[], { n: number | null }>('SELECT max(size) AS n FROM checkpoints').get()?.n ?? -1) === app.services.auditLog.treeSize()
  const within = async (ms: number, done: () => boolean): Promise<boolean> => {
    for (const until = Date.now() + ms; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) if (done()) return true
    return done()
  }
  t.ok(await within(3000, covered), 'within an interval or so, every entry so far is signed')
  const settled = count()
  await new Promise((resolve) => setTimeout(resolve, 2200))
  t.equal(count(), settled, 'idle intervals sign nothing new')
  await createUser(app, token, { username: 'officer.a', role: 'officer' })
  t.ok(await within(3000, () => count() === settled + 1 && covered()), 'the interval after a new entry signs it')
})

t.test('closing the server signs the entries made since the last checkpoint', async (t) => {
  const dir = t.testdir({})
  const { app } = await startApp(t, dir)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  await as(app, token)('POST', '/api/audit/checkpoint')
  await createUser(app, token, { username: 'officer.b', role: 'officer' })
  await app.close()
  const db = new Database(path.join(dir, 'strongroom.db'), { readonly: true })
  t.teardown(() => db.close())
  const sizes = db.prepare<[], { size: number }>('SELECT size FROM checkpoints ORDER BY size').all().map((r) => r.size)
  const entries = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_entries').get()?.n
  t.equal(sizes.length, 2, 'one checkpoint was made on demand, one at shutdown')
  t.equal(sizes[sizes.length - 1], entries, 'the last checkpoint covers every entry')
})
