import { and, asc, desc, eq, gte, inArray, like, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Static } from 'typebox'
import type { Db, Tx } from '../db/client.js'
import { caseMembers, caseSeizures, goodsLines, parties, seizures, seizureVersions } from '../db/schema/index.js'
import { Problem, type FieldError } from '../errors.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { newId } from '../lib/ids.js'
import { FUTURE_SKEW_MS, ftsQuery, likeText } from '../lib/search.js'
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../lib/pagination.js'
import type { NewSeizureSchema, SeizureCorrectionSchema, SeizureQuerySchema } from '../schemas/evidence.js'
import { authorize, type AuthUser } from './access.js'
import type { ObjectAccess } from './object-access.js'
import { CONTROL_ENTRY, HS_CODE, type Regime } from './evidence-enums.js'
import { agencyPrefix, nextNumber } from './references.js'
import { seizureRecord, type SeizureRecord } from './seizure-records.js'
import type { WritePath } from './write-path.js'

export type NewSeizure = Static<typeof NewSeizureSchema>
export type SeizureCorrection = Static<typeof SeizureCorrectionSchema>
export type SeizureQuery = Static<typeof SeizureQuerySchema>
type Goods = NonNullable<NewSeizure['goods']>[number]


/** HS codes are sent as `8504.40` or `850440`; store digits only. */
const normaliseHs = (code: string): string => code.replace(/[.\s]/g, '')

/** Checks an officer can act on, with messages in their terms. */
export function checkGoods (goods: Goods[]): FieldError[] {
  const errors: FieldError[] = []
  goods.forEach((g, i) => {
    const at = `body/goods/${i}`
    if (!HS_CODE.test(normaliseHs(g.hsCode))) {
      errors.push({ field: `${at}/hsCode`, message: `"${g.hsCode}" is not an HS code: use 6 to 10 digits, e.g. 850440 for frequency changers` })
    }
    const s = g.strategic
    if (s?.controlled === true) {
      if (s.regime == null) errors.push({ field: `${at}/strategic/regime`, message: 'controlled goods need the control regime (e.g. EU-2021/821)' })
      if (s.entry == null) errors.push({ field: `${at}/strategic/entry`, message: 'controlled goods need the control-list entry (e.g. 3A225)' })
      if (s.regime != null && s.entry != null) {
        const format = CONTROL_ENTRY[s.regime as Regime]
        if (!format.pattern.test(s.entry)) errors.push({ field: `${at}/strategic/entry`, message: `"${s.entry}" is not a ${s.regime} control-list entry; expected the form ${format.example}` })
      }
    } else if (s?.entry != null || s?.regime != null) {
      errors.push({ field: `${at}/strategic/controlled`, message: 'a control-list entry or regime is given, so mark the goods as controlled' })
    }
    if (g.licence?.status !== undefined && g.licence.status !== 'none' && g.licence.number == null) {
      errors.push({ field: `${at}/licence/number`, message: `a licence with status "${g.licence.status}" needs its number` })
    }
  })
  return errors
}

function checkSeizure (input: NewSeizure, now: Date): void {
  const errors = checkGoods(input.goods ?? [])
  if (Date.parse(input.occurredAt) > now.getTime() + FUTURE_SKEW_MS) {
    errors.push({ field: 'body/occurredAt', message: 'the seizure cannot have happened in the future' })
  }
  const { lat, lon } = input.place
  if ((lat == null) !== (lon == null)) errors.push({ field: 'body/place', message: 'give both latitude and longitude, or neither' })
  if (errors.length > 0) throw Problem.badRequest(errors[0]?.message ?? 'invalid seizure', errors)
}

function seizureColumns (input: NewSeizure) {
  return {
    occurredAt: new Date(input.occurredAt).toISOString(),
    placeName: input.place.name,
    placeType: input.place.type ?? null,
    locode: input.place.locode?.replace(' ', '') ?? null,
    lat: input.place.lat ?? null,
    lon: input.place.lon ?? null,
    direction: input.direction,
    transportMode: input.transportMode,
    conveyance: input.conveyance ?? null,
    routeOrigin: input.route?.origin ?? null,
    routeDestination: input.route?.destination ?? null,
    routeTransit: JSON.stringify(input.route?.transit ?? []),
    detectionMethod: input.detectionMethod,
    concealment: input.concealment ?? null,
    legalBasis: input.legalBasis ?? null,
    narrative: input.narrative ?? null
  }
}

function writeChildren (tx: Tx, seizureId: string, input: NewSeizure): void {
  tx.delete(parties).where(eq(parties.seizureId, seizureId)).run()
  tx.delete(goodsLines).where(eq(goodsLines.seizureId, seizureId)).run()
  ;(input.parties ?? []).forEach((p, position) => {
    tx.insert(parties).values({
      id: newId(), seizureId, position, role: p.role, kind: p.kind, name: p.name, country: p.country ?? null,
      identifier: p.identifier ?? null, address: p.address ?? null, nationality: p.nationality ?? null,
      sex: p.sex ?? null, birthDate: p.birthDate ?? null
    }).run()
  })
  ;(input.goods ?? []).forEach((g, position) => {
    tx.insert(goodsLines).values({
      id: newId(), seizureId, position, description: g.description, hsCode: normaliseHs(g.hsCode), quantity: g.quantity, unit: g.unit,
      valueAmount: g.value?.amount ?? null, valueCurrency: g.value?.currency ?? null,
      controlled: g.strategic?.controlled ?? false, regime: g.strategic?.regime ?? null, controlEntry: g.strategic?.entry ?? null,
      licenceNumber: g.licence?.number ?? null, licenceStatus: g.licence?.status ?? 'none'
    }).run()
  })
}

/** The FTS5 row mirrors the current version (an index, not history). */
function indexForSearch (tx: Tx, r: SeizureRecord): void {
  tx.run(sql`DELETE FROM seizures_fts WHERE seizure_id = ${r.id}`)
  tx.run(sql`INSERT INTO seizures_fts (seizure_id, reference, place, conveyance, concealment, narrative, parties, goods)
    VALUES (${r.id}, ${r.reference}, ${`${r.place.name} ${r.place.locode ?? ''}`}, ${r.conveyance ?? ''}, ${r.concealment ?? ''},
      ${r.narrative ?? ''}, ${r.parties.map((p) => p.name).join(' ')}, ${r.goods.map((g) => `${g.description} ${g.hsCode} ${g.strategic.entry ?? ''}`).join(' ')})`)
}


export function createSeizureService (db: Db, writes: WritePath, access: ObjectAccess, now: () => Date) {
  function load (tx: Tx | Db, id: string): SeizureRecord | undefined {
    const s = tx.select().from(seizures).where(eq(seizures.id, id)).get()
    if (s === undefined) return undefined
    return seizureRecord(s,
      tx.select().from(parties).where(eq(parties.seizureId, id)).all(),
      tx.select().from(goodsLines).where(eq(goodsLines.seizureId, id)).all())
  }

  return {
    load,

    /**
     * A seizure the caller may read (own agency; for prosecutors and users of other
     * agencies, through a case), or 404, as if it did not exist. With `write`, the
     * caller must also be an evidence role of the seizure's agency (else 403).
     */
    visible (user: AuthUser, id: string, mode: 'read' | 'write' = 'read'): SeizureRecord {
      const r = load(db, id)
      if (r === undefined || !access.seizureReadable(user, r)) throw Problem.notFound('seizure')
      if (mode === 'write' && !access.evidenceWritable(user, r)) throw Problem.forbidden('Only officers, custodians and investigators of the seizing agency change its evidence')
      return r
    },

    create (user: AuthUser, input: NewSeizure): SeizureRecord {
      authorize(user, 'seizure.create')
      checkSeizure(input, now())
      return writes.commit(user.id, (tx, time) => {
        const year = Number(time.slice(0, 4))
        const number = nextNumber(tx, user.agency.id, 'seizure', year)
        const reference = `${agencyPrefix(user.agency.code)}-${year}-${String(number).padStart(6, '0')}`
        const id = newId()
        tx.insert(seizures).values({ id, agencyId: user.agency.id, reference, version: 1, recordedAt: time, recordedBy: user.id, updatedAt: time, ...seizureColumns(input) }).run()
        writeChildren(tx, id, input)
        const record = load(tx, id) as SeizureRecord
        tx.insert(seizureVersions).values({ id: newId(), seizureId: id, version: 1, reason: null, recordedBy: user.id, recordedAt: time, snapshot: canonicalJson(record) }).run()
        indexForSearch(tx, record)
        return { result: record, audit: { action: 'seizure.create', entityType: 'seizure', entityId: id, agencyId: user.agency.id, data: record } }
      })
    },

    /** A correction is a new version with a reason; earlier versions stay readable. */
    correct (user: AuthUser, id: string, input: SeizureCorrection): SeizureRecord {
      authorize(user, 'seizure.correct')
      const current = this.visible(user, id, 'write')
      const { reason, ...changes } = input
      if (Object.keys(changes).length === 0) throw Problem.badRequest('A correction changes at least one field besides the reason', [{ field: 'body', message: 'send the corrected fields with the reason' }])
      const merged: NewSeizure = {
        occurredAt: current.occurredAt,
        place: current.place as NewSeizure['place'],
        direction: current.direction as NewSeizure['direction'],
        transportMode: current.transportMode as NewSeizure['transportMode'],
        conveyance: current.conveyance,
        route: current.route as NewSeizure['route'],
        detectionMethod: current.detectionMethod as NewSeizure['detectionMethod'],
        concealment: current.concealment,
        legalBasis: current.legalBasis,
        narrative: current.narrative,
        parties: current.parties as NewSeizure['parties'],
        goods: current.goods as NewSeizure['goods'],
        ...(changes as Partial<NewSeizure>)
      }
      checkSeizure(merged, now())
      return writes.commit(user.id, (tx, time) => {
        const version = current.version + 1
        // Optimistic check inside the transaction: a concurrent correction wins once.
        const updated = tx.update(seizures).set({ ...seizureColumns(merged), version, updatedAt: time })
          .where(and(eq(seizures.id, id), eq(seizures.version, current.version))).run()
        if (updated.changes !== 1) throw Problem.conflict('The seizure was corrected meanwhile; reload it and try again')
        writeChildren(tx, id, merged)
        const record = load(tx, id) as SeizureRecord
        tx.insert(seizureVersions).values({ id: newId(), seizureId: id, version, reason, recordedBy: user.id, recordedAt: time, snapshot: canonicalJson(record) }).run()
        indexForSearch(tx, record)
        return { result: record, audit: { action: 'seizure.correct', entityType: 'seizure', entityId: id, agencyId: record.agencyId, data: { reason, seizure: record } } }
      })
    },

    get (user: AuthUser, id: string): SeizureRecord {
      authorize(user, 'seizure.read')
      return this.visible(user, id)
    },

    versions (user: AuthUser, id: string) {
      authorize(user, 'seizure.read')
      this.visible(user, id)
      return db.select().from(seizureVersions).where(eq(seizureVersions.seizureId, id)).orderBy(asc(seizureVersions.version)).all()
        .map((v) => ({ version: v.version, reason: v.reason, recordedBy: v.recordedBy, recordedAt: v.recordedAt, seizure: JSON.parse(v.snapshot) as SeizureRecord }))
    },

    /** Newest first (by occurrence, then id), filtered in SQL; the cursor is the last row's sort key. */
    list (user: AuthUser, query: SeizureQuery): Page<SeizureRecord> {
      authorize(user, 'seizure.read')
      const limit = query.limit ?? DEFAULT_LIMIT
      const after = decodeCursor<string>(query.cursor, 'string')
      const filters: Array<SQL | undefined> = [eq(seizures.agencyId, user.agency.id)]
      if (user.role === 'prosecutor') {
        filters.push(inArray(seizures.id, db.select({ id: caseSeizures.seizureId }).from(caseSeizures)
          .innerJoin(caseMembers, eq(caseMembers.caseId, caseSeizures.caseId)).where(eq(caseMembers.userId, user.id))))
      }
      if (after !== undefined) {
        const [occurredAt, id] = after.split('|')
        filters.push(or(lt(seizures.occurredAt, occurredAt ?? ''), and(eq(seizures.occurredAt, occurredAt ?? ''), lt(seizures.id, id ?? ''))))
      }
      if (query.from !== undefined) filters.push(gte(seizures.occurredAt, `${query.from}T00:00:00.000Z`))
      if (query.to !== undefined) filters.push(lt(seizures.occurredAt, new Date(Date.parse(`${query.to}T00:00:00.000Z`) + 86400000).toISOString()))
      if (query.place !== undefined) filters.push(or(like(seizures.placeName, `%${likeText(query.place)}%`), eq(seizures.locode, query.place.replace(' ', '').toUpperCase())))
      if (query.hsCode !== undefined) filters.push(inArray(seizures.id, db.select({ id: goodsLines.seizureId }).from(goodsLines).where(like(goodsLines.hsCode, `${query.hsCode}%`))))
      if (query.controlEntry !== undefined) filters.push(inArray(seizures.id, db.select({ id: goodsLines.seizureId }).from(goodsLines).where(like(goodsLines.controlEntry, `${likeText(query.controlEntry)}%`))))
      if (query.party !== undefined) filters.push(inArray(seizures.id, db.select({ id: parties.seizureId }).from(parties).where(like(parties.name, `%${likeText(query.party)}%`))))
      if (query.q !== undefined && query.q.trim() !== '') {
        filters.push(inArray(seizures.id, sql`(SELECT seizure_id FROM seizures_fts WHERE seizures_fts MATCH ${ftsQuery(query.q)})`))
      }
      const rows = db.select({ id: seizures.id, occurredAt: seizures.occurredAt }).from(seizures).where(and(...filters))
        .orderBy(desc(seizures.occurredAt), desc(seizures.id)).limit(limit + 1).all()
      return toPage(rows, limit, (r) => `${r.occurredAt}|${r.id}`, (r) => load(db, r.id) as SeizureRecord)
    }
  }
}


export type SeizureService = ReturnType<typeof createSeizureService>
