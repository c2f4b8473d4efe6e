import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { as, assertProblem } from './helpers/app.js'
import { addMember, auditRows, caseApp, createCase, manualClock, moveOk, type CaseApp } from './helpers/cases.js'
import { createItem, createSeizure, custody, goodsLine, type Caller, type SeizureView } from './helpers/evidence.js'

t.jobs = 2

const ROLES = ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor'] as const

/**
 * Four AL seizures and one XK seizure whose figures are worked out by hand below.
 * Every party name, identifier and address is unique text, so that a test can
 * look for it anywhere in an export.
 */
const PEOPLE = {
  s1Driver: { role: 'driver', kind: 'person', name: 'Arben Sekretari', country: 'TR', identifier: 'U09876543', address: 'Rruga Sekrete 7, Tiranë', nationality: 'TR', sex: 'male', birthDate: '1980-06-01' },
  s1Consignor: { role: 'consignor', kind: 'organisation', name: 'Kompania Fshehtë sh.p.k.', country: 'AL', identifier: 'L99999999Z', address: 'Bulevardi i Fshehtë 1, Durrës' },
  s2Owner: { role: 'owner', kind: 'person', name: 'Merita Emërfshehur', country: 'AL', identifier: 'BB7654321', address: 'Lagjja Sekrete, Shkodër', nationality: 'AL', sex: 'female', birthDate: '1990-02-01' },
  s3Declarant: { role: 'declarant', kind: 'person', name: 'Zef Anonimi', country: 'ME', identifier: 'ME-5544332', address: 'Ulica Tajna 3, Bar', sex: 'unknown' },
  s0Consignee: { role: 'consignee', kind: 'organisation', name: 'Import Fshehur Ltd', country: 'GB', identifier: 'GB123456789000', address: '1 Hidden Lane, Dover' },
  xkCarrier: { role: 'carrier', kind: 'organisation', name: 'Transporti Sekret L.L.C.', country: 'XK', identifier: '810000001', address: 'Rr. e Fshehtë 9, Prizren' }
} as const

const FORMULA = '=HYPERLINK("http://x.test","click")'

async function dataSet (ctx: CaseApp) {
  const { app } = ctx
  const officer = await ctx.user('al.officer')
  const s0 = await createSeizure(app, officer.token, {
    occurredAt: '2025-12-31T23:59:00Z', direction: 'import', transportMode: 'road', detectionMethod: 'risk_profile', conveyance: 'Truck ZZ-SECRET-0', narrative: 'Narrative naming Import Fshehur Ltd again.',
    parties: [PEOPLE.s0Consignee], goods: [goodsLine({ description: 'Ball bearings', hsCode: '848210', strategic: { controlled: false } })]
  })
  const s1 = await createSeizure(app, officer.token, {
    occurredAt: '2026-01-05T10:00:00Z', direction: 'export', transportMode: 'road', detectionMethod: 'risk_profile', conveyance: 'Truck ZZ-SECRET-1',
    parties: [PEOPLE.s1Driver, PEOPLE.s1Consignor], goods: [goodsLine()]
  })
  const s2 = await createSeizure(app, officer.token, {
    occurredAt: '2026-01-31T23:30:00Z', direction: 'import', transportMode: 'air', detectionMethod: 'xray_scanner', conveyance: 'Flight ZZ-SECRET-2',
    place: { name: 'Tirana International Airport', type: 'airport', locode: 'ALTIA' },
    parties: [PEOPLE.s2Owner],
    goods: [
      goodsLine({ description: 'Night-vision sights', hsCode: '901380', quantity: 2, strategic: { controlled: true, regime: 'wassenaar', entry: 'ML15.a' } }),
      goodsLine({ description: 'Triethanolamine', hsCode: '292215', quantity: 200, unit: 'LTR', strategic: { controlled: true, regime: 'EU-2021/821', entry: '1C350.d.9' } })
    ]
  })
  const s3 = await createSeizure(app, officer.token, {
    occurredAt: '2026-02-10T10:00:00Z', direction: 'transit', transportMode: 'sea', detectionMethod: 'documentary_check', conveyance: 'Vessel ZZ-SECRET-3', concealment: FORMULA,
    place: { name: 'Port of Durrës', type: 'seaport', locode: 'ALDRZ' },
    parties: [PEOPLE.s3Declarant], goods: [goodsLine({ description: '@SUM(1+1) oscilloscopes', hsCode: '903020' })]
  })
  const xkOfficer = await ctx.user('xk.officer')
  const s4 = await createSeizure(app, xkOfficer.token, {
    occurredAt: '2026-02-15T10:00:00Z', direction: 'import', transportMode: 'rail', detectionMethod: 'detector_dog', route: { origin: 'RS', destination: 'XK', transit: [] },
    place: { name: 'Fushë Kosovë rail station', type: 'rail_station' }, parties: [PEOPLE.xkCarrier], goods: [goodsLine({ strategic: { controlled: false } })]
  })
  const secrets = [
    ...Object.values(PEOPLE).flatMap((p) => [p.name, p.identifier, p.address]),
    ...Object.values(PEOPLE).flatMap((p) => ('birthDate' in p ? [p.birthDate] : [])),
    'ZZ-SECRET', 'Narrative naming'
  ]
  return { officer, s0, s1, s2, s3, s4, secrets }
}

const get = async (ctx: CaseApp, caller: Caller | string, url: string): Promise<LightMyRequestResponse> => as(ctx.app, typeof caller === 'string' ? caller : caller.token)('GET', url)
const near = (actual: unknown, expected: number): boolean => typeof actual === 'number' && Math.abs(actual - expected) < 0.001

t.test('GET /api/stats computes the figures of a known data set: per month and agency, method, mode, regime, custody, medians, outcomes', async (t) => {
  const clock = manualClock('2026-03-01T08:00:00Z')
  const ctx = await caseApp(t, { clock })
  const { app } = ctx
  const { officer, s0, s1, s2, s3 } = await dataSet(ctx)
  const custodian = await ctx.user('al.custodian')
  const investigator = await ctx.user('al.investigator')
  const prosecutor = await ctx.user('al.prosecutor')

  // Items: two stay in custody, one is in transit, one at the laboratory.
  await createItem(app, officer.token, s0.id)
  await createItem(app, officer.token, s1.id)
  const inTransit = await createItem(app, officer.token, s2.id)
  const examined = await createItem(app, officer.token, s3.id)
  t.equal((await custody(app, officer.token, inTransit.id, { type: 'transferred', toUserId: custodian.id })).statusCode, 201, 'an item is handed over, not yet received')
  t.equal((await custody(app, officer.token, examined.id, { type: 'checked_out', purpose: 'Laboratory' })).statusCode, 201, 'an item is checked out for examination')

  // Cases: c1, c2 and c3 are referred 60, 50 and 40 days after their seizure; c2 closes 10 days
  // after referral, c1 30 days after; c4 closes at once without referral.
  const open = async (s: SeizureView) => {
    const c = await createCase(app, investigator.token, [s.id])
    await addMember(app, investigator.token, c.id, prosecutor.id, 'prosecutor')
    await moveOk(app, investigator.token, c.id, 'investigation', 'Started')
    return c
  }
  const c1 = await open(s1)
  const c2 = await open(s2)
  const c3 = await open(s3)
  const c4 = await createCase(app, investigator.token, [s3.id])
  await moveOk(app, investigator.token, c4.id, 'closed', 'Penalty paid', 'administrative_penalty')
  const at = async (iso: string, step: (lead: Caller, prosecutor: Caller) => Promise<unknown>): Promise<void> => {
    clock.set(iso)
    await ctx.relogin()
    await step(await ctx.user('al.investigator'), await ctx.user('al.prosecutor'))
  }
  await at('2026-03-06T10:00:00Z', async (lead) => moveOk(app, lead.token, c1.id, 'referred', 'Complete'))
  await at('2026-03-10T10:00:00Z', async (_lead, p) => moveOk(app, p.token, c1.id, 'in_court', 'Indicted'))
  await at('2026-03-22T10:00:00Z', async (lead) => moveOk(app, lead.token, c3.id, 'referred', 'Complete'))
  await at('2026-03-22T23:30:00Z', async (lead) => moveOk(app, lead.token, c2.id, 'referred', 'Complete'))
  await at('2026-04-01T23:30:00Z', async (_lead, p) => moveOk(app, p.token, c2.id, 'closed', 'Withdrawn', 'dismissed'))
  await at('2026-04-05T10:00:00Z', async (_lead, p) => moveOk(app, p.token, c1.id, 'closed', 'Judgment', 'convicted'))

  const auditor = await ctx.user('al.auditor')
  const res = await get(ctx, auditor, '/api/stats')
  t.equal(res.statusCode, 200, 'the auditor reads the figures')
  const stats = res.json<Record<string, any>>()
  t.equal(stats.seizures, 4, 'four seizures of AL-CUSTOMS (not the XK one)')
  t.same(stats.seizuresPerMonth, [
    { month: '2025-12', agency: 'AL-CUSTOMS', count: 1 },
    { month: '2026-01', agency: 'AL-CUSTOMS', count: 2 },
    { month: '2026-02', agency: 'AL-CUSTOMS', count: 1 }
  ], 'seizures per month and agency, in month order')
  const byKey = (rows: Array<{ key: string, count: number }>): Record<string, number> => Object.fromEntries(rows.map((r) => [r.key, r.count]))
  t.same(byKey(stats.byDetectionMethod), { risk_profile: 2, xray_scanner: 1, documentary_check: 1 }, 'by detection method')
  t.same(byKey(stats.byTransportMode), { road: 2, air: 1, sea: 1 }, 'by transport mode')
  t.same(byKey(stats.byDirection), { import: 2, export: 1, transit: 1 }, 'by direction')
  const regimes = Object.fromEntries((stats.byRegimeAndCategory as Array<{ regime: string, category: string, count: number }>).map((r) => [`${r.regime} ${r.category}`, r.count]))
  t.same(regimes, { 'EU-2021/821 3': 2, 'EU-2021/821 1': 1, 'wassenaar M': 1 }, 'seizures with controlled goods by regime and list category (3A225 twice, 1C350 and ML15 once)')
  t.same(byKey(stats.itemsByStatus), { in_custody: 2, in_transit: 1, at_examination: 1 }, 'items by custody status')
  t.ok(near(stats.medianDaysSeizureToReferral, 50), `median from seizure to referral of 60, 50 and 40 days is 50 (got ${stats.medianDaysSeizureToReferral})`)
  t.equal(stats.casesReferred, 3, 'three cases were referred')
  t.ok(near(stats.medianDaysReferralToClosing, 20), `median from referral to closing of 30 and 10 days is 20 (got ${stats.medianDaysReferralToClosing})`)
  t.equal(stats.casesClosed, 2, 'two referred cases were closed (the one closed without referral does not count)')
  t.same(byKey(stats.outcomes), { convicted: 1, dismissed: 1, administrative_penalty: 1 }, 'outcomes of closed cases')

  const january = (await get(ctx, auditor, '/api/stats?from=2026-01-01&to=2026-01-31')).json<Record<string, any>>()
  t.match(january, { from: '2026-01-01', to: '2026-01-31', seizures: 2 }, 'from/to: January holds the seizures of 5 January and of 31 January at 23:30 (the last day counts whole), not 31 December')
  t.same(january.seizuresPerMonth, [{ month: '2026-01', agency: 'AL-CUSTOMS', count: 2 }], 'from/to: only January')
  t.same(byKey(january.itemsByStatus), { in_custody: 1, in_transit: 1 }, 'from/to: items of January\'s seizures')
  t.ok(near(january.medianDaysSeizureToReferral, 55), `from/to: median of 60 and 50 days is 55 (got ${january.medianDaysSeizureToReferral})`)
  t.ok(near(january.medianDaysReferralToClosing, 20), 'from/to: median of 30 and 10 days is 20')
  t.same(byKey(january.outcomes), { convicted: 1, dismissed: 1 }, 'from/to: outcomes of January\'s cases')
  const empty = (await get(ctx, auditor, '/api/stats?from=2027-01-01')).json<Record<string, any>>()
  t.same(
    { seizures: empty.seizures, perMonth: empty.seizuresPerMonth, toReferral: empty.medianDaysSeizureToReferral, toClosing: empty.medianDaysReferralToClosing, referred: empty.casesReferred, closed: empty.casesClosed, outcomes: empty.outcomes, items: empty.itemsByStatus },
    { seizures: 0, perMonth: [], toReferral: null, toClosing: null, referred: 0, closed: 0, outcomes: [], items: [] },
    'a period without seizures gives zeros, empty lists and no medians')
  assertProblem(t, await get(ctx, auditor, '/api/stats?from=2026-13-01'), 400, { code: 'validation-failed' }, 'a from that is not a date')
  assertProblem(t, await get(ctx, auditor, '/api/stats?agency=XK-CUSTOMS'), 400, { code: 'validation-failed' }, 'an unknown filter')

  const alAdmin = (await get(ctx, await ctx.user('al.admin'), '/api/stats')).json<Record<string, any>>()
  t.equal(alAdmin.seizures, 4, 'the agency admin sees the same figures as the auditor: their own agency')
  await ctx.relogin({ admin: true })
  const root = (await get(ctx, ctx.admin, '/api/stats')).json<Record<string, any>>()
  t.equal(root.seizures, 5, 'the bootstrap admin sees every agency')
  t.same(root.seizuresPerMonth.filter((r: { month: string }) => r.month === '2026-02'), [{ month: '2026-02', agency: 'AL-CUSTOMS', count: 1 }, { month: '2026-02', agency: 'XK-CUSTOMS', count: 1 }], 'per month and agency: February has one seizure of each agency')
  const xk = (await get(ctx, await ctx.user('xk.auditor'), '/api/stats')).json<Record<string, any>>()
  t.equal(xk.seizures, 1, 'the XK auditor counts only XK-CUSTOMS\'s seizure')
  t.same(xk.seizuresPerMonth, [{ month: '2026-02', agency: 'XK-CUSTOMS', count: 1 }], 'and sees only XK-CUSTOMS in the months')
  t.same([xk.casesReferred, xk.outcomes], [0, []], 'and none of AL\'s cases')

  for (const role of ['officer', 'custodian', 'investigator', 'prosecutor'] as const) {
    assertProblem(t, await get(ctx, await ctx.user(`al.${role}`), '/api/stats'), 403, { code: 'forbidden' }, `GET /api/stats as ${role}`)
  }
})

// ---------------------------------------------------------------------------
// CEN export

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(field); field = '' } else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++ } else field += ch
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row) }
  return rows
}

interface CenSeizure { reference: string, date: string, transportMode: string, concealment: string | null, goods: Array<{ hsCode: string, description: string }>, offenders: Array<{ role: string, nationality: string | null, sex: string | null, age: number | null }> }

async function cenSetup (t: Test) {
  const ctx = await caseApp(t)
  const data = await dataSet(ctx)
  return { ctx, ...data, auditor: await ctx.user('al.auditor') }
}

t.test('GET /api/exports/cen?format=json is non-nominal: offenders as nationality, sex and age; no name, identifier or address', async (t) => {
  const { ctx, s0, s1, s2, s3, auditor, secrets } = await cenSetup(t)
  const res = await get(ctx, auditor, '/api/exports/cen?format=json')
  t.equal(res.statusCode, 200, 'the auditor exports')
  t.match(res.headers['content-type'], /^application\/json/, 'as JSON')
  t.match(res.headers['content-disposition'], /^attachment; filename="cen-all-all\.json"/, 'as a download')
  const leaked = secrets.filter((s) => res.body.includes(s))
  t.same(leaked, [], 'no party name, identifier, address, date of birth, conveyance or narrative appears anywhere in the JSON')
  const body = res.json<{ seizures: CenSeizure[] }>()
  t.same(body.seizures.map((s) => s.reference), [s0.reference, s1.reference, s2.reference, s3.reference], 'the four AL seizures, oldest first, not the XK one')
  const of = (ref: string): CenSeizure | undefined => body.seizures.find((s) => s.reference === ref)
  t.match(of(s1.reference), { date: '2026-01-05', transportMode: 'road', goods: [{ hsCode: '850440' }] }, 'a seizure carries its date, mode and goods')
  t.same(of(s1.reference)?.offenders, [{ role: 'driver', nationality: 'TR', sex: 'male', age: 45 }], 'the driver born 1 June 1980 is 45 on 5 January 2026; the company is no offender')
  t.same(of(s2.reference)?.offenders, [{ role: 'owner', nationality: 'AL', sex: 'female', age: 35 }], 'born 1 February 1990, she is still 35 on 31 January 2026')
  t.same(of(s3.reference)?.offenders, [{ role: 'declarant', nationality: null, sex: 'unknown', age: null }], 'an unknown nationality and birth date stay unknown')
  t.same(of(s0.reference)?.offenders, [], 'an organisation only: no offender')

  const february = (await get(ctx, auditor, '/api/exports/cen?from=2026-02-01&to=2026-02-28&format=json')).json<{ seizures: CenSeizure[] }>()
  t.same(february.seizures.map((s) => s.reference), [s3.reference], 'from/to limits the export to February')
  const exports = auditRows(ctx.app, 'export.cen')
  t.same(exports.map((e) => ({ actor: e.actor, format: e.data.format, from: e.data.from, to: e.data.to, seizures: e.data.seizures })), [
    { actor: auditor.id, format: 'json', from: null, to: null, seizures: 4 },
    { actor: auditor.id, format: 'json', from: '2026-02-01', to: '2026-02-28', seizures: 1 }
  ], 'each export is audited with who, the period, the format and how many seizures left')
})

t.test('GET /api/exports/cen?format=csv is non-nominal, one row per goods line, and guards against spreadsheet formulas', async (t) => {
  const { ctx, s1, s2, s3, auditor, secrets } = await cenSetup(t)
  const res = await get(ctx, auditor, '/api/exports/cen?format=csv')
  t.equal(res.statusCode, 200, 'the auditor exports')
  t.match(res.headers['content-type'], /^text\/csv/, 'as CSV')
  const leaked = secrets.filter((s) => res.body.includes(s))
  t.same(leaked, [], 'no party name, identifier, address, date of birth, conveyance or narrative appears anywhere in the CSV')
  const [header, ...rows] = parseCsv(res.body)
  t.ok(header !== undefined && header.includes('reference') && header.includes('offenders') && header.includes('concealment'), 'a header row names the columns')
  const col = (name: string): number => header?.indexOf(name) ?? -1
  const rowsOf = (ref: string): string[][] => rows.filter((r) => r[col('reference')] === ref)
  t.equal(rows.length, 5, 'one row per goods line: 1 + 1 + 2 + 1')
  t.ok(rows.every((r) => r.length === header?.length), 'every row has every column')
  t.equal(rowsOf(s2.reference).length, 2, 'the seizure with two goods lines has two rows')
  t.equal(rowsOf(s1.reference)[0]?.[col('offenders')], 'TR/male/45', 'offenders appear as nationality/sex/age')
  t.equal(rowsOf(s2.reference)[1]?.[col('offenders')], 'AL/female/35', 'on every row of their seizure')
  t.equal(rowsOf(s3.reference)[0]?.[col('concealment')], `'${FORMULA}`, 'a concealment starting with "=" is prefixed with \' so it is not run as a formula')
  t.equal(rowsOf(s3.reference)[0]?.[col('goods_description')], '\'@SUM(1+1) oscilloscopes', 'so is a description starting with "@"')
  t.ok(rows.every((r) => r.every((f) => !/^[=+@]/.test(f))), 'no field starts with =, + or @')
  t.same(auditRows(ctx.app, 'export.cen').map((e) => e.data.format), ['csv'], 'the CSV export is audited')
})

t.test('the figures and the CEN export answer auditors and admins only', async (t) => {
  const ctx = await caseApp(t)
  const before = auditRows(ctx.app, 'export.cen').length
  for (const role of ROLES) {
    const caller = await ctx.user(`al.${role}`)
    for (const url of ['/api/stats', '/api/exports/cen?format=csv', '/api/exports/cen?format=json']) {
      const res = await get(ctx, caller, url)
      if (role === 'admin' || role === 'auditor') t.equal(res.statusCode, 200, `GET ${url} as ${role}: 200`)
      else assertProblem(t, res, 403, { code: 'forbidden' }, `GET ${url} as ${role}`)
    }
  }
  t.equal(auditRows(ctx.app, 'export.cen').length - before, 4, 'only the four allowed exports were audited')
  assertProblem(t, await get(ctx, await ctx.user('al.auditor'), '/api/exports/cen?format=xlsx'), 400, { code: 'validation-failed' }, 'an unknown format')
})
