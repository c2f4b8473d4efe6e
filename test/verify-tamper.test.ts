/**
 * Tampering as an attacker with access to the data directory would: triggers dropped, one byte
 * changed with plain SQL or in a stored file. The verify command must name exactly the place
 * changed (PRODUCT.md: `entry <index>`, `<table> row <id>`, `checkpoint <size>`,
 * `attachment <sha256>`), and nothing else as a mismatch of its own.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { verifyLog, type VerifyReport } from '../server/verify/verify-log.js'
import { ADMIN_PASSWORD, as, createUser, login, startApp } from './helpers/app.js'
import { runCli } from './helpers/log.js'

// One demo data directory (seizure, exhibits, custody chain, photos, cases), signed at two
// sizes; every test tampers with its own copy.
const demo = t.testdir({ data: {} })
const demoDir = path.join(demo, 'data')

t.before(async () => {
  const { app } = await startApp(t, demoDir, { STRONGROOM_DEMO: '1' })
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  await as(app, token)('POST', '/api/audit/checkpoint')
  await createUser(app, token, { username: 'auditor.extra', role: 'auditor' })
  await as(app, token)('POST', '/api/audit/checkpoint')
  await app.close()
})

function copyOfDemo (t: Test): { dir: string, db: Database.Database } {
  const dir = path.join(t.testdir({}), 'data')
  fs.cpSync(demoDir, dir, { recursive: true })
  const db = new Database(path.join(dir, 'strongroom.db'))
  t.teardown(() => { if (db.open) db.close() })
  return { dir, db }
}

async function verify (dir: string): Promise<VerifyReport> {
  const sqlite = new Database(path.join(dir, 'strongroom.db'), { readonly: true })
  try {
    return await verifyLog({ sqlite, dataDir: dir })
  } finally {
    sqlite.close()
  }
}

/** One character changed in the middle of a string: still JSON, no longer the same bytes. */
function oneByteChanged (text: string, after: string): string {
  const at = text.indexOf(after)
  if (at < 0) throw new Error(`"${after}" not found`)
  const i = at + after.length
  const c = text[i] as string
  return `${text.slice(0, i)}${c === 'x' ? 'y' : 'x'}${text.slice(i + 1)}`
}

const places = (report: VerifyReport): string[] => report.mismatches.map((m) => m.place)

t.test('verify passes on the untouched demo database, as a library and as npm run verify', async (t) => {
  const report = await verify(demoDir)
  t.ok(report.ok, 'the report says ok')
  t.same(report.mismatches, [], 'no mismatch')
  t.ok(report.checked.entries > 40 && report.checked.checkpoints === 2 && report.checked.attachments >= 4, `it checked ${report.checked.entries} entries, 2 checkpoints and the photos`)
  t.match(report.checked.records, { agencies: 2, users: Number, seizures: Number, seizure_versions: Number, items: Number, custody_events: Number, attachments: Number, locations: 4 }, 'and re-derived every kind of record')
  const cli = runCli('verify', demoDir)
  t.equal(cli.status, 0, `npm run verify exits 0 (${cli.stderr.slice(-300)})`)
  t.match(cli.stdout, /^OK: /m, 'and says OK')
  t.match(cli.stderr, /verify: entries \d+\/\d+ \(100%\)/, 'with its progress on stderr')
})

t.test('one byte changed in an audit entry is named as that entry', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const row = db.prepare<[], { idx: number, canonical: string }>('SELECT idx, canonical FROM audit_entries WHERE action = \'custody.transferred\' ORDER BY idx LIMIT 1').get()
  if (row === undefined) throw new Error('no custody.transferred entry in the demo')
  db.exec('DROP TRIGGER audit_entries_no_update')
  db.prepare('UPDATE audit_entries SET canonical = ? WHERE idx = ?').run(oneByteChanged(row.canonical, '"purpose":"'), row.idx)
  db.close()
  const report = await verify(dir)
  t.notOk(report.ok, 'verification fails')
  t.same(places(report), [`entry ${row.idx}`], `the only mismatch named is entry ${row.idx}`)
  t.match(report.mismatches[0]?.reason, /leaf_hash/, 'because its text no longer hashes to its leaf hash')
  t.ok(report.consequences.some((c) => c.place.startsWith('checkpoint ') && c.followsFrom === `entry ${row.idx}`), 'the checkpoints over it fail as a consequence of that entry')

  const cli = runCli('verify', dir)
  t.equal(cli.status, 1, 'npm run verify exits 1')
  t.match(cli.stdout, new RegExp(`^MISMATCH entry ${row.idx}: `, 'm'), 'and names the entry')
  t.match(cli.stdout, new RegExp(`^FAILED: 1 mismatch; the first is entry ${row.idx}`, 'm'), 'in its summary too')
  const json = runCli('verify', dir, ['--json', '--quiet'])
  t.equal(json.status, 1, '--json exits 1 as well')
  t.match(JSON.parse(json.stdout), { ok: false, mismatches: [{ place: `entry ${row.idx}` }] }, '--json names it in mismatches')
})

t.test('an entry rewritten with a matching leaf hash is named by the tree and the checkpoints', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const row = db.prepare<[], { idx: number, canonical: string }>('SELECT idx, canonical FROM audit_entries WHERE action = \'item.create\' ORDER BY idx LIMIT 1').get()
  if (row === undefined) throw new Error('no item.create entry in the demo')
  const changed = oneByteChanged(row.canonical, '"description":"')
  const { createHash } = await import('node:crypto')
  const leaf = createHash('sha256').update(Buffer.from([0])).update(changed, 'utf8').digest()
  db.exec('DROP TRIGGER audit_entries_no_update')
  db.prepare('UPDATE audit_entries SET canonical = ?, leaf_hash = ? WHERE idx = ?').run(changed, leaf, row.idx)
  db.close()
  const report = await verify(dir)
  t.same(places(report), [`entry ${row.idx}`], `entry ${row.idx} is the only mismatch named`)
  t.match(report.mismatches[0]?.reason, /not the leaf the Merkle tree holds/, 'because the tree holds another leaf for it')
})

t.test('one byte changed in a leaf_hash column is named as that entry', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const row = db.prepare<[], { leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_entries WHERE idx = 7').get()
  const hash = Buffer.from(row?.leaf_hash ?? Buffer.alloc(32))
  hash[5] = (hash[5] ?? 0) ^ 0x01
  db.exec('DROP TRIGGER audit_entries_no_update')
  db.prepare('UPDATE audit_entries SET leaf_hash = ? WHERE idx = 7').run(hash)
  db.close()
  const report = await verify(dir)
  t.same(places(report), ['entry 7'], 'entry 7 is the only mismatch')
  t.same(report.consequences, [], 'the tree and the checkpoints, built from the text, still hold')
})

t.test('one byte changed in a custody_events row is named as that row', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const row = db.prepare<[], { id: string, notes: string }>('SELECT id, notes FROM custody_events WHERE notes IS NOT NULL LIMIT 1').get()
  if (row === undefined) throw new Error('no custody event with notes in the demo')
  db.exec('DROP TRIGGER custody_events_no_update')
  db.prepare('UPDATE custody_events SET notes = ? WHERE id = ?').run(oneByteChanged(row.notes, 'Lab'), row.id)
  db.close()
  const report = await verify(dir)
  t.same(places(report), [`custody_events row ${row.id}`], 'the only mismatch named is that custody_events row')
  t.match(report.mismatches[0]?.reason, /differs from entry \d+, which recorded it \(notes\)/, 'the reason names the entry and the field')
  const cli = runCli('verify', dir, ['--quiet'])
  t.equal(cli.status, 1, 'npm run verify exits 1')
  t.match(cli.stdout, new RegExp(`^MISMATCH custody_events row ${row.id}: `, 'm'), 'and names the row')
})

t.test('an item whose custody columns were changed is named as that items row', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const row = db.prepare<[], { id: string }>('SELECT id FROM items WHERE status = \'in_custody\' LIMIT 1').get()
  db.prepare('UPDATE items SET status = \'released\' WHERE id = ?').run(row?.id)
  db.close()
  const report = await verify(dir)
  t.same(places(report), [`items row ${row?.id ?? ''}`], 'the only mismatch is that items row')
  t.match(report.mismatches[0]?.reason, /custody state \(status\)/, 'because replaying its custody events gives another status')
})

t.test('a user changed behind the audit log is named as that users row', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const row = db.prepare<[], { id: string }>('SELECT id FROM users WHERE username = \'al.officer\'').get()
  db.prepare('UPDATE users SET role = \'admin\' WHERE id = ?').run(row?.id)
  db.close()
  const report = await verify(dir)
  t.same(places(report), [`users row ${row?.id ?? ''}`], 'the only mismatch is that users row')
  t.match(report.mismatches[0]?.reason, /\(role\)/, 'the reason names the field')
})

t.test('one byte changed in a stored attachment is named as that attachment', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const row = db.prepare<[], { sha256: string }>('SELECT sha256 FROM attachments WHERE media_type = \'image/png\' LIMIT 1').get()
  db.close()
  const sha = row?.sha256 ?? ''
  const file = path.join(dir, 'objects', sha.slice(0, 2), sha.slice(2))
  fs.chmodSync(file, 0o600)
  const bytes = fs.readFileSync(file)
  bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0x20
  fs.writeFileSync(file, bytes)
  const report = await verify(dir)
  t.same(places(report), [`attachment ${sha}`], 'the only mismatch named is that attachment')
  t.match(report.mismatches[0]?.reason, /no longer hashes/, 'because the file no longer hashes to its name')
  const cli = runCli('verify', dir, ['--quiet'])
  t.equal(cli.status, 1, 'npm run verify exits 1')
  t.match(cli.stdout, new RegExp(`^MISMATCH attachment ${sha}: `, 'm'), 'and names the attachment by its SHA-256')
})

t.test('a missing attachment file is named as that attachment', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const sha = db.prepare<[], { sha256: string }>('SELECT sha256 FROM attachments LIMIT 1').get()?.sha256 ?? ''
  db.close()
  fs.rmSync(path.join(dir, 'objects', sha.slice(0, 2), sha.slice(2)))
  const report = await verify(dir)
  t.same(places(report), [`attachment ${sha}`], 'the only mismatch named is that attachment')
  t.match(report.mismatches[0]?.reason, /missing/, 'the file is missing')
})

t.test('one byte changed in a stored checkpoint is named as that checkpoint', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const row = db.prepare<[], { size: number, note: string }>('SELECT size, note FROM checkpoints ORDER BY size LIMIT 1').get()
  if (row === undefined) throw new Error('no checkpoint')
  db.exec('DROP TRIGGER checkpoints_no_update')
  const lines = row.note.split('\n')
  lines[2] = oneByteChanged(lines[2] as string, '')
  db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(lines.join('\n'), row.size)
  db.close()
  const report = await verify(dir)
  t.same(places(report), [`checkpoint ${row.size}`], `the only mismatch named is checkpoint ${row.size}`)
  t.match(report.mismatches[0]?.reason, /does not verify/, 'because its signature no longer verifies')
  const cli = runCli('verify', dir, ['--quiet'])
  t.equal(cli.status, 1, 'npm run verify exits 1')
  t.match(cli.stdout, new RegExp(`^MISMATCH checkpoint ${row.size}: `, 'm'), 'and names the checkpoint by its size')
})

t.test('a stored Merkle node changed is named as that merkle_nodes row', async (t) => {
  const { dir, db } = copyOfDemo(t)
  db.exec('DROP TRIGGER merkle_nodes_no_update')
  db.prepare('UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 1').run()
  db.close()
  const report = await verify(dir)
  t.same(places(report), ['merkle_nodes row 2/1'], 'the only mismatch named is merkle_nodes row 2/1')
})

t.test('entries removed from the end are named by the checkpoint that covered them', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const last = db.prepare<[], { size: number }>('SELECT max(size) AS size FROM checkpoints').get()?.size ?? 0
  db.exec('DROP TRIGGER audit_entries_no_delete; DROP TRIGGER merkle_nodes_no_delete')
  db.prepare('DELETE FROM audit_entries WHERE idx = ?').run(last - 1)
  db.prepare('DELETE FROM merkle_nodes WHERE (idx + 1) * (1 << level) > ?').run(last - 1)
  db.close()
  const report = await verify(dir)
  t.equal(report.mismatches[0]?.place, `checkpoint ${last}`, `checkpoint ${last} is named first`)
  t.match(report.mismatches[0]?.reason, /entries were removed/, 'because entries it covered were removed')
})

t.test('a row written outside the audit log is named', async (t) => {
  const { dir, db } = copyOfDemo(t)
  const agency = db.prepare<[], { id: string }>('SELECT id FROM agencies LIMIT 1').get()
  db.prepare('INSERT INTO agencies (id, code, name, country, created_at) VALUES (\'forged\', \'XX-FORGED\', \'Forged\', \'XX\', \'2026-01-01T00:00:00.000Z\')').run()
  db.close()
  const report = await verify(dir)
  t.ok(agency !== undefined, 'the demo has agencies')
  t.same(places(report), ['agencies row forged'], 'the forged agency is the only mismatch')
  t.match(report.mismatches[0]?.reason, /no audit entry/, 'because no entry records it')
})
