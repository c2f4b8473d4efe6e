import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * The audit log: one global append-only sequence, the source of truth a court
 * relies on (VERIFIABILITY.md). Triggers refuse UPDATE and DELETE.
 */
export const auditEntries = sqliteTable('audit_entries', {
  /** 0, 1, 2, ... without gaps: the leaf index in the Merkle tree. */
  index: integer('idx').primaryKey(),
  time: text('time').notNull(),
  /** User id, or `system` for changes the server makes by itself (bootstrap, demo seed). */
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id').notNull(),
  /** Agency the entry concerns (for access filtering; not part of the hashed bytes). */
  agencyId: text('agency_id'),
  /** RFC 8785 canonical JSON of {index, time, actor, action, entityType, entityId, data}. */
  canonical: text('canonical').notNull(),
  /** RFC 6962 leaf hash: SHA-256(0x00 || UTF-8 bytes of `canonical`). */
  leafHash: blob('leaf_hash', { mode: 'buffer' }).notNull()
}, (t) => [
  index('audit_entity_idx').on(t.entityType, t.entityId),
  index('audit_action_idx').on(t.action),
  index('audit_agency_idx').on(t.agencyId, t.index)
])

/**
 * Hashes of the perfect subtrees of the audit Merkle tree (level 0 = leaves):
 * an append writes O(1) amortised rows, a proof reads O(log n) of them.
 */
export const merkleNodes = sqliteTable('merkle_nodes', {
  level: integer('level').notNull(),
  index: integer('idx').notNull(),
  hash: blob('hash', { mode: 'buffer' }).notNull()
}, (t) => [primaryKey({ columns: [t.level, t.index] })])
