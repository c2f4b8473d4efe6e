import { and, asc, eq, gt, inArray, like, max } from 'drizzle-orm'
import type { Static } from 'typebox'
import type { Db, Tx } from '../db/client.js'
import { caseMembers, caseSeizures, custodyEvents, items, locations, users } from '../db/schema/index.js'
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../lib/pagination.js'
import { Problem } from '../errors.js'
import { newId } from '../lib/ids.js'
import { FUTURE_SKEW_MS, likeText } from '../lib/search.js'
import type { LabelData } from '../documents/label.js'
import type { ItemQuerySchema, NewCustodyEventSchema, NewItemSchema, NewLocationSchema } from '../schemas/evidence.js'
import { authorize, sameAgency, type AuthUser } from './access.js'
import type { CustodyEventRecord, ItemRecord, LocationRecord } from './audit-events.js'
import { applyCustodyEvent, CustodyFieldMissing, CustodyRefusal, type CustodyEventInput, type CustodyState } from './custody-rules.js'
import type { SeizureService } from './seizure-service.js'
import type { WritePath } from './write-path.js'

export type NewItem = Static<typeof NewItemSchema>
export type NewCustodyEvent = Static<typeof NewCustodyEventSchema>
export type NewLocation = Static<typeof NewLocationSchema>
export type ItemQuery = Static<typeof ItemQuerySchema>

type ItemRow = typeof items.$inferSelect
type EventRow = typeof custodyEvents.$inferSelect
type LocationRow = typeof locations.$inferSelect

/** The item as the API returns it: what was recorded plus its derived custody state. */
export interface ItemView extends ItemRecord {
  seizureReference: string
  status: string
  custodianId: string
  pendingToId: string | null
  location: string | null
  sealNumber: string | null
  sealBroken: boolean
}

export const itemRecord = (r: ItemRow): ItemRecord => ({
  id: r.id,
  agencyId: r.agencyId,
  seizureId: r.seizureId,
  label: r.label,
  goodsIndex: r.goodsIndex,
  category: r.category,
  description: r.description,
  quantity: r.quantity,
  unit: r.unit,
  condition: r.condition,
  createdAt: r.createdAt,
  createdBy: r.createdBy
})

export const custodyState = (r: ItemRow): CustodyState => ({
  status: r.status as CustodyState['status'],
  custodianId: r.custodianId,
  pendingToId: r.pendingToId,
  location: r.locationCode,
  sealNumber: r.sealNumber,
  sealBroken: r.sealBroken,
  lastSeq: r.lastSeq,
  lastOccurredAt: r.lastOccurredAt
})

const stateColumns = (s: CustodyState) => ({
  status: s.status,
  custodianId: s.custodianId,
  pendingToId: s.pendingToId,
  locationCode: s.location,
  sealNumber: s.sealNumber,
  sealBroken: s.sealBroken,
  lastSeq: s.lastSeq,
  lastOccurredAt: s.lastOccurredAt
})

export const custodyEventRecord = (e: EventRow): CustodyEventRecord => ({
  id: e.id,
  itemId: e.itemId,
  seq: e.seq,
  type: e.type as CustodyEventRecord['type'],
  occurredAt: e.occurredAt,
  recordedAt: e.recordedAt,
  actorId: e.actorId,
  fromUserId: e.fromUserId,
  toUserId: e.toUserId,
  location: e.locationCode,
  sealNumber: e.sealNumber,
  sealIntact: e.sealIntact,
  purpose: e.purpose,
  notes: e.notes,
  authority: e.authority,
  witnessUserId: e.witnessUserId
})

export const locationRecord = (r: LocationRow): LocationRecord => ({
  id: r.id, agencyId: r.agencyId, code: r.code, name: r.name, parentId: r.parentId, createdAt: r.createdAt, createdBy: r.createdBy
})


export function createItemService (db: Db, writes: WritePath, seizureService: SeizureService, now: () => Date) {
  function view (r: ItemRow, reference?: string): ItemView {
    const s = custodyState(r)
    return {
      ...itemRecord(r),
      seizureReference: reference ?? r.label.replace(/-E\d+$/, ''),
      status: s.status,
      custodianId: s.custodianId,
      pendingToId: s.pendingToId,
      location: s.location,
      sealNumber: s.sealNumber,
      sealBroken: s.sealBroken
    }
  }

  /** An item is as visible as its seizure (see SeizureService.visible). */
  function visibleItem (user: AuthUser, id: string, mode: 'read' | 'write' = 'read'): ItemRow {
    const row = db.select().from(items).where(eq(items.id, id)).get()
    if (row === undefined) throw Problem.notFound('item')
    try {
      seizureService.visible(user, row.seizureId, mode)
    } catch (err) {
      if (err instanceof Problem && err.status === 404) throw Problem.notFound('item')
      throw err
    }
    return row
  }

  /** A user of the caller's agency who can hold or witness evidence. */
  function colleague (tx: Tx, user: AuthUser, id: string, field: string): void {
    const row = tx.select({ agencyId: users.agencyId, disabled: users.disabled }).from(users).where(eq(users.id, id)).get()
    if (row === undefined || row.agencyId !== user.agency.id || row.disabled) {
      throw Problem.badRequest(`There is no active user ${id} in your agency`, [{ field: `body/${field}`, message: 'unknown or disabled user' }])
    }
  }

  function registeredLocation (tx: Tx, user: AuthUser, code: string, field = 'location'): void {
    const row = tx.select({ id: locations.id }).from(locations).where(and(eq(locations.agencyId, user.agency.id), eq(locations.code, code))).get()
    if (row === undefined) throw Problem.badRequest(`"${code}" is not a registered storage location`, [{ field: `body/${field}`, message: 'unknown location code' }])
  }

  function eventTime (value: string | undefined, fallback: string): string {
    if (value === undefined) return fallback
    const at = Date.parse(value)
    if (at > now().getTime() + FUTURE_SKEW_MS) throw Problem.badRequest('An event cannot happen in the future', [{ field: 'body/occurredAt', message: 'is in the future' }])
    return new Date(at).toISOString()
  }

  /** Runs the state machine; a refusal is a 409 with the reason, a missing field a 400. */
  function decide (state: CustodyState | null, input: CustodyEventInput): CustodyState {
    try {
      return applyCustodyEvent(state, input)
    } catch (err) {
      if (err instanceof CustodyRefusal) throw new Problem(409, 'transition-refused', err.message)
      if (err instanceof CustodyFieldMissing) throw Problem.badRequest(err.message, [{ field: `body/${err.field}`, message: 'is required for this event type' }])
      throw err
    }
  }

  function insertEvent (tx: Tx, itemId: string, seq: number, input: CustodyEventInput, extra: { fromUserId: string | null, notes: string | null }, time: string): CustodyEventRecord {
    const row = tx.insert(custodyEvents).values({
      id: newId(),
      itemId,
      seq,
      type: input.type,
      occurredAt: input.occurredAt,
      recordedAt: time,
      actorId: input.actorId,
      fromUserId: extra.fromUserId,
      toUserId: input.toUserId ?? null,
      locationCode: input.location ?? null,
      sealNumber: input.sealNumber ?? null,
      sealIntact: input.sealIntact ?? null,
      purpose: input.purpose ?? null,
      notes: extra.notes,
      authority: input.authority ?? null,
      witnessUserId: input.witnessUserId ?? null
    }).returning().get()
    return custodyEventRecord(row)
  }

  return {
    view,
    visibleItem,

    createLocation (user: AuthUser, input: NewLocation): LocationRecord {
      authorize(user, 'location.manage')
      return writes.commit(user.id, (tx, time) => {
        let parentId: string | null = null
        const parentCode = input.parentCode ?? null
        if (parentCode !== null) {
          const parent = tx.select().from(locations).where(and(eq(locations.agencyId, user.agency.id), eq(locations.code, parentCode))).get()
          if (parent === undefined) throw Problem.badRequest(`There is no location ${parentCode}`, [{ field: 'body/parentCode', message: 'unknown location code' }])
          if (!input.code.startsWith(`${parentCode}/`) || input.code.slice(parentCode.length + 1).includes('/')) {
            throw Problem.badRequest(`A location inside ${parentCode} has a code ${parentCode}/<segment>`, [{ field: 'body/code', message: 'must extend the parent code by one segment' }])
          }
          parentId = parent.id
        } else if (input.code.includes('/')) {
          throw Problem.badRequest('A location code with "/" names its parent: send parentCode', [{ field: 'body/parentCode', message: 'is required for a nested code' }])
        }
        const exists = tx.select({ id: locations.id }).from(locations).where(and(eq(locations.agencyId, user.agency.id), eq(locations.code, input.code))).get()
        if (exists !== undefined) throw Problem.conflict(`The location ${input.code} already exists`)
        const row = tx.insert(locations).values({ id: newId(), agencyId: user.agency.id, code: input.code, name: input.name, parentId, createdAt: time, createdBy: user.id }).returning().get()
        const record = locationRecord(row)
        return { result: record, audit: { action: 'location.create', entityType: 'location', entityId: row.id, agencyId: row.agencyId, data: record } }
      })
    },

    listLocations (user: AuthUser): LocationRecord[] {
      authorize(user, 'location.read')
      return db.select().from(locations).where(eq(locations.agencyId, user.agency.id)).orderBy(asc(locations.code)).all().map(locationRecord)
    },

    /** What a location holds, its sub-locations included (a room lists its cabinets' items). */
    locationItems (user: AuthUser, id: string): { location: LocationRecord, items: ItemView[] } {
      authorize(user, 'location.read')
      const loc = db.select().from(locations).where(eq(locations.id, id)).get()
      if (loc === undefined) throw Problem.notFound('location')
      sameAgency(user, loc.agencyId, 'location')
      const rows = db.select().from(items).where(eq(items.agencyId, user.agency.id)).orderBy(asc(items.label)).all()
        .filter((r) => r.locationCode === loc.code || (r.locationCode?.startsWith(`${loc.code}/`) ?? false))
      return { location: locationRecord(loc), items: rows.map((r) => view(r)) }
    },

    /** Creating an item records its `seized` event, with the creator as custodian. */
    createItem (user: AuthUser, seizureId: string, input: NewItem): ItemView {
      authorize(user, 'item.create')
      const seizure = seizureService.visible(user, seizureId, 'write')
      if (input.goodsIndex != null && input.goodsIndex >= seizure.goods.length) {
        throw Problem.badRequest(`The seizure has ${seizure.goods.length} goods line(s); goodsIndex counts from 0`, [{ field: 'body/goodsIndex', message: 'no such goods line' }])
      }
      return writes.commit(user.id, (tx, time) => {
        if (input.location != null) registeredLocation(tx, user, input.location)
        const last = tx.select({ n: max(items.number) }).from(items).where(eq(items.seizureId, seizureId)).get()
        const number = (last?.n ?? 0) + 1
        const label = `${seizure.reference}-E${String(number).padStart(2, '0')}`
        const seized: CustodyEventInput = {
          type: 'seized', actorId: user.id, occurredAt: eventTime(input.occurredAt, time), location: input.location ?? null, sealNumber: input.sealNumber ?? null
        }
        const state = decide(null, seized)
        const id = newId()
        const row = tx.insert(items).values({
          id, agencyId: user.agency.id, seizureId, label, number, goodsIndex: input.goodsIndex ?? null, category: input.category,
          description: input.description, quantity: input.quantity ?? 1, unit: input.unit ?? 'NAR', condition: input.condition ?? null,
          createdAt: time, createdBy: user.id, ...stateColumns(state)
        }).returning().get()
        const event = insertEvent(tx, id, 1, seized, { fromUserId: null, notes: null }, time)
        return {
          result: view(row, seizure.reference),
          audit: [
            { action: 'item.create', entityType: 'item', entityId: id, agencyId: row.agencyId, data: itemRecord(row) },
            { action: 'custody.seized', entityType: 'custody_event', entityId: event.id, agencyId: row.agencyId, data: event }
          ]
        }
      })
    },

    /** What an evidence label prints. */
    labelData (user: AuthUser, id: string): LabelData {
      authorize(user, 'seizure.read')
      const item = visibleItem(user, id)
      const seizure = seizureService.visible(user, item.seizureId)
      const seized = db.select().from(custodyEvents).where(and(eq(custodyEvents.itemId, id), eq(custodyEvents.seq, 1))).get()
      const officer = db.select({ name: users.displayName }).from(users).where(eq(users.id, item.createdBy)).get()
      return {
        label: item.label,
        seizureReference: seizure.reference,
        agencyName: user.agency.name,
        description: item.description,
        category: item.category,
        sealNumber: item.sealNumber,
        seizedAt: seized?.occurredAt ?? item.createdAt,
        seizedBy: officer?.name ?? item.createdBy,
        place: seizure.place.name
      }
    },

    get (user: AuthUser, id: string): ItemView {
      authorize(user, 'seizure.read')
      return view(visibleItem(user, id))
    },

    /**
     * Items of the caller's agency, filtered: a custodian's pending hand-overs
     * (`pendingTo=me`), what someone holds, items by status or label. Prosecutors
     * see only the items of their cases.
     */
    list (user: AuthUser, query: ItemQuery): Page<ItemView> {
      authorize(user, 'seizure.read')
      const limit = query.limit ?? DEFAULT_LIMIT
      const after = decodeCursor<string>(query.cursor, 'string')
      const me = (id: string | undefined): string | undefined => (id === 'me' ? user.id : id)
      const rows = db.select().from(items).where(and(
        eq(items.agencyId, user.agency.id),
        user.role === 'prosecutor'
          ? inArray(items.seizureId, db.select({ id: caseSeizures.seizureId }).from(caseSeizures).innerJoin(caseMembers, eq(caseMembers.caseId, caseSeizures.caseId)).where(eq(caseMembers.userId, user.id)))
          : undefined,
        after === undefined ? undefined : gt(items.label, after),
        query.status === undefined ? undefined : eq(items.status, query.status),
        query.custodian === undefined ? undefined : eq(items.custodianId, me(query.custodian) ?? ''),
        query.pendingTo === undefined ? undefined : eq(items.pendingToId, me(query.pendingTo) ?? ''),
        query.label === undefined ? undefined : like(items.label, `${likeText(query.label)}%`)
      )).orderBy(asc(items.label)).limit(limit + 1).all()
      return toPage(rows, limit, (r) => r.label, (r) => view(r))
    },

    listForSeizure (user: AuthUser, seizureId: string): ItemView[] {
      authorize(user, 'seizure.read')
      const seizure = seizureService.visible(user, seizureId)
      return db.select().from(items).where(eq(items.seizureId, seizureId)).orderBy(asc(items.number)).all().map((r) => view(r, seizure.reference))
    },

    events (user: AuthUser, itemId: string): CustodyEventRecord[] {
      authorize(user, 'seizure.read')
      visibleItem(user, itemId)
      return db.select().from(custodyEvents).where(eq(custodyEvents.itemId, itemId)).orderBy(asc(custodyEvents.seq)).all().map(custodyEventRecord)
    },

    eventOwner (user: AuthUser, eventId: string, mode: 'read' | 'write' = 'read'): { event: CustodyEventRecord, item: ItemRow } {
      const row = db.select().from(custodyEvents).where(eq(custodyEvents.id, eventId)).get()
      if (row === undefined) throw Problem.notFound('custody event')
      return { event: custodyEventRecord(row), item: visibleItem(user, row.itemId, mode) }
    },

    /**
     * Appends a custody event. The item's state is read and the event decided
     * inside the write transaction, so of two concurrent hand-overs exactly one
     * succeeds; the other sees the item in transit and gets 409.
     */
    recordEvent (user: AuthUser, itemId: string, input: NewCustodyEvent): { event: CustodyEventRecord, item: ItemView } {
      authorize(user, 'custody.record')
      visibleItem(user, itemId, 'write')
      return writes.commit(user.id, (tx, time) => {
        const row = tx.select().from(items).where(eq(items.id, itemId)).get() as ItemRow
        if (input.toUserId != null) colleague(tx, user, input.toUserId, 'toUserId')
        if (input.witnessUserId != null) colleague(tx, user, input.witnessUserId, 'witnessUserId')
        if (input.location != null) registeredLocation(tx, user, input.location)
        const before = custodyState(row)
        const event: CustodyEventInput = {
          type: input.type,
          actorId: user.id,
          occurredAt: eventTime(input.occurredAt, time),
          toUserId: input.toUserId,
          location: input.location,
          sealNumber: input.sealNumber,
          sealIntact: input.sealIntact,
          purpose: input.purpose,
          authority: input.authority,
          witnessUserId: input.witnessUserId
        }
        const after = decide(before, event)
        // The hand-over's giver: the custodian until the recipient receives.
        const fromUserId = input.type === 'transferred' || input.type === 'received' ? before.custodianId : null
        const record = insertEvent(tx, itemId, after.lastSeq, event, { fromUserId, notes: input.notes ?? null }, time)
        const updated = tx.update(items).set(stateColumns(after)).where(and(eq(items.id, itemId), eq(items.lastSeq, before.lastSeq))).returning().get()
        return {
          result: { event: record, item: view(updated) },
          audit: { action: `custody.${input.type}`, entityType: 'custody_event', entityId: record.id, agencyId: row.agencyId, data: record }
        }
      })
    }
  }
}

export type ItemService = ReturnType<typeof createItemService>
