// `npm run verify` as a library (VERIFIABILITY.md "Verification"): re-derives every leaf from
// the audit_entries rows, recomputes the Merkle tree and compares every stored node and every
// signed checkpoint with it, re-derives the entries from the domain rows, and re-hashes every
// attachment in the store, and checks every print copy of a photo (the picture case files print)
// against its original. Mismatches are named as PRODUCT.md says: `entry <index>`,
// `<table> row <id>`, `checkpoint <size>`, `attachment <sha256>`, and `print copy <sha256>`.

import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { canonicalJson } from '../lib/canonical-json.js'
import { CompactRange, emptyRoot, leafHash, nodeHash } from '../lib/merkle.js'
import { NoteError, openCheckpoint, type Checkpoint } from '../lib/note.js'
import { printable, PRINT_TOOL, PRINT_VERSION } from '../documents/printable.js'
import { sha256Hex } from '../lib/hash.js'
import { ObjectStore } from '../lib/object-store.js'
import { listLogKeys, noteVerifiers, publicKeyOf, thumbprint, loadLogSigner, type LogKey } from '../services/log-keys.js'
import { Findings, type Finding } from './findings.js'
import { checkRecords } from './verify-records.js'

export type { Finding } from './findings.js'

export type VerifyStage = 'entries' | 'checkpoints' | 'keys' | 'records' | 'attachments' | 'printCopies'

export interface VerifyProgress {
  stage: VerifyStage
  done: number
  total: number
  /** For the records stage: the table being read. */
  table?: string
}

export interface VerifyOptions {
  /** A connection to the database (read-only is enough); verification reads one snapshot of it. */
  sqlite: Database.Database
  /** The data directory: attachment store and log key files. */
  dataDir: string
  onProgress?: (progress: VerifyProgress) => void
  /** Report progress every this many entries (default 100 000). */
  progressEvery?: number
  /** Rows read per query (default 5 000). */
  batchSize?: number
  /** Stop listing after this many mismatches (default 1 000). */
  maxFindings?: number
  /** Re-derive the entries from the domain rows (default true). */
  records?: boolean
  /** Re-hash the attachment files and check the print copies of photos (default true). */
  attachments?: boolean
  signal?: AbortSignal
}

export interface VerifyReport {
  ok: boolean
  /** Entries in the log, and the root recomputed from them (base64, as in checkpoints). */
  treeSize: number
  rootHash: string
  checked: {
    entries: number
    merkleNodes: number
    checkpoints: number
    keys: number
    records: Record<string, number>
    attachments: number
    /**
     * Print copies of photos: made again from their originals and compared
     * (`remade`); or, made by another version of the image library than this
     * one (or before the version was recorded), checked against their
     * recorded SHA-256 only (`hashOnly`).
     */
    printCopies: { remade: number, hashOnly: number }
  }
  /** Entries checked by hash only: their action has no table to re-derive them from. */
  hashOnly: Record<string, number>
  /** Every mismatch, first found first; each names its place once. */
  mismatches: Finding[]
  /** What fails only because of a mismatch already named (roots over a rewritten entry...). */
  consequences: Finding[]
  truncated: boolean
  durationMs: number
}

/** Actions whose entries verify-records.ts re-derives from rows. */
const REDERIVED = new Set(['agency.create', 'user.create', 'user.update', 'location.create', 'seizure.create', 'seizure.correct', 'item.create', 'attachment.create',
  'case.create', 'case.update', 'case.status', 'case.link', 'case.unlink', 'case.member_add', 'case.member_remove', 'case.share', 'case.unshare', 'case.action'])
const isRederived = (action: string): boolean => REDERIVED.has(action) || action.startsWith('custody.')

const ENTRY_FIELDS = ['action', 'actor', 'data', 'entityId', 'entityType', 'index', 'time']

interface EntryRow {
  idx: number
  time: string
  actor: string
  action: string
  entity_type: string
  entity_id: string
  canonical: string
  leaf_hash: Buffer
}

interface ParsedEntry {
  index: unknown
  time: unknown
  actor: unknown
  action: unknown
  entityType: unknown
  entityId: unknown
  data: unknown
}

/** Why an entry row is not a faithful audit entry, or undefined; and its parsed canonical text. */
export function entryProblem (row: EntryRow, leaf: Buffer): { problem?: string, parsed?: ParsedEntry } {
  let parsed: unknown
  try {
    parsed = JSON.parse(row.canonical)
  } catch {
    return { problem: 'its canonical text is not JSON' }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) ||
      Object.keys(parsed).sort().join(',') !== ENTRY_FIELDS.join(',')) {
    return { problem: 'its canonical text does not hold exactly index, time, actor, action, entityType, entityId and data' }
  }
  const entry = parsed as ParsedEntry
  let canonical: string | undefined
  try { canonical = canonicalJson(entry) } catch { canonical = undefined }
  if (canonical !== row.canonical) return { problem: 'its canonical text is not RFC 8785 canonical JSON', parsed: entry }
  const columns: Array<[string, unknown, unknown]> = [
    ['idx', row.idx, entry.index], ['time', row.time, entry.time], ['actor', row.actor, entry.actor],
    ['action', row.action, entry.action], ['entity_type', row.entity_type, entry.entityType], ['entity_id', row.entity_id, entry.entityId]
  ]
  const differing = columns.filter(([, column, text]) => column !== text).map(([name]) => name)
  if (differing.length > 0) return { problem: `its ${differing.join(', ')} column${differing.length > 1 ? 's differ' : ' differs'} from its canonical text`, parsed: entry }
  if (!Buffer.isBuffer(row.leaf_hash) || !row.leaf_hash.equals(leaf)) {
    return { problem: 'its leaf_hash column is not SHA-256(0x00 || its canonical text): the text or the hash was changed', parsed: entry }
  }
  return { parsed: entry }
}

function hasTable (sqlite: Database.Database, name: string): boolean {
  return sqlite.prepare('SELECT 1 FROM sqlite_master WHERE type = \'table\' AND name = ?').get(name) !== undefined
}

const pause = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

interface CheckpointRow { size: number, root_hash: Buffer, note: string, key_id: string }

/**
 * Runs every check over one read snapshot of the database and answers the report; it throws only
 * when it cannot run (no database, aborted), never for a mismatch.
 */
export async function verifyLog (options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now()
  const { sqlite, dataDir } = options
  const batchSize = options.batchSize ?? 5000
  const progressEvery = Math.max(1, options.progressEvery ?? 100_000)
  const findings = new Findings(options.maxFindings ?? 1000)
  const report = (progress: VerifyProgress): void => { options.onProgress?.(progress) }
  const checkAbort = (): void => { options.signal?.throwIfAborted() }

  let checkpointRows: CheckpointRow[] = []
  // One snapshot for everything, even while the server keeps writing (WAL readers).
  sqlite.exec('BEGIN')
  try {
    checkpointRows = hasTable(sqlite, 'checkpoints')
      ? sqlite.prepare<[], CheckpointRow>('SELECT size, root_hash, note, key_id FROM checkpoints ORDER BY size').all()
      : []
    const tree = await checkEntriesAndTree()
    const keys = await checkKeys()
    checkCheckpoints(tree, keys)
    const records = options.records === false ? {} : await checkRecords({
      sqlite,
      findings,
      custodyByItem: tree.custodyByItem,
      wrongCustody: tree.wrongCustody,
      batchSize,
      pause: async (table, done) => { checkAbort(); report({ stage: 'records', table, done, total: 0 }); await pause() }
    })
    const attachments = options.attachments === false ? 0 : await checkAttachments()
    const printCopies = options.attachments === false || !hasTable(sqlite, 'print_copies') ? { remade: 0, hashOnly: 0 } : await checkPrintCopies()
    return {
      ok: findings.ok,
      treeSize: tree.size,
      rootHash: tree.root.toString('base64'),
      checked: { entries: tree.size, merkleNodes: tree.nodes, checkpoints: checkpointRows.length, keys: keys.length, records, attachments, printCopies },
      hashOnly: Object.fromEntries([...tree.actions].filter(([action]) => !isRederived(action)).sort()),
      mismatches: findings.mismatches,
      consequences: findings.consequences,
      truncated: findings.truncated,
      durationMs: Math.round(performance.now() - started)
    }
  } finally {
    if (sqlite.inTransaction) sqlite.exec('COMMIT')
  }

  async function checkEntriesAndTree () {
    const total = (sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_entries').get()?.n) ?? 0
    const entryStmt = sqlite.prepare<[number, number], EntryRow>(
      'SELECT idx, time, actor, action, entity_type, entity_id, canonical, leaf_hash FROM audit_entries WHERE idx >= ? ORDER BY idx LIMIT ?')
    const nodeStmt = sqlite.prepare<[number, number, number], { idx: number, hash: Buffer }>(
      'SELECT idx, hash FROM merkle_nodes WHERE level = ? AND idx BETWEEN ? AND ?')
    const nodeGet = sqlite.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?')
    const sizes = checkpointRows.map((c) => c.size)
    const roots = new Map<number, Buffer>()
    if (sizes[0] === 0) roots.set(0, emptyRoot())
    let nextSize = sizes.findIndex((s) => s > 0)
    const range = new CompactRange()
    const custodyByItem = new Map<string, number[]>()
    const wrongCustody: number[] = []
    const actions = new Map<string, number>()
    let nodes = 0
    let gapAt: number | undefined
    let expected = 0
    // Stored nodes completed by the leaves of the current batch, per level: [first index, hashes].
    let stored: Array<{ lo: number, hashes: Array<Buffer | undefined> }> = []

    const fetchNodes = (first: number, end: number): void => {
      stored = []
      for (let level = 0, span = 1; span <= end; level++, span *= 2) {
        // Leaf p completes node (level, j) when p + 1 = (j + 1) * 2^level.
        const lo = Math.ceil((first + 1) / span) - 1
        const hi = Math.floor(end / span) - 1
        if (lo > hi) break
        const hashes = new Array<Buffer | undefined>(hi - lo + 1)
        for (const r of nodeStmt.all(level, lo, hi)) hashes[r.idx - lo] = r.hash
        stored.push({ lo, hashes })
      }
    }

    const visit = (level: number, index: number, node: Buffer): void => {
      nodes++
      const row = stored[level]
      const found = row?.hashes[index - row.lo]
      if (found !== undefined && found.equals(node)) return
      const span = 2 ** level
      const wrong = findings.wrongEntryIn(index * span, (index + 1) * span) ??
        (gapAt !== undefined && gapAt < (index + 1) * span ? gapAt : undefined)
      const place = `merkle_nodes row ${level}/${index}`
      if (wrong !== undefined) {
        findings.consequence(place, 'differs from the hash recomputed from the entries', `entry ${wrong}`)
      } else if (found === undefined) {
        findings.add(place, `is missing: the tree lacks the hash of entries ${index * span} to ${(index + 1) * span - 1}`)
      } else if (level === 0) {
        leafMismatch(index, found)
      } else {
        findings.add(place, `is not the hash of entries ${index * span} to ${(index + 1) * span - 1} recomputed from their canonical texts`)
      }
    }

    // The entry's own hash is consistent but the tree holds another leaf. If the stored tree
    // agrees with itself around that leaf, the entry was rewritten after it was added (the
    // signed checkpoints then fail too); otherwise the node row itself was changed.
    const leafMismatch = (index: number, found: Buffer): void => {
      const sibling = nodeGet.get(0, index ^ 1)?.hash
      const parent = nodeGet.get(1, Math.floor(index / 2))?.hash
      const selfConsistent = sibling === undefined || parent === undefined ||
        parent.equals(index % 2 === 0 ? nodeHash(found, sibling) : nodeHash(sibling, found))
      if (selfConsistent) {
        findings.entry(index, 'its leaf hash is not the leaf the Merkle tree holds for it (merkle_nodes row 0/' + index + '): the entry was rewritten after it was logged')
      } else {
        findings.add(`merkle_nodes row 0/${index}`, `is not the leaf hash of entry ${index}`)
      }
    }

    for (let from = 0; ;) {
      checkAbort()
      const rows = entryStmt.all(from, batchSize)
      if (rows.length === 0) break
      fetchNodes(range.size, range.size + rows.length)
      for (const row of rows) {
        if (row.idx !== expected) {
          findings.entry(expected, `is missing: the entry after ${expected - 1} is ${row.idx}`)
          gapAt ??= expected
          expected = row.idx
        }
        const leaf = leafHash(Buffer.from(row.canonical, 'utf8'))
        const { problem, parsed } = entryProblem(row, leaf)
        if (problem !== undefined) {
          findings.entry(row.idx, problem)
          if (row.action.startsWith('custody.')) wrongCustody.push(row.idx)
        }
        actions.set(row.action, (actions.get(row.action) ?? 0) + 1)
        if (parsed !== undefined && typeof parsed.action === 'string' && parsed.action.startsWith('custody.')) {
          const itemId = (parsed.data as { itemId?: unknown } | null)?.itemId
          if (typeof itemId === 'string') {
            const list = custodyByItem.get(itemId)
            if (list === undefined) custodyByItem.set(itemId, [row.idx])
            else list.push(row.idx)
          }
        }
        range.push(leaf, visit)
        if (range.size === sizes[nextSize]) {
          roots.set(range.size, range.root())
          nextSize++
        }
        expected++
        if (range.size % progressEvery === 0) report({ stage: 'entries', done: range.size, total })
      }
      from = (rows[rows.length - 1] as EntryRow).idx + 1
      await pause()
    }
    report({ stage: 'entries', done: range.size, total })
    const storedCount = (sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM merkle_nodes').get()?.n) ?? 0
    if (storedCount > nodes) {
      const extra = sqlite.prepare<[number], { level: number, idx: number }>(
        'SELECT level, idx FROM merkle_nodes WHERE (idx + 1) * (1 << level) > ? ORDER BY level, idx LIMIT 10').all(range.size)
      for (const r of extra) findings.add(`merkle_nodes row ${r.level}/${r.idx}`, `covers entries beyond the ${range.size} the log holds: entries were removed`)
    }
    return { size: range.size, root: range.root(), roots, custodyByItem, wrongCustody, actions, nodes, gapAt }
  }

  async function checkKeys (): Promise<LogKey[]> {
    const keys = listLogKeys(sqlite)
    const good: LogKey[] = []
    for (const key of keys) {
      const place = `log_keys row ${key.kid}`
      try {
        publicKeyOf(key)
      } catch {
        findings.add(place, 'its public key is not an Ed25519 key')
        continue
      }
      if (await thumbprint(key.x) !== key.kid) {
        findings.add(place, 'its kid is not the RFC 7638 thumbprint of its public key')
        continue
      }
      // A retired key's file may have been archived away; a file that is there must match.
      if (fs.existsSync(path.join(dataDir, key.file))) {
        try { loadLogSigner(dataDir, key) } catch { findings.add(place, `its key file ${key.file} does not hold this key`) }
      }
      good.push(key)
    }
    report({ stage: 'keys', done: keys.length, total: keys.length })
    return good
  }

  function checkCheckpoints (tree: Awaited<ReturnType<typeof checkEntriesAndTree>>, keys: LogKey[]): void {
    const verifiers = noteVerifiers(keys)
    let lastGood = 0
    for (const row of checkpointRows) {
      const place = `checkpoint ${row.size}`
      let checkpoint: Checkpoint
      let signedBy: string[]
      try {
        const opened = openCheckpoint(row.note, verifiers)
        checkpoint = opened.checkpoint
        signedBy = opened.note.verified.map((s) => verifiers.find((v) => v.name === s.name && v.keyId === s.keyId)?.kid ?? '?')
      } catch (err) {
        if (!(err instanceof NoteError)) throw err
        findings.add(place, `its signed note does not verify with the published keys (${err.message})`)
        continue
      }
      const key = keys.find((k) => k.kid === row.key_id)
      if (!signedBy.includes(row.key_id)) {
        findings.add(place, `is recorded as signed by key ${row.key_id}, but is signed by ${signedBy.join(', ')}`)
      } else if (key !== undefined && checkpoint.origin !== key.origin) {
        findings.add(place, `its origin line is not the name of the key that signed it (${key.origin})`)
      } else if (checkpoint.size !== row.size) {
        findings.add(place, `its signed note is for tree size ${checkpoint.size}`)
      } else if (!checkpoint.rootHash.equals(row.root_hash)) {
        findings.add(place, 'its root_hash column differs from the root in its signed note')
      } else if (row.size > tree.size) {
        findings.add(place, `covers ${row.size} entries, but the log holds only ${tree.size}: entries were removed`)
      } else {
        const recomputed = tree.roots.get(row.size)
        if (recomputed !== undefined && recomputed.equals(checkpoint.rootHash)) {
          lastGood = row.size
          continue
        }
        const wrong = findings.wrongEntryIn(0, row.size) ?? (tree.gapAt !== undefined && tree.gapAt < row.size ? tree.gapAt : undefined)
        if (wrong !== undefined) {
          findings.consequence(place, 'its signed root differs from the root recomputed from the entries', `entry ${wrong}`)
        } else {
          findings.add(place, `its signed root differs from the root recomputed from entries 0 to ${row.size - 1}: an entry from ${lastGood} to ${row.size - 1} was rewritten after this checkpoint was signed`)
        }
      }
    }
    report({ stage: 'checkpoints', done: checkpointRows.length, total: checkpointRows.length })
  }

  // Each file once, by the hash and size its attachment.create entry recorded (the entries are
  // checked; an attachments row is compared with its entry in verify-records.ts).
  async function checkAttachments (): Promise<number> {
    const expected = new Map<string, { size: number, entry: number }>()
    for (const r of sqlite.prepare<[], { idx: number, canonical: string }>('SELECT idx, canonical FROM audit_entries WHERE action = \'attachment.create\' ORDER BY idx').all()) {
      if (findings.isEntryWrong(r.idx)) continue
      const data = (JSON.parse(r.canonical) as { data?: { sha256?: unknown, size?: unknown } }).data
      if (typeof data?.sha256 === 'string' && typeof data.size === 'number' && !expected.has(data.sha256)) {
        expected.set(data.sha256, { size: data.size, entry: r.idx })
      }
    }
    const store = new ObjectStore(dataDir)
    let done = 0
    for (const [sha256, { size, entry }] of expected) {
      checkAbort()
      const place = `attachment ${sha256}`
      let actual: { sha256: string, size: number } | null
      try {
        actual = await store.hash(sha256)
      } catch (err) {
        findings.add(place, `its file cannot be read (${(err as Error).message})`)
        continue
      }
      if (actual === null) findings.add(place, `its file is missing from the store (recorded by entry ${entry})`)
      else if (actual.size !== size) findings.add(place, `its file is ${actual.size} bytes, entry ${entry} recorded ${size}`)
      else if (actual.sha256 !== sha256) findings.add(place, `its file no longer hashes to its name: SHA-256 is now ${actual.sha256}`)
      done++
      if (done % 100 === 0) report({ stage: 'attachments', done, total: expected.size })
    }
    report({ stage: 'attachments', done, total: expected.size })
    return expected.size
  }

  /**
   * Print copies are derived from the audited originals, not audited
   * themselves: a copy whose file no longer matches its SHA-256, or that is
   * not what the recipe makes from its original (a picture swapped in the
   * table and the store together, or a photo marked undecodable so that no
   * picture is printed), is named. A copy made by another recipe version or
   * image library cannot be made again byte for byte; its file is checked
   * against its hash only.
   */
  async function checkPrintCopies (): Promise<{ remade: number, hashOnly: number }> {
    // A database the server has not migrated yet (a new version verifying before its first start) has no made_with.
    const madeWith = sqlite.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('print_copies')").all().some((c) => c.name === 'made_with') ? 'made_with' : 'NULL'
    const rows = sqlite.prepare<[], { source_sha256: string, version: number, sha256: string | null, media_type: string | null, width: number | null, height: number | null, made_with: string | null }>(
      `SELECT source_sha256, version, sha256, media_type, width, height, ${madeWith} AS made_with FROM print_copies ORDER BY source_sha256, version`).all()
    // The photo's type as sniffed at upload (the copy keeps it: JPEG stays JPEG, PNG stays PNG).
    const typeOf = sqlite.prepare<[string], { media_type: string }>("SELECT media_type FROM attachments WHERE sha256 = ? AND media_type IN ('image/jpeg', 'image/png') ORDER BY id LIMIT 1")
    const store = new ObjectStore(dataDir)
    const counts = { remade: 0, hashOnly: 0 }
    let done = 0
    for (const row of rows) {
      checkAbort()
      done++
      if (done % 20 === 0) report({ stage: 'printCopies', done, total: rows.length })
      const place = row.sha256 === null ? `print copy of ${row.source_sha256}` : `print copy ${row.sha256}`
      if (row.sha256 !== null) {
        const copy = await fs.promises.readFile(store.pathOf(row.sha256)).catch(() => null)
        if (copy === null) { findings.add(place, `its file is missing from the store (the print copy of attachment ${row.source_sha256}; it is made again when next printed)`); continue }
        if (sha256Hex(copy) !== row.sha256) { findings.add(place, `its file no longer hashes to its name (the print copy of attachment ${row.source_sha256}; it is made again when next printed)`); continue }
      }
      const mediaType = row.media_type ?? typeOf.get(row.source_sha256)?.media_type
      const original = await fs.promises.readFile(store.pathOf(row.source_sha256)).catch(() => null)
      // Made by another recipe or library (no byte-for-byte comparison possible), or an original
      // that is missing or changed (the attachments stage names it): checked by hash only.
      if (row.version !== PRINT_VERSION || row.made_with !== PRINT_TOOL || (mediaType !== 'image/jpeg' && mediaType !== 'image/png') ||
        original === null || sha256Hex(original) !== row.source_sha256) {
        counts.hashOnly++
        continue
      }
      const again = await printable(original, mediaType).catch(() => undefined)
      if (again === undefined) { counts.hashOnly++; continue } // the library failed (memory, say): not a finding
      const expected = again === null ? null : sha256Hex(again.bytes)
      if (row.sha256 === null && expected !== null) {
        findings.add(place, `is recorded as a photo that cannot be decoded, but attachment ${row.source_sha256} decodes: case files would print a notice instead of its picture`)
      } else if (expected !== row.sha256 || (again !== null && (again.width !== row.width || again.height !== row.height))) {
        findings.add(place, `is not the picture the print recipe makes from attachment ${row.source_sha256} (that would be ${expected ?? 'no picture'}): case files would print another picture than the original's`)
      }
      counts.remade++
    }
    report({ stage: 'printCopies', done, total: rows.length })
    return counts
  }
}
