import t from 'tap'
import { as, assertProblem, auditEntries, makeApp } from './helpers/app.js'
import { allPages, CASE_OUTCOMES, getCase, type CaseView } from './helpers/cases.js'
import { loginAs } from './helpers/evidence.js'

t.test('STRONGROOM_DEMO=1 seeds a referred case on the demo seizure with a prosecutor and actions, and an older closed case with its outcome', async (t) => {
  const { app } = await makeApp(t, { STRONGROOM_DEMO: '1', STRONGROOM_ADMIN_PASSWORD: '' })
  const investigator = await loginAs(app, 'al.investigator')
  const prosecutor = await loginAs(app, 'al.prosecutor')

  const cases = (await allPages<CaseView>(app, investigator.token, '/api/cases')).items
  t.equal(cases.length, 2, 'AL-CUSTOMS has two demo cases')
  const referredView = cases.find((c) => c.status === 'referred')
  const closedView = cases.find((c) => c.status === 'closed')
  if (referredView === undefined || closedView === undefined) {
    t.fail(`one case is referred and one closed (got ${cases.map((c) => c.status).join(', ')})`)
    return
  }

  const referred = await getCase(app, investigator.token, referredView.id)
  t.match(referred.reference, /^AL-C-\d{4}-\d{4}$/, 'the referred case has a case reference')
  t.ok(referred.members.some((m) => m.role === 'prosecutor' && m.userId === prosecutor.id), 'al.prosecutor is its prosecutor')
  t.ok(referred.members.some((m) => m.role === 'lead_investigator' && m.userId === investigator.id), 'al.investigator leads it')
  t.ok(referred.actions.length >= 2, `it has investigative actions (${referred.actions.length})`)
  t.ok(referred.offences.length >= 1, 'it names its offences')
  t.equal(referred.seizures.length, 1, 'it is built on one seizure')
  t.match(referred.seizures[0], { place: { name: /Morin/ }, transportMode: 'road' }, 'the demo seizure at the Morinë crossing')
  t.ok(referred.items.length >= 1 && referred.items.every((i) => typeof i.status === 'string'), 'its exhibits come with their custody status')
  t.ok(referred.referredAt !== null, 'its referral time is recorded')
  t.same(referred.statusHistory.map((h) => h.toStatus), ['open', 'investigation', 'referred'], 'it went open → investigation → referred')
  const actions = referred.timeline.map((e) => e.action)
  for (const action of ['seizure.create', 'custody.seized', 'custody.transferred', 'case.create', 'case.member_add', 'case.action', 'case.status']) {
    t.ok(actions.includes(action), `its timeline includes ${action}`)
  }

  const closed = await getCase(app, investigator.token, closedView.id)
  t.ok((CASE_OUTCOMES as readonly string[]).includes(closed.outcome ?? ''), `the closed case has an outcome (${String(closed.outcome)})`)
  t.ok(closed.closedAt !== null && closed.closedAt < referred.createdAt, 'it was closed before the referred case was opened')
  t.ok(closed.createdAt < referred.createdAt, 'it is the older case')
  t.ok(closed.actions.length >= 1, 'it has an investigative action')
  t.equal(closed.statusHistory.at(-1)?.toStatus, 'closed', 'its last move closed it')
  t.ok(Date.parse(closed.closedAt ?? '') < Date.now() - 30 * 24 * 3600 * 1000, 'it was closed months ago, not at seed time')

  const mine = (await allPages<CaseView>(app, prosecutor.token, '/api/cases')).items.map((c) => c.id)
  t.same(mine, [referred.id], 'al.prosecutor lists the referred case, and only it')
  t.equal((await as(app, prosecutor.token)('GET', `/api/cases/${referred.id}`)).statusCode, 200, 'al.prosecutor reads the referred case')
  assertProblem(t, await as(app, prosecutor.token)('GET', `/api/cases/${closed.id}`), 404, { code: 'not-found' }, 'al.prosecutor and the closed case they are not a member of')
  const files = (await as(app, prosecutor.token)('GET', `/api/seizures/${referred.seizureIds[0] ?? ''}/attachments`)).json<{ items: Array<{ id: string }> }>().items
  t.ok(files.length >= 1, 'al.prosecutor lists the demo seizure\'s photos')
  t.equal((await as(app, prosecutor.token)('GET', `/api/attachments/${files[0]?.id ?? ''}/content`)).statusCode, 200, 'and downloads one')

  const xkProsecutor = await loginAs(app, 'xk.prosecutor')
  t.same((await allPages<CaseView>(app, xkProsecutor.token, '/api/cases')).items, [], 'Kosovo\'s prosecutor sees no Albanian case')
  assertProblem(t, await as(app, xkProsecutor.token)('GET', `/api/cases/${referred.id}`), 404, { code: 'not-found' }, 'xk.prosecutor and the demo case')

  const admin = await loginAs(app, 'admin')
  const created = await auditEntries(app, admin.token, { action: 'case.create' })
  t.same(created.map((e) => e.entityId).sort(), [referred.id, closed.id].sort(), 'both cases were opened through the audited write path')
})
