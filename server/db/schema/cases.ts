import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { agencies, users } from './accounts.js'
import { seizures } from './evidence.js'

/** A case built from one or more seizures and handed to a prosecutor. */
export const cases = sqliteTable('cases', {
  id: text('id').primaryKey(),
  agencyId: text('agency_id').notNull().references(() => agencies.id),
  /** `AL-C-2026-0001`: gapless per agency and year. */
  reference: text('reference').notNull().unique(),
  title: text('title').notNull(),
  summary: text('summary'),
  /** open → investigation → referred → in_court → closed (reopened only with a reason). */
  status: text('status').notNull(),
  /** Set when closed: convicted, acquitted, dismissed, administrative_penalty, goods_released. */
  outcome: text('outcome'),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull().references(() => users.id),
  updatedAt: text('updated_at').notNull(),
  /** First time the case was referred / closed, for the supervisors' durations. */
  referredAt: text('referred_at'),
  closedAt: text('closed_at')
}, (t) => [index('cases_agency_status_idx').on(t.agencyId, t.status)])

/** Seizures currently linked to a case (links and unlinks, with reasons, are in the audit log). */
export const caseSeizures = sqliteTable('case_seizures', {
  caseId: text('case_id').notNull().references(() => cases.id),
  seizureId: text('seizure_id').notNull().references(() => seizures.id),
  linkedAt: text('linked_at').notNull(),
  linkedBy: text('linked_by').notNull().references(() => users.id)
}, (t) => [primaryKey({ columns: [t.caseId, t.seizureId] }), index('case_seizures_seizure_idx').on(t.seizureId)])

export const caseOffences = sqliteTable('case_offences', {
  id: text('id').primaryKey(),
  caseId: text('case_id').notNull().references(() => cases.id),
  position: integer('position').notNull(),
  /** The law, e.g. "Criminal Code of the Republic of Albania". */
  law: text('law').notNull(),
  article: text('article').notNull(),
  description: text('description')
}, (t) => [index('case_offences_case_idx').on(t.caseId)])

/** Members and their role on the case: lead_investigator, investigator, prosecutor. */
export const caseMembers = sqliteTable('case_members', {
  caseId: text('case_id').notNull().references(() => cases.id),
  userId: text('user_id').notNull().references(() => users.id),
  role: text('role').notNull(),
  addedAt: text('added_at').notNull(),
  addedBy: text('added_by').notNull().references(() => users.id)
}, (t) => [primaryKey({ columns: [t.caseId, t.userId] }), index('case_members_user_idx').on(t.userId)])

/** Read-only access for a named user of another agency (joint cases); revocable. */
export const caseShares = sqliteTable('case_shares', {
  caseId: text('case_id').notNull().references(() => cases.id),
  userId: text('user_id').notNull().references(() => users.id),
  grantedAt: text('granted_at').notNull(),
  grantedBy: text('granted_by').notNull().references(() => users.id)
}, (t) => [primaryKey({ columns: [t.caseId, t.userId] }), index('case_shares_user_idx').on(t.userId)])

/** Investigative actions: dated entries by a member. Append-only. */
export const caseActions = sqliteTable('case_actions', {
  id: text('id').primaryKey(),
  caseId: text('case_id').notNull().references(() => cases.id),
  occurredAt: text('occurred_at').notNull(),
  recordedAt: text('recorded_at').notNull(),
  authorId: text('author_id').notNull().references(() => users.id),
  title: text('title').notNull(),
  text: text('text')
}, (t) => [index('case_actions_case_idx').on(t.caseId, t.occurredAt)])

/** Every status move with who and why. Append-only. */
export const caseStatusChanges = sqliteTable('case_status_changes', {
  id: text('id').primaryKey(),
  caseId: text('case_id').notNull().references(() => cases.id),
  fromStatus: text('from_status'),
  toStatus: text('to_status').notNull(),
  outcome: text('outcome'),
  reason: text('reason'),
  changedAt: text('changed_at').notNull(),
  changedBy: text('changed_by').notNull().references(() => users.id)
}, (t) => [uniqueIndex('case_status_changes_at').on(t.caseId, t.changedAt, t.id)])
