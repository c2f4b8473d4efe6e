import Database from 'better-sqlite3'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { databaseFile } from '../server/db/client.js'
import { as, assertProblem, auditEntries, auditSize } from './helpers/app.js'
import { createItem, createLocation, createSeizure, custody, evidenceApp, rowCount, type Caller, type ItemView } from './helpers/evidence.js'

const STATUSES = ['in_custody', 'in_transit', 'at_examination', 'released', 'returned', 'destroyed'] as const
const TYPES = ['seized', 'sealed', 'transferred', 'received', 'stored', 'checked_out', 'checked_in', 'examined', 'resealed', 'released', 'returned', 'destroyed'] as const
type Status = typeof STATUSES[number]
type EventType = typeof TYPES[number]

const SEAL = 'SB-0001234'

interface EventView {
  id: string
  itemId: string
  seq: number
  type: EventType
  occurredAt: string
  actorId: string
  fromUserId: string | null
  toUserId: string | null
  location: string | null
  sealNumber: string | null
  sealIntact: boolean | null
  item?: ItemView
}

async function setup (t: Test) {
  const { app, dir, admin, user } = await evidenceApp(t)
  const [officer, custodian, investigator] = [await user('al.officer'), await user('al.custodian'), await user('al.investigator')]
  return { app, dir, admin, user, officer, custodian, investigator }
}

const getItem = async (app: FastifyInstance, token: string, id: string): Promise<ItemView> => (await as(app, token)('GET', `/api/items/${id}`)).json<ItemView>()
const getEvents = async (app: FastifyInstance, token: string, id: string): Promise<EventView[]> => (await as(app, token)('GET', `/api/items/${id}/custody`)).json<{ items: EventView[] }>().items

/** Asserts a refused transition: 409, problem+json, code transition-refused, a reason. */
function assertRefused (t: Test, res: LightMyRequestResponse, what: string, reason?: RegExp): void {
  assertProblem(t, res, 409, { code: 'transition-refused', detail: /\S/ }, what)
  if (reason !== undefined) t.match(res.json<{ detail: string }>().detail, reason, `${what}: the reason says ${String(reason)}`)
}

function assertFieldError (t: Test, res: LightMyRequestResponse, field: string, what: string): void {
  assertProblem(t, res, 400, { code: 'validation-failed' }, what)
  const fields = (res.json<{ errors?: Array<{ field: string }> }>().errors ?? []).map((e) => e.field)
  t.ok(fields.includes(field), `${what}: errors[] names ${field} (got ${JSON.stringify(fields)})`)
}

// ---------------------------------------------------------------------------
// The state machine, written from PRODUCT.md ("Custody event") independently of
// server/services/custody-rules.ts. For each starting status and event type: the
// item's status after the event, or null where the event must be refused (409).
//
// - an item is seized once, when it is created: `seized` is always refused;
// - in custody, its custodian may seal, hand over, store, check out, examine,
//   reseal, and dispose of it (released, returned, destroyed); there is nothing
//   to receive and nothing to check in;
// - a transfer must be received before anything else happens: in transit, only
//   `received`, and only by the named recipient;
// - checked out for examination: it may be examined, sealed and resealed at the
//   laboratory and checked back in; it must be checked in before it is stored,
//   handed over, checked out again or disposed of;
// - a released, returned or destroyed item takes no further event.
const TABLE: Record<Status, Record<EventType, Status | null>> = {
  in_custody: {
    seized: null, sealed: 'in_custody', transferred: 'in_transit', received: null, stored: 'in_custody', checked_out: 'at_examination',
    checked_in: null, examined: 'in_custody', resealed: 'in_custody', released: 'released', returned: 'returned', destroyed: 'destroyed'
  },
  in_transit: {
    seized: null, sealed: null, transferred: null, received: 'in_custody', stored: null, checked_out: null,
    checked_in: null, examined: null, resealed: null, released: null, returned: null, destroyed: null
  },
  at_examination: {
    seized: null, sealed: 'at_examination', transferred: null, received: null, stored: null, checked_out: null,
    checked_in: 'in_custody', examined: 'at_examination', resealed: 'at_examination', released: null, returned: null, destroyed: null
  },
  released: Object.fromEntries(TYPES.map((type) => [type, null])) as Record<EventType, null>,
  returned: Object.fromEntries(TYPES.map((type) => [type, null])) as Record<EventType, null>,
  destroyed: Object.fromEntries(TYPES.map((type) => [type, null])) as Record<EventType, null>
}

/** An otherwise-valid body of each event type, handing over to / witnessed by `other`. */
function eventBody (type: EventType, other: Caller): Record<string, unknown> {
  switch (type) {
    case 'seized': return { type, sealNumber: SEAL }
    case 'sealed': return { type, sealNumber: 'SB-0005555' }
    case 'transferred': return { type, toUserId: other.id, purpose: 'to the evidence room' }
    case 'received': return { type, sealNumber: SEAL, sealIntact: true }
    case 'stored': return { type, location: 'TST-EVD/R1' }
    case 'checked_out': return { type, purpose: 'laboratory analysis' }
    case 'checked_in': return { type, sealNumber: SEAL, sealIntact: true }
    case 'examined': return { type, notes: 'visual inspection of the rating plate' }
    case 'resealed': return { type, sealNumber: 'SB-0007777' }
    case 'released':
    case 'returned':
    case 'destroyed':
      return { type, authority: 'Tirana District Court order 123/2026', witnessUserId: other.id }
  }
}

t.test('the custody state machine allows or refuses every event type from every item status', async (t) => {
  const { app, admin, officer, custodian, investigator } = await setup(t)
  await createLocation(app, custodian.token, 'TST-EVD')
  await createLocation(app, custodian.token, 'TST-EVD/R1', 'TST-EVD')
  const seizure = await createSeizure(app, officer.token)

  /**
   * A fresh item (held by the officer) brought to `status` through the API;
   * answers it with who acts on it next. In transit it is on its way from the
   * officer to the custodian.
   */
  async function itemIn (status: Status): Promise<ItemView> {
    const item = await createItem(app, officer.token, seizure.id)
    const step = async (body: Record<string, unknown>): Promise<void> => {
      const res = await custody(app, officer.token, item.id, body)
      if (res.statusCode !== 201) throw new Error(`setup ${status}: ${res.statusCode} ${res.body}`)
    }
    if (status === 'in_transit') await step({ type: 'transferred', toUserId: custodian.id })
    if (status === 'at_examination') await step({ type: 'checked_out', purpose: 'laboratory analysis' })
    if (status === 'released' || status === 'returned' || status === 'destroyed') await step({ type: status, authority: 'Court order 7/2026', witnessUserId: investigator.id })
    const now = await getItem(app, officer.token, item.id)
    if (now.status !== status) throw new Error(`setup: the item is ${now.status}, not ${status}`)
    return now
  }

  // Who tries the event: the current custodian; in transit both the recipient and the sender.
  const rows: Array<{ status: Status, actor: Caller, other: Caller, who: string, table: Record<EventType, Status | null> }> = [
    { status: 'in_custody', actor: officer, other: custodian, who: 'its custodian', table: TABLE.in_custody },
    { status: 'in_transit', actor: custodian, other: investigator, who: 'the named recipient', table: TABLE.in_transit },
    { status: 'in_transit', actor: officer, other: investigator, who: 'the sender', table: { ...TABLE.in_transit, received: null } },
    { status: 'at_examination', actor: officer, other: custodian, who: 'its custodian', table: TABLE.at_examination },
    { status: 'released', actor: officer, other: custodian, who: 'its last custodian', table: TABLE.released },
    { status: 'returned', actor: officer, other: custodian, who: 'its last custodian', table: TABLE.returned },
    { status: 'destroyed', actor: officer, other: custodian, who: 'its last custodian', table: TABLE.destroyed }
  ]
  let allowed = 0
  let refused = 0
  for (const row of rows) {
    for (const type of TYPES) {
      const expected = row.table[type]
      const item = await itemIn(row.status)
      const eventsBefore = await getEvents(app, officer.token, item.id)
      const auditBefore = await auditSize(app)
      const what = `${type} on an item ${row.status} by ${row.who}`
      const res = await custody(app, row.actor.token, item.id, eventBody(type, row.other))
      if (expected === null) {
        refused++
        assertRefused(t, res, `${what} is refused`)
        t.same(await getItem(app, officer.token, item.id), item, `${what}: the item is unchanged`)
        t.equal((await getEvents(app, officer.token, item.id)).length, eventsBefore.length, `${what}: no event was added`)
        t.equal(await auditSize(app), auditBefore, `${what}: nothing was audited`)
      } else {
        allowed++
        t.equal(res.statusCode, 201, `${what} is allowed (got ${res.statusCode} ${res.statusCode === 201 ? '' : res.body})`)
        t.match(res.json(), { id: String, seq: eventsBefore.length + 1, type, actorId: row.actor.id }, `${what}: the event is answered with the next seq`)
        t.equal((await getItem(app, officer.token, item.id)).status, expected, `${what}: the item is then ${expected}`)
        t.equal(await auditSize(app), auditBefore + 1, `${what}: one audit entry`)
        t.same((await auditEntries(app, admin, { entityId: res.json<EventView>().id })).map((e) => e.action), [`custody.${type}`], `${what}: audited as custody.${type}`)
      }
    }
  }
  t.equal(allowed + refused, rows.length * TYPES.length, `all ${rows.length * TYPES.length} combinations were tried`)
  t.comment(`${allowed} allowed, ${refused} refused`)
})

/** The custody state an item must have after `events`: an independent replay of PRODUCT.md's rules. */
function replay (events: EventView[]) {
  let s: { status: string, custodianId: string, pendingToId: string | null, location: string | null, sealNumber: string | null, sealBroken: boolean } | undefined
  for (const e of events) {
    if (s === undefined) {
      if (e.type !== 'seized') throw new Error('the chain does not start with seized')
      s = { status: 'in_custody', custodianId: e.actorId, pendingToId: null, location: e.location, sealNumber: e.sealNumber, sealBroken: e.sealIntact === false }
      continue
    }
    switch (e.type) {
      case 'transferred': s = { ...s, status: 'in_transit', pendingToId: e.toUserId, location: null }; break
      case 'received': s = { ...s, status: 'in_custody', custodianId: e.actorId, pendingToId: null, location: e.location }; break
      case 'stored': s = { ...s, location: e.location }; break
      case 'checked_out': s = { ...s, status: 'at_examination', location: null }; break
      case 'checked_in': s = { ...s, status: 'in_custody', location: e.location }; break
      case 'sealed':
      case 'resealed': s = { ...s, sealNumber: e.sealNumber }; break
      case 'released':
      case 'returned':
      case 'destroyed': s = { ...s, status: e.type }; break
      default: break
    }
    if (e.sealIntact === false) s = { ...s, sealBroken: true }
  }
  return s
}

t.test('a whole chain of custody: events in seq order, each audited once, the item always what its events imply', async (t) => {
  const { app, admin, officer, custodian, investigator } = await setup(t)
  await createLocation(app, custodian.token, 'TST-EVD')
  await createLocation(app, custodian.token, 'TST-EVD/R1', 'TST-EVD')
  await createLocation(app, custodian.token, 'TST-EVD/R1/C3', 'TST-EVD/R1')
  const seizure = await createSeizure(app, officer.token)

  const auditBefore = await auditSize(app)
  const item = await createItem(app, officer.token, seizure.id, { sealNumber: 'SB-0001' })
  t.equal(await auditSize(app), auditBefore + 2, 'creating an item adds two audit entries')
  const created = await auditEntries(app, admin, { entityId: item.id })
  t.same(created.map((e) => e.action), ['item.create'], 'the item\'s creation is audited as item.create')
  const seized = (await getEvents(app, officer.token, item.id))[0]
  t.same((await auditEntries(app, admin, { entityId: seized?.id ?? '-' })).map((e) => e.action), ['custody.seized'], 'its seized event is audited as custody.seized')

  const steps: Array<[Caller, Record<string, unknown>]> = [
    [officer, { type: 'transferred', toUserId: custodian.id, purpose: 'to the evidence room' }],
    [custodian, { type: 'received', sealNumber: 'SB-0001', sealIntact: true, location: 'TST-EVD/R1' }],
    [custodian, { type: 'stored', location: 'TST-EVD/R1/C3' }],
    [custodian, { type: 'checked_out', purpose: 'laboratory analysis' }],
    [custodian, { type: 'examined', notes: 'rating plate photographed' }],
    [custodian, { type: 'resealed', sealNumber: 'SB-0002' }],
    [custodian, { type: 'checked_in', sealNumber: 'SB-0002', sealIntact: true, location: 'TST-EVD/R1' }],
    [custodian, { type: 'sealed', sealNumber: 'SB-0003' }],
    [custodian, { type: 'transferred', toUserId: investigator.id, purpose: 'expert report' }],
    [investigator, { type: 'received', sealNumber: 'SB-0003', sealIntact: true }],
    [investigator, { type: 'examined', notes: 'compared with the invoice' }],
    [investigator, { type: 'transferred', toUserId: custodian.id }],
    [custodian, { type: 'received', sealNumber: 'SB-0003', sealIntact: true, location: 'TST-EVD/R1/C3' }],
    [custodian, { type: 'destroyed', authority: 'Tirana District Court order 123/2026', witnessUserId: investigator.id }]
  ]
  for (const [actor, body] of steps) {
    const before = await auditSize(app)
    const res = await custody(app, actor.token, item.id, body)
    const what = `${String(body.type)} by ${actor.username}`
    t.equal(res.statusCode, 201, `${what} is recorded (got ${res.statusCode === 201 ? 201 : res.body})`)
    const event = res.json<EventView>()
    t.equal(await auditSize(app), before + 1, `${what}: exactly one audit entry`)
    const entries = await auditEntries(app, admin, { entityId: event.id })
    t.same(entries.map((e) => e.action), [`custody.${String(body.type)}`], `${what}: audited as custody.${String(body.type)}`)
    t.match(JSON.parse(entries[0]?.canonical ?? '{}'), { actor: actor.id, entityType: 'custody_event', data: { id: event.id, seq: event.seq, type: body.type } }, `${what}: the entry holds the event`)

    const events = await getEvents(app, officer.token, item.id)
    t.same(events.map((e) => e.seq), events.map((_, i) => i + 1), `${what}: GET custody lists seq 1..${events.length} in order`)
    t.equal(events[events.length - 1]?.id, event.id, `${what}: the new event is the last`)
    const current = await getItem(app, officer.token, item.id)
    t.match(current, replay(events), `${what}: the item's status, custodian, location and seal are what the events imply`)
    t.match(event.item, replay(events), `${what}: so is the item answered with the event`)
  }
  const events = await getEvents(app, officer.token, item.id)
  const handovers = events.filter((e) => e.type === 'received')
  t.same(handovers.map((e) => [e.fromUserId, e.actorId]), [[officer.id, custodian.id], [custodian.id, investigator.id], [investigator.id, custodian.id]], 'each received event names the giver and the receiver')
  t.match(await getItem(app, officer.token, item.id), { status: 'destroyed', custodianId: custodian.id, sealNumber: 'SB-0003', sealBroken: false }, 'the item ends destroyed, last held by the custodian')
})

t.test('only the current custodian hands an item over or acts on it', async (t) => {
  const { app, officer, custodian, investigator } = await setup(t)
  const item = await createItem(app, officer.token, (await createSeizure(app, officer.token)).id)
  assertRefused(t, await custody(app, custodian.token, item.id, { type: 'transferred', toUserId: investigator.id }), 'a hand-over by someone who does not hold the item', /current custodian/)
  assertRefused(t, await custody(app, investigator.token, item.id, { type: 'transferred', toUserId: investigator.id }), 'a hand-over to oneself by someone else', /current custodian/)
  assertRefused(t, await custody(app, custodian.token, item.id, { type: 'examined', notes: 'x' }), 'an examination by someone who does not hold the item', /current custodian/)
  t.equal((await getEvents(app, officer.token, item.id)).length, 1, 'no event was added')
  t.equal((await custody(app, officer.token, item.id, { type: 'transferred', toUserId: custodian.id })).statusCode, 201, 'the custodian of the item hands it over')
})

t.test('only the named recipient receives a hand-over', async (t) => {
  const { app, officer, custodian, investigator } = await setup(t)
  const item = await createItem(app, officer.token, (await createSeizure(app, officer.token)).id)
  await custody(app, officer.token, item.id, { type: 'transferred', toUserId: custodian.id })
  t.match(await getItem(app, officer.token, item.id), { status: 'in_transit', custodianId: officer.id, pendingToId: custodian.id }, 'the item is in transit to the custodian, still held by the officer')
  assertRefused(t, await custody(app, investigator.token, item.id, { type: 'received', sealIntact: true }), 'a receipt by someone not named', /recipient/)
  assertRefused(t, await custody(app, officer.token, item.id, { type: 'received', sealIntact: true }), 'a receipt by the sender', /recipient/)
  const res = await custody(app, custodian.token, item.id, { type: 'received', sealIntact: true, sealNumber: SEAL })
  t.equal(res.statusCode, 201, 'the named recipient receives it')
  t.match(res.json(), { type: 'received', actorId: custodian.id, fromUserId: officer.id }, 'the receipt names the giver')
  t.match(await getItem(app, officer.token, item.id), { status: 'in_custody', custodianId: custodian.id, pendingToId: null }, 'the recipient now holds the item')
})

t.test('a hand-over to oneself is refused with 409', async (t) => {
  const { app, officer } = await setup(t)
  const item = await createItem(app, officer.token, (await createSeizure(app, officer.token)).id)
  assertRefused(t, await custody(app, officer.token, item.id, { type: 'transferred', toUserId: officer.id }), 'a transfer to oneself', /another recipient|already hold/)
  t.equal((await getItem(app, officer.token, item.id)).status, 'in_custody', 'the item stays in custody')
})

t.test('events missing a field their type needs answer 400 naming the field', async (t) => {
  const { app, officer, custodian } = await setup(t)
  const seizure = await createSeizure(app, officer.token)
  const item = await createItem(app, officer.token, seizure.id)
  const before = await auditSize(app)
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'transferred' }), 'body/toUserId', 'a transfer without a recipient')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'stored' }), 'body/location', 'a stored event without a location')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'checked_out' }), 'body/purpose', 'a check-out without a purpose')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'sealed' }), 'body/sealNumber', 'a sealing without a seal number')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'resealed' }), 'body/sealNumber', 'a resealing without a seal number')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'transferred', toUserId: 'no-such-user' }), 'body/toUserId', 'a transfer to an unknown user')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'teleported' }), 'body/type', 'an unknown event type')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'examined', colour: 'red' }), 'body/colour', 'an unknown field')
  await custody(app, officer.token, item.id, { type: 'transferred', toUserId: custodian.id })
  assertFieldError(t, await custody(app, custodian.token, item.id, { type: 'received' }), 'body/sealIntact', 'a received event without sealIntact')
  assertFieldError(t, await custody(app, custodian.token, item.id, { type: 'received', sealIntact: null }), 'body/sealIntact', 'a received event with sealIntact null')
  await custody(app, custodian.token, item.id, { type: 'received', sealIntact: true })
  await custody(app, custodian.token, item.id, { type: 'checked_out', purpose: 'lab' })
  assertFieldError(t, await custody(app, custodian.token, item.id, { type: 'checked_in' }), 'body/sealIntact', 'a check-in without sealIntact')
  t.equal(await auditSize(app), before + 3, 'only the three valid events were audited')
})

t.test('a seal that differs from the recorded one must be recorded as broken, and the item shows it from then on', async (t) => {
  const { app, officer, custodian } = await setup(t)
  await createLocation(app, custodian.token, 'TST-EVD')
  const seizure = await createSeizure(app, officer.token)
  const item = await createItem(app, officer.token, seizure.id, { sealNumber: 'SB-0001' })
  await custody(app, officer.token, item.id, { type: 'transferred', toUserId: custodian.id })
  assertRefused(t, await custody(app, custodian.token, item.id, { type: 'received', sealNumber: 'SB-9999', sealIntact: true }), 'another seal number reported intact', /not the recorded seal/)
  const broken = await custody(app, custodian.token, item.id, { type: 'received', sealNumber: 'SB-9999', sealIntact: false, notes: 'bag resealed with a foreign seal' })
  t.equal(broken.statusCode, 201, 'the same receipt with sealIntact false is recorded')
  t.match(broken.json(), { sealNumber: 'SB-9999', sealIntact: false }, 'the event keeps the seal as found')
  t.match(await getItem(app, custodian.token, item.id), { sealBroken: true, sealNumber: 'SB-0001', status: 'in_custody' }, 'the item is marked sealBroken')
  assertRefused(t, await custody(app, custodian.token, item.id, { type: 'examined', sealNumber: 'SB-9999' }), 'a differing seal with sealIntact left out', /not the recorded seal/)
  t.equal((await custody(app, custodian.token, item.id, { type: 'resealed', sealNumber: 'SB-0002' })).statusCode, 201, 'the custodian reseals the item')
  t.match(await getItem(app, custodian.token, item.id), { sealBroken: true, sealNumber: 'SB-0002' }, 'after resealing it still shows sealBroken, with the new seal')
  t.equal((await custody(app, custodian.token, item.id, { type: 'stored', location: 'TST-EVD', sealNumber: 'SB-0002', sealIntact: true })).statusCode, 201, 'a later event with the new seal intact is recorded')
  t.match(await getItem(app, custodian.token, item.id), { sealBroken: true }, 'and the item still shows sealBroken')
  const listed = await as(app, custodian.token)('GET', `/api/seizures/${seizure.id}/items`)
  t.match(listed.json(), { items: [{ id: item.id, sealBroken: true }] }, 'the seizure\'s item list shows it too')
  const other = await createItem(app, officer.token, seizure.id, { sealNumber: 'SB-0100' })
  t.equal((await custody(app, officer.token, other.id, { type: 'examined', sealNumber: 'SB-0100', sealIntact: false })).statusCode, 201, 'the recorded seal found not intact is recorded')
  t.match(await getItem(app, officer.token, other.id), { sealBroken: true }, 'and marks that item sealBroken')
})

t.test('a disposal needs its authority and a witness other than the custodian', async (t) => {
  const { app, officer, investigator, user } = await setup(t)
  const xk = await user('xk.officer')
  const item = await createItem(app, officer.token, (await createSeizure(app, officer.token)).id)
  for (const type of ['released', 'returned', 'destroyed']) {
    assertFieldError(t, await custody(app, officer.token, item.id, { type, witnessUserId: investigator.id }), 'body/authority', `${type} without an authority`)
    assertFieldError(t, await custody(app, officer.token, item.id, { type, authority: 'Court order 1/2026' }), 'body/witnessUserId', `${type} without a witness`)
    assertFieldError(t, await custody(app, officer.token, item.id, { type, authority: 'Court order 1/2026', witnessUserId: xk.id }), 'body/witnessUserId', `${type} witnessed by another agency's user`)
    assertRefused(t, await custody(app, officer.token, item.id, { type, authority: 'Court order 1/2026', witnessUserId: officer.id }), `${type} witnessed by the custodian`, /witness/)
  }
  t.equal((await getItem(app, officer.token, item.id)).status, 'in_custody', 'the item is still in custody')
  const res = await custody(app, officer.token, item.id, { type: 'destroyed', authority: 'Court order 1/2026', witnessUserId: investigator.id })
  t.equal(res.statusCode, 201, 'a disposal with authority and witness is recorded')
  t.match(res.json(), { authority: 'Court order 1/2026', witnessUserId: investigator.id }, 'the event keeps the authority and the witness')
})

t.test('event times may not precede the previous event nor lie in the future', async (t) => {
  const { app, officer } = await setup(t)
  const at = (ms: number): string => new Date(Date.now() + ms).toISOString()
  const hour = 3600 * 1000
  const createdAt = at(-2 * hour)
  const item = await createItem(app, officer.token, (await createSeizure(app, officer.token)).id, { occurredAt: createdAt })
  assertRefused(t, await custody(app, officer.token, item.id, { type: 'examined', occurredAt: at(-3 * hour) }), 'an event an hour before the seizure of the item', /before the previous/)
  const ok = await custody(app, officer.token, item.id, { type: 'examined', occurredAt: at(-hour) })
  t.equal(ok.statusCode, 201, 'an event after the previous one is recorded')
  const previous = ok.json<EventView>().occurredAt
  assertRefused(t, await custody(app, officer.token, item.id, { type: 'examined', occurredAt: new Date(Date.parse(previous) - 1000).toISOString() }), 'an event a second before the previous one', /before the previous/)
  t.equal((await custody(app, officer.token, item.id, { type: 'examined', occurredAt: previous })).statusCode, 201, 'an event at the same time as the previous one is recorded')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'examined', occurredAt: at(24 * hour) }), 'body/occurredAt', 'an event tomorrow')
  assertFieldError(t, await custody(app, officer.token, item.id, { type: 'examined', occurredAt: 'yesterday' }), 'body/occurredAt', 'a time that is not RFC 3339')
  t.equal((await getEvents(app, officer.token, item.id)).length, 3, 'only the two valid events were added to the seizure')
})

t.test('a stored event needs a registered location; the location then lists the item, also from its parents', async (t) => {
  const { app, officer, custodian, user } = await setup(t)
  const site = await createLocation(app, custodian.token, 'TST-EVD')
  const room = await createLocation(app, custodian.token, 'TST-EVD/R1', 'TST-EVD')
  const cabinet = await createLocation(app, custodian.token, 'TST-EVD/R1/C3', 'TST-EVD/R1')
  const room10 = await createLocation(app, custodian.token, 'TST-EVD/R10', 'TST-EVD')
  const room2 = await createLocation(app, custodian.token, 'TST-EVD/R2', 'TST-EVD')
  const item = await createItem(app, officer.token, (await createSeizure(app, officer.token)).id)
  await custody(app, officer.token, item.id, { type: 'transferred', toUserId: custodian.id })
  await custody(app, custodian.token, item.id, { type: 'received', sealIntact: true })
  assertFieldError(t, await custody(app, custodian.token, item.id, { type: 'stored', location: 'DUR-EVD/R1' }), 'body/location', 'a stored event at an unregistered location')
  t.equal((await getItem(app, custodian.token, item.id)).location, null, 'the item has no location yet')
  const stored = await custody(app, custodian.token, item.id, { type: 'stored', location: 'TST-EVD/R1/C3' })
  t.equal(stored.statusCode, 201, 'a stored event at a registered location is recorded')
  t.equal((await getItem(app, custodian.token, item.id)).location, 'TST-EVD/R1/C3', 'the item is at that location')

  const holds = async (loc: { id: string }): Promise<string[]> => {
    const res = await as(app, custodian.token)('GET', `/api/locations/${loc.id}/items`)
    if (res.statusCode !== 200) throw new Error(`GET /api/locations/${loc.id}/items: ${res.statusCode} ${res.body}`)
    return res.json<{ items: ItemView[] }>().items.map((i) => i.id)
  }
  t.same(await holds(cabinet), [item.id], 'the cabinet lists the item')
  t.same(await holds(room), [item.id], 'its room lists the item')
  t.same(await holds(site), [item.id], 'its site lists the item')
  t.same(await holds(room10), [], 'room R10 (a code sharing the prefix R1) does not')
  t.same(await holds(room2), [], 'another room does not')
  const officerView = await as(app, officer.token)('GET', `/api/locations/${cabinet.id}/items`)
  t.match(officerView.json(), { location: { code: 'TST-EVD/R1/C3' }, items: [{ id: item.id, location: 'TST-EVD/R1/C3' }] }, 'an officer of the agency reads the same list')

  t.equal((await custody(app, custodian.token, item.id, { type: 'stored', location: 'TST-EVD/R2' })).statusCode, 201, 'the item is moved to room R2')
  t.same(await holds(room), [], 'room R1 no longer lists it')
  t.same(await holds(room2), [item.id], 'room R2 lists it')
  t.same(await holds(site), [item.id], 'the site still lists it')
  await custody(app, custodian.token, item.id, { type: 'checked_out', purpose: 'court hearing' })
  t.same(await holds(site), [], 'checked out, it is at no location')

  const xk = await user('xk.custodian')
  assertProblem(t, await as(app, xk.token)('GET', `/api/locations/${site.id}/items`), 404, { code: 'not-found' }, 'another agency\'s custodian reading the location')
})

t.test('POST /api/locations enforces the hierarchy: a child code extends its parent\'s by one segment', async (t) => {
  const { app, officer, custodian } = await setup(t)
  const call = as(app, custodian.token)
  const site = await call('POST', '/api/locations', { code: 'TST-EVD', name: 'Tirana evidence store', parentCode: null })
  t.equal(site.statusCode, 201, 'a site without a parent is registered')
  const room = await call('POST', '/api/locations', { code: 'TST-EVD/R1', name: 'Room 1', parentCode: 'TST-EVD' })
  t.equal(room.statusCode, 201, 'a room inside the site is registered')
  t.match(room.json(), { code: 'TST-EVD/R1', parentId: site.json<{ id: string }>().id }, 'the room points at its site')
  const before = await auditSize(app)
  assertFieldError(t, await call('POST', '/api/locations', { code: 'DUR-EVD/R1', name: 'x', parentCode: 'TST-EVD' }), 'body/code', 'a child whose code does not start with the parent\'s')
  assertFieldError(t, await call('POST', '/api/locations', { code: 'TST-EVDX', name: 'x', parentCode: 'TST-EVD' }), 'body/code', 'a child whose code only shares a prefix')
  assertFieldError(t, await call('POST', '/api/locations', { code: 'TST-EVD/R1/C3', name: 'x', parentCode: 'TST-EVD' }), 'body/code', 'a child two segments below its parent')
  assertFieldError(t, await call('POST', '/api/locations', { code: 'TST-EVD/R9', name: 'x' }), 'body/parentCode', 'a nested code without its parent')
  assertFieldError(t, await call('POST', '/api/locations', { code: 'TST-EVD/R7/C1', name: 'x', parentCode: 'TST-EVD/R7' }), 'body/parentCode', 'a parent that is not registered')
  assertFieldError(t, await call('POST', '/api/locations', { code: 'tir evd', name: 'x' }), 'body/code', 'a code with lower case and a space')
  assertProblem(t, await call('POST', '/api/locations', { code: 'TST-EVD', name: 'again' }), 409, { code: 'conflict' }, 'a code registered twice')
  assertProblem(t, await as(app, officer.token)('POST', '/api/locations', { code: 'DUR-EVD', name: 'x' }), 403, { code: 'forbidden' }, 'an officer registering a location')
  t.equal(await auditSize(app), before, 'no refused location was audited')
  const list = await call('GET', '/api/locations')
  t.same(list.json<{ items: Array<{ code: string }> }>().items.map((l) => l.code).filter((c) => c.startsWith('TST-')), ['TST-EVD', 'TST-EVD/R1'], 'GET /api/locations lists the two registered locations (and no refused one)')
})

t.test('two concurrent hand-overs of one item: exactly one succeeds, the other gets 409', async (t) => {
  const { app, officer, custodian, investigator } = await setup(t)
  const seizure = await createSeizure(app, officer.token)
  for (let round = 0; round < 5; round++) {
    const item = await createItem(app, officer.token, seizure.id)
    const [a, b] = await Promise.all([
      custody(app, officer.token, item.id, { type: 'transferred', toUserId: custodian.id }),
      custody(app, officer.token, item.id, { type: 'transferred', toUserId: investigator.id })
    ])
    const statuses = [a?.statusCode, b?.statusCode].sort()
    t.same(statuses, [201, 409], `round ${round}: one 201 and one 409`)
    const loser = a?.statusCode === 409 ? a : b
    const winner = a?.statusCode === 201 ? 'custodian' : 'investigator'
    if (loser !== undefined) assertRefused(t, loser, `round ${round}: the losing hand-over`)
    const events = await getEvents(app, officer.token, item.id)
    t.same(events.map((e) => e.type), ['seized', 'transferred'], `round ${round}: exactly one transfer was recorded`)
    t.equal((await getItem(app, officer.token, item.id)).pendingToId, winner === 'custodian' ? custodian.id : investigator.id, `round ${round}: the item is in transit to the winner`)
  }
})

t.test('custody of another agency\'s item answers 404; roles without custody rights get 403', async (t) => {
  const { app, officer, user } = await setup(t)
  const xk = await user('xk.officer')
  const auditor = await user('al.auditor')
  const item = await createItem(app, officer.token, (await createSeizure(app, officer.token)).id)
  assertProblem(t, await as(app, xk.token)('GET', `/api/items/${item.id}`), 404, { code: 'not-found' }, 'GET item by another agency')
  assertProblem(t, await as(app, xk.token)('GET', `/api/items/${item.id}/custody`), 404, { code: 'not-found' }, 'GET custody by another agency')
  assertProblem(t, await custody(app, xk.token, item.id, { type: 'examined' }), 404, { code: 'not-found' }, 'POST custody by another agency')
  assertProblem(t, await custody(app, auditor.token, item.id, { type: 'examined' }), 403, { code: 'forbidden' }, 'POST custody by an auditor')
  t.equal((await as(app, auditor.token)('GET', `/api/items/${item.id}/custody`)).statusCode, 200, 'the auditor reads the chain of custody')
  t.equal((await getEvents(app, officer.token, item.id)).length, 1, 'no event was added')
})

t.test('custody events cannot be UPDATEd or DELETEd in SQLite', async (t) => {
  const { app, dir, officer, custodian } = await setup(t)
  const item = await createItem(app, officer.token, (await createSeizure(app, officer.token)).id)
  await custody(app, officer.token, item.id, { type: 'transferred', toUserId: custodian.id })
  const sqlite = new Database(databaseFile(dir))
  t.teardown(() => sqlite.close())
  const count = (): number => sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM custody_events').get()?.n ?? 0
  const before = count()
  t.ok(before >= 2, 'the events are in the database file')
  t.throws(() => sqlite.prepare("UPDATE custody_events SET notes = 'edited' WHERE item_id = ?").run(item.id), /custody events are append-only/, 'UPDATE of an event is refused by a trigger')
  t.throws(() => sqlite.prepare('UPDATE custody_events SET to_user_id = actor_id').run(), /custody events are append-only/, 'UPDATE of every event is refused')
  t.throws(() => sqlite.prepare('DELETE FROM custody_events WHERE item_id = ?').run(item.id), /custody events are append-only/, 'DELETE of an event is refused')
  t.throws(() => sqlite.prepare('DELETE FROM custody_events').run(), /custody events are append-only/, 'DELETE of every event is refused')
  t.equal(count(), before, 'every event is still there')
  t.match(await getEvents(app, officer.token, item.id), [{ type: 'seized', notes: null }, { type: 'transferred', toUserId: custodian.id }], 'the API shows them unchanged')
  t.equal(rowCount(app, 'custody_events'), before, 'the app sees the same count')
})
