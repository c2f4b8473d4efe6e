/**
 * Audit log bench (issue 6). Every figure is a ratio to a baseline measured in the same run:
 *
 *  1. Verification speed on BENCH_LOG_ENTRIES (default 1 000 000) synthetic entries: leaf hashes
 *     and the RFC 9162 root (CompactRange), checked against a signed checkpoint, as a ratio to
 *     hashing the same entries' bytes one by one with node:crypto SHA-256. A Merkle tree needs
 *     about two hashes per entry, so 0.5 is close to the limit: that is the goal.
 *  2. The same log in SQLite, checked by verifyLog (entries re-canonicalised, every stored node
 *     compared, every checkpoint opened), as the same ratio.
 *  3. The full check that also re-derives each entry from its domain rows, on a real database
 *     of BENCH_FULL_ENTRIES (default 10 000) entries made through the services (a real 1M-entry
 *     database would take too long to build here), as the same ratio.
 *  4. The cost of one append and of one proof at 1 000 and at 1 000 000 entries (SQLite node
 *     store in a temp file), in units of one SQLite point read of the same table; the goal is
 *     growth like log n (about 2x from 1k to 1M), not like n (1000x).
 *
 * BENCH_LOG_ENTRIES=100000 BENCH_FULL_ENTRIES=5000 scale it down.
 */
import { createHash, hash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { databaseFile, openDb, type Db } from '../server/db/client.js'
import { appendLeaf, CompactRange, consistencyProof, inclusionProof, leafHash, rootAt, type NodeStore } from '../server/lib/merkle.js'
import { signCheckpoint } from '../server/lib/note.js'
import type { AuthUser } from '../server/services/access.js'
import { createLogKey, loadLogSigner } from '../server/services/log-keys.js'
import { createWritePath, sqliteNodeStore } from '../server/services/write-path.js'
import { verifyLog } from '../server/verify/verify-log.js'

const LOG_ENTRIES = Number(process.env.BENCH_LOG_ENTRIES ?? 1_000_000)
const FULL_ENTRIES = Number(process.env.BENCH_FULL_ENTRIES ?? 10_000)
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strongroom-bench-merkle-'))
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6
const fmt = (n: number, d = 2): string => n.toFixed(d)
const line = (label: string, value: string): void => { console.log(`${label.padEnd(52)} ${value}`) }

// ---------------------------------------------------------------------------------------------
// Synthetic entries: canonical JSON of realistic custody events (~520 bytes), in one buffer.

const syntheticTime = (i: number): string => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString()
const syntheticId = (i: number): string => `0190${i.toString(16).padStart(12, '0')}-7000-8000-${(i * 7919).toString(16).padStart(12, '0')}`

function syntheticEntry (i: number): string {
  const t = syntheticTime(i)
  const id = syntheticId(i)
  const data = `{"actorId":"user-${i % 97}","authority":null,"fromUserId":"user-${i % 89}","id":"${id}","itemId":"item-${i % 5003}","location":"TIR-EVD/R1/C${i % 9}/S${i % 4}","notes":null,"occurredAt":"${t}","purpose":"Transport to the central evidence room","recordedAt":"${t}","sealIntact":true,"sealNumber":"SB-${1000000 + i}","seq":${1 + (i % 40)},"toUserId":"user-${i % 83}","type":"transferred","witnessUserId":null}`
  return `{"action":"custody.transferred","actor":"user-${i % 97}","data":${data},"entityId":"${id}","entityType":"custody_event","index":${i},"time":"${t}"}`
}

function makeEntries (n: number): { bytes: Buffer, offsets: Uint32Array } {
  const chunks: Buffer[] = []
  const offsets = new Uint32Array(n + 1)
  let at = 0
  for (let i = 0; i < n; i++) {
    const b = Buffer.from(syntheticEntry(i), 'utf8')
    chunks.push(b)
    offsets[i] = at
    at += b.length
  }
  offsets[n] = at
  return { bytes: Buffer.concat(chunks, at), offsets }
}

const entryAt = (e: { bytes: Buffer, offsets: Uint32Array }, i: number): Buffer => e.bytes.subarray(e.offsets[i], e.offsets[i + 1])

/** SHA-256 of each entry's bytes, one by one: with a Hash object, or with one-shot crypto.hash. */
function baseline (e: { bytes: Buffer, offsets: Uint32Array }, n: number, oneShot: boolean): number {
  const t0 = process.hrtime.bigint()
  let x = 0
  for (let i = 0; i < n; i++) {
    const digest = oneShot ? hash('sha256', entryAt(e, i), 'buffer') : createHash('sha256').update(entryAt(e, i)).digest()
    x ^= digest[0] as number
  }
  if (x === 256) console.log('')
  return ms(t0)
}

// ---------------------------------------------------------------------------------------------
// SQLite logs of synthetic entries, bulk-inserted (synchronous off while building).

function buildLog (dir: string, e: { bytes: Buffer, offsets: Uint32Array }, n: number): Db {
  fs.mkdirSync(dir, { recursive: true })
  const db = openDb(databaseFile(dir))
  const sqlite = db.$client
  sqlite.pragma('synchronous = OFF')
  const insert = sqlite.prepare('INSERT INTO audit_entries (idx, time, actor, action, entity_type, entity_id, agency_id, canonical, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)')
  // The nodes appendLeaf would store, written straight from CompactRange (no reads while building).
  const insertNode = sqlite.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)')
  const range = new CompactRange()
  const store = (level: number, index: number, node: Buffer): void => { insertNode.run(level, index, node) }
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const bytes = entryAt(e, i)
      const hash = leafHash(bytes)
      insert.run(i, syntheticTime(i), `user-${i % 97}`, 'custody.transferred', 'custody_event', syntheticId(i), bytes.toString('utf8'), hash)
      range.push(hash, store)
    }
  })
  for (let from = 0; from < n; from += 50_000) batch(from, Math.min(n, from + 50_000))
  sqlite.pragma('synchronous = FULL')
  return db
}

async function signSome (db: Db, dir: string, sizes: number[]): Promise<void> {
  const key = await createLogKey(db.$client, dir, 'strongroom.bench', new Date().toISOString())
  const signer = loadLogSigner(dir, key)
  const nodes = sqliteNodeStore(db)
  for (const size of sizes) {
    const rootHash = rootAt(nodes, size)
    db.$client.prepare('INSERT INTO checkpoints (size, root_hash, note, created_at, key_id) VALUES (?, ?, ?, ?, ?)')
      .run(size, rootHash, signCheckpoint({ origin: key.origin, size, rootHash }, [signer]), new Date().toISOString(), key.kid)
  }
}

/** µs per call of `fn` over `count` calls. */
function perCall (count: number, fn: (i: number) => void): number {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < count; i++) fn(i)
  return (ms(t0) * 1000) / count
}

function pointRead (db: Db, n: number): number {
  const get = db.$client.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?')
  return perCall(20_000, (i) => { get.get(0, (i * 7919) % n) })
}

function countingStore (inner: NodeStore): NodeStore & { reads: number } {
  const store = { reads: 0, get: (l: number, i: number) => { store.reads++; return inner.get(l, i) }, put: inner.put }
  return store
}

function costs (db: Db, n: number): { append: number, commit: number, proof: number, proofReads: number, read: number } {
  const read = pointRead(db, n)
  const nodes = sqliteNodeStore(db)
  const counted = countingStore(nodes)
  let reads = 0
  const proof = perCall(2000, (i) => {
    const size = n - (i % 100)
    const index = (i * 104729) % size
    counted.reads = 0
    inclusionProof(counted, index, size)
    consistencyProof(counted, 1 + ((i * 7919) % (size - 1)), size)
    reads += counted.reads
  }) / 2
  // Appends: the tree work plus the entry row, 1000 in one transaction (no fsync in the figure),
  // rolled back so both sizes stay as built.
  const sqlite = db.$client
  const insert = sqlite.prepare('INSERT INTO audit_entries (idx, time, actor, action, entity_type, entity_id, agency_id, canonical, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)')
  sqlite.exec('BEGIN')
  const append = perCall(1000, (i) => {
    const text = syntheticEntry(n + i)
    const hash = leafHash(Buffer.from(text))
    insert.run(n + i, 't', 'a', 'bench.append', 'bench', String(i), text, hash)
    appendLeaf(nodes, n + i, hash)
  })
  sqlite.exec('ROLLBACK')
  // The real write path: one IMMEDIATE transaction with fsync (synchronous=FULL) per change.
  const writes = createWritePath(db, () => new Date())
  sqlite.exec('SAVEPOINT bench')
  const commit = perCall(200, (i) => {
    writes.commit('system', () => ({ result: null, audit: { action: 'agency.create', entityType: 'agency', entityId: `bench-${i}`, agencyId: null, data: { id: `bench-${i}`, code: 'XX-BENCH', name: 'bench', country: 'XX', createdAt: 't' } } }))
  })
  sqlite.exec('ROLLBACK TO bench; RELEASE bench')
  return { append, commit, proof, proofReads: reads / 4000, read }
}

// ---------------------------------------------------------------------------------------------
// A real database for the full check, made through the services.

async function buildRealDb (dir: string, target: number): Promise<void> {
  const app = await buildApp(loadConfig({ STRONGROOM_DATA_DIR: dir, STRONGROOM_LOG_LEVEL: 'warn', STRONGROOM_ADMIN_PASSWORD: 'bench password long enough' }), { announce: () => {} })
  app.services.db.$client.pragma('synchronous = OFF')
  const { accounts, seizures, items, attachments, objects } = app.services
  const rootRow = accounts.authUser(app.services.db.$client.prepare<[], { id: string }>('SELECT id FROM users LIMIT 1').get()?.id ?? '')
  if (rootRow === undefined) throw new Error('no admin')
  const { disabled: _d, passwordChangedAt: _p, ...root } = rootRow
  const make = async (username: string, role: 'officer' | 'custodian'): Promise<AuthUser> => {
    const view = await accounts.createUser(root, { username, password: 'bench password long enough', displayName: username, role })
    const user = accounts.authUser(view.id)
    if (user === undefined) throw new Error('user')
    return user
  }
  const officer = await make('bench.officer', 'officer')
  const custodians = [await make('bench.c1', 'custodian'), await make('bench.c2', 'custodian')]
  items.createLocation(custodians[0] as AuthUser, { code: 'BENCH', name: 'Bench room', parentCode: null })
  const size = (): number => app.services.auditLog.treeSize()
  const goods = [{ description: 'Frequency changers', hsCode: '850440', quantity: 12, unit: 'NAR', value: { amount: '48000.00', currency: 'EUR' }, strategic: { controlled: true, regime: 'EU-2021/821' as const, entry: '3A225' }, licence: { number: null, status: 'none' as const } }]
  let n = 0
  while (size() < target) {
    const seizure = seizures.create(officer, {
      occurredAt: new Date(Date.now() - 3600_000).toISOString(),
      place: { name: 'Morinë border crossing', type: 'road_border_crossing', locode: 'ALMOR', lat: 42.2376, lon: 20.5497 },
      direction: 'export', transportMode: 'road', conveyance: `Truck ${n}`, route: { origin: 'AL', destination: 'XK', transit: [] },
      detectionMethod: 'risk_profile', concealment: 'declared as spare parts', legalBasis: 'Customs Code', narrative: `Bench seizure ${n}`,
      parties: [{ role: 'consignor', kind: 'organisation', name: 'Drini Trading', country: 'AL' }], goods
    })
    for (let k = 0; k < 3 && size() < target; k++) {
      const item = items.createItem(officer, seizure.id, { description: `Exhibit ${n}-${k}`, category: 'goods_sample', quantity: 1, unit: 'NAR', sealNumber: `SB-${n}-${k}`, goodsIndex: 0 })
      let holder = officer
      for (let hop = 0; hop < 4; hop++) {
        const to = custodians[hop % 2] as AuthUser
        if (to.id === holder.id) continue
        items.recordEvent(holder, item.id, { type: 'transferred', toUserId: to.id, purpose: 'hand-over' })
        items.recordEvent(to, item.id, { type: 'received', sealIntact: true, sealNumber: `SB-${n}-${k}` })
        holder = to
      }
      if (k === 0) {
        attachments.checkUpload(officer, 'seizure', seizure.id)
        const received = await objects.receive((async function * () { yield Buffer.from(`bench file ${n}\n`) })())
        await attachments.commitUpload(officer, 'seizure', seizure.id, received, `file-${n}.txt`, {})
      }
    }
    n++
  }
  app.services.db.$client.pragma('synchronous = FULL')
  await app.close()
}

async function main (): Promise<void> {
  console.log(`work directory ${work}; ${LOG_ENTRIES.toLocaleString('en-US')} synthetic entries, ${FULL_ENTRIES.toLocaleString('en-US')} real ones`)
  const started = process.hrtime.bigint()

  // 1. In memory.
  const entries = makeEntries(LOG_ENTRIES)
  line('synthetic entry size (mean)', `${fmt(entries.bytes.length / LOG_ENTRIES, 0)} bytes`)
  const base = Math.min(baseline(entries, LOG_ENTRIES, false), baseline(entries, LOG_ENTRIES, false))
  const baseOneShot = Math.min(baseline(entries, LOG_ENTRIES, true), baseline(entries, LOG_ENTRIES, true))
  const verifyInMemory = (): number => {
    const t0 = process.hrtime.bigint()
    const range = new CompactRange()
    for (let i = 0; i < LOG_ENTRIES; i++) range.push(leafHash(entryAt(entries, i)))
    const root = range.root()
    if (root.length !== 32) throw new Error('root')
    return ms(t0)
  }
  const treeMs = Math.min(verifyInMemory(), verifyInMemory())
  line('baseline: createHash(sha256) of each entry', `${fmt(base, 0)} ms (${fmt((base * 1000) / LOG_ENTRIES, 3)} µs/entry)`)
  line('baseline: crypto.hash(sha256) of each entry', `${fmt(baseOneShot, 0)} ms (${fmt((baseOneShot * 1000) / LOG_ENTRIES, 3)} µs/entry)`)
  line('tree verification (leaf hashes + root), in memory', `${fmt(treeMs, 0)} ms (${fmt((treeMs * 1000) / LOG_ENTRIES, 3)} µs/entry)`)
  line('  speed ratio to createHash baseline (goal ≈ 0.5)', fmt(base / treeMs))
  line('  speed ratio to crypto.hash baseline (same primitive)', fmt(baseOneShot / treeMs))

  // 2. From SQLite.
  const bigDir = path.join(work, 'big')
  let t0 = process.hrtime.bigint()
  const big = buildLog(bigDir, entries, LOG_ENTRIES)
  await signSome(big, bigDir, [1000, Math.floor(LOG_ENTRIES / 2), LOG_ENTRIES])
  line('building the SQLite log (bulk insert)', `${fmt(ms(t0) / 1000, 1)} s`)
  const sizes = { entries: big.$client.prepare<[], { n: number }>('SELECT count(*) AS n FROM merkle_nodes').get()?.n ?? 0 }
  line('  stored Merkle nodes', `${sizes.entries.toLocaleString('en-US')} (${fmt(sizes.entries / LOG_ENTRIES)} per entry)`)
  const bigCosts = costs(big, LOG_ENTRIES)
  big.$client.close()
  const reader = new Database(databaseFile(bigDir), { readonly: true })
  t0 = process.hrtime.bigint()
  const report = await verifyLog({ sqlite: reader, dataDir: bigDir, records: false, attachments: false, batchSize: 10_000 })
  const dbMs = ms(t0)
  reader.close()
  if (!report.ok) throw new Error(`the synthetic log does not verify: ${JSON.stringify(report.mismatches.slice(0, 3))}`)
  line('log check from SQLite (verifyLog, no records)', `${fmt(dbMs / 1000, 1)} s, ${report.checked.merkleNodes.toLocaleString('en-US')} nodes and 3 checkpoints compared`)
  line('  speed ratio to the createHash baseline', fmt(base / dbMs, 3))

  // 3. Full check on real rows.
  const realDir = path.join(work, 'real')
  t0 = process.hrtime.bigint()
  await buildRealDb(realDir, FULL_ENTRIES)
  line('building the real database through the services', `${fmt(ms(t0) / 1000, 1)} s`)
  const real = new Database(databaseFile(realDir), { readonly: true })
  const texts = real.prepare<[], { canonical: string }>('SELECT canonical FROM audit_entries ORDER BY idx').all().map((r) => Buffer.from(r.canonical, 'utf8'))
  const realBase = (() => {
    let best = Infinity
    for (let k = 0; k < 3; k++) {
      const t1 = process.hrtime.bigint()
      for (const b of texts) createHash('sha256').update(b).digest()
      best = Math.min(best, ms(t1))
    }
    return best
  })()
  t0 = process.hrtime.bigint()
  const full = await verifyLog({ sqlite: real, dataDir: realDir })
  const fullMs = ms(t0)
  real.close()
  if (!full.ok) throw new Error(`the real database does not verify: ${JSON.stringify(full.mismatches.slice(0, 3))}`)
  const meanBytes = texts.reduce((s, b) => s + b.length, 0) / texts.length
  line('full check (entries, tree, rows, custody replay, files)', `${full.treeSize.toLocaleString('en-US')} entries (mean ${fmt(meanBytes, 0)} bytes) in ${fmt(fullMs, 0)} ms = ${fmt((fullMs * 1000) / full.treeSize, 1)} µs/entry`)
  line('  baseline: SHA-256 of the same entries one by one', `${fmt(realBase, 1)} ms`)
  line('  speed ratio to the baseline', fmt(realBase / fullMs, 3))

  // 4. Append and proof costs at 1k and at the big size.
  const smallDir = path.join(work, 'small')
  const small = buildLog(smallDir, entries, 1000)
  const smallCosts = costs(small, 1000)
  small.$client.close()
  const row = (what: string, a: number, b: number, unitA: number, unitB: number): void => {
    line(what, `${fmt(a)} µs (${fmt(a / unitA, 1)} reads)  |  ${fmt(b)} µs (${fmt(b / unitB, 1)} reads)  |  x${fmt(b / a)}`)
  }
  console.log(`\n${'per operation'.padEnd(52)} at 1,000          |  at ${LOG_ENTRIES.toLocaleString('en-US')}  |  growth`)
  row('baseline: one SQLite point read of merkle_nodes', smallCosts.read, bigCosts.read, smallCosts.read, bigCosts.read)
  row('append: entry row + Merkle nodes (in a batch)', smallCosts.append, bigCosts.append, smallCosts.read, bigCosts.read)
  row('append: writes.commit, own transaction + fsync', smallCosts.commit, bigCosts.commit, smallCosts.read, bigCosts.read)
  row('proof: one inclusion or consistency proof', smallCosts.proof, bigCosts.proof, smallCosts.read, bigCosts.read)
  line('  stored hashes read per proof', `${fmt(smallCosts.proofReads, 1)} at 1,000  |  ${fmt(bigCosts.proofReads, 1)} at ${LOG_ENTRIES.toLocaleString('en-US')} (log2 ratio ${fmt(Math.log2(LOG_ENTRIES) / Math.log2(1000))})`)
  line('\ntotal bench time', `${fmt(ms(started) / 1000, 1)} s`)
  fs.rmSync(work, { recursive: true, force: true })
}

main().catch((err: unknown) => {
  console.error(err)
  fs.rmSync(work, { recursive: true, force: true })
  process.exit(1)
})
