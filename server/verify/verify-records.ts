// Re-derives the audit entries from the domain rows (VERIFIABILITY.md "Verification"): where a
// row is the record (custody events, attachments, seizure versions) it must equal its entry's
// data; a mutable record (agency, user, location, item, seizure) must equal the data of its
// latest entry; an item's custody columns must equal the custody rules replayed over its events.
// The entries themselves were checked against the Merkle tree before: they are the reference.

import type Database from 'better-sqlite3'
import { asc, eq, gt } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from '../db/schema/index.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { agencyRecord, userRecord } from '../services/accounts-service.js'
import { attachmentRecord } from '../services/attachment-service.js'
import { caseActionRecord, caseRecord } from '../services/case-service.js'
import type { CustodyEventRecord } from '../services/audit-events.js'
import { applyCustodyEvent, CustodyFieldMissing, CustodyRefusal, type CustodyState } from '../services/custody-rules.js'
import { custodyEventRecord, custodyState, itemRecord, locationRecord } from '../services/item-service.js'
import { seizureRecord, type SeizureRecord } from '../services/seizure-records.js'
import type { Findings } from './findings.js'

const { agencies, users, locations, items, custodyEvents, attachments, seizures, seizureVersions, parties, goodsLines, cases, caseActions } = schema

export interface LoggedEntry { index: number, time: string, actor: string, action: string, data: unknown }

export interface RecordsContext {
  sqlite: Database.Database
  findings: Findings
  /** Custody event entries per item id (from the entries' data), in index order. */
  custodyByItem: Map<string, number[]>
  /** Custody entries found wrong (their item is not known for sure). */
  wrongCustody: number[]
  batchSize: number
  /** Called between batches: yields to the event loop, reports progress, honours an abort. */
  pause: (table: string, done: number) => Promise<void>
}

interface TableSpec<Row> {
  table: string
  entityType: string
  actions: readonly string[] | 'custody'
  page: (after: string, limit: number) => Row[]
  id: (row: Row) => string
  record: (row: Row) => unknown
  /** The record inside an entry's data (a seizure correction holds {reason, seizure}). */
  dataOf?: (entry: LoggedEntry) => unknown
  /** Checks beyond the latest entry, given the entity's entries (and one found wrong, if any). */
  also?: (row: Row, entries: LoggedEntry[], wrongEntry: number | undefined) => void
}

/** Top-level fields whose canonical JSON differs (field names only: values stay out of reports). */
function differingFields (a: unknown, b: unknown): string[] {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return ['(the whole record)']
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()
  return keys.filter((k) => JSON.stringify(canonicalOrUndefined(left[k])) !== JSON.stringify(canonicalOrUndefined(right[k])))
}

function canonicalOrUndefined (value: unknown): string | undefined {
  if (value === undefined) return undefined
  try { return canonicalJson(value) } catch { return '(not JSON)' }
}

export async function checkRecords (ctx: RecordsContext): Promise<Record<string, number>> {
  const { sqlite, findings } = ctx
  const db = drizzle({ client: sqlite, schema })
  const byEntity = sqlite.prepare<[string, string], { idx: number, time: string, actor: string, action: string, canonical: string }>(
    'SELECT idx, time, actor, action, canonical FROM audit_entries WHERE entity_type = ? AND entity_id = ? ORDER BY idx')
  const byIndex = sqlite.prepare<[number], { idx: number, time: string, actor: string, action: string, canonical: string }>(
    'SELECT idx, time, actor, action, canonical FROM audit_entries WHERE idx = ?')
  const counts: Record<string, number> = {}

  const toEntry = (r: { idx: number, time: string, actor: string, action: string, canonical: string }): LoggedEntry =>
    ({ index: r.idx, time: r.time, actor: r.actor, action: r.action, data: (JSON.parse(r.canonical) as { data: unknown }).data })

  const wanted = (spec: TableSpec<unknown>, action: string): boolean =>
    spec.actions === 'custody' ? action.startsWith('custody.') : spec.actions.includes(action)

  function compare (place: string, build: () => unknown, entry: LoggedEntry, dataOf?: (e: LoggedEntry) => unknown): void {
    let record: unknown
    try {
      record = build()
    } catch (err) {
      findings.add(place, `cannot be read as a record (${(err as Error).message})`)
      return
    }
    const data = dataOf === undefined ? entry.data : dataOf(entry)
    if (canonicalOrUndefined(record) !== canonicalOrUndefined(data)) {
      findings.add(place, `differs from entry ${entry.index}, which recorded it (${differingFields(record, data).join(', ')})`)
    }
  }

  async function checkTable<Row> (spec: TableSpec<Row>): Promise<void> {
    let after = ''
    let done = 0
    for (;;) {
      const rows = spec.page(after, ctx.batchSize)
      for (const row of rows) {
        const id = spec.id(row)
        const place = `${spec.table} row ${id}`
        const logged = byEntity.all(spec.entityType, id).filter((r) => wanted(spec as TableSpec<unknown>, r.action))
        const wrong = logged.find((r) => findings.isEntryWrong(r.idx))
        const entries = logged.filter((r) => !findings.isEntryWrong(r.idx)).map(toEntry)
        const latest = logged[logged.length - 1]
        if (latest === undefined) {
          findings.add(place, 'has no audit entry: it was written outside the audit log')
        } else if (findings.isEntryWrong(latest.idx)) {
          // Its record is what that entry says; the entry is already named.
        } else {
          compare(place, () => spec.record(row), toEntry(latest), spec.dataOf)
        }
        spec.also?.(row, entries, wrong?.idx)
      }
      done += rows.length
      counts[spec.table] = done
      const last = rows[rows.length - 1]
      if (last === undefined || rows.length < ctx.batchSize) break
      after = spec.id(last)
      await ctx.pause(spec.table, done)
    }
    missingRows(spec as TableSpec<unknown>)
  }

  // Entries whose row is gone: an entry without its change.
  function missingRows (spec: TableSpec<unknown>): void {
    const actionSql = spec.actions === 'custody' ? 'a.action LIKE \'custody.%\'' : `a.action IN (${spec.actions.map(() => '?').join(', ')})`
    const params = spec.actions === 'custody' ? [spec.entityType] : [spec.entityType, ...spec.actions]
    const rows = sqlite.prepare<unknown[], { idx: number, entity_id: string }>(
      `SELECT a.idx, a.entity_id FROM audit_entries a WHERE a.entity_type = ? AND ${actionSql}
       AND NOT EXISTS (SELECT 1 FROM ${spec.table} t WHERE t.id = a.entity_id) ORDER BY a.idx`).all(...params)
    for (const r of rows) {
      if (!findings.isEntryWrong(r.idx)) findings.add(`${spec.table} row ${r.entity_id}`, `is missing, though entry ${r.idx} records it`)
    }
  }

  const byId = <T extends { id: string }>(rows: T[]): T[] => rows

  await checkTable({
    table: 'agencies',
    entityType: 'agency',
    actions: ['agency.create'],
    page: (after, limit) => byId(db.select().from(agencies).where(gt(agencies.id, after)).orderBy(asc(agencies.id)).limit(limit).all()),
    id: (r) => r.id,
    record: agencyRecord
  })
  await checkTable({
    table: 'users',
    entityType: 'user',
    actions: ['user.create', 'user.update'],
    page: (after, limit) => db.select().from(users).where(gt(users.id, after)).orderBy(asc(users.id)).limit(limit).all(),
    id: (r) => r.id,
    record: userRecord
  })
  await checkTable({
    table: 'locations',
    entityType: 'location',
    actions: ['location.create'],
    page: (after, limit) => db.select().from(locations).where(gt(locations.id, after)).orderBy(asc(locations.id)).limit(limit).all(),
    id: (r) => r.id,
    record: locationRecord
  })
  await checkTable({
    table: 'seizures',
    entityType: 'seizure',
    actions: ['seizure.create', 'seizure.correct'],
    page: (after, limit) => db.select().from(seizures).where(gt(seizures.id, after)).orderBy(asc(seizures.id)).limit(limit).all(),
    id: (r) => r.id,
    // As seizure-service.ts `load` builds it: the row, its parties and its goods lines.
    record: (r) => seizureRecord(r,
      db.select().from(parties).where(eq(parties.seizureId, r.id)).all(),
      db.select().from(goodsLines).where(eq(goodsLines.seizureId, r.id)).all()),
    dataOf: seizureOf,
    also: (r, entries, wrong) => { checkSeizureVersions(r.id, entries, wrong) }
  })
  await checkTable({
    table: 'items',
    entityType: 'item',
    actions: ['item.create'],
    page: (after, limit) => db.select().from(items).where(gt(items.id, after)).orderBy(asc(items.id)).limit(limit).all(),
    id: (r) => r.id,
    record: itemRecord,
    also: (r) => { checkCustodyState(r) }
  })
  await checkTable({
    table: 'custody_events',
    entityType: 'custody_event',
    actions: 'custody',
    page: (after, limit) => db.select().from(custodyEvents).where(gt(custodyEvents.id, after)).orderBy(asc(custodyEvents.id)).limit(limit).all(),
    id: (r) => r.id,
    record: custodyEventRecord
  })
  await checkTable({
    table: 'attachments',
    entityType: 'attachment',
    actions: ['attachment.create'],
    page: (after, limit) => db.select().from(attachments).where(gt(attachments.id, after)).orderBy(asc(attachments.id)).limit(limit).all(),
    id: (r) => r.id,
    record: attachmentRecord
  })
  await checkTable({
    table: 'cases',
    entityType: 'case',
    actions: ['case.create', 'case.update', 'case.status', 'case.link', 'case.unlink', 'case.member_add', 'case.member_remove', 'case.share', 'case.unshare'],
    page: (after, limit) => db.select().from(cases).where(gt(cases.id, after)).orderBy(asc(cases.id)).limit(limit).all(),
    id: (r) => r.id,
    // Every case.* entry records the case's new state in data.case, links, members and shares included.
    record: (r) => caseRecord(db, r.id),
    dataOf: (entry) => (entry.data as { case?: unknown }).case
  })
  await checkTable({
    table: 'case_actions',
    entityType: 'case_action',
    actions: ['case.action'],
    page: (after, limit) => db.select().from(caseActions).where(gt(caseActions.id, after)).orderBy(asc(caseActions.id)).limit(limit).all(),
    id: (r) => r.id,
    record: caseActionRecord
  })
  orphanVersions()
  orphanCustody()
  return counts

  function seizureOf (entry: LoggedEntry): SeizureRecord | undefined {
    const data = entry.data as { seizure?: SeizureRecord } & SeizureRecord
    return entry.action === 'seizure.correct' ? data.seizure : data
  }

  // seizure_versions holds every version whole: version v is exactly the record of the entry
  // that made it, with the same reason, author and time.
  function checkSeizureVersions (seizureId: string, entries: LoggedEntry[], wrongEntry: number | undefined): void {
    const versions = db.select().from(seizureVersions).where(eq(seizureVersions.seizureId, seizureId)).all()
    counts.seizure_versions = (counts.seizure_versions ?? 0) + versions.length
    // Which version a rewritten entry recorded is not known: its versions are not compared.
    if (wrongEntry !== undefined) return
    const byVersion = new Map<number, LoggedEntry>()
    for (const e of entries) {
      const version = seizureOf(e)?.version
      if (typeof version === 'number') byVersion.set(version, e)
    }
    for (const v of versions) {
      const place = `seizure_versions row ${v.id}`
      const entry = byVersion.get(v.version)
      byVersion.delete(v.version)
      if (entry === undefined) {
        findings.add(place, `no audit entry records version ${v.version} of seizure ${seizureId}`)
        continue
      }
      const reason = entry.action === 'seizure.correct' ? (entry.data as { reason?: unknown }).reason : null
      const problems: string[] = []
      if (v.snapshot !== canonicalOrUndefined(seizureOf(entry))) problems.push('snapshot')
      if (v.reason !== reason) problems.push('reason')
      if (v.recordedBy !== entry.actor) problems.push('recordedBy')
      if (v.recordedAt !== entry.time) problems.push('recordedAt')
      if (problems.length > 0) findings.add(place, `differs from entry ${entry.index}, which recorded it (${problems.join(', ')})`)
    }
    for (const [version, entry] of byVersion) {
      findings.add(`seizures row ${seizureId}`, `version ${version}, recorded by entry ${entry.index}, has no seizure_versions row`)
    }
  }

  // The item's custody columns are a fold of its events (custody-rules.ts); replayed here over
  // the events as the audit log recorded them, not over the custody_events rows, so that a
  // changed event row is named once, as itself.
  function checkCustodyState (item: typeof items.$inferSelect): void {
    const place = `items row ${item.id}`
    const indexes = ctx.custodyByItem.get(item.id) ?? []
    ctx.custodyByItem.delete(item.id)
    if (indexes.some((i) => findings.isEntryWrong(i))) return
    if (indexes.length === 0) {
      findings.add(place, 'has no custody events in the audit log')
      return
    }
    let state: CustodyState | null = null
    for (const index of indexes) {
      const row = byIndex.get(index)
      if (row === undefined) return
      const event = toEntry(row).data as CustodyEventRecord
      try {
        state = applyCustodyEvent(state, {
          type: event.type,
          actorId: event.actorId,
          occurredAt: event.occurredAt,
          toUserId: event.toUserId,
          location: event.location,
          sealNumber: event.sealNumber,
          sealIntact: event.sealIntact,
          purpose: event.purpose,
          authority: event.authority,
          witnessUserId: event.witnessUserId
        })
      } catch (err) {
        if (!(err instanceof CustodyRefusal || err instanceof CustodyFieldMissing)) throw err
        findings.add(`entry ${index}`, `the custody rules refuse this event of item ${item.id}: ${err.message}`)
        return
      }
      if (event.seq !== state.lastSeq) {
        findings.add(`entry ${index}`, `records custody event seq ${event.seq} of item ${item.id}, but it is event ${state.lastSeq} of that item`)
        return
      }
    }
    if (state === null) return
    const stored = custodyState(item)
    const fields = (Object.keys(state) as Array<keyof CustodyState>).filter((k) => state[k] !== stored[k])
    if (fields.length === 0) return
    const reason = `its custody state (${fields.join(', ')}) is not what replaying its ${indexes.length} custody events gives`
    // A rewritten custody entry may have carried one of this item's events away.
    const wrong = ctx.wrongCustody[0]
    if (wrong !== undefined) findings.consequence(place, reason, `entry ${wrong}`)
    else findings.add(place, reason)
  }

  function orphanVersions (): void {
    const rows = sqlite.prepare<[], { id: string }>(
      'SELECT v.id FROM seizure_versions v WHERE NOT EXISTS (SELECT 1 FROM seizures s WHERE s.id = v.seizure_id)').all()
    for (const r of rows) findings.add(`seizure_versions row ${r.id}`, 'belongs to no seizure')
  }

  // Custody events recorded for an item that has no row.
  function orphanCustody (): void {
    for (const [itemId, indexes] of ctx.custodyByItem) {
      if (indexes.some((i) => findings.isEntryWrong(i))) continue
      findings.add(`items row ${itemId}`, `is missing, though entries ${indexes.slice(0, 3).join(', ')}${indexes.length > 3 ? ', ...' : ''} record its custody events`)
    }
  }
}
