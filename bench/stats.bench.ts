/**
 * Stats and search bench (issue 5): `GET /api/stats` and the seizure search at
 * 10,000 and then 100,000 seizures of the real app (buildApp on a fresh data
 * directory, requests through `inject` as an auditor or investigator). Goal: the
 * time at 100,000 is at most 10 × the time at 10,000 (the data grew 10×). For
 * scale, two baselines are timed in the same run at both sizes: a full scan of
 * the seizures table, and one pass over the agency's seizures in its index (the
 * least any figure over them costs). Their own ratio shows how this machine's
 * caches treat ten times the data; the last column divides by it. The slowest
 * statements of one request at the larger size are shown with their query plans.
 *
 * The rows are written in bulk with better-sqlite3 prepared statements in one
 * transaction per size, as the services would write them (seizures, parties,
 * goods lines, items with custody events, cases with members and status
 * changes, and both FTS5 indexes), but without audit entries and seizure
 * versions: a read bench needs the tables the queries read, and the HTTP API
 * would take hours for 100,000 seizures.
 *
 * Each size is its own data set over the same two years (an agency ten times
 * busier), written in the order seizures are recorded, as the app writes them.
 *
 * BENCH_SCALE (default 1) scales both sizes: 0.1 gives 1,000 and 10,000 seizures.
 * BENCH_RUNS (default 7) timed runs per figure, after 2 warm-up runs; the median is shown.
 * BENCH_LAYOUT=shuffled writes the seizures in random date order (a bulk import of
 *   old records): the worst layout for reading by the date index.
 * BENCH_SQL runs statements on the app's connection before timing, to try an index
 *   or a pragma without a migration, e.g. BENCH_SQL='PRAGMA mmap_size = 1073741824'.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { newId } from '../server/lib/ids.js'

const scale = Number(process.env.BENCH_SCALE ?? 1)
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 7))
const shuffled = process.env.BENCH_LAYOUT === 'shuffled'
const trySql = process.env.BENCH_SQL ?? ''
if (!(scale > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE ?? ''}`)
const SMALL = Math.round(10_000 * scale)
const LARGE = Math.round(100_000 * scale)
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strongroom-bench-stats-'))
const password = 'bench password long enough'
const DAY = 86400000

// ---------------------------------------------------------------------------
// A deterministic, varied data set.

/** mulberry32: the same seed gives the same data set on every run. */
function prng (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = prng(20260501)
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1))
/** Picks by weight: `[[value, weight], ...]`. */
function weighted<T> (list: ReadonlyArray<readonly [T, number]>): T {
  const total = list.reduce((s, [, w]) => s + w, 0)
  let r = random() * total
  for (const [v, w] of list) { r -= w; if (r < 0) return v }
  return (list[list.length - 1] as readonly [T, number])[0]
}

const PLACES = [
  { name: 'Morinë border crossing', type: 'road_border_crossing', locode: 'ALMOR', lat: 42.2376, lon: 20.5497 },
  { name: 'Port of Durrës', type: 'seaport', locode: 'ALDRZ', lat: 41.3127, lon: 19.4469 },
  { name: 'Tirana International Airport', type: 'airport', locode: 'ALTIA', lat: 41.4147, lon: 19.7206 },
  { name: 'Kakavijë border crossing', type: 'road_border_crossing', locode: 'ALKAK', lat: 39.9139, lon: 20.3186 },
  { name: 'Qafë Thanë border crossing', type: 'road_border_crossing', locode: 'ALQTH', lat: 41.1264, lon: 20.5947 },
  { name: 'Port of Vlorë', type: 'seaport', locode: 'ALVOA', lat: 40.4667, lon: 19.4833 },
  { name: 'Tirana postal hub', type: 'postal_hub', locode: 'ALTIA', lat: 41.3275, lon: 19.8187 },
  { name: 'Hani i Hotit border crossing', type: 'road_border_crossing', locode: 'ALHNH', lat: 42.3303, lon: 19.4486 },
  { name: 'Shkodër inland office', type: 'inland_office', locode: 'ALSKO', lat: 42.0683, lon: 19.5126 },
  { name: 'Durrës free zone', type: 'free_zone', locode: 'ALDRZ', lat: 41.3231, lon: 19.4414 }
] as const
const MODE_OF_PLACE: Record<string, readonly string[]> = {
  road_border_crossing: ['road', 'road', 'road', 'pedestrian'],
  seaport: ['sea'],
  airport: ['air'],
  postal_hub: ['postal'],
  inland_office: ['road', 'rail'],
  free_zone: ['road', 'sea']
}
const DETECTION = [['risk_profile', 30], ['xray_scanner', 20], ['documentary_check', 20], ['physical_examination', 12], ['detector_dog', 6], ['intelligence', 8], ['random', 4]] as const
const COUNTRIES = ['AL', 'XK', 'MK', 'ME', 'GR', 'IT', 'TR', 'RS', 'DE', 'CN', 'AE', 'BG'] as const
/** Goods with realistic HS codes; some are dual-use with their control-list entry. */
const GOODS = [
  { hs: '240220', text: 'Cigarettes containing tobacco', unit: 'NAR', w: 18 },
  { hs: '240311', text: 'Water-pipe tobacco', unit: 'KGM', w: 6 },
  { hs: '220830', text: 'Whisky in bottles of 0.7 l', unit: 'LTR', w: 6 },
  { hs: '300490', text: 'Medicaments in measured doses (counterfeit suspected)', unit: 'NAR', w: 6 },
  { hs: '851712', text: 'Mobile telephones', unit: 'NAR', w: 8 },
  { hs: '847130', text: 'Portable computers', unit: 'NAR', w: 5 },
  { hs: '610910', text: 'T-shirts of cotton bearing counterfeit trade marks', unit: 'NAR', w: 8 },
  { hs: '640399', text: 'Footwear bearing counterfeit trade marks', unit: 'NAR', w: 5 },
  { hs: '710812', text: 'Gold, unwrought', unit: 'GRM', w: 2 },
  { hs: '930630', text: 'Cartridges for pistols', unit: 'NAR', w: 2, control: ['wassenaar', 'ML3.a'] },
  { hs: '930200', text: 'Revolvers and pistols', unit: 'NAR', w: 1, control: ['national', 'AL-ML-1.1'] },
  { hs: '850440', text: 'Frequency changers (variable-frequency drives)', unit: 'NAR', w: 2, control: ['EU-2021/821', '3A225'] },
  { hs: '845610', text: 'Machine tools operated by laser', unit: 'NAR', w: 1, control: ['EU-2021/821', '2B001.a'] },
  { hs: '292215', text: 'Triethanolamine in drums', unit: 'LTR', w: 1, control: ['australia_group', 'CW-19'] },
  { hs: '880211', text: 'Unmanned helicopters (drones) with flight controllers', unit: 'NAR', w: 1, control: ['mtcr', '19.A.2'] },
  { hs: '284440', text: 'Radioactive sources (caesium-137) in shielded containers', unit: 'NAR', w: 1, control: ['nsg', '1.A.1'] },
  { hs: '901380', text: 'Night-vision devices', unit: 'NAR', w: 1, control: ['EU-2021/821', '6A002.c'] },
  { hs: '382499', text: 'Chemical preparations, misdeclared', unit: 'KGM', w: 3 },
  { hs: '870323', text: 'Passenger car reported stolen', unit: 'NAR', w: 2 },
  { hs: '491199', text: 'Forged documents and stamps', unit: 'NAR', w: 2 }
] as const
const GOODS_WEIGHTED = GOODS.map((g) => [g, g.w] as const)
const FIRST = ['Arben', 'Elira', 'Besnik', 'Dritan', 'Mirela', 'Genta', 'Valon', 'Blerta', 'Fatos', 'Arta', 'Luan', 'Shpresa', 'Ilir', 'Gëzim', 'Marko', 'Ana', 'Nikola', 'Elena', 'Mehmet', 'Ayşe', 'Giorgos', 'Maria', 'Luca', 'Giulia']
const LAST = ['Hoxha', 'Krasniqi', 'Shehu', 'Leka', 'Çela', 'Dervishi', 'Berisha', 'Gashi', 'Morina', 'Rexhepi', 'Kelmendi', 'Hyseni', 'Dervishaj', 'Përmeti', 'Petrović', 'Jovanović', 'Yılmaz', 'Demir', 'Papadopoulos', 'Rossi', 'Bianchi', 'Kovačević', 'Đukić', 'Zeqiri', 'Tafa', 'Mucaj', 'Bregu', 'Lika', 'Duka', 'Zhuri']
const COMPANY = ['Teknomek', 'Dardania Industrial', 'Shpejt Transport', 'Kimik Albania', 'Adriatik Trade', 'Balkan Logistics', 'Illyria Import', 'Egnatia Cargo', 'Vjosa Export', 'Korab Distribution', 'Drini Freight', 'Tomorri Holding']
const SUFFIX = ['Sh.p.k.', 'L.L.C.', 'GmbH', 'S.r.l.', 'A.Ş.', 'd.o.o.']
const CONCEALMENT = ['Hidden in a false floor of the trailer', 'Declared as spare parts', 'Mixed with declared goods', 'In the spare tyre', 'Inside furniture', 'In personal luggage', 'Misdeclared on the invoice', 'Behind the dashboard', null, null]
const WORDS = ['driver', 'declared', 'trailer', 'examination', 'invoice', 'seal', 'cargo', 'container', 'scanner', 'image', 'anomaly', 'pallets', 'boxes', 'undeclared', 'consignee', 'licence', 'document', 'vehicle', 'passenger', 'parcel', 'smell', 'dog', 'alert', 'profile', 'risk', 'suspicious', 'weight', 'mismatch', 'manifest', 'warehouse', 'escorted', 'inspection', 'bay', 'night', 'shift', 'officer', 'photographed', 'counted', 'sampled', 'laboratory']

/** Seizure times over two years before now. */
const now = Date.now()
const iso = (ms: number): string => new Date(ms).toISOString()

interface Users { officer: string, custodian: string, investigator: string, prosecutor: string, xkOfficer: string }
interface Agencies { al: string, xk: string }

/** Writes `count` more seizures (and their parties, goods, items, cases) in one transaction. */
function generate (sqlite: Database.Database, agencies: Agencies, users: Users, count: number, counters: Map<string, number>): void {
  const insSeizure = sqlite.prepare(`INSERT INTO seizures (id, agency_id, reference, version, occurred_at, recorded_at, recorded_by, updated_at, place_name, place_type, locode, lat, lon,
    direction, transport_mode, conveyance, route_origin, route_destination, route_transit, detection_method, concealment, legal_basis, narrative)
    VALUES (@id, @agency, @reference, 1, @occurredAt, @recordedAt, @recordedBy, @recordedAt, @placeName, @placeType, @locode, @lat, @lon,
    @direction, @mode, @conveyance, @origin, @destination, @transit, @detection, @concealment, @legalBasis, @narrative)`)
  const insParty = sqlite.prepare(`INSERT INTO parties (id, seizure_id, position, role, kind, name, country, identifier, address, nationality, sex, birth_date)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insGoods = sqlite.prepare(`INSERT INTO goods_lines (id, seizure_id, position, description, hs_code, quantity, unit, value_amount, value_currency, controlled, regime, control_entry, licence_number, licence_status)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insFts = sqlite.prepare('INSERT INTO seizures_fts (seizure_id, reference, place, conveyance, concealment, narrative, parties, goods) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const insItem = sqlite.prepare(`INSERT INTO items (id, agency_id, seizure_id, label, number, goods_index, category, description, quantity, unit, condition, created_at, created_by,
    status, custodian_id, pending_to_id, location_code, seal_number, seal_broken, last_seq, last_occurred_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insEvent = sqlite.prepare(`INSERT INTO custody_events (id, item_id, seq, type, occurred_at, recorded_at, actor_id, from_user_id, to_user_id, location_code, seal_number, seal_intact, purpose, notes, authority, witness_user_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)`)
  const insCase = sqlite.prepare(`INSERT INTO cases (id, agency_id, reference, title, summary, status, outcome, created_at, created_by, updated_at, referred_at, closed_at)
    VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)`)
  const insCaseSeizure = sqlite.prepare('INSERT INTO case_seizures (case_id, seizure_id, linked_at, linked_by) VALUES (?, ?, ?, ?)')
  const insMember = sqlite.prepare('INSERT INTO case_members (case_id, user_id, role, added_at, added_by) VALUES (?, ?, ?, ?, ?)')
  const insOffence = sqlite.prepare('INSERT INTO case_offences (id, case_id, position, law, article, description) VALUES (?, ?, 0, ?, ?, ?)')
  const insStatus = sqlite.prepare('INSERT INTO case_status_changes (id, case_id, from_status, to_status, outcome, reason, changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const insCaseFts = sqlite.prepare('INSERT INTO cases_fts (case_id, reference, title, summary, offences, actions) VALUES (?, ?, ?, \'\', ?, \'\')')
  const nextNumber = (key: string): number => { const n = (counters.get(key) ?? 0) + 1; counters.set(key, n); return n }

  let pendingCase: Array<{ id: string, occurredAt: number }> = []
  let caseSize = between(1, 3)

  const times = Array.from({ length: count }, () => now - random() * 730 * DAY)
  if (!shuffled) times.sort((a, b) => a - b)

  sqlite.transaction(() => {
    for (const occurred of times) {
      const al = random() < 0.8
      const agency = al ? agencies.al : agencies.xk
      const recorded = Math.min(now, occurred + between(10, 600) * 60000)
      const year = new Date(recorded).getUTCFullYear()
      const reference = `${al ? 'AL' : 'XK'}-${year}-${String(nextNumber(`${agency}:seizure:${year}`)).padStart(6, '0')}`
      const place = pick(PLACES)
      const id = newId()
      const origin = pick(COUNTRIES)
      const transit = random() < 0.3 ? [pick(COUNTRIES)] : []
      const concealment = pick(CONCEALMENT)
      const narrative = Array.from({ length: between(12, 30) }, () => pick(WORDS)).join(' ')
      const conveyance = place.type === 'seaport' ? `Container MSCU ${between(100000, 999999)}-${between(0, 9)}` : `Truck ${pick(COUNTRIES)} ${between(100, 999)} ${String.fromCharCode(65 + between(0, 25), 65 + between(0, 25))}`
      insSeizure.run({
        id, agency, reference, occurredAt: iso(occurred), recordedAt: iso(recorded), recordedBy: al ? users.officer : users.xkOfficer,
        placeName: place.name, placeType: place.type, locode: place.locode, lat: place.lat, lon: place.lon,
        direction: weighted([['import', 6], ['export', 3], ['transit', 1]] as const), mode: pick(MODE_OF_PLACE[place.type] ?? ['road']),
        conveyance, origin, destination: al ? 'AL' : 'XK', transit: JSON.stringify(transit), detection: weighted(DETECTION),
        concealment, legalBasis: 'Law No. 102/2014 "Customs Code of the Republic of Albania"', narrative
      })

      const partyNames: string[] = []
      for (let p = 0, n = between(1, 3); p < n; p++) {
        const person = random() < 0.5
        const name = person ? `${pick(FIRST)} ${pick(LAST)}` : `${pick(COMPANY)} ${pick(SUFFIX)}`
        partyNames.push(name)
        insParty.run(newId(), id, p, person ? pick(['driver', 'owner', 'declarant'] as const) : pick(['consignor', 'consignee', 'carrier', 'broker'] as const), person ? 'person' : 'organisation',
          name, pick(COUNTRIES), `ID${between(1000000, 9999999)}`, person ? null : `Rruga ${pick(LAST)} ${between(1, 200)}`,
          person ? pick(COUNTRIES) : null, person ? pick(['male', 'female', 'male'] as const) : null, person ? `19${between(50, 99)}-0${between(1, 9)}-1${between(0, 9)}` : null)
      }
      const goodsTexts: string[] = []
      for (let g = 0, n = between(1, 3); g < n; g++) {
        const goods = weighted(GOODS_WEIGHTED)
        const hs = random() < 0.4 ? `${goods.hs}${between(10, 99)}` : goods.hs
        const control = 'control' in goods ? goods.control : null
        goodsTexts.push(`${goods.text} ${hs} ${control?.[1] ?? ''}`)
        insGoods.run(newId(), id, g, goods.text, hs, between(1, 5000), goods.unit, `${between(50, 90000)}.00`, 'EUR', control === null ? 0 : 1, control?.[0] ?? null, control?.[1] ?? null,
          null, control === null ? 'none' : pick(['none', 'none', 'invalid', 'suspected_forgery'] as const))
      }
      insFts.run(id, reference, `${place.name} ${place.locode}`, conveyance, concealment ?? '', narrative, partyNames.join(' '), goodsTexts.join(' '))

      // About a third of the seizures have exhibits, each with a short chain of custody.
      if (random() < 0.35) {
        for (let n = 1, items = between(1, 3); n <= items; n++) {
          const itemId = newId()
          const seal = `SB-${between(1000000, 9999999)}`
          const status = weighted([['in_custody', 55], ['in_transit', 5], ['at_examination', 10], ['released', 15], ['returned', 5], ['destroyed', 10]] as const)
          const last = Math.min(now, recorded + between(1, 400) * DAY)
          const custodian = al ? users.custodian : users.xkOfficer
          insItem.run(itemId, agency, id, `${reference}-E${String(n).padStart(2, '0')}`, n, 0, pick(['goods_sample', 'document', 'digital_media', 'electronic_device', 'other'] as const),
            'Sample of the seized goods', 1, 'NAR', 'Sealed in a tamper-evident bag', iso(recorded), al ? users.officer : users.xkOfficer,
            status, custodian, status === 'in_transit' ? users.investigator : null, status === 'in_custody' ? 'TIR-EVD/R1/C3/S2' : null, seal, status === 'at_examination' ? 1 : 0, 2, iso(last))
          insEvent.run(newId(), itemId, 1, 'seized', iso(recorded), iso(recorded), al ? users.officer : users.xkOfficer, null, null, null, seal, 1, null)
          const type = { in_custody: 'stored', in_transit: 'transferred', at_examination: 'checked_out', released: 'released', returned: 'returned', destroyed: 'destroyed' }[status]
          insEvent.run(newId(), itemId, 2, type, iso(last), iso(last), custodian, null, status === 'in_transit' ? users.investigator : null, status === 'in_custody' ? 'TIR-EVD/R1/C3/S2' : null, null, null, null)
        }
      }

      // About 5% of the Albanian seizures go into cases of one to three seizures.
      if (al && random() < 0.05) pendingCase.push({ id, occurredAt: occurred })
      if (pendingCase.length >= caseSize) {
        const caseId = newId()
        const first = Math.min(...pendingCase.map((s) => s.occurredAt))
        const created = Math.min(now, Math.max(...pendingCase.map((s) => s.occurredAt)) + between(1, 20) * DAY)
        const caseYear = new Date(created).getUTCFullYear()
        const caseRef = `AL-C-${caseYear}-${String(nextNumber(`${agencies.al}:case:${caseYear}`)).padStart(4, '0')}`
        const status = weighted([['open', 20], ['investigation', 25], ['referred', 15], ['in_court', 10], ['closed', 30]] as const)
        const referredToo = status === 'referred' || status === 'in_court' || (status === 'closed' && random() < 0.7)
        const referred = referredToo ? Math.min(now, Math.max(created, first + between(15, 240) * DAY)) : null
        const closed = status === 'closed' ? Math.min(now, (referred ?? created) + between(20, 360) * DAY) : null
        const outcome = status === 'closed' ? weighted([['convicted', 35], ['acquitted', 10], ['dismissed', 15], ['administrative_penalty', 30], ['goods_released', 10]] as const) : null
        const title = `Smuggling case ${caseRef}`
        insCase.run(caseId, agencies.al, caseRef, title, status, outcome, iso(created), users.investigator, iso(closed ?? referred ?? created), referred === null ? null : iso(referred), closed === null ? null : iso(closed))
        for (const s of pendingCase) insCaseSeizure.run(caseId, s.id, iso(created), users.investigator)
        insMember.run(caseId, users.investigator, 'lead_investigator', iso(created), users.investigator)
        if (referred !== null) insMember.run(caseId, users.prosecutor, 'prosecutor', iso(referred), users.investigator)
        insOffence.run(newId(), caseId, 'Criminal Code of the Republic of Albania', 'Art. 170', 'Smuggling of goods')
        insStatus.run(newId(), caseId, null, 'open', null, 'Case opened', iso(created), users.investigator)
        if (status !== 'open') insStatus.run(newId(), caseId, 'open', status, outcome, 'Bench data', iso(closed ?? referred ?? created + DAY), users.investigator)
        insCaseFts.run(caseId, caseRef, title, 'Criminal Code of the Republic of Albania Art. 170 Smuggling of goods')
        pendingCase = []
        caseSize = between(1, 3)
      }
    }
    // Keep the app's own reference series ahead of the bulk rows.
    const upsert = sqlite.prepare(`INSERT INTO reference_counters (agency_id, kind, year, last) VALUES (?, ?, ?, ?)
      ON CONFLICT (agency_id, kind, year) DO UPDATE SET last = excluded.last`)
    for (const [key, last] of counters) {
      const [agencyId, kind, year] = key.split(':') as [string, string, string]
      upsert.run(agencyId, kind, Number(year), last)
    }
  })()
}

// ---------------------------------------------------------------------------
// Timing.

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2 }

async function get (app: FastifyInstance, token: string, url: string): Promise<any> {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/**
 * Times every statement the app prepares on its connection while `fn` runs once:
 * which SQL dominates a request, with its query plan, without copying the SQL here.
 */
async function profile (sqlite: Database.Database, fn: () => Promise<unknown>): Promise<Array<{ sql: string, ms: number, plan: string[] }>> {
  const spent = new Map<string, { ms: number, args: unknown[] }>()
  const original = sqlite.prepare.bind(sqlite)
  const wrap = (sql: string, stmt: Database.Statement): Database.Statement => {
    for (const method of ['all', 'get', 'run'] as const) {
      const inner = (stmt[method] as (...a: unknown[]) => unknown).bind(stmt)
      ;(stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const t = process.hrtime.bigint()
        try { return inner(...args) } finally { spent.set(sql, { ms: (spent.get(sql)?.ms ?? 0) + ms(t), args }) }
      }
    }
    return stmt
  }
  sqlite.prepare = ((sql: string) => wrap(sql, original(sql))) as typeof sqlite.prepare
  try { await fn() } finally { sqlite.prepare = original as typeof sqlite.prepare }
  const planOf = (sql: string, args: unknown[]): string[] => {
    try {
      return (original(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail)
    } catch { return [] }
  }
  return [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 4)
    .map(([sql, s]) => ({ sql: sql.replace(/\s+/g, ' ').trim(), ms: s.ms, plan: planOf(sql, s.args) }))
}

// ---------------------------------------------------------------------------

interface Prepared { app: FastifyInstance, sqlite: Database.Database, auditor: string, investigator: string }

/** A fresh data directory with the real app, its users, and `size` seizures written in bulk. */
async function prepare (size: number): Promise<Prepared> {
  const dataDir = path.join(work, String(size))
  const config = loadConfig({ STRONGROOM_DATA_DIR: dataDir, STRONGROOM_LOG_LEVEL: 'silent', STRONGROOM_ADMIN_PASSWORD: password, STRONGROOM_TOKEN_TTL: '3600' })
  const app = await buildApp(config, { announce: () => {} })
  const { accounts, db } = app.services
  const sqlite = db.$client
  const login = async (username: string): Promise<string> => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`)
    return res.json().token as string
  }
  const adminRow = sqlite.prepare<[], { id: string }>('SELECT id FROM users WHERE bootstrap = 1').get()
  const admin = accounts.authUser(adminRow?.id ?? '')
  if (admin === undefined) throw new Error('no bootstrap admin')
  const xk = accounts.createAgency(admin, { code: 'XK-CUSTOMS', name: 'Kosovo Customs', country: 'XK' })
  const user = async (username: string, role: 'officer' | 'custodian' | 'investigator' | 'prosecutor' | 'auditor', agencyCode = 'AL-CUSTOMS'): Promise<string> =>
    (await accounts.createUser(admin, { username, password, displayName: username, role, agencyCode })).id
  const users: Users = {
    officer: await user('al.officer', 'officer'),
    custodian: await user('al.custodian', 'custodian'),
    investigator: await user('al.investigator', 'investigator'),
    prosecutor: await user('al.prosecutor', 'prosecutor'),
    xkOfficer: await user('xk.officer', 'officer', 'XK-CUSTOMS')
  }
  await user('al.auditor', 'auditor')

  const t = process.hrtime.bigint()
  generate(sqlite, { al: admin.agency.id, xk: xk.id }, users, size, new Map())
  sqlite.pragma('wal_checkpoint(TRUNCATE)')
  const rows = (table: string): string => (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n.toLocaleString('en')
  const dbMib = fs.statSync(path.join(dataDir, 'strongroom.db')).size / 1024 / 1024
  console.log(`${size.toLocaleString('en')} seizures written in ${(ms(t) / 1000).toFixed(1)} s: ${rows('parties')} parties, ${rows('goods_lines')} goods lines, ${rows('items')} items, ` +
    `${rows('custody_events')} custody events, ${rows('cases')} cases; database ${dbMib.toFixed(0)} MiB`)
  if (trySql !== '') { sqlite.exec(trySql); console.log(`  BENCH_SQL run first: ${trySql}`) }
  return { app, sqlite, auditor: await login('al.auditor'), investigator: await login('al.investigator') }
}

async function showProfile (p: Prepared, who: string, url: string, top: number): Promise<void> {
  console.log(`slowest statements of one GET ${url}:`)
  for (const s of (await profile(p.sqlite, () => get(p.app, who, url))).slice(0, top)) {
    console.log(`  ${s.ms.toFixed(1).padStart(7)} ms  ${s.sql.slice(0, 150)}${s.sql.length > 150 ? '…' : ''}`)
    for (const line of s.plan) console.log(`             plan: ${line}`)
  }
}

/** What is timed at each size: two baselines in SQL, then the requests the issue names. */
const FIGURES = [
  { name: 'baseline: full scan of seizures', sql: 'SELECT COUNT(*) AS n, SUM(LENGTH(narrative)) AS bytes FROM seizures' },
  { name: 'baseline: one pass over AL seizures', sql: 'SELECT COUNT(*) AS n FROM seizures WHERE agency_id = (SELECT id FROM agencies WHERE code = \'AL-CUSTOMS\')' },
  { name: 'GET /api/stats (auditor)', url: '/api/stats', as: 'auditor' },
  { name: 'GET /api/seizures?q=cigarettes', url: '/api/seizures?q=cigarettes', as: 'investigator' },
  { name: 'GET /api/seizures?q=Kovačević', url: `/api/seizures?q=${encodeURIComponent('Kovačević')}`, as: 'investigator' },
  { name: 'GET /api/seizures?hsCode=8504', url: '/api/seizures?hsCode=8504', as: 'investigator' },
  { name: 'GET /api/seizures?controlEntry=3A', url: '/api/seizures?controlEntry=3A', as: 'investigator' }
] as const

/**
 * Medians of `runs` timings per figure and size. The sizes take turns within each
 * round, so that load from elsewhere on the machine falls on both alike.
 */
async function measure (sets: Prepared[]): Promise<number[][]> {
  const times = sets.map(() => FIGURES.map(() => [] as number[]))
  for (let round = 0; round < runs + 2; round++) {
    for (const [k, p] of sets.entries()) {
      for (const [i, f] of FIGURES.entries()) {
        const statement = 'sql' in f ? p.sqlite.prepare(f.sql) : undefined
        const t = process.hrtime.bigint()
        if (statement !== undefined) statement.get()
        else if ('url' in f) await get(p.app, f.as === 'auditor' ? p.auditor : p.investigator, f.url)
        if (round >= 2) times[k]?.[i]?.push(ms(t))
      }
    }
  }
  return times.map((perFigure) => perFigure.map(median))
}

async function main (): Promise<void> {
  console.log(`layout: ${shuffled ? 'shuffled (random date order)' : 'chronological (as recorded)'}; rows written in bulk, so they have no audit entries or versions (a read bench)`)
  const sets: Prepared[] = []
  try {
    for (const size of [SMALL, LARGE]) {
      const p = await prepare(size)
      sets.push(p)
      const stats = await get(p.app, p.auditor, '/api/stats')
      const hits = (word: string): number => (p.sqlite.prepare('SELECT COUNT(*) AS n FROM seizures_fts WHERE seizures_fts MATCH ?').get(`"${word}"*`) as { n: number }).n
      console.log(`  the AL-CUSTOMS auditor sees ${stats.seizures} seizures, ${stats.casesReferred} referred and ${stats.casesClosed} closed cases; ` +
        `"cigarettes" matches ${hits('cigarettes')} seizures, "Kovačević" ${hits('Kovačević')}`)
    }
    const [small, large] = await measure(sets) as [number[], number[]]
    const big = sets[1] as Prepared
    console.log()
    await showProfile(big, big.auditor, '/api/stats', 4)
    await showProfile(big, big.investigator, '/api/seizures?q=cigarettes', 1)

    const label = (n: number): string => n.toLocaleString('en')
    console.log(`\nmedian of ${runs} runs after 2 warm-ups, the two sizes taking turns`)
    // How one plain pass over the same rows grows on this machine (caches make it more than 10×).
    const pass = (large[1] ?? NaN) / (small[1] ?? NaN)
    console.log(`${'seizures'.padEnd(40)} ${label(SMALL).padStart(10)}    ${label(LARGE).padStart(10)}    ${'ratio'.padStart(8)}  ratio ÷ one pass's`)
    FIGURES.forEach((f, i) => {
      const a = small[i] ?? NaN
      const b = large[i] ?? NaN
      const goal = 'url' in f ? `  ${(b / a / pass).toFixed(2).padStart(6)}   ${b / a <= 10 ? 'ok' : 'MISSED'} (goal: ratio <= 10)` : ''
      console.log(`${f.name.padEnd(40)} ${a.toFixed(2).padStart(10)} ms ${b.toFixed(2).padStart(10)} ms ${(b / a).toFixed(1).padStart(8)}${goal}`)
    })
    const statsAt = large[2] ?? NaN
    console.log(`GET /api/stats at ${label(LARGE)}: ${(statsAt / (large[1] ?? NaN)).toFixed(1)} passes over AL seizures; goal: under 1 s (${statsAt < 1000 ? 'ok' : 'MISSED'})`)
  } finally {
    for (const p of sets) await p.app.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}

await main()
