import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { as, assertProblem, auditEntries, auditSize } from './helpers/app.js'
import { createSeizure, evidenceApp, goodsLine, rowCount, seizureBody, type SeizureView } from './helpers/evidence.js'

const YEAR = new Date().getUTCFullYear()

interface FieldErrors { errors: Array<{ field: string, message: string }> }

/** A fresh app whose numbering starts at 1: an AL and an XK officer. */
async function numberingApp (t: Test) {
  const { app, user } = await evidenceApp(t)
  return { app, al: await user('al.officer'), xk: await user('xk.officer') }
}

/** Every page of GET /api/seizures?query with `limit`, in order. */
async function allPages (call: ReturnType<typeof as>, query: Record<string, string>, limit: number): Promise<{ pages: number, ids: string[] }> {
  const ids: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const params = new URLSearchParams({ ...query, limit: String(limit), ...(cursor === null ? {} : { cursor }) })
    const res = await call('GET', `/api/seizures?${params.toString()}`)
    if (res.statusCode !== 200) throw new Error(`GET /api/seizures failed: ${res.statusCode} ${res.body}`)
    const page = res.json<{ items: SeizureView[], nextCursor: string | null }>()
    if (page.items.length > limit) throw new Error(`a page holds ${page.items.length} items, more than the limit ${limit}`)
    ids.push(...page.items.map((s) => s.id))
    cursor = page.nextCursor
    pages++
  } while (cursor !== null && pages < 100)
  return { pages, ids }
}

/** Asserts a 400 whose errors[] names `field` with a message matching `message`. */
function assertFieldError (t: Test, res: LightMyRequestResponse, field: string, message: RegExp, what: string): void {
  assertProblem(t, res, 400, { code: 'validation-failed', errors: [] }, what)
  const errors = (res.json<FieldErrors>().errors ?? [])
  const hit = errors.find((e) => e.field === field)
  t.ok(hit, `${what}: errors[] names the field ${field} (got ${JSON.stringify(errors.map((e) => e.field))})`)
  t.match(hit?.message ?? '', message, `${what}: the message for ${field} says ${String(message)}`)
}

t.test('POST /api/seizures answers 201 with gapless references per agency and year', async (t) => {
  const { app, al, xk } = await numberingApp(t)
  const first = await as(app, al.token)('POST', '/api/seizures', seizureBody())
  t.equal(first.statusCode, 201, 'the first seizure is created')
  t.match(first.headers['content-type'], /^application\/json/, 'the seizure is answered as JSON')
  const s1 = first.json<SeizureView>()
  t.equal(s1.reference, `AL-${YEAR}-000001`, 'the first AL seizure of the year is AL-<year>-000001')
  t.match(s1, { id: String, version: 1, occurredAt: '2026-03-29T08:40:00.000Z', place: { name: 'Morinë border crossing', locode: 'ALMOR' }, goods: [{ hsCode: '850440', strategic: { controlled: true, regime: 'EU-2021/821', entry: '3A225' } }], parties: [{ role: 'consignor', name: 'Drini Trading sh.p.k.' }] }, 'the answer holds what was sent')
  const s2 = await createSeizure(app, al.token)
  t.equal(s2.reference, `AL-${YEAR}-000002`, 'the second AL seizure is AL-<year>-000002')
  const x1 = await createSeizure(app, xk.token, { place: { name: 'Vërmica border crossing', type: 'road_border_crossing' } })
  t.equal(x1.reference, `XK-${YEAR}-000001`, 'a Kosovo officer\'s seizure is numbered XK-<year>-000001, its own series')
  const s3 = await createSeizure(app, al.token)
  t.equal(s3.reference, `AL-${YEAR}-000003`, 'the XK seizure took no number from the AL series')
  const read = await as(app, al.token)('GET', `/api/seizures/${s1.id}`)
  t.equal(read.statusCode, 200, 'GET /api/seizures/:id reads the seizure back')
  t.match(read.json(), { id: s1.id, reference: s1.reference, version: 1, items: [] }, 'the read seizure has its reference and (no) items')
})

t.test('a refused seizure takes no reference number: the series stays gapless', async (t) => {
  const { app, al } = await numberingApp(t)
  await createSeizure(app, al.token)
  const refused = await as(app, al.token)('POST', '/api/seizures', seizureBody({ goods: [goodsLine({ hsCode: '85044' })] }))
  t.equal(refused.statusCode, 400, 'an invalid seizure is refused')
  const next = await createSeizure(app, al.token)
  t.equal(next.reference, `AL-${YEAR}-000002`, 'the next valid seizure gets the next number')
})

t.test('20 concurrent POST /api/seizures get 20 distinct, consecutive references with no gap', async (t) => {
  const { app, al } = await numberingApp(t)
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    as(app, al.token)('POST', '/api/seizures', seizureBody({ conveyance: `Truck ${i}` }))))
  t.same(responses.map((r) => r.statusCode), Array(20).fill(201), 'all 20 creations succeed')
  const refs = responses.map((r) => r.json<SeizureView>().reference)
  t.equal(new Set(refs).size, 20, 'the 20 references are distinct')
  const numbers = refs.map((r) => {
    const m = /^AL-(\d{4})-(\d{6})$/.exec(r)
    return m === null ? NaN : Number(m[2])
  }).sort((a, b) => a - b)
  t.same(numbers, Array.from({ length: 20 }, (_, i) => i + 1), 'the numbers are exactly 1 to 20: consecutive, no gap')
  t.ok(refs.every((r) => r.startsWith(`AL-${YEAR}-`)), 'every reference is of this agency and year')
  t.equal(rowCount(app, 'seizures'), 20, 'exactly 20 seizures were stored')
})

t.test('POST /api/seizures refuses invalid goods lines with 400 naming the field and saying why', async (t) => {
  const { app, user } = await evidenceApp(t)
  const officer = await user('al.officer')
  const call = as(app, officer.token)
  const cases: Array<{ what: string, line: Record<string, unknown>, field: string, message: RegExp }> = [
    { what: 'a 5-digit HS code', line: { hsCode: '85044' }, field: 'hsCode', message: /not an HS code.*6 to 10 digits/ },
    { what: 'an HS code with a letter', line: { hsCode: '85A440' }, field: 'hsCode', message: /not an HS code/ },
    { what: 'an 11-digit HS code', line: { hsCode: '85044000001' }, field: 'hsCode', message: /not an HS code/ },
    { what: 'controlled goods without a control-list entry', line: { strategic: { controlled: true, regime: 'EU-2021/821' } }, field: 'strategic/entry', message: /control-list entry/ },
    { what: 'controlled goods without a regime', line: { strategic: { controlled: true, entry: '3A225' } }, field: 'strategic/regime', message: /regime/ },
    { what: 'an EU-2021/821 entry "3X225"', line: { strategic: { controlled: true, regime: 'EU-2021/821', entry: '3X225' } }, field: 'strategic/entry', message: /"3X225" is not a EU-2021\/821 control-list entry.*3A001\.a\.1/ },
    { what: 'an EU-2021/821 entry "foo"', line: { strategic: { controlled: true, regime: 'EU-2021/821', entry: 'foo' } }, field: 'strategic/entry', message: /"foo" is not a EU-2021\/821 control-list entry/ },
    { what: 'a regime on goods marked not controlled', line: { strategic: { controlled: false, regime: 'EU-2021/821' } }, field: 'strategic/controlled', message: /mark the goods as controlled/ },
    { what: 'an entry on goods marked not controlled', line: { strategic: { controlled: false, entry: '3A225' } }, field: 'strategic/controlled', message: /mark the goods as controlled/ },
    { what: 'a valid licence without its number', line: { licence: { status: 'valid' } }, field: 'licence/number', message: /licence with status "valid" needs its number/ },
    { what: 'a suspected forgery without its number', line: { licence: { number: null, status: 'suspected_forgery' } }, field: 'licence/number', message: /needs its number/ }
  ]
  const before = await auditSize(app)
  const seizuresBefore = rowCount(app, 'seizures')
  for (const c of cases) {
    // The bad line is the second one, so the field must point at index 1.
    const res = await call('POST', '/api/seizures', seizureBody({ goods: [goodsLine(), goodsLine(c.line as Partial<ReturnType<typeof goodsLine>>)] }))
    assertFieldError(t, res, `body/goods/1/${c.field}`, c.message, c.what)
  }
  t.equal(await auditSize(app), before, 'no refused seizure was audited')
  t.equal(rowCount(app, 'seizures'), seizuresBefore, 'no refused seizure was stored')

  const dotted = await call('POST', '/api/seizures', seizureBody({ goods: [goodsLine({ hsCode: '8504.40' }), goodsLine({ hsCode: '8542310000', strategic: { controlled: true, regime: 'EU-2021/821', entry: '3A001.a.1' } })] }))
  t.equal(dotted.statusCode, 201, 'an HS code written 8504.40, a 10-digit code and the entry 3A001.a.1 are accepted')
  t.match(dotted.json(), { goods: [{ hsCode: '850440' }, { hsCode: '8542310000', strategic: { entry: '3A001.a.1' } }] }, 'the HS code is stored as digits')
  const valid = await call('POST', '/api/seizures', seizureBody({ goods: [goodsLine({ licence: { number: 'AL-EXP-2026-0042', status: 'valid' } })] }))
  t.equal(valid.statusCode, 201, 'a valid licence with its number is accepted')
})

t.test('POST /api/seizures refuses unknown fields, at the top and inside a goods line', async (t) => {
  const { app, user } = await evidenceApp(t)
  const officer = await user('al.officer')
  const call = as(app, officer.token)
  const before = rowCount(app, 'seizures')
  assertFieldError(t, await call('POST', '/api/seizures', { ...seizureBody(), colour: 'red' }), 'body/colour', /unknown field "colour"/, 'an unknown top-level field')
  assertFieldError(t, await call('POST', '/api/seizures', seizureBody({ goods: [{ ...goodsLine(), weight: 3 }] })), 'body/goods/0/weight', /unknown field "weight"/, 'an unknown goods-line field')
  assertProblem(t, await call('POST', '/api/seizures', seizureBody({ direction: 'sideways' })), 400, { code: 'validation-failed' }, 'an unknown direction')
  assertProblem(t, await call('POST', '/api/seizures', seizureBody({ goods: [goodsLine({ quantity: '12' as unknown as number })] })), 400, { code: 'validation-failed' }, 'a quantity sent as text (no coercion)')
  t.equal(rowCount(app, 'seizures'), before, 'nothing was stored')
})

t.test('PATCH /api/seizures/:id with a reason records version 2; version 1 stays readable; both are audited', async (t) => {
  const { app, admin, user } = await evidenceApp(t)
  const officer = await user('al.officer')
  const call = as(app, officer.token)
  const created = await createSeizure(app, officer.token)
  const before = await auditSize(app)
  const res = await call('PATCH', `/api/seizures/${created.id}`, { reason: 'Conveyance registration misread at the scene', conveyance: 'Truck AA321BB' })
  t.equal(res.statusCode, 200, 'the correction is accepted')
  t.match(res.json(), { id: created.id, reference: created.reference, version: 2, conveyance: 'Truck AA321BB', narrative: created.narrative }, 'the answer is version 2 with the change and the rest kept')
  t.equal(await auditSize(app), before + 1, 'the correction adds one audit entry')

  const current = await call('GET', `/api/seizures/${created.id}`)
  t.match(current.json(), { version: 2, conveyance: 'Truck AA321BB' }, 'GET answers the corrected version')

  const versions = await call('GET', `/api/seizures/${created.id}/versions`)
  t.equal(versions.statusCode, 200, 'GET /api/seizures/:id/versions answers')
  const list = versions.json<{ items: Array<{ version: number, reason: string | null, seizure: SeizureView }> }>().items
  t.equal(list.length, 2, 'two versions are listed')
  t.match(list[0], { version: 1, reason: null }, 'the first is version 1, without a reason')
  t.same(list[0]?.seizure, created, 'version 1 is exactly the seizure as first recorded')
  t.match(list[1], { version: 2, reason: 'Conveyance registration misread at the scene', seizure: { version: 2, conveyance: 'Truck AA321BB' } }, 'the second is version 2 with its reason')

  const entries = await auditEntries(app, admin, { entityId: created.id })
  t.same(entries.map((e) => e.action), ['seizure.create', 'seizure.correct'], 'the seizure\'s audit trail is its creation, then its correction')
  t.match(JSON.parse(entries[0]?.canonical ?? '{}'), { actor: officer.id, data: { id: created.id, version: 1, conveyance: 'Truck AA123BB' } }, 'the creation entry holds version 1')
  t.match(JSON.parse(entries[1]?.canonical ?? '{}'), { actor: officer.id, data: { reason: 'Conveyance registration misread at the scene', seizure: { version: 2, conveyance: 'Truck AA321BB' } } }, 'the correction entry holds the reason and version 2')
})

t.test('PATCH /api/seizures/:id without a reason, or with invalid goods, is refused and changes nothing', async (t) => {
  const { app, user } = await evidenceApp(t)
  const officer = await user('al.officer')
  const call = as(app, officer.token)
  const created = await createSeizure(app, officer.token)
  const before = await auditSize(app)
  assertFieldError(t, await call('PATCH', `/api/seizures/${created.id}`, { conveyance: 'Truck ZZ', narrative: 'Changed.' }), 'body/reason', /required/, 'a correction without a reason')
  assertProblem(t, await call('PATCH', `/api/seizures/${created.id}`, { conveyance: 'Truck ZZ' }), 400, { code: 'validation-failed' }, 'a one-field correction without a reason')
  assertProblem(t, await call('PATCH', `/api/seizures/${created.id}`, { reason: '', conveyance: 'Truck ZZ' }), 400, { code: 'validation-failed' }, 'a correction with an empty reason')
  assertFieldError(t, await call('PATCH', `/api/seizures/${created.id}`, { reason: 'HS code', goods: [goodsLine({ hsCode: '85A440' })] }), 'body/goods/0/hsCode', /not an HS code/, 'a correction with an invalid HS code')
  assertProblem(t, await call('PATCH', `/api/seizures/${created.id}`, { reason: 'typo', colour: 'red' }), 400, { code: 'validation-failed' }, 'a correction with an unknown field')
  t.equal(await auditSize(app), before, 'no refused correction was audited')
  const versions = (await call('GET', `/api/seizures/${created.id}/versions`)).json<{ items: unknown[] }>().items
  t.equal(versions.length, 1, 'there is still one version')
  t.match((await call('GET', `/api/seizures/${created.id}`)).json(), { version: 1, conveyance: 'Truck AA123BB' }, 'the seizure is unchanged')
})

t.test('GET /api/seizures filters by dates, place, HS code prefix, control entry, party and free text', async (t) => {
  const { app, user } = await evidenceApp(t)
  const officer = await user('al.officer')
  const call = as(app, officer.token)
  const morine = await createSeizure(app, officer.token, {
    occurredAt: '2026-01-10T08:40:00Z',
    narrative: 'Stopped at Morinë after a risk-profile hit; the driver said the boxes were spare parts.'
  })
  const durres = await createSeizure(app, officer.token, {
    occurredAt: '2026-02-15T12:00:00Z',
    place: { name: 'Durrës seaport', type: 'seaport', locode: 'ALDRZ' },
    transportMode: 'sea',
    conveyance: 'Container MSCU1234565',
    narrative: 'Container of laptops with undeclared encryption modules.',
    parties: [{ role: 'consignee', kind: 'organisation', name: 'Adriatic Logistics', country: 'AL' }],
    goods: [goodsLine({ description: 'Laptops', hsCode: '847130', strategic: { controlled: false }, value: null })]
  })
  const tirana = await createSeizure(app, officer.token, {
    occurredAt: '2026-03-20T10:00:00Z',
    place: { name: 'Tirana International Airport', type: 'airport', locode: 'ALTIA' },
    transportMode: 'air',
    conveyance: 'Flight W6 4112',
    narrative: 'Hand luggage with integrated circuits.',
    parties: [{ role: 'consignor', kind: 'organisation', name: 'Nexus Electronics GmbH', country: 'DE' }, { role: 'driver', kind: 'person', name: 'Ilir Gashi', nationality: 'XK', sex: 'male', birthDate: '1980-04-02' }],
    goods: [goodsLine({ description: 'Field programmable gate arrays', hsCode: '8542310000', strategic: { controlled: true, regime: 'EU-2021/821', entry: '3A001.a.1' } })]
  })
  const mine = [morine.id, durres.id, tirana.id]
  const names: Record<string, string> = { [morine.id]: 'Morinë', [durres.id]: 'Durrës', [tirana.id]: 'Tirana' }

  /** The ids of my three seizures that `query` answers (other seizures, e.g. demo ones, are ignored). */
  async function found (query: Record<string, string>): Promise<string[]> {
    const res = await call('GET', `/api/seizures?${new URLSearchParams({ ...query, limit: '200' }).toString()}`)
    if (res.statusCode !== 200) throw new Error(`GET /api/seizures?${JSON.stringify(query)} failed: ${res.statusCode} ${res.body}`)
    return res.json<{ items: SeizureView[] }>().items.map((s) => s.id).filter((id) => mine.includes(id)).map((id) => names[id] ?? id).sort()
  }

  const expectations: Array<[Record<string, string>, string[]]> = [
    [{}, ['Durrës', 'Morinë', 'Tirana']],
    [{ from: '2026-02-01', to: '2026-02-28' }, ['Durrës']],
    [{ from: '2026-02-15', to: '2026-03-20' }, ['Durrës', 'Tirana']],
    [{ from: '2026-03-21' }, []],
    [{ to: '2026-01-10' }, ['Morinë']],
    [{ place: 'Morin' }, ['Morinë']],
    [{ place: 'seaport' }, ['Durrës']],
    [{ place: 'ALDRZ' }, ['Durrës']],
    [{ place: 'ALTIA' }, ['Tirana']],
    [{ hsCode: '8504' }, ['Morinë']],
    [{ hsCode: '85' }, ['Morinë', 'Tirana']],
    [{ hsCode: '847130' }, ['Durrës']],
    [{ hsCode: '9999' }, []],
    [{ controlEntry: '3A225' }, ['Morinë']],
    [{ controlEntry: '3A001' }, ['Tirana']],
    [{ controlEntry: '3A' }, ['Morinë', 'Tirana']],
    [{ party: 'Nexus' }, ['Tirana']],
    [{ party: 'trading' }, ['Morinë']],
    [{ party: 'Gashi' }, ['Tirana']],
    [{ q: 'morine' }, ['Morinë']],
    [{ q: 'Morinë' }, ['Morinë']],
    [{ q: 'durres' }, ['Durrës']],
    [{ q: 'encryption laptops' }, ['Durrës']],
    [{ q: 'gate arrays' }, ['Tirana']],
    [{ q: 'MSCU1234565' }, ['Durrës']],
    [{ q: 'risk-profile "hit' }, ['Morinë']],
    [{ q: 'nothingmatchesthis' }, []],
    [{ hsCode: '85', from: '2026-03-01' }, ['Tirana']],
    [{ q: 'morine', controlEntry: '3A001' }, []]
  ]
  for (const [query, expected] of expectations) {
    t.same(await found(query), expected, `GET /api/seizures?${new URLSearchParams(query).toString()} finds ${expected.length === 0 ? 'none of them' : expected.join(', ')}`)
  }
  assertProblem(t, await call('GET', '/api/seizures?from=yesterday'), 400, { code: 'validation-failed' }, 'a from date that is not a date')
  assertProblem(t, await call('GET', '/api/seizures?hsCode=85A'), 400, { code: 'validation-failed' }, 'an HS prefix that is not digits')
  assertProblem(t, await call('GET', '/api/seizures?cursor=bm9wZQ'), 400, { code: 'validation-failed' }, 'a cursor the server did not issue')
})

t.test('GET /api/seizures with limit and cursor visits every seizure exactly once, newest first', async (t) => {
  const { app, user } = await evidenceApp(t)
  const officer = await user('al.officer')
  const call = as(app, officer.token)
  const times = ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-05T00:00:00Z']
  const mine: string[] = []
  for (const occurredAt of times) mine.push((await createSeizure(app, officer.token, { occurredAt })).id)
  const everything = await call('GET', '/api/seizures?limit=200')
  const all = everything.json<{ items: SeizureView[], nextCursor: string | null }>()
  t.equal(all.nextCursor, null, 'one big page holds every seizure')
  for (const limit of [1, 2, 3]) {
    const { ids, pages } = await allPages(call, {}, limit)
    t.equal(new Set(ids).size, ids.length, `limit=${limit}: no seizure is listed twice`)
    t.same(ids, all.items.map((s) => s.id), `limit=${limit}: the pages together are the whole list, in the same order`)
    t.ok(mine.every((id) => ids.includes(id)), `limit=${limit}: every seizure created here was visited`)
    t.equal(pages, Math.max(1, Math.ceil(ids.length / limit)), `limit=${limit}: ${pages} pages for ${ids.length} seizures`)
  }
  const occurred = all.items.map((s) => s.occurredAt as string)
  t.same(occurred, [...occurred].sort().reverse(), 'the list is newest first')
  const filtered = await allPages(call, { from: '2026-01-02', to: '2026-01-03' }, 2)
  t.same(filtered.ids.filter((id) => mine.includes(id)).sort(), mine.slice(1, 5).sort(), 'a filtered listing pages through exactly the matching seizures')
})

t.test('another agency\'s seizure answers 404 to GET, PATCH, versions and POST items, and is not listed', async (t) => {
  const { app, user } = await evidenceApp(t)
  const alOfficer = await user('al.officer')
  const xkOfficer = await user('xk.officer')
  const xkAuditor = await user('xk.auditor')
  const seizure = await createSeizure(app, alOfficer.token)
  const before = await auditSize(app)
  for (const caller of [xkOfficer, xkAuditor]) {
    const call = as(app, caller.token)
    assertProblem(t, await call('GET', `/api/seizures/${seizure.id}`), 404, { code: 'not-found' }, `GET as ${caller.username}`)
    assertProblem(t, await call('GET', `/api/seizures/${seizure.id}/versions`), 404, { code: 'not-found' }, `GET versions as ${caller.username}`)
    assertProblem(t, await call('GET', `/api/seizures/${seizure.id}/items`), 404, { code: 'not-found' }, `GET items as ${caller.username}`)
    const list = await call('GET', '/api/seizures?limit=200')
    t.notOk(list.json<{ items: SeizureView[] }>().items.some((s) => s.id === seizure.id), `${caller.username} does not see it listed`)
  }
  const call = as(app, xkOfficer.token)
  assertProblem(t, await call('PATCH', `/api/seizures/${seizure.id}`, { reason: 'mine now', conveyance: 'x' }), 404, { code: 'not-found' }, 'PATCH by another agency')
  assertProblem(t, await call('POST', `/api/seizures/${seizure.id}/items`, { description: 'x', category: 'other' }), 404, { code: 'not-found' }, 'POST items by another agency')
  assertProblem(t, await call('GET', '/api/seizures/no-such-id'), 404, { code: 'not-found' }, 'an unknown id answers the same 404')
  t.equal(await auditSize(app), before, 'nothing was written')
  t.match((await as(app, alOfficer.token)('GET', `/api/seizures/${seizure.id}`)).json(), { version: 1, items: [] }, 'the seizure is unchanged')
})

t.test('a custodian cannot record a seizure (403); an auditor can read but not record', async (t) => {
  const { app, user } = await evidenceApp(t)
  const officer = await user('al.officer')
  const investigator = await user('al.investigator')
  const custodian = await user('al.custodian')
  const auditor = await user('al.auditor')
  const seizure = await createSeizure(app, officer.token)
  const before = rowCount(app, 'seizures')
  assertProblem(t, await as(app, custodian.token)('POST', '/api/seizures', seizureBody()), 403, { code: 'forbidden' }, 'a custodian creating a seizure')
  assertProblem(t, await as(app, auditor.token)('POST', '/api/seizures', seizureBody()), 403, { code: 'forbidden' }, 'an auditor creating a seizure')
  assertProblem(t, await as(app, auditor.token)('PATCH', `/api/seizures/${seizure.id}`, { reason: 'audit', conveyance: 'x' }), 403, { code: 'forbidden' }, 'an auditor correcting a seizure')
  t.equal(rowCount(app, 'seizures'), before, 'nothing was stored')
  t.equal((await as(app, investigator.token)('POST', '/api/seizures', seizureBody())).statusCode, 201, 'an investigator may record a seizure')
  const read = await as(app, auditor.token)('GET', `/api/seizures/${seizure.id}`)
  t.equal(read.statusCode, 200, 'the auditor reads the seizure')
  t.equal(read.json<SeizureView>().reference, seizure.reference, 'the auditor reads the right seizure')
  const list = await as(app, auditor.token)('GET', '/api/seizures?limit=200')
  t.equal(list.statusCode, 200, 'the auditor lists seizures')
  t.ok(list.json<{ items: SeizureView[] }>().items.some((s) => s.id === seizure.id), 'the list holds the seizure')
  t.equal((await as(app, auditor.token)('GET', `/api/seizures/${seizure.id}/versions`)).statusCode, 200, 'the auditor reads its versions')
  assertProblem(t, await app.inject({ method: 'GET', url: `/api/seizures/${seizure.id}` }), 401, { code: 'unauthenticated' }, 'an anonymous read')
})

t.test('POST /api/seizures/:id/items labels items <reference>-E01, -E02 and records their seized event', async (t) => {
  const { app, user } = await evidenceApp(t)
  const officer = await user('al.officer')
  const call = as(app, officer.token)
  const seizure = await createSeizure(app, officer.token)
  const first = await call('POST', `/api/seizures/${seizure.id}/items`, { description: 'Frequency changer FC-1', category: 'goods_sample', sealNumber: 'SB-0001', goodsIndex: 0 })
  t.equal(first.statusCode, 201, 'the first item is created')
  t.match(first.json(), { id: String, label: `${seizure.reference}-E01`, status: 'in_custody', custodianId: officer.id, location: null, sealNumber: 'SB-0001', sealBroken: false }, 'the first item is E01, in the officer\'s custody')
  const second = await call('POST', `/api/seizures/${seizure.id}/items`, { description: 'Commercial invoice', category: 'document' })
  t.match(second.json(), { label: `${seizure.reference}-E02` }, 'the second item is E02')
  assertFieldError(t, await call('POST', `/api/seizures/${seizure.id}/items`, { description: 'x', category: 'other', goodsIndex: 5 }), 'body/goodsIndex', /no such goods line/, 'an item on a goods line that does not exist')
  const events = await call('GET', `/api/items/${first.json<{ id: string }>().id}/custody`)
  t.match(events.json(), { items: [{ seq: 1, type: 'seized', actorId: officer.id, sealNumber: 'SB-0001' }] }, 'the item\'s chain starts with its seized event')
  const listed = await call('GET', `/api/seizures/${seizure.id}`)
  t.same(listed.json<{ items: Array<{ label: string }> }>().items.map((i) => i.label), [`${seizure.reference}-E01`, `${seizure.reference}-E02`], 'GET /api/seizures/:id lists both items in order')
})
