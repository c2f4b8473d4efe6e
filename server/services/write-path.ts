import type { Db, Tx } from '../db/client.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { appendLeaf, leafHash, type NodeStore } from '../lib/merkle.js'
import type { AuditEvent } from './audit-events.js'

/** Who makes a change: a user id, or `system` for the server's own changes. */
export type Actor = string
export const SYSTEM_ACTOR = 'system'

export interface Change<T> {
  result: T
  audit: AuditEvent | AuditEvent[]
}

export interface AppendedEntry { index: number, leafHash: Buffer, canonical: string }

export interface WritePath {
  /**
   * The one way anything changes. `apply` validates and writes rows through `tx`
   * and names the audit event(s) of its change; the entries are appended in the
   * same IMMEDIATE transaction, so there is no change without its entry and no
   * entry without its change. `apply` must be synchronous (drizzle-orm issue
   * 5063: work after an await escapes a better-sqlite3 transaction); throwing
   * from it rolls everything back.
   */
  commit: <T>(actor: Actor, apply: (tx: Tx, time: string) => Change<T>) => T
}

/** The audit entry's hashed content (PRODUCT.md "Contract details"). */
export function entryCanonical (index: number, time: string, actor: Actor, event: AuditEvent): string {
  return canonicalJson({
    index,
    time,
    actor,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    data: event.data
  })
}

export function sqliteNodeStore (db: Db): NodeStore {
  const get = db.$client.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?')
  const put = db.$client.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)')
  const span = db.$client.prepare<[number, number, number], { idx: number, hash: Buffer }>('SELECT idx, hash FROM merkle_nodes WHERE level = ? AND idx BETWEEN ? AND ?')
  return {
    get: (level, index) => get.get(level, index)?.hash,
    put: (level, index, hash) => { put.run(level, index, hash) },
    getMany: (level, indices) => {
      const found = new Map<number, Buffer>()
      const wanted = new Set(indices)
      const sorted = [...wanted].sort((a, b) => a - b)
      // One range read for nodes close together (a case's entries mostly are); the few rows
      // between them that are not wanted cost less than a query each.
      for (let i = 0; i < sorted.length;) {
        let j = i
        while (j + 1 < sorted.length && (sorted[j + 1] as number) - (sorted[j] as number) <= 64) j++
        for (const row of span.iterate(level, sorted[i] as number, sorted[j] as number)) if (wanted.has(row.idx)) found.set(row.idx, row.hash)
        i = j + 1
      }
      return found
    }
  }
}

export function createWritePath (db: Db, now: () => Date): WritePath {
  const sizeStmt = db.$client.prepare<[], { size: number }>('SELECT COALESCE(MAX(idx) + 1, 0) AS size FROM audit_entries')
  const insertStmt = db.$client.prepare(
    `INSERT INTO audit_entries (idx, time, actor, action, entity_type, entity_id, agency_id, canonical, leaf_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const nodes = sqliteNodeStore(db)

  function append (time: string, actor: Actor, events: AuditEvent[]): AppendedEntry[] {
    let size = sizeStmt.get()?.size ?? 0
    return events.map((event) => {
      const canonical = entryCanonical(size, time, actor, event)
      const hash = leafHash(Buffer.from(canonical, 'utf8'))
      insertStmt.run(size, time, actor, event.action, event.entityType, event.entityId, event.agencyId, canonical, hash)
      appendLeaf(nodes, size, hash)
      return { index: size++, leafHash: hash, canonical }
    })
  }

  return {
    commit (actor, apply) {
      return db.transaction((tx) => {
        const time = now().toISOString()
        const change = apply(tx, time)
        const events = Array.isArray(change.audit) ? change.audit : [change.audit]
        if (events.length === 0) throw new Error('a change must name its audit event')
        append(time, actor, events)
        return change.result
      }, { behavior: 'immediate' })
    }
  }
}
