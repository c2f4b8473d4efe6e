import { and, asc, desc, eq, inArray, like, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Static } from 'typebox'
import type { Db, Tx } from '../db/client.js'
import {
  attachments, caseActions, caseMembers, caseOffences, cases, caseSeizures, caseShares, caseStatusChanges,
  custodyEvents, items, parties, seizures, users
} from '../db/schema/index.js'
import { Problem } from '../errors.js'
import { newId } from '../lib/ids.js'
import { FUTURE_SKEW_MS, ftsQuery, likeText } from '../lib/search.js'
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../lib/pagination.js'
import type { CasePatchSchema, CaseQuerySchema, NewActionSchema, NewCaseSchema } from '../schemas/cases.js'
import { authorize, type AuthUser } from './access.js'
import { auditEntriesOf } from './audit-service.js'
import type { AuditEvent, CaseActionRecord, CaseRecord } from './audit-events.js'
import { CASE_TRANSITIONS, type CaseStatus } from './case-rules.js'
import type { ItemService, ItemView } from './item-service.js'
import type { CaseRole, ObjectAccess } from './object-access.js'
import { agencyPrefix, nextNumber } from './references.js'
import type { SeizureRecord } from './seizure-records.js'
import type { SeizureService } from './seizure-service.js'
import type { WritePath } from './write-path.js'

export type NewCase = Static<typeof NewCaseSchema>
export type CasePatch = Static<typeof CasePatchSchema>
export type CaseQuery = Static<typeof CaseQuerySchema>
export type NewAction = Static<typeof NewActionSchema>

type CaseRow = typeof cases.$inferSelect

const INVESTIGATORS: readonly CaseRole[] = ['lead_investigator', 'investigator']
const LEAD: readonly CaseRole[] = ['lead_investigator']
const ANY_MEMBER: readonly CaseRole[] = ['lead_investigator', 'investigator', 'prosecutor']

export interface TimelineEntry {
  index: number
  time: string
  occurredAt: string | null
  action: string
  entityType: string
  entityId: string
  actorId: string
  actorName: string | null
  summary: string
}

const actionRecord = (r: typeof caseActions.$inferSelect): CaseActionRecord => ({
  id: r.id, caseId: r.caseId, occurredAt: r.occurredAt, recordedAt: r.recordedAt, authorId: r.authorId, title: r.title, text: r.text
})

/** English one-liners for the timeline; the web client and case file translate by `action`. */
function summarise (action: string, data: Record<string, any>, labelOf: (itemId: string) => string | undefined): { summary: string, occurredAt: string | null } {
  if (action.startsWith('custody.')) return { summary: `${labelOf(String(data.itemId)) ?? 'Exhibit'}: ${action.slice(8).replace('_', ' ')} (event ${data.seq})`, occurredAt: data.occurredAt ?? null }
  switch (action) {
    case 'seizure.create': return { summary: `Seizure ${data.reference} recorded at ${data.place?.name}`, occurredAt: data.occurredAt ?? null }
    case 'seizure.correct': return { summary: `Seizure ${data.seizure?.reference} corrected: ${data.reason}`, occurredAt: null }
    case 'item.create': return { summary: `Exhibit ${data.label} created`, occurredAt: null }
    case 'attachment.create': return { summary: `File ${data.filename} attached (SHA-256 ${String(data.sha256).slice(0, 16)}…)`, occurredAt: data.capturedAt ?? null }
    case 'case.create': return { summary: `Case ${data.case?.reference} opened`, occurredAt: null }
    case 'case.status': return { summary: `Status ${data.from} → ${data.to}${data.outcome != null ? ` (${data.outcome})` : ''}: ${data.reason}`, occurredAt: null }
    case 'case.link': return { summary: `Seizure linked: ${data.reason}`, occurredAt: null }
    case 'case.unlink': return { summary: `Seizure unlinked: ${data.reason}`, occurredAt: null }
    case 'case.member_add': return { summary: `Member added as ${String(data.role).replace('_', ' ')}`, occurredAt: null }
    case 'case.member_remove': return { summary: 'Member removed', occurredAt: null }
    case 'case.share': return { summary: 'Shared read-only with another agency\'s user', occurredAt: null }
    case 'case.unshare': return { summary: 'Sharing revoked', occurredAt: null }
    case 'case.update': return { summary: 'Case details updated', occurredAt: null }
    case 'case.action': return { summary: `Action: ${data.title}`, occurredAt: data.occurredAt ?? null }
    case 'case.bundle': return { summary: `Case ${data.kind ?? 'file'} generated`, occurredAt: null }
    default: return { summary: action, occurredAt: null }
  }
}

/** A case as the API returns it and its case.* audit entries record it (every key present). */
export function caseRecord (tx: Pick<Db, 'select'>, id: string): CaseRecord {
  const c = tx.select().from(cases).where(eq(cases.id, id)).get()
  if (c === undefined) throw Problem.notFound('case')
  return {
    id: c.id,
    agencyId: c.agencyId,
    reference: c.reference,
    title: c.title,
    summary: c.summary,
    status: c.status as CaseStatus,
    outcome: c.outcome,
    offences: tx.select().from(caseOffences).where(eq(caseOffences.caseId, id)).orderBy(asc(caseOffences.position)).all()
      .map((o) => ({ law: o.law, article: o.article, description: o.description })),
    seizureIds: tx.select({ id: caseSeizures.seizureId }).from(caseSeizures).where(eq(caseSeizures.caseId, id)).orderBy(asc(caseSeizures.seizureId)).all().map((r) => r.id),
    members: tx.select({ userId: caseMembers.userId, role: caseMembers.role }).from(caseMembers).where(eq(caseMembers.caseId, id)).orderBy(asc(caseMembers.userId)).all(),
    sharedWith: tx.select({ id: caseShares.userId }).from(caseShares).where(eq(caseShares.caseId, id)).orderBy(asc(caseShares.userId)).all().map((r) => r.id),
    createdAt: c.createdAt,
    createdBy: c.createdBy,
    updatedAt: c.updatedAt,
    referredAt: c.referredAt,
    closedAt: c.closedAt
  }
}

export const caseActionRecord = (r: typeof caseActions.$inferSelect): CaseActionRecord => actionRecord(r)

export function createCaseService (db: Db, writes: WritePath, access: ObjectAccess, seizureService: SeizureService, itemService: ItemService, now: () => Date) {
  const record = (tx: Tx | Db, id: string): CaseRecord => caseRecord(tx, id)

  function row (id: string): CaseRow | undefined {
    return db.select().from(cases).where(eq(cases.id, id)).get()
  }

  /** Every case change: write, then audit `action` with the case's new state and the change's details. */
  function change<T extends CaseRecord> (user: AuthUser, caseId: string, apply: (tx: Tx, time: string) => { event: AuditEvent['action'], details: Record<string, unknown>, extra?: AuditEvent[] }): T {
    return writes.commit(user.id, (tx, time) => {
      const { event, details, extra = [] } = apply(tx, time)
      tx.update(cases).set({ updatedAt: time }).where(eq(cases.id, caseId)).run()
      const next = record(tx, caseId)
      return {
        result: next as T,
        audit: [...extra, { action: event, entityType: 'case', entityId: caseId, agencyId: next.agencyId, data: { ...details, case: next } } as AuditEvent]
      }
    })
  }

  function colleague (tx: Tx, user: AuthUser, userId: string): typeof users.$inferSelect {
    const u = tx.select().from(users).where(eq(users.id, userId)).get()
    if (u === undefined || u.agencyId !== user.agency.id || u.disabled) {
      throw Problem.badRequest(`There is no active user ${userId} in your agency`, [{ field: 'body/userId', message: 'unknown or disabled user' }])
    }
    return u
  }

  function linkable (user: AuthUser, seizureId: string, field: string): SeizureRecord {
    try {
      return seizureService.visible(user, seizureId, 'write')
    } catch (err) {
      if (err instanceof Problem && err.status === 404) throw Problem.badRequest(`There is no seizure ${seizureId} in your agency`, [{ field, message: 'unknown seizure' }])
      throw err
    }
  }

  function notClosed (c: CaseRow): void {
    if (c.status === 'closed') throw Problem.conflict('The case is closed: reopen it (with a reason) before changing it')
  }

  function indexForSearch (tx: Tx, c: CaseRecord): void {
    const actionText = tx.select({ title: caseActions.title, text: caseActions.text }).from(caseActions).where(eq(caseActions.caseId, c.id)).all()
      .map((a) => `${a.title} ${a.text ?? ''}`).join(' ')
    tx.run(sql`DELETE FROM cases_fts WHERE case_id = ${c.id}`)
    tx.run(sql`INSERT INTO cases_fts (case_id, reference, title, summary, offences, actions) VALUES (${c.id}, ${c.reference}, ${c.title}, ${c.summary ?? ''},
      ${c.offences.map((o) => `${o.law} ${o.article} ${o.description ?? ''}`).join(' ')}, ${actionText})`)
  }

  function writeOffences (tx: Tx, caseId: string, offences: NewCase['offences']): void {
    tx.delete(caseOffences).where(eq(caseOffences.caseId, caseId)).run()
    ;(offences ?? []).forEach((o, position) => {
      tx.insert(caseOffences).values({ id: newId(), caseId, position, law: o.law, article: o.article, description: o.description ?? null }).run()
    })
  }

  return {
    record,

    /** A case the caller may read, or 404. */
    visible (user: AuthUser, id: string): CaseRow {
      return access.readCase(user, row(id))
    },

    create (user: AuthUser, input: NewCase): CaseRecord {
      authorize(user, 'case.create')
      input.seizureIds.forEach((id, i) => linkable(user, id, `body/seizureIds/${i}`))
      return writes.commit(user.id, (tx, time) => {
        const year = Number(time.slice(0, 4))
        const number = nextNumber(tx, user.agency.id, 'case', year)
        const reference = `${agencyPrefix(user.agency.code)}-C-${year}-${String(number).padStart(4, '0')}`
        const id = newId()
        tx.insert(cases).values({ id, agencyId: user.agency.id, reference, title: input.title, summary: input.summary ?? null, status: 'open', createdAt: time, createdBy: user.id, updatedAt: time }).run()
        writeOffences(tx, id, input.offences)
        for (const seizureId of input.seizureIds) tx.insert(caseSeizures).values({ caseId: id, seizureId, linkedAt: time, linkedBy: user.id }).run()
        tx.insert(caseMembers).values({ caseId: id, userId: user.id, role: 'lead_investigator', addedAt: time, addedBy: user.id }).run()
        tx.insert(caseStatusChanges).values({ id: newId(), caseId: id, fromStatus: null, toStatus: 'open', reason: 'Case opened', changedAt: time, changedBy: user.id }).run()
        const rec = record(tx, id)
        indexForSearch(tx, rec)
        return { result: rec, audit: { action: 'case.create', entityType: 'case', entityId: id, agencyId: user.agency.id, data: { case: rec } } }
      })
    },

    /** Edits and status moves; each move needs a reason and the right case role. */
    patch (user: AuthUser, id: string, input: CasePatch): CaseRecord {
      authorize(user, 'case.update')
      const c = this.visible(user, id)
      const { status, outcome, reason, ...fields } = input
      if (status === undefined && (outcome !== undefined)) throw Problem.badRequest('An outcome is given only when closing the case', [{ field: 'body/outcome', message: 'needs status "closed"' }])
      if (Object.keys(fields).length > 0) {
        access.requireMember(user, c, INVESTIGATORS)
        notClosed(c)
      }
      let role: CaseRole | undefined
      if (status !== undefined) {
        const allowed = CASE_TRANSITIONS[c.status as CaseStatus][status]
        if (allowed === undefined) throw Problem.conflict(`A case cannot move from "${c.status}" to "${status}"`, { allowed: Object.keys(CASE_TRANSITIONS[c.status as CaseStatus]) })
        role = access.requireMember(user, c, allowed)
        if (reason === undefined) throw Problem.badRequest('Say why the status changes', [{ field: 'body/reason', message: 'is required for a status change' }])
        if (status === 'closed' && outcome === undefined) throw Problem.badRequest('Closing a case needs its outcome', [{ field: 'body/outcome', message: 'is required when closing' }])
        if (status !== 'closed' && outcome !== undefined) throw Problem.badRequest('An outcome is given only when closing the case', [{ field: 'body/outcome', message: 'needs status "closed"' }])
      }
      return writes.commit(user.id, (tx, time) => {
        const audit: AuditEvent[] = []
        if (Object.keys(fields).length > 0) {
          tx.update(cases).set({
            ...(fields.title === undefined ? {} : { title: fields.title }),
            ...(fields.summary === undefined ? {} : { summary: fields.summary }),
            updatedAt: time
          }).where(eq(cases.id, id)).run()
          if (fields.offences !== undefined) writeOffences(tx, id, fields.offences)
          audit.push({ action: 'case.update', entityType: 'case', entityId: id, agencyId: c.agencyId, data: { fields: Object.keys(fields).sort(), reason: reason ?? null, case: record(tx, id) } })
        }
        if (status !== undefined) {
          if (status === 'referred') {
            const prosecutor = tx.select().from(caseMembers).where(and(eq(caseMembers.caseId, id), eq(caseMembers.role, 'prosecutor'))).get()
            if (prosecutor === undefined) throw Problem.conflict('Add a prosecutor to the case before referring it')
          }
          tx.update(cases).set({
            status,
            outcome: status === 'closed' ? outcome : null,
            updatedAt: time,
            ...(status === 'referred' && c.referredAt === null ? { referredAt: time } : {}),
            ...(status === 'closed' ? { closedAt: time } : { closedAt: null })
          }).where(eq(cases.id, id)).run()
          tx.insert(caseStatusChanges).values({ id: newId(), caseId: id, fromStatus: c.status, toStatus: status, outcome: outcome ?? null, reason: reason ?? null, changedAt: time, changedBy: user.id }).run()
          audit.push({ action: 'case.status', entityType: 'case', entityId: id, agencyId: c.agencyId, data: { from: c.status, to: status, outcome: outcome ?? null, reason: reason ?? '', role: role ?? null, case: record(tx, id) } })
        }
        const rec = record(tx, id)
        indexForSearch(tx, rec)
        return { result: rec, audit }
      })
    },

    addMember (user: AuthUser, id: string, input: { userId: string, role: CaseRole }): CaseRecord {
      authorize(user, 'case.update')
      const c = this.visible(user, id)
      access.requireMember(user, c, LEAD)
      notClosed(c)
      return change(user, id, (tx, time) => {
        const member = colleague(tx, user, input.userId)
        const fits = input.role === 'prosecutor' ? member.role === 'prosecutor' : member.role === 'investigator'
        if (!fits) throw Problem.conflict(`A user with the role ${member.role} cannot be the case's ${input.role.replace('_', ' ')}`)
        if (input.role === 'lead_investigator') throw Problem.conflict('The case already has its lead investigator')
        const existing = tx.select().from(caseMembers).where(and(eq(caseMembers.caseId, id), eq(caseMembers.userId, input.userId))).get()
        if (existing !== undefined) throw Problem.conflict('That user is already a member of the case')
        tx.insert(caseMembers).values({ caseId: id, userId: input.userId, role: input.role, addedAt: time, addedBy: user.id }).run()
        return { event: 'case.member_add', details: { userId: input.userId, role: input.role } }
      })
    },

    removeMember (user: AuthUser, id: string, userId: string): CaseRecord {
      authorize(user, 'case.update')
      const c = this.visible(user, id)
      access.requireMember(user, c, LEAD)
      return change(user, id, (tx) => {
        const member = tx.select().from(caseMembers).where(and(eq(caseMembers.caseId, id), eq(caseMembers.userId, userId))).get()
        if (member === undefined) throw Problem.notFound('case member')
        if (member.role === 'lead_investigator') throw Problem.conflict('The lead investigator cannot be removed')
        if (member.role === 'prosecutor' && (c.status === 'referred' || c.status === 'in_court')) {
          const others = tx.select().from(caseMembers).where(and(eq(caseMembers.caseId, id), eq(caseMembers.role, 'prosecutor'))).all().length
          if (others <= 1) throw Problem.conflict('A referred case keeps at least one prosecutor')
        }
        tx.delete(caseMembers).where(and(eq(caseMembers.caseId, id), eq(caseMembers.userId, userId))).run()
        return { event: 'case.member_remove', details: { userId, role: member.role } }
      })
    },

    link (user: AuthUser, id: string, input: { seizureId: string, reason: string }): CaseRecord {
      authorize(user, 'case.update')
      const c = this.visible(user, id)
      access.requireMember(user, c, INVESTIGATORS)
      notClosed(c)
      linkable(user, input.seizureId, 'body/seizureId')
      return change(user, id, (tx, time) => {
        const linked = tx.select().from(caseSeizures).where(and(eq(caseSeizures.caseId, id), eq(caseSeizures.seizureId, input.seizureId))).get()
        if (linked !== undefined) throw Problem.conflict('The seizure is already linked to this case')
        tx.insert(caseSeizures).values({ caseId: id, seizureId: input.seizureId, linkedAt: time, linkedBy: user.id }).run()
        return { event: 'case.link', details: { seizureId: input.seizureId, reason: input.reason } }
      })
    },

    unlink (user: AuthUser, id: string, seizureId: string, reason: string): CaseRecord {
      authorize(user, 'case.update')
      const c = this.visible(user, id)
      access.requireMember(user, c, INVESTIGATORS)
      notClosed(c)
      return change(user, id, (tx) => {
        const links = tx.select().from(caseSeizures).where(eq(caseSeizures.caseId, id)).all()
        if (!links.some((l) => l.seizureId === seizureId)) throw Problem.notFound('linked seizure')
        if (links.length === 1) throw Problem.conflict('A case keeps at least one seizure')
        tx.delete(caseSeizures).where(and(eq(caseSeizures.caseId, id), eq(caseSeizures.seizureId, seizureId))).run()
        return { event: 'case.unlink', details: { seizureId, reason } }
      })
    },

    /** The lead shares the case read-only with a named user of another agency. */
    share (user: AuthUser, id: string, userId: string): CaseRecord {
      authorize(user, 'case.share')
      const c = this.visible(user, id)
      access.requireMember(user, c, LEAD)
      return change(user, id, (tx, time) => {
        const target = tx.select().from(users).where(eq(users.id, userId)).get()
        if (target === undefined || target.disabled) throw Problem.badRequest(`There is no active user ${userId}`, [{ field: 'body/userId', message: 'unknown or disabled user' }])
        if (target.agencyId === c.agencyId) throw Problem.conflict('Users of your own agency see the case already (prosecutors: add them as members)')
        const existing = tx.select().from(caseShares).where(and(eq(caseShares.caseId, id), eq(caseShares.userId, userId))).get()
        if (existing !== undefined) throw Problem.conflict('The case is already shared with that user')
        tx.insert(caseShares).values({ caseId: id, userId, grantedAt: time, grantedBy: user.id }).run()
        return { event: 'case.share', details: { userId, agencyId: target.agencyId } }
      })
    },

    unshare (user: AuthUser, id: string, userId: string): CaseRecord {
      authorize(user, 'case.share')
      const c = this.visible(user, id)
      access.requireMember(user, c, LEAD)
      return change(user, id, (tx) => {
        const existing = tx.select().from(caseShares).where(and(eq(caseShares.caseId, id), eq(caseShares.userId, userId))).get()
        if (existing === undefined) throw Problem.notFound('share')
        tx.delete(caseShares).where(and(eq(caseShares.caseId, id), eq(caseShares.userId, userId))).run()
        return { event: 'case.unshare', details: { userId } }
      })
    },

    addAction (user: AuthUser, id: string, input: NewAction): CaseActionRecord {
      authorize(user, 'case.update')
      const c = this.visible(user, id)
      access.requireMember(user, c, ANY_MEMBER)
      notClosed(c)
      if (Date.parse(input.occurredAt) > now().getTime() + FUTURE_SKEW_MS) throw Problem.badRequest('An action cannot happen in the future', [{ field: 'body/occurredAt', message: 'is in the future' }])
      return writes.commit(user.id, (tx, time) => {
        // The case row is not touched: its recorded state (the last case.* entry) stays what it was.
        const r = tx.insert(caseActions).values({ id: newId(), caseId: id, occurredAt: new Date(input.occurredAt).toISOString(), recordedAt: time, authorId: user.id, title: input.title, text: input.text ?? null }).returning().get()
        indexForSearch(tx, record(tx, id))
        const rec = actionRecord(r)
        return { result: rec, audit: { action: 'case.action', entityType: 'case_action', entityId: r.id, agencyId: c.agencyId, data: rec } }
      })
    },

    /** Owner resolution for attachments of cases and of their actions. */
    attachmentOwner (user: AuthUser, kind: 'case' | 'case_action', id: string, mode: 'read' | 'write'): { agencyId: string } {
      let caseId = id
      if (kind === 'case_action') {
        const a = db.select().from(caseActions).where(eq(caseActions.id, id)).get()
        if (a === undefined) throw Problem.notFound('case action')
        caseId = a.caseId
      }
      const c = this.visible(user, caseId)
      if (mode === 'write') access.requireMember(user, c, ANY_MEMBER)
      return c
    },

    /** The case with its seizures, items (and their custody state), members, actions and timeline. */
    detail (user: AuthUser, id: string) {
      const c = this.visible(user, id)
      const rec = record(db, id)
      const seizureList = rec.seizureIds.map((sid) => seizureService.load(db, sid)).filter((s): s is SeizureRecord => s !== undefined)
        .sort((a, b) => a.reference.localeCompare(b.reference))
      const itemRows = rec.seizureIds.length === 0 ? [] : db.select().from(items).where(inArray(items.seizureId, rec.seizureIds)).orderBy(asc(items.label)).all()
      const exhibits: ItemView[] = itemRows.map((r) => itemService.view(r))
      const names = new Map(db.select({ id: users.id, name: users.displayName, role: users.role }).from(users).all().map((u) => [u.id, u]))
      const actions = db.select().from(caseActions).where(eq(caseActions.caseId, id)).orderBy(asc(caseActions.occurredAt)).all().map(actionRecord)
      return {
        ...rec,
        seizures: seizureList,
        items: exhibits,
        members: rec.members.map((m) => ({ ...m, displayName: names.get(m.userId)?.name ?? m.userId })),
        sharedWith: rec.sharedWith.map((u) => ({ userId: u, displayName: names.get(u)?.name ?? u })),
        actions,
        statusHistory: db.select().from(caseStatusChanges).where(eq(caseStatusChanges.caseId, id)).orderBy(asc(caseStatusChanges.changedAt)).all(),
        access: { myRole: access.memberRole(user.id, c.id) ?? null, readOnly: c.agencyId !== user.agency.id },
        timeline: this.timeline(id, rec, itemRows.map((r) => r.id), actions.map((a) => a.id), (uid) => names.get(uid)?.name ?? null, (itemId) => itemRows.find((r) => r.id === itemId)?.label)
      }
    },

    /** Everything that happened to the case and its evidence, from the audit log, oldest first. */
    timeline (caseId: string, rec: CaseRecord, itemIds: string[], actionIds: string[], nameOf: (id: string) => string | null, labelOf: (itemId: string) => string | undefined = () => undefined): TimelineEntry[] {
      const eventIds = itemIds.length === 0 ? [] : db.select({ id: custodyEvents.id }).from(custodyEvents).where(inArray(custodyEvents.itemId, itemIds)).all().map((r) => r.id)
      const owners = [caseId, ...rec.seizureIds, ...itemIds, ...eventIds, ...actionIds]
      const attachmentIds = db.select({ id: attachments.id }).from(attachments).where(inArray(attachments.ownerId, owners)).all().map((r) => r.id)
      return auditEntriesOf(db, [...owners, ...attachmentIds]).map((e) => {
        const data = (JSON.parse(e.canonical) as { data: Record<string, unknown> }).data
        const { summary, occurredAt } = summarise(e.action, data, labelOf)
        return { index: e.index, time: e.time, occurredAt, action: e.action, entityType: e.entityType, entityId: e.entityId, actorId: e.actor, actorName: nameOf(e.actor), summary }
      })
    },

    /** Cases the caller may read, newest first, filtered; prosecutors see their cases, others their agency's and those shared with them. */
    list (user: AuthUser, query: CaseQuery): Page<CaseRecord> {
      authorize(user, 'case.read')
      const limit = query.limit ?? DEFAULT_LIMIT
      const after = decodeCursor<string>(query.cursor, 'string')
      const mine = db.select({ id: caseMembers.caseId }).from(caseMembers).where(eq(caseMembers.userId, user.id))
      const shared = db.select({ id: caseShares.caseId }).from(caseShares).where(eq(caseShares.userId, user.id))
      const scope = user.role === 'prosecutor'
        ? and(eq(cases.agencyId, user.agency.id), inArray(cases.id, mine))
        : or(eq(cases.agencyId, user.agency.id), inArray(cases.id, shared))
      const filters: Array<SQL | undefined> = [scope]
      if (after !== undefined) filters.push(lt(cases.id, after))
      if (query.status !== undefined) filters.push(eq(cases.status, query.status))
      if (query.member !== undefined) filters.push(inArray(cases.id, db.select({ id: caseMembers.caseId }).from(caseMembers).where(eq(caseMembers.userId, query.member))))
      if (query.offence !== undefined) {
        const term = `%${likeText(query.offence)}%`
        filters.push(inArray(cases.id, db.select({ id: caseOffences.caseId }).from(caseOffences).where(or(like(caseOffences.law, term), like(caseOffences.article, term), like(caseOffences.description, term)))))
      }
      if (query.seizureReference !== undefined) {
        filters.push(inArray(cases.id, db.select({ id: caseSeizures.caseId }).from(caseSeizures).innerJoin(seizures, eq(seizures.id, caseSeizures.seizureId)).where(eq(seizures.reference, query.seizureReference))))
      }
      if (query.party !== undefined) {
        filters.push(inArray(cases.id, db.select({ id: caseSeizures.caseId }).from(caseSeizures).innerJoin(parties, eq(parties.seizureId, caseSeizures.seizureId)).where(like(parties.name, `%${likeText(query.party)}%`))))
      }
      if (query.q !== undefined && query.q.trim() !== '') {
        filters.push(inArray(cases.id, sql`(SELECT case_id FROM cases_fts WHERE cases_fts MATCH ${ftsQuery(query.q)})`))
      }
      const rows = db.select({ id: cases.id }).from(cases).where(and(...filters)).orderBy(desc(cases.id)).limit(limit + 1).all()
      return toPage(rows, limit, (r) => r.id, (r) => record(db, r.id))
    }
  }
}

export type CaseService = ReturnType<typeof createCaseService>
