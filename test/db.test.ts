import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { databaseFile, MIGRATIONS_DIR, openDb } from '../server/db/client.js'
import { ADMIN_PASSWORD, as, auditSize, createUser, login, makeApp, startApp, USER_PASSWORD } from './helpers/app.js'

interface JournalEntry { idx: number, tag: string, when: number }
const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] } & Record<string, unknown>

/** A copy of migrations/ that holds only the first `count` journal entries (an older release). */
function migrationsUpTo (dir: string, count: number): string {
  const target = path.join(dir, `migrations-${count}`)
  fs.mkdirSync(path.join(target, 'meta'), { recursive: true })
  const entries = journal.entries.slice(0, count)
  for (const entry of entries) fs.copyFileSync(path.join(MIGRATIONS_DIR, `${entry.tag}.sql`), path.join(target, `${entry.tag}.sql`))
  fs.writeFileSync(path.join(target, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }))
  return target
}

/** The schema as SQLite describes it: every table, index and trigger with its SQL. */
function schemaOf (sqlite: Database.Database): Array<{ type: string, name: string, sql: string | null }> {
  return sqlite.prepare<[], { type: string, name: string, sql: string | null }>(
    "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
  ).all()
}

const triggerNames = (sqlite: Database.Database): string[] =>
  sqlite.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all().map((r) => r.name)

const appliedMigrations = (sqlite: Database.Database): number =>
  sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM __drizzle_migrations').get()?.n ?? 0

/** Runs `fn` and answers the message of the error it throws (undefined if it does not throw). */
function errorOf (fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as Error).message
  }
  return undefined
}

t.test('the app\'s database connection runs with synchronous=FULL, WAL, foreign keys and a busy timeout', async (t) => {
  const { app } = await makeApp(t)
  const sqlite = app.services.db.$client
  t.equal(sqlite.pragma('synchronous', { simple: true }), 2, 'synchronous reads back 2 (FULL)')
  t.equal(sqlite.pragma('journal_mode', { simple: true }), 'wal', 'journal_mode reads back wal')
  t.equal(sqlite.pragma('foreign_keys', { simple: true }), 1, 'foreign_keys reads back 1')
  t.ok(Number(sqlite.pragma('busy_timeout', { simple: true })) > 0, 'a busy timeout is set')
})

t.test('a second openDb() of the same file also runs with synchronous=FULL', async (t) => {
  const { app, dir } = await makeApp(t)
  const file = databaseFile(dir)
  // A connection that sets nothing would read 1 (NORMAL) in WAL mode with better-sqlite3's build.
  const raw = new Database(file, { readonly: true })
  t.comment(`a bare better-sqlite3 connection on this file reads synchronous=${String(raw.pragma('synchronous', { simple: true }))}`)
  raw.close()
  const second = openDb(file)
  t.teardown(() => { second.$client.close() })
  t.equal(second.$client.pragma('synchronous', { simple: true }), 2, 'synchronous reads back 2 (FULL) on the second connection')
  t.equal(second.$client.pragma('journal_mode', { simple: true }), 'wal', 'journal_mode reads back wal on the second connection')
  t.equal(second.$client.pragma('foreign_keys', { simple: true }), 1, 'foreign_keys reads back 1 on the second connection')
  t.ok(app.services.db.$client.open, 'the app\'s own connection is still open meanwhile')
})

t.test('foreign keys are enforced: a user of an unknown agency is refused', async (t) => {
  const { app } = await makeApp(t)
  const message = errorOf(() => app.services.db.$client.prepare(
    "INSERT INTO users (id, agency_id, username, display_name, role, password_hash, password_changed_at, created_at, updated_at) VALUES ('u1', 'no-such-agency', 'ghost', 'Ghost', 'officer', 'x', 'now', 'now', 'now')"
  ).run())
  t.match(message, /FOREIGN KEY constraint failed/, 'the insert fails on the foreign key')
})

t.test('openDb migrates an empty database to the latest migration', async (t) => {
  const dir = t.testdir({})
  const file = path.join(dir, 'empty.db')
  const db = openDb(file)
  t.teardown(() => { db.$client.close() })
  t.equal(appliedMigrations(db.$client), journal.entries.length, 'every migration of the journal is recorded as applied')
  const names = schemaOf(db.$client).map((r) => r.name)
  for (const table of ['agencies', 'users', 'login_failures', 'audit_entries', 'merkle_nodes']) {
    t.ok(names.includes(table), `the ${table} table exists`)
  }
  for (const trigger of ['audit_entries_no_update', 'audit_entries_no_delete', 'audit_entries_gapless', 'merkle_nodes_no_update', 'merkle_nodes_no_delete']) {
    t.ok(names.includes(trigger), `the ${trigger} trigger exists`)
  }
})

t.test('openDb brings a database from each earlier migration to the latest, keeping its rows', async (t) => {
  const dir = t.testdir({})
  const freshDb = openDb(path.join(dir, 'fresh.db'))
  const latest = schemaOf(freshDb.$client)
  freshDb.$client.close()
  t.ok(journal.entries.length >= 2, 'the journal has at least two migrations')

  for (let count = 1; count < journal.entries.length; count++) {
    const file = path.join(dir, `at-${count}.db`)
    const old = openDb(file, { migrationsDir: migrationsUpTo(dir, count) })
    t.equal(appliedMigrations(old.$client), count, `the database starts at migration ${count - 1} (${journal.entries[count - 1]?.tag ?? '?'})`)
    old.$client.prepare("INSERT INTO agencies (id, code, name, country, created_at) VALUES ('a1', 'XK-CUSTOMS', 'Kosovo Customs', 'XK', '2026-01-01T00:00:00.000Z')").run()
    old.$client.close()

    const db = openDb(file)
    t.equal(appliedMigrations(db.$client), journal.entries.length, `from migration ${count - 1}: every migration is now recorded as applied`)
    t.same(schemaOf(db.$client), latest, `from migration ${count - 1}: the schema equals a freshly migrated one`)
    t.ok(triggerNames(db.$client).includes('audit_entries_no_update'), `from migration ${count - 1}: the audit triggers exist`)
    t.same(db.$client.prepare('SELECT code, name FROM agencies').all(), [{ code: 'XK-CUSTOMS', name: 'Kosovo Customs' }], `from migration ${count - 1}: the existing row is kept`)
    db.$client.close()
  }

  // The case the issue names: exactly the previous migration, upgraded through the app itself.
  const previous = journal.entries.length - 1
  const appDir = path.join(dir, 'app-data')
  fs.mkdirSync(appDir)
  openDb(databaseFile(appDir), { migrationsDir: migrationsUpTo(dir, previous) }).$client.close()
  const { app } = await startApp(t, appDir)
  t.equal(appliedMigrations(app.services.db.$client), journal.entries.length, 'the app starting on a database at the previous migration brings it to the latest')
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } })
  t.equal(res.statusCode, 200, 'and the bootstrap admin it creates there can log in')
})

t.test('reopening an existing data directory keeps its data, its signing key and its bootstrap', async (t) => {
  const dir = t.testdir({})
  const first = await startApp(t, dir)
  const adminToken = await login(first.app, 'admin', ADMIN_PASSWORD)
  const officer = await createUser(first.app, adminToken, { username: 'officer.one', role: 'officer' })
  const size = await auditSize(first.app)
  await first.app.close()

  const second = await startApp(t, dir, { STRONGROOM_ADMIN_PASSWORD: 'a different admin password' })
  t.same(second.announced, [], 'nothing is announced on the second start')
  t.equal(await auditSize(second.app), size, 'the audit log has the same number of entries (no second bootstrap)')
  const me = await as(second.app, officer.token)('GET', '/api/auth/me')
  t.equal(me.statusCode, 200, 'a token issued before the restart is still accepted (the signing key was kept)')
  t.equal(me.json<{ username: string }>().username, 'officer.one', 'and it names the user created before the restart')
  const res = await second.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'officer.one', password: USER_PASSWORD } })
  t.equal(res.statusCode, 200, 'the user created before the restart logs in')
  const adminAgain = await second.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } })
  t.equal(adminAgain.statusCode, 200, 'the admin keeps the password of the first start, not the new STRONGROOM_ADMIN_PASSWORD')
})

t.test('a separate better-sqlite3 connection cannot UPDATE or DELETE audit entries or Merkle nodes', async (t) => {
  const { app, dir } = await makeApp(t)
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD)
  await createUser(app, adminToken, { username: 'officer.one', role: 'officer' })

  const sqlite = new Database(databaseFile(dir))
  t.teardown(() => { sqlite.close() })
  const before = sqlite.prepare('SELECT * FROM audit_entries ORDER BY idx').all()
  const nodesBefore = sqlite.prepare('SELECT * FROM merkle_nodes ORDER BY level, idx').all()
  t.ok(before.length >= 3, 'there are audit entries to tamper with')
  t.ok(nodesBefore.length >= 3, 'there are Merkle nodes to tamper with')

  t.match(errorOf(() => sqlite.prepare("UPDATE audit_entries SET actor = 'mallory' WHERE idx = 0").run()), /audit entries are append-only/, 'UPDATE of an audit entry is refused by the trigger')
  t.match(errorOf(() => sqlite.prepare('UPDATE audit_entries SET canonical = canonical').run()), /audit entries are append-only/, 'UPDATE of every audit entry is refused by the trigger')
  t.match(errorOf(() => sqlite.prepare('DELETE FROM audit_entries WHERE idx = (SELECT MAX(idx) FROM audit_entries)').run()), /audit entries are append-only/, 'DELETE of the last audit entry is refused by the trigger')
  t.match(errorOf(() => sqlite.prepare('DELETE FROM audit_entries').run()), /audit entries are append-only/, 'DELETE of every audit entry is refused by the trigger')
  t.match(errorOf(() => sqlite.prepare('UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 0 AND idx = 0').run()), /merkle tree nodes are append-only/, 'UPDATE of a Merkle node is refused by the trigger')
  t.match(errorOf(() => sqlite.prepare('DELETE FROM merkle_nodes').run()), /merkle tree nodes are append-only/, 'DELETE of Merkle nodes is refused by the trigger')

  const size = before.length
  const insert = sqlite.prepare(
    "INSERT INTO audit_entries (idx, time, actor, action, entity_type, entity_id, agency_id, canonical, leaf_hash) VALUES (?, '2026-01-01T00:00:00.000Z', 'mallory', 'user.create', 'user', 'x', NULL, '{}', zeroblob(32))"
  )
  t.match(errorOf(() => insert.run(size + 1)), /audit entry index must follow the last one/, 'an INSERT that leaves a gap in idx is refused')
  t.match(errorOf(() => insert.run(size - 1)), /audit entry index must follow the last one|UNIQUE constraint failed/, 'an INSERT that reuses an existing idx is refused')

  t.same(sqlite.prepare('SELECT * FROM audit_entries ORDER BY idx').all(), before, 'the audit entries are unchanged')
  t.same(sqlite.prepare('SELECT * FROM merkle_nodes ORDER BY level, idx').all(), nodesBefore, 'the Merkle nodes are unchanged')
})

const sqlite3Cli = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' })
t.test('the sqlite3 command-line tool cannot UPDATE or DELETE audit entries', { skip: sqlite3Cli.status === 0 ? false : 'the sqlite3 command is not installed' }, async (t) => {
  const { app, dir } = await makeApp(t)
  const size = await auditSize(app)
  await app.close()
  const file = databaseFile(dir)
  for (const statement of ["UPDATE audit_entries SET actor = 'mallory';", 'DELETE FROM audit_entries;', 'DELETE FROM merkle_nodes;']) {
    const run = spawnSync('sqlite3', [file, statement], { encoding: 'utf8' })
    t.not(run.status, 0, `sqlite3 "${statement}" exits non-zero`)
    t.match(run.stderr, /append-only/, `sqlite3 "${statement}" reports the trigger's message`)
  }
  const check = new Database(file, { readonly: true })
  t.equal(check.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_entries').get()?.n, size, 'every audit entry is still there')
  check.close()
})
