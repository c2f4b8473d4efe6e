/**
 * A case file's bytes depend on the case and the generation time only, not on what the server
 * printed before it. The case file worker keeps its fonts parsed between documents; fontkit
 * remembers a glyph with the characters it was first made from, and pdfkit writes those
 * characters into the PDF's text map. With ligatures (the "fi" glyph made from "f" + "i", or
 * from U+FB01 "ﬁ" pasted from another PDF) that made the bytes depend on the order of printing,
 * until each document started with empty glyph caches (fonts.ts). The fonts are now used
 * without their layout tables, so no two characters share a glyph; this test keeps that
 * guarantee if the fonts or the shaping change. One case is printed by a fresh server, and by
 * another server after it printed a case whose text would reach the same glyph the other way.
 */
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { ADMIN_PASSWORD, as, createUser, login, startApp } from './helpers/app.js'
import { createItem, createSeizure, sha256 } from './helpers/evidence.js'
import { generatedNow } from './helpers/documents.js'

t.setTimeout(180_000)

async function caseOf (app: FastifyInstance, officer: string, investigator: string, description: string): Promise<string> {
  const seizure = await createSeizure(app, officer)
  await createItem(app, officer, seizure.id, { description })
  const res = await as(app, investigator)('POST', '/api/cases', { title: description, seizureIds: [seizure.id] })
  if (res.statusCode !== 201) throw new Error(`POST /api/cases: ${res.statusCode} ${res.body}`)
  return res.json<{ id: string }>().id
}

/** The case file of case `id`, generated at `generatedAt`. */
async function caseFile (app: FastifyInstance, token: string, id: string, generatedAt: string): Promise<Buffer> {
  const res = await as(app, token)('GET', `/api/cases/${id}/case-file.pdf?generatedAt=${generatedAt}`)
  if (res.statusCode !== 200) throw new Error(`GET case-file.pdf: ${res.statusCode} ${res.body}`)
  return res.rawPayload
}

t.test('a case file is the same whether or not the server printed another case before it', async (t) => {
  const dir = t.testdir({})
  const setup = await startApp(t, dir)
  const admin = await login(setup.app, 'admin', ADMIN_PASSWORD)
  const officer = (await createUser(setup.app, admin, { username: 'al.officer', role: 'officer' })).token
  const investigator = (await createUser(setup.app, admin, { username: 'al.investigator', role: 'investigator' })).token
  const plain = await caseOf(setup.app, officer, investigator, 'Signed by the officer on file')
  const ligature = await caseOf(setup.app, officer, investigator, 'Signed by the o\uFB03cer on \uFB01le, as pasted from a PDF')
  await setup.app.close()
  const generated = generatedNow()

  const fresh = await startApp(t, dir)
  const alone = await caseFile(fresh.app, investigator, ligature, generated)
  await fresh.app.close()

  const used = await startApp(t, dir)
  const before = await caseFile(used.app, investigator, plain, generated)
  const after = await caseFile(used.app, investigator, ligature, generated)
  t.ok(before.length > 1000, 'the server first printed the case written with plain "fi"')
  t.equal(sha256(after), sha256(alone), 'the case written with "ﬁ" and "ﬃ" is byte-identical to the one a fresh server printed')
  t.equal(sha256(await caseFile(used.app, investigator, plain, generated)), sha256(before), 'and the first case, printed again after it, is unchanged too')
})
