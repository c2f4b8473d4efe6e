/**
 * Long operations report their progress in the log (structured, pino): a
 * bundle says when it starts (how many evidence files and bytes), each
 * quarter of the evidence streamed and re-hashed, when its case file is
 * rendered and when it is sent, with the request's id on every line; a case
 * file says when it is rendered. Nothing secret is logged.
 */
import t from 'tap'
import { as, createUser, login, ADMIN_PASSWORD, startApp } from './helpers/app.js'
import { createItem, createSeizure, upload } from './helpers/evidence.js'

t.setTimeout(120_000)

interface Line { level: number, msg: string, reqId?: string, [key: string]: unknown }

t.test('a bundle and a case file report their progress in the log', async (t) => {
  const lines: Line[] = []
  const logStream = { write: (line: string) => { lines.push(JSON.parse(line) as Line) } }
  const { app } = await startApp(t, t.testdir({}), { STRONGROOM_LOG_LEVEL: 'info' }, { logStream })
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  const officer = (await createUser(app, admin, { username: 'al.officer', role: 'officer' })).token
  const investigator = (await createUser(app, admin, { username: 'al.investigator', role: 'investigator' })).token
  const seizure = await createSeizure(app, officer)
  const item = await createItem(app, officer, seizure.id)
  for (let i = 0; i < 8; i++) {
    const res = await upload(app, officer, `/api/items/${item.id}/attachments`, [{ name: 'file', filename: `note-${i}.txt`, data: Buffer.alloc(50_000, 65 + i), contentType: 'text/plain' }])
    if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`)
  }
  const created = await as(app, investigator)('POST', '/api/cases', { title: 'Progress', seizureIds: [seizure.id] })
  const caseId = created.json<{ id: string }>().id

  const bundle = await as(app, investigator)('GET', `/api/cases/${caseId}/bundle.zip`)
  t.equal(bundle.statusCode, 200, 'the bundle is made')
  const mine = lines.filter((l) => l.msg.startsWith('bundle: '))
  t.equal(mine[0]?.msg, 'bundle: started, evidence first', 'first: the start')
  t.equal(mine[mine.length - 1]?.msg, 'bundle: sent', 'last: sent')
  t.equal(mine.filter((l) => l.msg === 'bundle: case file rendered').length, 1, 'and in between, once, the case file rendered (while the evidence streams)')
  t.match(mine[0], { level: 30, evidenceFiles: 8, evidenceBytes: 8 * 50_000, reqId: String }, 'the start names the evidence it will stream')
  t.match(mine.filter((l) => l.msg === 'bundle: evidence streamed and re-hashed').map((l) => l.evidenceFiles), ['2/8', '4/8', '6/8', '8/8'], 'a line at each quarter of the evidence bytes')
  t.match(mine.find((l) => l.msg === 'bundle: sent'), { bytes: bundle.rawPayload.length, ms: Number }, 'the end gives the bytes sent')
  t.equal(new Set(mine.map((l) => l.reqId)).size, 1, 'every line carries the request id')

  const pdf = await as(app, investigator)('GET', `/api/cases/${caseId}/case-file.pdf?lang=sq`)
  t.equal(pdf.statusCode, 200, 'the case file is made')
  t.match(lines.find((l) => l.msg === 'case file: rendered'), { language: 'sq', bytes: pdf.rawPayload.length, exhibits: 1, ms: Number }, 'a case file says when it is rendered, its size and what it holds')
  t.notOk(JSON.stringify(lines).includes(investigator), 'no token is in the log')
})
