import t from 'tap'
import { ADMIN_PASSWORD, as, auditEntries, makeApp, tryLogin } from './helpers/app.js'

const ROLES = ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor'] as const
const AGENCIES = [
  { prefix: 'al', code: 'AL-CUSTOMS', country: 'AL' },
  { prefix: 'xk', code: 'XK-CUSTOMS', country: 'XK' }
] as const

t.test('STRONGROOM_DEMO=1 seeds two agencies and a user of every role in each, who log in with the announced password', async (t) => {
  const { app, announced } = await makeApp(t, { STRONGROOM_DEMO: '1', STRONGROOM_ADMIN_PASSWORD: '' })
  const text = announced.join('')
  t.ok(text.length > 0, 'the demo start announces something')
  const password = /password[^"\n]*"([^"]+)"/i.exec(text)?.[1]
  t.ok(password !== undefined && password.length >= 12, 'the announcement names the demo password')
  for (const agency of AGENCIES) {
    for (const role of ROLES) t.match(text, `${agency.prefix}.${role}`, `the announcement lists ${agency.prefix}.${role}`)
  }

  const root = await tryLogin(app, 'admin', password ?? '')
  t.equal(root.statusCode, 200, 'the bootstrap admin logs in with the demo password')
  const rootToken = root.json<{ token: string }>().token
  const agencies = (await as(app, rootToken)('GET', '/api/agencies')).json<{ items: Array<{ code: string, country: string }> }>().items
  t.match(agencies, [{ code: 'AL-CUSTOMS', country: 'AL' }, { code: 'XK-CUSTOMS', country: 'XK' }], 'the agencies AL-CUSTOMS and XK-CUSTOMS exist')
  t.equal(agencies.length, 2, 'and no others')

  for (const agency of AGENCIES) {
    for (const role of ROLES) {
      const username = `${agency.prefix}.${role}`
      const res = await tryLogin(app, username, password ?? '')
      t.equal(res.statusCode, 200, `${username} logs in with the demo password`)
      t.match(res.json(), { user: { username, role, agency: { code: agency.code, country: agency.country } } }, `${username} is the ${role} of ${agency.code}`)
    }
  }

  const entries = await auditEntries(app, rootToken)
  t.equal(entries.filter((e) => e.action === 'user.create').length, 13, 'the seed went through the audited write path: 12 demo users and the bootstrap admin')
  t.equal(entries.filter((e) => e.action === 'agency.create').length, 2, 'and two agency creations')
})

t.test('without STRONGROOM_DEMO no demo users exist', async (t) => {
  const { app, announced } = await makeApp(t)
  t.same(announced, [], 'nothing is announced')
  t.equal((await tryLogin(app, 'al.officer', 'strongroom-demo')).statusCode, 401, 'al.officer does not exist')
  t.equal((await tryLogin(app, 'admin', ADMIN_PASSWORD)).statusCode, 200, 'the bootstrap admin does')
})
