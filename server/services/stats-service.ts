import { Readable } from 'node:stream'
import type { Db } from '../db/client.js'
import { authorize, type AuthUser } from './access.js'
import type { WritePath } from './write-path.js'

export interface StatsQuery { from?: string | undefined, to?: string | undefined }

interface Count { key: string, count: number }

/** `[from, to)` over occurred_at, and the agency scope (the bootstrap admin sees every agency). */
function scope (user: AuthUser, q: StatsQuery, alias = 's'): { where: string, params: Record<string, string> } {
  const clauses: string[] = []
  const params: Record<string, string> = {}
  if (!user.bootstrap) { clauses.push(`${alias}.agency_id = @agency`); params.agency = user.agency.id }
  if (q.from !== undefined) { clauses.push(`${alias}.occurred_at >= @from`); params.from = `${q.from}T00:00:00.000Z` }
  if (q.to !== undefined) { clauses.push(`${alias}.occurred_at < @to`); params.to = new Date(Date.parse(`${q.to}T00:00:00.000Z`) + 86400000).toISOString() }
  return { where: clauses.length === 0 ? '1 = 1' : clauses.join(' AND '), params }
}

/** Median of a `days` column in SQL (window functions), null when there is no row. */
const medianSql = (inner: string): string => `
  WITH d AS (${inner}), o AS (SELECT days, ROW_NUMBER() OVER (ORDER BY days) AS r, COUNT(*) OVER () AS n FROM d)
  SELECT AVG(days) AS median, MAX(n) AS n FROM o WHERE r IN ((n + 1) / 2, (n + 2) / 2)`

/**
 * Supervisors' figures ("performance metrics evaluating intervention
 * effectiveness"), each one SQL aggregate over indexed columns.
 */
export function createStatsService (db: Db, writes: WritePath) {
  const counts = (sql: string, params: Record<string, string>): Count[] =>
    db.$client.prepare<Record<string, string>, Count>(sql).all(params)

  return {
    stats (user: AuthUser, q: StatsQuery) {
      authorize(user, 'stats.read')
      const { where, params } = scope(user, q)
      // Start from the (few) cases and probe their seizures, not the other way round (CROSS JOIN fixes the order).
      const caseInScope = `EXISTS (SELECT 1 FROM case_seizures cs CROSS JOIN seizures s ON s.id = cs.seizure_id WHERE cs.case_id = c.id AND ${where})`
      const perMonth = db.$client.prepare<Record<string, string>, { month: string, agency: string, count: number }>(`
        SELECT substr(s.occurred_at, 1, 7) AS month, a.code AS agency, COUNT(*) AS count
        FROM seizures s JOIN agencies a ON a.id = s.agency_id WHERE ${where} GROUP BY month, agency ORDER BY month, agency`).all(params)
      const total = db.$client.prepare<Record<string, string>, { n: number }>(`SELECT COUNT(*) AS n FROM seizures s WHERE ${where}`).get(params)?.n ?? 0
      const referral = db.$client.prepare<Record<string, string>, { median: number | null, n: number | null }>(medianSql(`
        SELECT julianday(c.referred_at) - julianday(MIN(s.occurred_at)) AS days
        FROM cases c CROSS JOIN case_seizures cs ON cs.case_id = c.id CROSS JOIN seizures s ON s.id = cs.seizure_id
        WHERE c.referred_at IS NOT NULL AND ${where} GROUP BY c.id`)).get(params)
      const closing = db.$client.prepare<Record<string, string>, { median: number | null, n: number | null }>(medianSql(`
        SELECT julianday(c.closed_at) - julianday(c.referred_at) AS days FROM cases c
        WHERE c.closed_at IS NOT NULL AND c.referred_at IS NOT NULL AND ${caseInScope}`)).get(params)
      return {
        from: q.from ?? null,
        to: q.to ?? null,
        seizures: total,
        seizuresPerMonth: perMonth,
        byDetectionMethod: counts(`SELECT s.detection_method AS key, COUNT(*) AS count FROM seizures s WHERE ${where} GROUP BY key ORDER BY count DESC`, params),
        byTransportMode: counts(`SELECT s.transport_mode AS key, COUNT(*) AS count FROM seizures s WHERE ${where} GROUP BY key ORDER BY count DESC`, params),
        byDirection: counts(`SELECT s.direction AS key, COUNT(*) AS count FROM seizures s WHERE ${where} GROUP BY key ORDER BY count DESC`, params),
        // Seizures with controlled goods, by regime and list category (the entry's first character: 0-9 for EU 2021/821).
        byRegimeAndCategory: db.$client.prepare<Record<string, string>, { regime: string, category: string, count: number }>(`
          SELECT g.regime AS regime, substr(g.control_entry, 1, 1) AS category, COUNT(DISTINCT s.id) AS count
          FROM goods_lines g JOIN seizures s ON s.id = g.seizure_id
          WHERE g.controlled = 1 AND ${where} GROUP BY regime, category ORDER BY count DESC`).all(params),
        itemsByStatus: counts(`SELECT i.status AS key, COUNT(*) AS count FROM items i JOIN seizures s ON s.id = i.seizure_id WHERE ${where} GROUP BY key ORDER BY count DESC`, params),
        medianDaysSeizureToReferral: referral?.median ?? null,
        casesReferred: referral?.n ?? 0,
        medianDaysReferralToClosing: closing?.median ?? null,
        casesClosed: closing?.n ?? 0,
        outcomes: counts(`SELECT c.outcome AS key, COUNT(*) AS count FROM cases c WHERE c.outcome IS NOT NULL AND ${caseInScope} GROUP BY key ORDER BY count DESC`, params)
      }
    },

    /**
     * The WCO CEN export: non-nominal by construction. Only these columns leave:
     * no party name, identifier, address, conveyance or narrative; offenders
     * appear as nationality, sex and age at the seizure. Streamed row by row.
     */
    cen (user: AuthUser, q: StatsQuery, format: 'csv' | 'json'): Readable {
      authorize(user, 'export.cen')
      const { where, params } = scope(user, q)
      const count = db.$client.prepare<Record<string, string>, { n: number }>(`SELECT COUNT(*) AS n FROM seizures s WHERE ${where}`).get(params)?.n ?? 0
      writes.commit(user.id, () => ({
        result: undefined,
        audit: { action: 'export.cen', entityType: 'export', entityId: `cen:${q.from ?? ''}:${q.to ?? ''}`, agencyId: user.agency.id, data: { from: q.from ?? null, to: q.to ?? null, format, seizures: count, agencyScope: user.bootstrap ? 'all' : user.agency.code } }
      }))
      const seizureRows = db.$client.prepare<Record<string, string>, CenSeizureRow>(`
        SELECT s.id, s.reference, s.occurred_at, s.place_name, s.place_type, s.locode, s.direction, s.transport_mode,
               s.route_origin, s.route_destination, s.route_transit, s.detection_method, s.concealment, a.country AS reporting_country
        FROM seizures s JOIN agencies a ON a.id = s.agency_id WHERE ${where} ORDER BY s.occurred_at, s.id`)
      const goodsStmt = db.$client.prepare<[string], CenGoodsRow>(`SELECT hs_code, description, quantity, unit, value_amount, value_currency, controlled, regime, control_entry, licence_status
        FROM goods_lines WHERE seizure_id = ? ORDER BY position`)
      const offendersStmt = db.$client.prepare<[string], { nationality: string | null, sex: string | null, birth_date: string | null, role: string }>(`
        SELECT nationality, sex, birth_date, role FROM parties WHERE seizure_id = ? AND kind = 'person' ORDER BY position`)
      const records = function * (): Generator<CenRecord> {
        for (const s of seizureRows.iterate(params)) {
          yield {
            reference: s.reference,
            date: s.occurred_at.slice(0, 10),
            reportingCountry: s.reporting_country,
            place: s.place_name,
            placeType: s.place_type,
            locode: s.locode,
            direction: s.direction,
            transportMode: s.transport_mode,
            origin: s.route_origin,
            destination: s.route_destination,
            transit: JSON.parse(s.route_transit) as string[],
            detectionMethod: s.detection_method,
            concealment: s.concealment,
            goods: goodsStmt.all(s.id).map((g) => ({
              hsCode: g.hs_code, description: g.description, quantity: g.quantity, unit: g.unit,
              value: g.value_amount, currency: g.value_currency, controlled: g.controlled === 1, regime: g.regime, controlEntry: g.control_entry, licenceStatus: g.licence_status
            })),
            offenders: offendersStmt.all(s.id).map((p) => ({ role: p.role, nationality: p.nationality, sex: p.sex, age: ageAt(p.birth_date, s.occurred_at) }))
          }
        }
      }
      return Readable.from(format === 'json' ? jsonLines(records()) : csvLines(records()))
    }
  }
}

interface CenSeizureRow {
  id: string, reference: string, occurred_at: string, place_name: string, place_type: string | null, locode: string | null, direction: string, transport_mode: string,
  route_origin: string | null, route_destination: string | null, route_transit: string, detection_method: string, concealment: string | null, reporting_country: string
}
interface CenGoodsRow {
  hs_code: string, description: string, quantity: number, unit: string, value_amount: string | null, value_currency: string | null, controlled: number, regime: string | null, control_entry: string | null, licence_status: string
}
interface CenRecord {
  reference: string, date: string, reportingCountry: string, place: string, placeType: string | null, locode: string | null, direction: string, transportMode: string,
  origin: string | null, destination: string | null, transit: string[], detectionMethod: string, concealment: string | null,
  goods: Array<{ hsCode: string, description: string, quantity: number, unit: string, value: string | null, currency: string | null, controlled: boolean, regime: string | null, controlEntry: string | null, licenceStatus: string }>
  offenders: Array<{ role: string, nationality: string | null, sex: string | null, age: number | null }>
}

/** Whole years between a date of birth and the seizure: CEN keeps age, never the date itself. */
export function ageAt (birthDate: string | null, at: string): number | null {
  if (birthDate === null) return null
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number]
  const [y, m, d] = at.slice(0, 10).split('-').map(Number) as [number, number, number]
  return y - by - ((m < bm || (m === bm && d < bd)) ? 1 : 0)
}

function * jsonLines (records: Iterable<CenRecord>): Generator<string> {
  yield '{"format":"strongroom-cen-1","seizures":['
  let first = true
  for (const r of records) {
    yield `${first ? '' : ','}\n${JSON.stringify(r)}`
    first = false
  }
  yield '\n]}\n'
}

const CSV_COLUMNS = ['reference', 'date', 'reporting_country', 'place', 'place_type', 'locode', 'direction', 'transport_mode', 'origin', 'destination', 'transit',
  'detection_method', 'concealment', 'line', 'hs_code', 'goods_description', 'quantity', 'unit', 'value', 'currency', 'controlled', 'regime', 'control_entry', 'licence_status', 'offenders'] as const

/** RFC 4180 field; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function csvField (value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One row per goods line; offenders as `nationality/sex/age` joined by `;`. */
function * csvLines (records: Iterable<CenRecord>): Generator<string> {
  yield `${CSV_COLUMNS.join(',')}\r\n`
  for (const r of records) {
    const offenders = r.offenders.map((o) => `${o.nationality ?? '?'}/${o.sex ?? '?'}/${o.age ?? '?'}`).join(';')
    const lines = r.goods.length === 0 ? [undefined] : r.goods
    for (const [i, g] of lines.entries()) {
      yield `${[r.reference, r.date, r.reportingCountry, r.place, r.placeType, r.locode, r.direction, r.transportMode, r.origin, r.destination, r.transit.join(' '),
        r.detectionMethod, r.concealment, g === undefined ? '' : i + 1, g?.hsCode, g?.description, g?.quantity, g?.unit, g?.value, g?.currency,
        g === undefined ? '' : g.controlled, g?.regime, g?.controlEntry, g?.licenceStatus, offenders].map(csvField).join(',')}\r\n`
    }
  }
}

export type StatsService = ReturnType<typeof createStatsService>
