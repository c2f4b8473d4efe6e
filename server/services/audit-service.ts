import { and, asc, eq, gt, gte, inArray, lte } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { auditEntries } from '../db/schema/index.js'
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../lib/pagination.js'
import { authorize, type AuthUser } from './access.js'

export interface AuditEntryView {
  index: number
  leafHash: string
  canonical: string
  time: string
  actor: string
  action: string
  entityType: string
  entityId: string
}

export interface AuditQuery {
  limit?: number | undefined
  cursor?: string | undefined
  action?: string | undefined
  entityType?: string | undefined
  entityId?: string | undefined
  actor?: string | undefined
  from?: string | undefined
  to?: string | undefined
}

type Row = typeof auditEntries.$inferSelect

export const auditEntryView = (row: Row): AuditEntryView => ({
  index: row.index,
  leafHash: row.leafHash.toString('hex'),
  canonical: row.canonical,
  time: row.time,
  actor: row.actor,
  action: row.action,
  entityType: row.entityType,
  entityId: row.entityId
})

/** The audit entries of the given records (entity ids), in index order; chunked under SQLite's variable limit. */
export function auditEntriesOf (db: Db, entityIds: readonly string[]): Row[] {
  const rows: Row[] = []
  for (let i = 0; i < entityIds.length; i += 500) {
    rows.push(...db.select().from(auditEntries).where(inArray(auditEntries.entityId, entityIds.slice(i, i + 500))).all())
  }
  return rows.sort((a, b) => a.index - b.index)
}

export function createAuditService (db: Db) {
  return {
    /** Entries oldest first; an agency's auditors read their agency's entries, the bootstrap admin all. */
    list (user: AuthUser, query: AuditQuery): Page<AuditEntryView> {
      authorize(user, 'audit.read')
      const limit = query.limit ?? DEFAULT_LIMIT
      const after = decodeCursor<number>(query.cursor, 'number')
      const rows = db.select().from(auditEntries).where(and(
        user.bootstrap ? undefined : eq(auditEntries.agencyId, user.agency.id),
        after === undefined ? undefined : gt(auditEntries.index, after),
        query.action === undefined ? undefined : eq(auditEntries.action, query.action),
        query.entityType === undefined ? undefined : eq(auditEntries.entityType, query.entityType),
        query.entityId === undefined ? undefined : eq(auditEntries.entityId, query.entityId),
        query.actor === undefined ? undefined : eq(auditEntries.actor, query.actor),
        query.from === undefined ? undefined : gte(auditEntries.time, new Date(query.from).toISOString()),
        query.to === undefined ? undefined : lte(auditEntries.time, new Date(query.to).toISOString())
      )).orderBy(asc(auditEntries.index)).limit(limit + 1).all()
      return toPage(rows, limit, (r) => r.index, auditEntryView)
    }
  }
}

export type AuditService = ReturnType<typeof createAuditService>
