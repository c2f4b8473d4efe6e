// The verifiable audit log (VERIFIABILITY.md "The audit log"): signed checkpoints in the C2SP
// tlog-checkpoint format, RFC 9162 inclusion and consistency proofs read from the stored Merkle
// tree, C2SP tlog-proof files, and the JWKS of every key that ever signed.

import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/client.js'
import { Problem } from '../errors.js'
import { consistencyProof, inclusionProof, rootAt } from '../lib/merkle.js'
import { signCheckpoint } from '../lib/note.js'
import { formatTlogProof } from '../lib/tlog-proof.js'
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../lib/pagination.js'
import { createVerificationJobs } from '../verify/jobs.js'
import { authorize, type AuthUser } from './access.js'
import {
  activeLogKey, createLogKey, defaultOrigin, jwksOf, listLogKeys, loadLogSigner, type LogJwk, type LogKey
} from './log-keys.js'
import { sqliteNodeStore } from './write-path.js'

export interface CheckpointRecord {
  size: number
  rootHash: Buffer
  /** The signed note, verbatim. */
  note: string
  createdAt: string
  /** `kid` of the signing key. */
  keyId: string
}

export interface CheckpointView { size: number, rootHash: string, createdAt: string, keyId: string }

export interface InclusionProofView { index: number, size: number, hashes: string[] }
export interface ConsistencyProofView { from: number, to: number, hashes: string[] }

export interface LogServiceOptions {
  db: Db
  dataDir: string
  /** Names the log at its first key: `strongroom.<agency code>`; rotation keeps it. */
  agencyCode: string
  now: () => Date
  log: FastifyBaseLogger
}

interface CheckpointRow { size: number, root_hash: Buffer, note: string, created_at: string, key_id: string }
const fromRow = (r: CheckpointRow): CheckpointRecord => ({ size: r.size, rootHash: r.root_hash, note: r.note, createdAt: r.created_at, keyId: r.key_id })

const b64 = (hash: Buffer): string => hash.toString('base64')

export const checkpointView = (c: CheckpointRecord): CheckpointView => ({ size: c.size, rootHash: b64(c.rootHash), createdAt: c.createdAt, keyId: c.keyId })

export async function createLogService ({ db, dataDir, agencyCode, now, log }: LogServiceOptions) {
  const sqlite = db.$client
  const nodes = sqliteNodeStore(db)
  if (activeLogKey(sqlite) === undefined) {
    const key = await createLogKey(sqlite, dataDir, defaultOrigin(agencyCode), now().toISOString())
    log.info({ kid: key.kid, origin: key.origin }, 'log signing key created')
  }

  const sizeStmt = sqlite.prepare<[], { size: number }>('SELECT COALESCE(MAX(idx) + 1, 0) AS size FROM audit_entries')
  const atStmt = sqlite.prepare<[number], CheckpointRow>('SELECT * FROM checkpoints WHERE size = ?')
  const latestStmt = sqlite.prepare<[], CheckpointRow>('SELECT * FROM checkpoints ORDER BY size DESC LIMIT 1')
  const insertStmt = sqlite.prepare('INSERT INTO checkpoints (size, root_hash, note, created_at, key_id) VALUES (?, ?, ?, ?, ?)')
  const pageStmt = sqlite.prepare<[number, number], CheckpointRow>('SELECT * FROM checkpoints WHERE size > ? ORDER BY size LIMIT ?')

  // Private keys are read from their files once per key; a rotation made by the CLI while the
  // server runs is picked up at the next checkpoint, because the active key is read each time.
  const signers = new Map<string, ReturnType<typeof loadLogSigner>>()
  function signer (): ReturnType<typeof loadLogSigner> {
    const key = activeLogKey(sqlite)
    if (key === undefined) throw new Problem(503, 'unavailable', 'The log has no signing key; run "npm run rotate-key"')
    let loaded = signers.get(key.kid)
    if (loaded === undefined) {
      loaded = loadLogSigner(dataDir, key)
      signers.set(key.kid, loaded)
    }
    return loaded
  }

  const treeSize = (): number => sizeStmt.get()?.size ?? 0
  const at = (size: number): CheckpointRecord | undefined => { const r = atStmt.get(size); return r === undefined ? undefined : fromRow(r) }
  const latest = (): CheckpointRecord | undefined => { const r = latestStmt.get(); return r === undefined ? undefined : fromRow(r) }

  /** Signs the current tree, or answers the stored checkpoint if the tree has not grown since. */
  const checkpointNow = sqlite.transaction((): CheckpointRecord => {
    const size = treeSize()
    const existing = at(size)
    if (existing !== undefined) return existing
    const key = signer()
    const rootHash = rootAt(nodes, size)
    const note = signCheckpoint({ origin: key.name, size, rootHash }, [key])
    const record: CheckpointRecord = { size, rootHash, note, createdAt: now().toISOString(), keyId: key.kid }
    insertStmt.run(record.size, record.rootHash, record.note, record.createdAt, record.keyId)
    return record
  })

  function makeCheckpoint (): CheckpointRecord {
    try {
      return checkpointNow.immediate()
    } catch (err) {
      if (err instanceof Problem) throw err
      log.error({ err }, 'signing a checkpoint failed')
      throw new Problem(503, 'unavailable', 'The log cannot sign a checkpoint now; the server log says why')
    }
  }

  function sizeWithin (size: number, what: string): number {
    const n = treeSize()
    if (size > n) throw new Problem(404, 'not-found', `${what} ${size} is larger than the log, which has ${n} entries`)
    return n
  }

  const verifications = createVerificationJobs({ dataDir, now, log })

  const coveringStmt = sqlite.prepare<[number], CheckpointRow>('SELECT * FROM checkpoints WHERE size >= ? ORDER BY size LIMIT 1')

  return {
    treeSize,

    /**
     * For case bundles: the earliest checkpoint whose tree holds the first `size` entries,
     * signed now if none does yet. Checkpoints never change, so the same case state always
     * leads to the same checkpoint (a reproducible bundle).
     */
    checkpointCovering (size: number): CheckpointRecord {
      const found = coveringStmt.get(size)
      return found === undefined ? makeCheckpoint() : fromRow(found)
    },

    /** The active key, to sign bundle manifests with (the JWKS publishes its public half). */
    signer,

    /** Every public key that ever signed checkpoints (newest first), with RFC 7638 kids. */
    jwks (): { keys: LogJwk[] } {
      return jwksOf(listLogKeys(sqlite))
    },

    keys (): LogKey[] {
      return listLogKeys(sqlite)
    },

    /** A new active key; older ones stay published and keep verifying their checkpoints. */
    async rotateKey (): Promise<LogKey> {
      const key = await createLogKey(sqlite, dataDir, defaultOrigin(agencyCode), now().toISOString())
      log.info({ kid: key.kid }, 'log signing key rotated')
      return key
    },

    /** The latest checkpoint; the first one is made on demand once the log has entries. */
    latest (user: AuthUser): CheckpointRecord {
      authorize(user, 'audit.proof')
      const found = latest()
      if (found !== undefined) return found
      if (treeSize() === 0) throw new Problem(404, 'not-found', 'The audit log is empty: there is no checkpoint yet')
      return makeCheckpoint()
    },

    at (user: AuthUser, size: number): CheckpointRecord {
      authorize(user, 'audit.proof')
      const found = at(size)
      if (found === undefined) throw new Problem(404, 'not-found', `No checkpoint of tree size ${size} was issued`)
      return found
    },

    list (user: AuthUser, query: { limit?: number | undefined, cursor?: string | undefined }): Page<CheckpointView> {
      authorize(user, 'audit.proof')
      const limit = query.limit ?? DEFAULT_LIMIT
      const after = decodeCursor<number>(query.cursor, 'number') ?? -1
      return toPage(pageStmt.all(after, limit + 1).map(fromRow), limit, (c) => c.size, checkpointView)
    },

    create (user: AuthUser): CheckpointRecord {
      authorize(user, 'audit.checkpoint')
      return makeCheckpoint()
    },

    /** RFC 9162 §2.1.3.1: the audit path of entry `index` in the tree of the first `size` entries. */
    inclusion (user: AuthUser, index: number, size: number): InclusionProofView {
      authorize(user, 'audit.proof')
      sizeWithin(size, 'Tree size')
      if (index >= size) throw Problem.badRequest(`Entry ${index} is not in a tree of ${size} entries (indexes count from 0)`, [{ field: 'querystring/index', message: 'must be below size' }])
      return { index, size, hashes: inclusionProof(nodes, index, size).map(b64) }
    },

    /** RFC 9162 §2.1.4.1: proof that the tree of `from` entries is a prefix of the tree of `to`. */
    consistency (user: AuthUser, from: number, to: number): ConsistencyProofView {
      authorize(user, 'audit.proof')
      if (from > to) throw Problem.badRequest(`from (${from}) must not be larger than to (${to})`, [{ field: 'querystring/from', message: 'must not be larger than to' }])
      sizeWithin(to, 'Tree size')
      return { from, to, hashes: consistencyProof(nodes, from, to).map(b64) }
    },

    /**
     * The C2SP tlog-proof of one entry against the latest checkpoint (VERIFIABILITY.md: the file
     * the case bundle carries). An entry newer than that checkpoint gets a new checkpoint first.
     */
    entryProof (user: AuthUser, index: number): string {
      authorize(user, 'audit.proof')
      const n = treeSize()
      if (index >= n) throw new Problem(404, 'not-found', `No audit entry ${index}: the log has ${n} entries`)
      let checkpoint = latest()
      if (checkpoint === undefined || checkpoint.size <= index) checkpoint = makeCheckpoint()
      return formatTlogProof({ index, hashes: inclusionProof(nodes, index, checkpoint.size), checkpointNote: checkpoint.note })
    },

    /**
     * VERIFIABILITY.md: a checkpoint at least every `intervalMs` while entries arrive (none while
     * the log is idle), and a last one when the server closes. Answers the stop function.
     */
    startCheckpoints (intervalMs: number): () => void {
      const tick = (why: string): void => {
        if (!sqlite.open) return
        try {
          if (treeSize() <= (latest()?.size ?? -1)) return
          const c = makeCheckpoint()
          log.info({ size: c.size, kid: c.keyId, why }, 'checkpoint signed')
        } catch (err) {
          log.error({ err }, 'automatic checkpoint failed')
        }
      }
      const timer = setInterval(() => { tick('interval') }, intervalMs)
      timer.unref()
      return () => {
        clearInterval(timer)
        tick('shutdown')
      }
    },

    verifications
  }
}

export type LogService = Awaited<ReturnType<typeof createLogService>>
