import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { as, assertProblem, auditEntries } from './helpers/app.js'
import {
  addAction, addMember, allPages, attach, auditRows, caseApp, createCase, getCase, manualClock, move, moveOk, OFFENCE, tableCounts,
  type CaseApp, type CaseView, type Clock
} from './helpers/cases.js'
import { createItem, createSeizure, custody, upload, type Caller } from './helpers/evidence.js'

/** An app (on `clock` if given) and the named fixture users, created in that order. */
async function setup (t: Test, names: string[], clock?: Clock): Promise<{ ctx: CaseApp, u: Record<string, Caller> }> {
  const ctx = await caseApp(t, clock === undefined ? {} : { clock })
  const u: Record<string, Caller> = {}
  for (const name of names) u[name] = await ctx.user(name)
  return { ctx, u }
}

function assertFieldError (t: Test, res: LightMyRequestResponse, field: string, what: string): void {
  assertProblem(t, res, 400, { code: 'validation-failed' }, what)
  const fields = (res.json<{ errors?: Array<{ field: string }> }>().errors ?? []).map((e) => e.field)
  t.ok(fields.includes(field), `${what}: errors[] names ${field} (got ${JSON.stringify(fields)})`)
}

// Each test builds its own app; they share nothing and may run side by side. Together they
// create some forty users (two argon2id operations each at RFC 9106 strength): on a busy
// machine that is more than .taprc's 120 s.
t.jobs = 3
t.setTimeout(300_000)

const refs = (cases: CaseView[]): string[] => cases.map((c) => c.reference).sort()

t.test('POST /api/cases opens a case from seizures, numbered AL-C-<year>-0001 without gaps per agency and year, led by its creator', async (t) => {
  const clock = manualClock('2026-06-15T08:00:00Z')
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'xk.officer', 'xk.investigator'], clock)
  const { app } = ctx
  const s1 = await createSeizure(app, u['al.officer']!.token)
  const s2 = await createSeizure(app, u['al.officer']!.token, { occurredAt: '2026-04-02T11:00:00Z' })
  const inv = u['al.investigator']!

  const first = await createCase(app, inv.token, [s1.id, s2.id], { offences: [OFFENCE, { law: 'Criminal Code', article: 'Art. 287' }] })
  t.equal(first.reference, 'AL-C-2026-0001', 'the first case of 2026 is AL-C-2026-0001')
  t.equal(first.status, 'open', 'a new case is open')
  t.same([...first.seizureIds].sort(), [s1.id, s2.id].sort(), 'both seizures are linked')
  t.same(first.members, [{ userId: inv.id, role: 'lead_investigator' }], 'its creator is its lead investigator and only member')
  t.same(first.offences, [{ ...OFFENCE }, { law: 'Criminal Code', article: 'Art. 287', description: null }], 'the offences are kept in order, law, article and description')

  const refused = [
    ['an unknown seizure', await as(app, inv.token)('POST', '/api/cases', { title: 'x', seizureIds: ['no-such-seizure'] })],
    ['no seizure at all', await as(app, inv.token)('POST', '/api/cases', { title: 'x', seizureIds: [] })],
    ['an unknown field', await as(app, inv.token)('POST', '/api/cases', { title: 'x', seizureIds: [s1.id], priority: 'high' })],
    ['another agency\'s seizure', await as(app, u['xk.investigator']!.token)('POST', '/api/cases', { title: 'x', seizureIds: [s1.id] })]
  ] as const
  for (const [what, res] of refused) assertProblem(t, res, 400, { code: 'validation-failed' }, `a case on ${what}`)
  assertProblem(t, await as(app, u['al.officer']!.token)('POST', '/api/cases', { title: 'x', seizureIds: [s1.id] }), 403, { code: 'forbidden' }, 'an officer opening a case')

  const second = await createCase(app, inv.token, [s1.id])
  t.equal(second.reference, 'AL-C-2026-0002', 'refused requests took no number: the second case is 0002')
  const xkSeizure = await createSeizure(app, u['xk.officer']!.token, { route: { origin: 'XK', destination: 'AL', transit: [] } })
  const xkCase = await createCase(app, u['xk.investigator']!.token, [xkSeizure.id])
  t.equal(xkCase.reference, 'XK-C-2026-0001', 'Kosovo Customs counts its own cases from 0001')

  clock.set('2027-01-02T08:00:00Z')
  await ctx.relogin()
  const nextYear = await createCase(app, (await ctx.user('al.investigator')).token, [s1.id])
  t.equal(nextYear.reference, 'AL-C-2027-0001', 'a new year starts again at 0001')

  const created = auditRows(app, 'case.create')
  t.same(created.map((e) => e.data.case.reference), ['AL-C-2026-0001', 'AL-C-2026-0002', 'XK-C-2026-0001', 'AL-C-2027-0001'], 'each opening is audited with the case, in order')
  t.equal(created[0]?.actor, inv.id, 'by the investigator who opened it')
})

t.test('POST /api/cases/:id/members: only the lead adds members, and only a prosecutor can be the case\'s prosecutor', async (t) => {
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'al.investigator-2', 'al.prosecutor', 'al.prosecutor-2', 'xk.prosecutor'])
  const { app } = ctx
  const lead = u['al.investigator']!
  const seizure = await createSeizure(app, u['al.officer']!.token)
  const c = await createCase(app, lead.token, [seizure.id])
  const add = async (caller: Caller, userId: string, role: string) => as(app, caller.token)('POST', `/api/cases/${c.id}/members`, { userId, role })

  assertProblem(t, await add(lead, u['al.officer']!.id, 'prosecutor'), 409, { code: 'conflict', detail: /officer/ }, 'an officer as the case\'s prosecutor')
  assertProblem(t, await add(lead, u['al.investigator-2']!.id, 'prosecutor'), 409, { code: 'conflict' }, 'an investigator as the case\'s prosecutor')
  assertProblem(t, await add(lead, u['al.prosecutor']!.id, 'investigator'), 409, { code: 'conflict' }, 'a prosecutor as a case investigator')
  assertProblem(t, await add(lead, u['al.investigator-2']!.id, 'lead_investigator'), 409, { code: 'conflict' }, 'a second lead investigator')
  assertFieldError(t, await add(lead, u['xk.prosecutor']!.id, 'prosecutor'), 'body/userId', 'a prosecutor of another agency')
  assertFieldError(t, await add(lead, 'no-such-user', 'prosecutor'), 'body/userId', 'an unknown user')

  const withProsecutor = await addMember(app, lead.token, c.id, u['al.prosecutor']!.id, 'prosecutor')
  const byUser = (a: { userId: string }, b: { userId: string }): number => a.userId.localeCompare(b.userId)
  t.same([...withProsecutor.members].sort(byUser), [{ userId: lead.id, role: 'lead_investigator' }, { userId: u['al.prosecutor']!.id, role: 'prosecutor' }].sort(byUser), 'the prosecutor is a member beside the lead')
  assertProblem(t, await add(lead, u['al.prosecutor']!.id, 'prosecutor'), 409, { code: 'conflict' }, 'the same member twice')
  await addMember(app, lead.token, c.id, u['al.investigator-2']!.id, 'investigator')
  assertProblem(t, await add(u['al.investigator-2']!, u['al.prosecutor-2']!.id, 'prosecutor'), 403, { code: 'forbidden' }, 'a member who is not the lead adding a member')
  assertProblem(t, await add(u['al.prosecutor']!, u['al.prosecutor-2']!.id, 'prosecutor'), 403, { code: 'forbidden' }, 'the prosecutor adding a member')

  const added = auditRows(app, 'case.member_add')
  t.same(added.map((e) => [e.actor, e.data.userId, e.data.role]), [[lead.id, u['al.prosecutor']!.id, 'prosecutor'], [lead.id, u['al.investigator-2']!.id, 'investigator']], 'each addition is audited with who added whom as what')
})

t.test('linking and unlinking a seizure needs a reason and is audited; the last seizure stays', async (t) => {
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'al.prosecutor'])
  const { app } = ctx
  const lead = u['al.investigator']!
  const s1 = await createSeizure(app, u['al.officer']!.token)
  const s2 = await createSeizure(app, u['al.officer']!.token, { occurredAt: '2026-04-02T11:00:00Z' })
  const c = await createCase(app, lead.token, [s1.id])
  await addMember(app, lead.token, c.id, u['al.prosecutor']!.id, 'prosecutor')
  const link = async (caller: Caller, body: unknown) => as(app, caller.token)('POST', `/api/cases/${c.id}/seizures`, body)
  const unlink = async (caller: Caller, seizureId: string, body: unknown) => as(app, caller.token)('POST', `/api/cases/${c.id}/seizures/${seizureId}/unlink`, body)

  assertFieldError(t, await link(lead, { seizureId: s2.id }), 'body/reason', 'a link without a reason')
  assertProblem(t, await link(u['al.prosecutor']!, { seizureId: s2.id, reason: 'Same consignor' }), 403, { code: 'forbidden' }, 'the prosecutor linking a seizure')
  const linked = await link(lead, { seizureId: s2.id, reason: 'Same consignor, same week' })
  t.equal(linked.statusCode, 201, 'the lead links the second seizure')
  t.same([...linked.json<CaseView>().seizureIds].sort(), [s1.id, s2.id].sort(), 'the case now has both seizures')
  assertProblem(t, await link(lead, { seizureId: s2.id, reason: 'again' }), 409, { code: 'conflict' }, 'linking a linked seizure')

  assertFieldError(t, await unlink(lead, s2.id, {}), 'body/reason', 'an unlink without a reason')
  const unlinked = await unlink(lead, s2.id, { reason: 'The consignor turned out to be a namesake' })
  t.equal(unlinked.statusCode, 200, 'the lead unlinks it with a reason')
  t.same(unlinked.json<CaseView>().seizureIds, [s1.id], 'only the first seizure is left')
  assertProblem(t, await unlink(lead, s2.id, { reason: 'again' }), 404, { code: 'not-found' }, 'unlinking a seizure that is not linked')
  const before = tableCounts(app)
  assertProblem(t, await unlink(lead, s1.id, { reason: 'Mistake' }), 409, { code: 'conflict' }, 'unlinking the last seizure')
  t.same(tableCounts(app), before, 'the refused unlink changed nothing')

  t.same(auditRows(app, 'case.link').map((e) => ({ actor: e.actor, seizureId: e.data.seizureId, reason: e.data.reason })), [{ actor: lead.id, seizureId: s2.id, reason: 'Same consignor, same week' }], 'the link is audited with who and why')
  t.same(auditRows(app, 'case.unlink').map((e) => ({ actor: e.actor, seizureId: e.data.seizureId, reason: e.data.reason })), [{ actor: lead.id, seizureId: s2.id, reason: 'The consignor turned out to be a namesake' }], 'the unlink is audited with who and why')
})

t.test('investigative actions are recorded by members: the prosecutor member may, an investigator who is not a member may not', async (t) => {
  const clock = manualClock('2026-06-15T08:00:00Z')
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'al.investigator-2', 'al.prosecutor', 'al.prosecutor-2'], clock)
  const { app } = ctx
  const lead = u['al.investigator']!
  const seizure = await createSeizure(app, u['al.officer']!.token)
  const c = await createCase(app, lead.token, [seizure.id])
  await addMember(app, lead.token, c.id, u['al.prosecutor']!.id, 'prosecutor')
  const act = async (caller: Caller, body: unknown) => as(app, caller.token)('POST', `/api/cases/${c.id}/actions`, body)

  const interview = await addAction(app, lead.token, c.id, { occurredAt: '2026-06-10T09:00:00Z', title: 'Interview of the driver', text: 'He says the load was declared by the consignor.' })
  const request = await addAction(app, u['al.prosecutor']!.token, c.id, { occurredAt: '2026-06-01T09:00:00Z', title: 'Request for the licence register' })
  assertProblem(t, await act(u['al.investigator-2']!, { occurredAt: '2026-06-11T09:00:00Z', title: 'Not my case' }), 403, { code: 'forbidden' }, 'an investigator of the agency who is not a member')
  assertProblem(t, await act(u['al.prosecutor-2']!, { occurredAt: '2026-06-11T09:00:00Z', title: 'Not my case' }), 404, { code: 'not-found' }, 'a prosecutor who is not a member (the case does not exist for them)')
  assertFieldError(t, await act(lead, { occurredAt: '2026-06-16T09:00:00Z', title: 'Tomorrow' }), 'body/occurredAt', 'an action dated tomorrow')
  assertFieldError(t, await act(lead, { occurredAt: 'yesterday', title: 'Vague' }), 'body/occurredAt', 'an action without an RFC 3339 date')

  const file = await upload(app, u['al.prosecutor']!.token, `/api/case-actions/${request.id}/attachments`, [{ name: 'file', filename: 'request.txt', data: 'Request to the licensing authority' }])
  t.equal(file.statusCode, 201, 'the prosecutor member attaches a file to the action')

  const detail = await getCase(app, lead.token, c.id)
  t.same(detail.actions.map((a) => [a.title, a.authorId]), [['Request for the licence register', u['al.prosecutor']!.id], ['Interview of the driver', lead.id]], 'the actions are listed by date with their authors')
  t.same(auditRows(app, 'case.action').map((e) => [e.entityId, e.actor, e.data.title]), [[interview.id, lead.id, 'Interview of the driver'], [request.id, u['al.prosecutor']!.id, 'Request for the licence register']], 'each action is audited')
})

t.test('the status workflow: open → investigation → referred → in_court → closed, each move by the right member, with a reason, audited', async (t) => {
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'al.investigator-2', 'al.prosecutor'])
  const { app } = ctx
  const lead = u['al.investigator']!
  const member = u['al.investigator-2']!
  const prosecutor = u['al.prosecutor']!
  const seizure = await createSeizure(app, u['al.officer']!.token)
  const c = await createCase(app, lead.token, [seizure.id])
  await addMember(app, lead.token, c.id, member.id, 'investigator')

  const illegal = async (caller: Caller, to: string, allowed: string[], what: string): Promise<void> => {
    const before = tableCounts(app)
    const res = await move(app, caller.token, c.id, to, 'Because')
    assertProblem(t, res, 409, { code: 'conflict' }, what)
    t.same([...(res.json<{ allowed?: string[] }>().allowed ?? [])].sort(), [...allowed].sort(), `${what}: the problem lists the moves allowed now`)
    t.same(tableCounts(app), before, `${what}: nothing changed`)
  }

  await illegal(lead, 'referred', ['investigation', 'closed'], 'open → referred')
  await illegal(lead, 'in_court', ['investigation', 'closed'], 'open → in_court')
  assertFieldError(t, await move(app, lead.token, c.id, 'investigation'), 'body/reason', 'a move without a reason')
  assertFieldError(t, await move(app, lead.token, c.id, 'investigation', 'x', 'convicted'), 'body/outcome', 'an outcome on a move that does not close')
  await moveOk(app, member.token, c.id, 'investigation', 'Consignor to be questioned')

  const noProsecutor = await move(app, lead.token, c.id, 'referred', 'Evidence complete')
  assertProblem(t, noProsecutor, 409, { code: 'conflict', detail: /prosecutor/ }, 'referring a case without a prosecutor member')
  await addMember(app, lead.token, c.id, prosecutor.id, 'prosecutor')
  assertProblem(t, await move(app, member.token, c.id, 'referred', 'Evidence complete'), 403, { code: 'forbidden' }, 'a member who is not the lead referring the case')
  assertProblem(t, await move(app, prosecutor.token, c.id, 'referred', 'Evidence complete'), 403, { code: 'forbidden' }, 'the prosecutor referring the case to themself')
  const referred = await moveOk(app, lead.token, c.id, 'referred', 'Evidence complete')
  t.ok(referred.referredAt !== null, 'the referral time is recorded')

  assertProblem(t, await move(app, lead.token, c.id, 'in_court', 'Indictment filed'), 403, { code: 'forbidden' }, 'the lead taking the case to court')
  await moveOk(app, prosecutor.token, c.id, 'in_court', 'Indictment filed with the Tirana court')
  await illegal(prosecutor, 'investigation', ['closed'], 'in_court → investigation')
  assertFieldError(t, await move(app, prosecutor.token, c.id, 'closed', 'Judgment'), 'body/outcome', 'closing without an outcome')
  assertProblem(t, await move(app, prosecutor.token, c.id, 'closed', 'Judgment', 'guilty'), 400, { code: 'validation-failed' }, 'closing with an outcome that is not one of the five')
  const closed = await moveOk(app, prosecutor.token, c.id, 'closed', 'Judgment of 12 May', 'convicted')
  t.match(closed, { status: 'closed', outcome: 'convicted', closedAt: String }, 'the case is closed with its outcome')

  assertProblem(t, await as(app, lead.token)('PATCH', `/api/cases/${c.id}`, { title: 'Renamed' }), 409, { code: 'conflict' }, 'editing a closed case')
  assertProblem(t, await as(app, lead.token)('POST', `/api/cases/${c.id}/actions`, { occurredAt: '2026-04-01T09:00:00Z', title: 'Late note' }), 409, { code: 'conflict' }, 'an action on a closed case')
  await illegal(lead, 'in_court', ['investigation'], 'closed → in_court')
  assertFieldError(t, await move(app, lead.token, c.id, 'investigation'), 'body/reason', 'reopening without a reason')
  assertProblem(t, await move(app, member.token, c.id, 'investigation', 'New evidence'), 403, { code: 'forbidden' }, 'a member who is not the lead reopening')
  const reopened = await moveOk(app, lead.token, c.id, 'investigation', 'A second truck of the same consignor was stopped')
  t.match(reopened, { status: 'investigation', outcome: null, closedAt: null }, 'the reopened case has no outcome')

  const moves = auditRows(app, 'case.status').map((e) => ({ actor: e.actor, from: e.data.from, to: e.data.to, reason: e.data.reason, outcome: e.data.outcome }))
  t.same(moves, [
    { actor: member.id, from: 'open', to: 'investigation', reason: 'Consignor to be questioned', outcome: null },
    { actor: lead.id, from: 'investigation', to: 'referred', reason: 'Evidence complete', outcome: null },
    { actor: prosecutor.id, from: 'referred', to: 'in_court', reason: 'Indictment filed with the Tirana court', outcome: null },
    { actor: prosecutor.id, from: 'in_court', to: 'closed', reason: 'Judgment of 12 May', outcome: 'convicted' },
    { actor: lead.id, from: 'closed', to: 'investigation', reason: 'A second truck of the same consignor was stopped', outcome: null }
  ], 'every move, and only the moves made, is audited with who, from, to and why')
  const history = (await getCase(app, lead.token, c.id)).statusHistory.map((h) => [h.fromStatus, h.toStatus, h.changedBy])
  t.same(history, [[null, 'open', lead.id], ['open', 'investigation', member.id], ['investigation', 'referred', lead.id], ['referred', 'in_court', prosecutor.id], ['in_court', 'closed', prosecutor.id], ['closed', 'investigation', lead.id]], 'GET /api/cases/:id shows the same history, oldest first')
})

t.test('a prosecutor may send a referred case back or close it; the lead may close an open case with an outcome', async (t) => {
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'al.prosecutor'])
  const { app } = ctx
  const lead = u['al.investigator']!
  const prosecutor = u['al.prosecutor']!
  const seizure = await createSeizure(app, u['al.officer']!.token)
  const a = await createCase(app, lead.token, [seizure.id])
  await addMember(app, lead.token, a.id, prosecutor.id, 'prosecutor')
  await moveOk(app, lead.token, a.id, 'investigation', 'Start')
  await moveOk(app, lead.token, a.id, 'referred', 'Done')
  await moveOk(app, prosecutor.token, a.id, 'investigation', 'The laboratory report is missing')
  await moveOk(app, lead.token, a.id, 'referred', 'Report added')
  const dismissed = await moveOk(app, prosecutor.token, a.id, 'closed', 'No case to answer', 'dismissed')
  t.match(dismissed, { status: 'closed', outcome: 'dismissed' }, 'the prosecutor closes a referred case as dismissed')

  const b = await createCase(app, lead.token, [seizure.id])
  const penalty = await moveOk(app, lead.token, b.id, 'closed', 'Penalty paid at the border', 'administrative_penalty')
  t.match(penalty, { status: 'closed', outcome: 'administrative_penalty', referredAt: null }, 'an open case closes with an administrative penalty, never referred')
})

t.test('GET /api/cases/:id returns the seizures, the items with their custody state, the members by name, and a timeline oldest first', async (t) => {
  const { ctx, u } = await setup(t, ['al.officer', 'al.custodian', 'al.investigator', 'al.prosecutor'])
  const { app } = ctx
  const officer = u['al.officer']!
  const lead = u['al.investigator']!
  const seizure = await createSeizure(app, officer.token)
  const sent = await createItem(app, officer.token, seizure.id)
  const kept = await createItem(app, officer.token, seizure.id, { description: 'Invoice INV-2291', category: 'document', sealNumber: 'SB-0001235', goodsIndex: null })
  const transfer = await custody(app, officer.token, sent.id, { type: 'transferred', toUserId: u['al.custodian']!.id, purpose: 'To the evidence room' })
  t.equal(transfer.statusCode, 201, 'the first item is handed over to the custodian')
  await attach(app, officer.token, `/api/seizures/${seizure.id}/attachments`, 'photo of the load', 'load.txt')
  const c = await createCase(app, lead.token, [seizure.id])
  await addMember(app, lead.token, c.id, u['al.prosecutor']!.id, 'prosecutor')
  await addAction(app, lead.token, c.id, { occurredAt: '2026-04-01T09:00:00Z', title: 'Consignor questioned' })

  const detail = await getCase(app, u['al.prosecutor']!.token, c.id)
  t.match(detail, { id: c.id, reference: c.reference, status: 'open' }, 'the case itself')
  t.same(detail.seizures.map((s) => s.reference), [seizure.reference], 'its seizure, with its reference')
  const items = Object.fromEntries(detail.items.map((i) => [i.id, i]))
  t.match(items[sent.id], { label: sent.label, status: 'in_transit', custodianId: officer.id, pendingToId: u['al.custodian']!.id }, 'the handed-over item is in transit, still held by the officer until received')
  t.match(items[kept.id], { label: kept.label, status: 'in_custody', custodianId: officer.id }, 'the other item is in the officer\'s custody')
  t.same(detail.members.map((m) => [m.role, m.displayName]).sort(), [['lead_investigator', 'al.investigator'], ['prosecutor', 'al.prosecutor']], 'members come with their names')

  const actions = detail.timeline.map((e) => e.action)
  t.same(detail.timeline.map((e) => e.index), [...detail.timeline.map((e) => e.index)].sort((a, b) => a - b), 'the timeline is in log order')
  t.ok(detail.timeline.every((e, i, all) => i === 0 || e.time >= (all[i - 1]?.time ?? '')), 'and oldest first')
  t.equal(actions[0], 'seizure.create', 'it starts with the seizure')
  for (const action of ['item.create', 'custody.seized', 'custody.transferred', 'attachment.create', 'case.create', 'case.member_add', 'case.action']) {
    t.ok(actions.includes(action), `it includes ${action}`)
  }
  t.ok(actions.indexOf('custody.transferred') < actions.indexOf('case.create'), 'custody events before the case come before it')
  t.ok(detail.timeline.every((e) => typeof e.summary === 'string' && e.summary.length > 0 && e.actorName !== undefined), 'every entry has a summary and an actor')
  t.match(detail.timeline.find((e) => e.action === 'case.action'), { actorId: lead.id, actorName: 'al.investigator' }, 'entries name who did it')
})

t.test('a prosecutor sees only the cases they are a member of, and only those cases\' seizures, items and attachments', async (t) => {
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'al.prosecutor', 'al.prosecutor-2'])
  const { app } = ctx
  const officer = u['al.officer']!
  const lead = u['al.investigator']!
  const mine = u['al.prosecutor']!
  const other = u['al.prosecutor-2']!
  const s1 = await createSeizure(app, officer.token)
  const s2 = await createSeizure(app, officer.token, { occurredAt: '2026-04-02T11:00:00Z' })
  const i1 = await createItem(app, officer.token, s1.id)
  const i2 = await createItem(app, officer.token, s2.id)
  const c1 = await createCase(app, lead.token, [s1.id])
  const c2 = await createCase(app, lead.token, [s2.id])
  await addMember(app, lead.token, c1.id, mine.id, 'prosecutor')
  const files = {
    s1: await attach(app, officer.token, `/api/seizures/${s1.id}/attachments`, 'load photo 1'),
    i1: await attach(app, officer.token, `/api/items/${i1.id}/attachments`, 'exhibit photo 1'),
    c1: await attach(app, lead.token, `/api/cases/${c1.id}/attachments`, 'case note 1'),
    s2: await attach(app, officer.token, `/api/seizures/${s2.id}/attachments`, 'load photo 2'),
    i2: await attach(app, officer.token, `/api/items/${i2.id}/attachments`, 'exhibit photo 2'),
    c2: await attach(app, lead.token, `/api/cases/${c2.id}/attachments`, 'case note 2')
  }
  const read = (caller: Caller): Array<readonly [string, string]> => ([
    [`/api/cases/${c1.id}`, 'the case'], [`/api/seizures/${s1.id}`, 'its seizure'], [`/api/items/${i1.id}`, 'its item'], [`/api/items/${i1.id}/custody`, 'its item\'s custody'],
    [`/api/attachments/${files.s1.id}/content`, 'its seizure\'s file'], [`/api/attachments/${files.i1.id}/content`, 'its item\'s file'], [`/api/attachments/${files.c1.id}/content`, 'its case file'],
    [`/api/cases/${c1.id}/attachments`, 'its case\'s file list']
  ] as const).map(([url, what]) => [url, `${caller.username}: ${what}`] as const)
  const hidden = [
    [`/api/cases/${c2.id}`, 'the other case'], [`/api/seizures/${s2.id}`, 'the other seizure'], [`/api/items/${i2.id}`, 'the other item'],
    [`/api/attachments/${files.s2.id}`, 'the other seizure\'s file record'], [`/api/attachments/${files.s2.id}/content`, 'the other seizure\'s file'],
    [`/api/attachments/${files.i2.id}/content`, 'the other item\'s file'], [`/api/attachments/${files.c2.id}/content`, 'the other case\'s file'], [`/api/cases/${c2.id}/case-file.pdf`, 'the other case file PDF']
  ] as const

  for (const [url, what] of read(mine)) t.equal((await as(app, mine.token)('GET', url)).statusCode, 200, `${what} is readable by its prosecutor`)
  for (const [url, what] of hidden) assertProblem(t, await as(app, mine.token)('GET', url), 404, { code: 'not-found' }, `${mine.username}: ${what}`)
  t.same((await allPages<CaseView>(app, mine.token, '/api/cases')).items.map((c) => c.id), [c1.id], 'the case list holds only the prosecutor\'s case')
  t.same((await allPages<{ id: string }>(app, mine.token, '/api/seizures')).items.map((s) => s.id), [s1.id], 'the seizure list holds only that case\'s seizure')
  t.same((await allPages<{ id: string }>(app, mine.token, '/api/items')).items.map((i) => i.id), [i1.id], 'the item list holds only that case\'s item')

  for (const [url, what] of read(other)) assertProblem(t, await as(app, other.token)('GET', url), 404, { code: 'not-found' }, `${what}, for a prosecutor who is not a member`)
  t.same((await allPages<CaseView>(app, other.token, '/api/cases')).items, [], 'a prosecutor of no case lists no case')
  t.same((await allPages<{ id: string }>(app, other.token, '/api/seizures')).items, [], 'and no seizure')

  await addMember(app, lead.token, c1.id, other.id, 'prosecutor')
  t.equal((await as(app, other.token)('GET', `/api/attachments/${files.c1.id}/content`)).statusCode, 200, 'once a member, the second prosecutor fetches the case\'s file')
  const removed = await as(app, lead.token)('DELETE', `/api/cases/${c1.id}/members/${other.id}`)
  t.equal(removed.statusCode, 200, 'the lead removes the second prosecutor')
  assertProblem(t, await as(app, other.token)('GET', `/api/attachments/${files.s1.id}/content`), 404, { code: 'not-found' }, 'a removed prosecutor no longer fetches the seizure\'s file')
})

t.test('sharing: the lead shares a case read-only with a named user of another agency, audited and revocable', async (t) => {
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'al.investigator-2', 'al.prosecutor', 'xk.investigator', 'xk.prosecutor'])
  const { app } = ctx
  const lead = u['al.investigator']!
  const guest = u['xk.investigator']!
  const seizure = await createSeizure(app, u['al.officer']!.token)
  const item = await createItem(app, u['al.officer']!.token, seizure.id)
  const c = await createCase(app, lead.token, [seizure.id])
  await addMember(app, lead.token, c.id, u['al.investigator-2']!.id, 'investigator')
  await addMember(app, lead.token, c.id, u['al.prosecutor']!.id, 'prosecutor')
  const action = await addAction(app, lead.token, c.id, { occurredAt: '2026-04-01T09:00:00Z', title: 'Joint interview planned' })
  const seizureFile = await attach(app, u['al.officer']!.token, `/api/seizures/${seizure.id}/attachments`, 'load photo')
  const caseFile = await attach(app, lead.token, `/api/cases/${c.id}/attachments`, 'joint note')
  const reads = [
    `/api/cases/${c.id}`, `/api/seizures/${seizure.id}`, `/api/seizures/${seizure.id}/items`, `/api/items/${item.id}`, `/api/items/${item.id}/custody`,
    `/api/attachments/${seizureFile.id}/content`, `/api/attachments/${caseFile.id}/content`, `/api/cases/${c.id}/attachments`
  ]
  const share = async (caller: Caller, userId: string) => as(app, caller.token)('POST', `/api/cases/${c.id}/shares`, { userId })

  for (const url of reads) assertProblem(t, await as(app, guest.token)('GET', url), 404, { code: 'not-found' }, `before sharing, ${url} for the XK investigator`)
  assertProblem(t, await share(u['al.investigator-2']!, guest.id), 403, { code: 'forbidden' }, 'a member who is not the lead sharing')
  assertProblem(t, await share(u['al.prosecutor']!, guest.id), 403, { code: 'forbidden' }, 'the prosecutor member sharing')
  assertProblem(t, await share(lead, u['al.prosecutor']!.id), 409, { code: 'conflict' }, 'sharing with a user of the case\'s own agency')

  const shared = await share(lead, guest.id)
  t.equal(shared.statusCode, 201, 'the lead shares the case with the XK investigator')
  t.same(shared.json<CaseView>().sharedWith, [guest.id], 'the case names who it is shared with')
  assertProblem(t, await share(lead, guest.id), 409, { code: 'conflict' }, 'sharing twice with the same user')

  for (const url of reads) t.equal((await as(app, guest.token)('GET', url)).statusCode, 200, `shared: the XK investigator reads ${url}`)
  t.match((await getCase(app, guest.token, c.id)), { access: { readOnly: true, myRole: null } }, 'the case tells the guest it is read-only for them')
  t.ok((await allPages<CaseView>(app, guest.token, '/api/cases')).items.some((x) => x.id === c.id), 'the shared case is in the guest\'s case list')
  for (const url of reads) assertProblem(t, await as(app, u['xk.prosecutor']!.token)('GET', url), 404, { code: 'not-found' }, `shared with someone else: ${url} for the XK prosecutor`)

  const before = tableCounts(app)
  const writes: Array<[string, string, unknown, 'multipart'?]> = [
    ['PATCH', `/api/cases/${c.id}`, { title: 'Renamed by the guest' }],
    ['PATCH', `/api/cases/${c.id}`, { status: 'investigation', reason: 'Guest moves it' }],
    ['POST', `/api/cases/${c.id}/actions`, { occurredAt: '2026-04-02T09:00:00Z', title: 'Guest note' }],
    ['POST', `/api/cases/${c.id}/members`, { userId: guest.id, role: 'investigator' }],
    ['POST', `/api/cases/${c.id}/seizures/${seizure.id}/unlink`, { reason: 'Guest unlinks' }],
    ['POST', `/api/cases/${c.id}/shares`, { userId: u['xk.prosecutor']!.id }],
    ['DELETE', `/api/cases/${c.id}/shares/${guest.id}`, undefined],
    ['PATCH', `/api/seizures/${seizure.id}`, { reason: 'Guest correction', conveyance: 'Other truck' }],
    ['POST', `/api/seizures/${seizure.id}/items`, { description: 'Guest item', category: 'other' }],
    ['POST', `/api/items/${item.id}/custody`, { type: 'sealed', sealNumber: 'SB-9' }],
    ['POST', `/api/seizures/${seizure.id}/attachments`, undefined, 'multipart'],
    ['POST', `/api/cases/${c.id}/attachments`, undefined, 'multipart'],
    ['POST', `/api/case-actions/${action.id}/attachments`, undefined, 'multipart']
  ]
  for (const [method, url, body, kind] of writes) {
    const res = kind === 'multipart'
      ? await upload(app, guest.token, url, [{ name: 'file', filename: 'guest.txt', data: 'guest' }])
      : await as(app, guest.token)(method as 'POST', url, body)
    t.ok(res.statusCode === 403 || res.statusCode === 404, `the guest's ${method} ${url} is refused with 403 or 404 (got ${res.statusCode})`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `the guest's ${method} ${url}: problem+json`)
  }
  t.same(tableCounts(app), before, 'none of the guest\'s attempts changed anything')

  assertProblem(t, await as(app, u['al.investigator-2']!.token)('DELETE', `/api/cases/${c.id}/shares/${guest.id}`), 403, { code: 'forbidden' }, 'a member who is not the lead revoking')
  const revoked = await as(app, lead.token)('DELETE', `/api/cases/${c.id}/shares/${guest.id}`)
  t.equal(revoked.statusCode, 200, 'the lead revokes the share')
  t.same(revoked.json<CaseView>().sharedWith, [], 'the case is shared with nobody')
  for (const url of reads) assertProblem(t, await as(app, guest.token)('GET', url), 404, { code: 'not-found' }, `revoked: ${url} for the XK investigator`)
  t.notOk((await allPages<CaseView>(app, guest.token, '/api/cases')).items.some((x) => x.id === c.id), 'the case left the guest\'s list')

  t.same(auditRows(app, 'case.share').map((e) => [e.actor, e.entityId, e.data.userId]), [[lead.id, c.id, guest.id]], 'the share is audited with who shared what with whom')
  t.same(auditRows(app, 'case.unshare').map((e) => [e.actor, e.entityId, e.data.userId]), [[lead.id, c.id, guest.id]], 'and so is the revocation')
  const visible = await auditEntries(app, ctx.admin, { action: 'case.share' })
  t.equal(visible.length, 1, 'the share is in GET /api/audit')
})

t.test('GET /api/cases filters by status, member, offence, seizure reference, party and free text, and its cursor visits every case once', async (t) => {
  const { ctx, u } = await setup(t, ['al.officer', 'al.investigator', 'al.investigator-2', 'al.prosecutor', 'xk.officer', 'xk.investigator'])
  const { app } = ctx
  const officer = u['al.officer']!
  const lead = u['al.investigator']!
  const other = u['al.investigator-2']!
  const party = (name: string) => [{ role: 'consignor', kind: 'organisation', name, country: 'AL' }]
  const sDrini = await createSeizure(app, officer.token, { parties: party('Drini Trading sh.p.k.') })
  const sVjosa = await createSeizure(app, officer.token, { occurredAt: '2026-04-02T11:00:00Z', parties: party('Vjosa Logistics') })
  const sOsumi = await createSeizure(app, officer.token, { occurredAt: '2026-04-03T11:00:00Z', parties: party('Osumi Metals') })
  const smuggling = { law: 'Criminal Code', article: 'Art. 287', description: 'Smuggling of goods subject to restrictions' }

  const a = await createCase(app, lead.token, [sDrini.id], { title: 'Frequency changers for centrifuges' })
  const b = await createCase(app, lead.token, [sVjosa.id], { title: 'Machine tools', summary: 'Lathes declared as spare parts', offences: [smuggling] })
  const c = await createCase(app, other.token, [sOsumi.id], { title: 'Aluminium tubes', summary: 'Tubes of 7000-series aluminium', offences: [OFFENCE, smuggling] })
  const d = await createCase(app, lead.token, [sDrini.id, sOsumi.id], { title: 'Consignor network', summary: 'Links the Drini and Osumi consignments' })
  const e = await createCase(app, other.token, [sVjosa.id], { title: 'Carbon fibre', summary: null })
  await addAction(app, other.token, e.id, { occurredAt: '2026-04-05T09:00:00Z', title: 'Search of the warehouse', text: 'Found maraging steel billets' })
  await addMember(app, lead.token, b.id, u['al.prosecutor']!.id, 'prosecutor')
  await addMember(app, other.token, c.id, u['al.prosecutor']!.id, 'prosecutor')
  await moveOk(app, lead.token, b.id, 'investigation', 'Started')
  await moveOk(app, other.token, c.id, 'investigation', 'Started')
  await moveOk(app, other.token, c.id, 'referred', 'Complete')
  const xkSeizure = await createSeizure(app, u['xk.officer']!.token, { parties: party('Drini Trading sh.p.k.') })
  await createCase(app, u['xk.investigator']!.token, [xkSeizure.id], { title: 'Frequency changers, Kosovo side' })

  const search = async (query: Record<string, string>): Promise<string[]> => refs((await allPages<CaseView>(app, lead.token, '/api/cases', query)).items)
  const expect: Array<[Record<string, string>, CaseView[], string]> = [
    [{}, [a, b, c, d, e], 'no filter: every case of the agency, none of another'],
    [{ status: 'investigation' }, [b], 'status=investigation'],
    [{ status: 'referred' }, [c], 'status=referred'],
    [{ status: 'open' }, [a, d, e], 'status=open'],
    [{ member: u['al.prosecutor']!.id }, [b, c], 'member=<the prosecutor>'],
    [{ member: other.id }, [c, e], 'member=<the second investigator>'],
    [{ offence: 'Art. 287' }, [b, c], 'offence=Art. 287'],
    [{ offence: '9707/2007' }, [a, c, d, e], 'offence=9707/2007 (the law, as a substring)'],
    [{ seizureReference: sDrini.reference }, [a, d], `seizureReference=${sDrini.reference}`],
    [{ seizureReference: 'AL-1999-000001' }, [], 'a seizure reference that does not exist'],
    [{ party: 'Osumi' }, [c, d], 'party=Osumi'],
    [{ party: 'vjosa' }, [b, e], 'party=vjosa (case-insensitive)'],
    [{ q: 'centrifuges' }, [a], 'q=centrifuges (title)'],
    [{ q: 'consignments' }, [d], 'q=consignments (summary)'],
    [{ q: 'maraging' }, [e], 'q=maraging (an action\'s text)'],
    [{ q: 'Frequency' }, [a], 'q=Frequency: not the other agency\'s case'],
    [{ q: 'tubes' }, [c], 'q=tubes'],
    [{ q: '"unbalanced' }, [], 'q with a stray quote is harmless'],
    [{ status: 'open', party: 'Drini' }, [a, d], 'filters combine: open and party Drini'],
    [{ status: 'open', offence: 'Art. 287' }, [], 'filters combine to nothing']
  ]
  for (const [query, cases, what] of expect) t.same(await search(query), refs(cases), `GET /api/cases ${what}`)
  assertProblem(t, await as(app, lead.token)('GET', '/api/cases?status=archived'), 400, { code: 'validation-failed' }, 'an unknown status')
  assertProblem(t, await as(app, lead.token)('GET', '/api/cases?owner=me'), 400, { code: 'validation-failed' }, 'an unknown filter')

  for (const limit of [1, 2, 3]) {
    const { items, pages } = await allPages<CaseView>(app, lead.token, '/api/cases', {}, limit)
    t.equal(items.length, 5, `limit=${limit}: five cases in all`)
    t.equal(new Set(items.map((x) => x.id)).size, 5, `limit=${limit}: each case once`)
    t.equal(pages, Math.ceil(5 / limit), `limit=${limit}: ${Math.ceil(5 / limit)} pages, the last one full or short, none empty`)
  }
  const paged = await allPages<CaseView>(app, lead.token, '/api/cases', { status: 'open' }, 1)
  t.same(refs(paged.items), refs([a, d, e]), 'a filtered list pages through the same cases, each once')
  const firstPage = (await as(app, lead.token)('GET', '/api/cases?limit=2')).json<{ items: CaseView[], nextCursor: string }>()
  await createCase(app, lead.token, [sVjosa.id], { title: 'Opened while paging' })
  const rest = await allPages<CaseView>(app, lead.token, '/api/cases', { cursor: firstPage.nextCursor }, 2)
  t.same(refs([...firstPage.items, ...rest.items]), refs([a, b, c, d, e]), 'a case opened while paging does not shift the cursor: the pages still hold every earlier case once')
  assertProblem(t, await as(app, lead.token)('GET', '/api/cases?cursor=not-a-cursor'), 400, {}, 'a cursor that was not issued')
})
