import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/** A customs administration or authority; every record belongs to exactly one. */
export const agencies = sqliteTable('agencies', {
  id: text('id').primaryKey(),
  /** `AL-CUSTOMS`: country prefix and a short name; prefixes references (AL-2026-000123). */
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  /** ISO 3166-1 alpha-2; Kosovo is `XK`. */
  country: text('country').notNull(),
  createdAt: text('created_at').notNull()
})

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  agencyId: text('agency_id').notNull().references(() => agencies.id),
  /** Login name, unique across agencies (login does not ask for the agency). Stored lower case. */
  username: text('username').notNull(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor'] }).notNull(),
  /** argon2id PHC string; never leaves the server, never in the audit log. */
  passwordHash: text('password_hash').notNull(),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  /** The admin created on first start; the only user who may create agencies. */
  bootstrap: integer('bootstrap', { mode: 'boolean' }).notNull().default(false),
  /** Set on every password change; tokens carry it, so a reset ends older sessions. */
  passwordChangedAt: text('password_changed_at').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull()
}, (t) => [
  uniqueIndex('users_username_unique').on(sql`lower(${t.username})`),
  index('users_agency_idx').on(t.agencyId)
])

/**
 * Failed logins, for the per-account and per-address limit (PRODUCT.md: 429 from
 * the 10th failure in 15 minutes). Operational data, not evidence: old rows are pruned.
 */
export const loginFailures = sqliteTable('login_failures', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** `user:<lower-case username>` or `addr:<client address>`. */
  key: text('key').notNull(),
  at: integer('at').notNull()
}, (t) => [index('login_failures_key_at_idx').on(t.key, t.at)])
