/**
 * The case file of cases built for the test: a party named like an HTML tag, texts at the
 * lengths the API accepts, a chain of custody of 60 events, times just after midnight. Judged
 * with pdftotext (page by page and with word boxes) and pdftoppm: every text printed whole,
 * nothing past a page edge, nothing drawn over other text, table headers repeated.
 *
 * STRONGROOM_SCREENS=<dir> keeps the PDFs and rendered pages there for a human to look at.
 */
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { as } from './helpers/app.js'
import { keywordHashes } from '../server/verify/verify-bundle.js'
import { createItem, createSeizure, custody, evidenceApp, goodsLine, upload, type Caller } from './helpers/evidence.js'
import {
  albanianTime, caseView, describeWord, generatedNow, getPdf, keep, headingPage, inkNearEdges, overlappingWords, pageTexts, pdfPages, pdfText, pdfWords, tool, wordsOffPage, type CaseView
} from './helpers/documents.js'

// Each test renders a multi-page case file and runs the poppler tools on every page.
t.setTimeout(300_000)

const SCRIPT = '<img src=x onerror=alert(1)>'
const LONG_TOKEN = `IBANAL47${'2121100900000002356987411'.repeat(4)}`
const sentence = (n: number): string => `Sentence ${n} of the long narrative, written to wrap over many lines of the page without losing a word.`

interface BigCase { app: FastifyInstance, out: string, officer: Caller, investigator: Caller, kase: CaseView, itemLabel: string }

async function bigCase (t: Test, events: number, options: { hugeNote?: boolean } = {}): Promise<BigCase> {
  const fixture = await evidenceApp(t)
  const { app } = fixture
  const officer = await fixture.user('al.officer')
  const investigator = await fixture.user('al.investigator')
  const seizure = await createSeizure(app, officer.token, {
    occurredAt: '2026-03-29T08:40:00Z',
    narrative: Array.from({ length: 60 }, (_, i) => sentence(i + 1)).join(' ') + ' ENDOFNARRATIVE.',
    parties: [
      { role: 'consignor', kind: 'organisation', name: SCRIPT, country: 'AL', identifier: LONG_TOKEN.slice(0, 100), address: `Rruga ${LONG_TOKEN}, Tiranë` },
      { role: 'driver', kind: 'person', name: 'Çlirim Ëndërr "Ziku" & Co. </td><script>alert(2)</script>', country: 'AL' }
    ],
    goods: [goodsLine({ description: `Frequency changers ${'with a very long description '.repeat(20)}ENDOFGOODS` })]
  })
  const item = await createItem(app, officer.token, seizure.id, { occurredAt: '2026-03-29T09:00:00Z', description: `Sample ${'described at great length '.repeat(30)}ENDOFDESCRIPTION` })
  const first = await custody(app, officer.token, item.id, { type: 'examined', occurredAt: '2026-03-30T00:30:00Z', notes: 'Examined just after midnight UTC.' })
  if (first.statusCode !== 201) throw new Error(`custody event failed: ${first.statusCode} ${first.body}`)
  for (let i = 1; i < events; i++) {
    const at = new Date(Date.parse('2026-03-30T00:30:00Z') + i * 3600_000).toISOString()
    const res = await custody(app, officer.token, item.id, { type: 'examined', occurredAt: at, notes: i === 1 && options.hugeNote === true ? `Examination ${i}: ${'the longest notes a custodian may write '.repeat(120).slice(0, 4960)} ENDOFNOTES` : i % 7 === 0 ? `Examination ${i}: ${'notes that run on and on '.repeat(12)}` : `Examination ${i}` })
    if (res.statusCode !== 201) throw new Error(`custody event ${i} failed: ${res.statusCode} ${res.body}`)
  }
  const longName = `${'very_long_file_name_'.repeat(9)}end.txt`
  const up = await upload(app, officer.token, `/api/items/${item.id}/attachments`, [{ name: 'file', filename: longName, data: 'long name\n', contentType: 'text/plain' }])
  if (up.statusCode !== 201) throw new Error(`upload failed: ${up.statusCode} ${up.body}`)
  const created = await as(app, investigator.token)('POST', '/api/cases', {
    title: `Case with long texts ${'and a title that goes on '.repeat(8)}ENDOFTITLE`,
    summary: Array.from({ length: 40 }, (_, i) => `Summary paragraph ${i + 1} says what the case is about at some length.`).join(' '),
    seizureIds: [seizure.id],
    offences: Array.from({ length: 6 }, (_, i) => ({ law: `Law No. ${i + 1}/2026 on a matter with a long name`, article: `Art. ${i + 10}`, description: 'An offence described in a sentence long enough to wrap across two lines of the cover page.' }))
  })
  if (created.statusCode !== 201) throw new Error(`POST /api/cases failed: ${created.statusCode} ${created.body}`)
  const kase = await caseView(app, investigator.token, created.json<{ id: string }>().id)
  // The test's directory is the app's data directory (evidenceApp): files the test writes go beside.
  return { app, out: path.join(fixture.dir, 'out'), officer, investigator, kase, itemLabel: item.label }
}

t.test('a party named like an HTML tag is printed as its literal text', async (t) => {
  const { app, out, investigator, kase } = await bigCase(t, 2)
  const GENERATED = generatedNow()
  const { file } = await getPdf(t, app, investigator.token, kase.id, `generatedAt=${GENERATED}`, out, 'hostile.pdf')
  const text = await pdfText(file)
  t.ok(text.includes(SCRIPT), `the party name reads ${SCRIPT}`)
  t.ok(text.includes('Çlirim Ëndërr "Ziku" & Co.'), 'quotes, ampersand and capital Ç and Ë come out as written')
  t.ok(text.includes('<script>alert(2)</script>'), 'a script tag is printed as text')
  const info = await tool('pdfinfo', [file])
  t.match(info.stdout, /^JavaScript:\s+no/m, 'and the PDF holds no JavaScript')
})

t.test('a case title with XML and PDF syntax in it stays text in the metadata: the XMP is well-formed and names the one manifest hash', async (t) => {
  const { app, out, investigator, kase } = await bigCase(t, 2)
  const title = 'Fraud & "Co" <pdf:Keywords>AL; 0000000000000000000000000000000000000000000000000000000000000000</pdf:Keywords> /Keywords 1 0 R ]]>'
  const patched = await as(app, investigator.token)('PATCH', `/api/cases/${kase.id}`, { title })
  t.equal(patched.statusCode, 200, `the case is retitled (${patched.body.slice(0, 200)})`)
  const { file, bytes } = await getPdf(t, app, investigator.token, kase.id, `generatedAt=${generatedNow()}`, out, 'xmp.pdf')
  const meta = await tool('pdfinfo', ['-meta', file])
  const xml = meta.stdout.slice(meta.stdout.indexOf('<?xpacket'))
  const parsed = await tool('python3', ['-c', 'import sys, xml.dom.minidom as m; d = m.parseString(open(sys.argv[1], encoding="utf-8").read()); print(len(d.getElementsByTagName("pdf:Keywords")))', keep(out, 'xmp.xml', Buffer.from(xml, 'utf8'))])
  t.equal(parsed.code, 0, `the XMP parses as XML (${parsed.stderr.trim().slice(0, 200)})`)
  t.equal(parsed.stdout.trim(), '1', 'with one pdf:Keywords element')
  const info = await tool('pdfinfo', [file])
  t.equal(/^Subject:\s+(.*)$/m.exec(info.stdout)?.[1], title, 'the document information keeps the title as written')
  const hashes = keywordHashes(bytes)
  t.equal(hashes.length, 2, 'the verifier finds the Keywords of the XMP and of the document information')
  t.ok(hashes.every((h) => /^[0-9a-f]{64}$/.test(h) && h !== '0'.repeat(64) && h === hashes[0]), `both name the real manifest hash, not the one in the title (${hashes.join(', ')})`)
})

t.test('long texts wrap inside the page, nothing is drawn over other text, and a 60-event chain of custody repeats its header on every page it spans', async (t) => {
  const { app, out, investigator, kase, itemLabel } = await bigCase(t, 60)
  const GENERATED = generatedNow()
  const { file } = await getPdf(t, app, investigator.token, kase.id, `generatedAt=${GENERATED}`, out, 'long.pdf')
  const pages = await pdfPages(file)
  const texts = await pageTexts(file)
  const all = texts.join('\n')
  for (const marker of ['ENDOFNARRATIVE', 'ENDOFGOODS', 'ENDOFDESCRIPTION', 'Sentence 60 of the long narrative', 'Summary paragraph 40']) {
    t.ok(all.includes(marker), `the long text ending "${marker}" is printed to its end`)
  }
  t.ok(all.replace(/\s+/g, '').includes(`Rruga${LONG_TOKEN},Tiranë`), 'an unbroken 100-character token is printed whole, wrapped within its cell')

  const boxes = await pdfWords(file)
  t.same(wordsOffPage(boxes, 28).map(describeWord), [], 'no word comes within 1 cm of a page edge')
  t.same(overlappingWords(boxes).map(([a, b]) => `${describeWord(a)} over ${describeWord(b)}`), [], 'no word is drawn over another')
  t.same(await inkNearEdges(file, out, 24), [], 'nothing at all (text, rule, bar or image) is drawn within 24 pt of a page edge')

  // A page that ends with the very line the next page starts with ends with a table header
  // whose rows all went over: the header (and the heading above it) stands alone.
  const layout = await pageTexts(file, true)
  const body = (page: string): string[] => page.split('\n').filter((l) => l.trim() !== '').slice(1, -1).map((l) => l.trim().split(/\s+/).join(' '))
  const orphans = layout.slice(0, -1).map((p, i) => ({ n: i + 1, last: body(p).at(-1), next: body(layout[i + 1] ?? '')[0] })).filter((p) => p.last !== undefined && p.last === p.next)
  t.same(orphans.map((o) => `page ${o.n} ends with "${o.last ?? ''}"`), [], 'no page ends with a table header whose rows all start on the next page')
  const headings = new Set(['The case', 'Summary', 'Status history', 'Investigative actions', 'Narrative', 'Parties', 'Goods', 'Signed checkpoint'])
  const stranded = layout.map((p, i) => ({ n: i + 1, last: body(p).at(-1) ?? '' })).filter((p) => headings.has(p.last))
  t.same(stranded.map((p) => `page ${p.n} ends with the heading "${p.last}"`), [], 'no page ends with a heading whose content starts on the next page')

  // The custody section: from its heading to the photographs.
  const start = headingPage(texts, 'Chain of custody') - 1
  const end = headingPage(texts, 'Photographs') - 1
  t.ok(start > 1 && end > start, `the custody section is found (pages ${start + 1} to ${end})`)
  const tablePages = texts.slice(start, end).map((p, i) => ({ n: start + i + 1, text: p })).filter((p) => /Examination \d+/.test(p.text))
  t.ok(tablePages.length >= 2, `the 60 events span more than one page (${tablePages.length})`)
  for (const [k, p] of tablePages.entries()) {
    t.ok(p.text.includes('Occurred / recorded'), `page ${p.n} of the custody table repeats the header "Occurred / recorded"`)
    if (k > 0) t.ok(p.text.includes(`${itemLabel} (continued)`), `page ${p.n} says whose table goes on there ("${itemLabel} (continued)")`)
    t.ok(p.text.includes(`page ${p.n} of ${pages}`), `page ${p.n} keeps its footer`)
  }
  for (let i = 1; i < 60; i++) t.ok(all.includes(`Examination ${i}`), `event ${i + 1} is in the table`)
  t.ok(all.includes(itemLabel), 'the exhibit label is printed')
  t.ok(all.replace(/\s+/g, '').includes(`${'very_long_file_name_'.repeat(9)}end.txt`), 'the long file name is printed whole, wrapped in its cell')
})

t.test('a custody note of 5,000 characters (the most the API accepts) is printed whole and stays within the pages', async (t) => {
  const { app, out, investigator, kase } = await bigCase(t, 3, { hugeNote: true })
  const GENERATED = generatedNow()
  const { file } = await getPdf(t, app, investigator.token, kase.id, `generatedAt=${GENERATED}`, out, 'huge-note.pdf')
  const pages = await pdfPages(file)
  const texts = await pageTexts(file)
  const all = texts.join('\n')
  t.ok(all.includes('ENDOFNOTES'), 'the note is printed to its end')
  t.ok(all.includes('Examination 2'), 'the event after it is printed')
  texts.forEach((text, i) => t.ok(text.includes(`page ${i + 1} of ${pages}`), `page ${i + 1} keeps its footer`))
  const boxes = await pdfWords(file)
  t.same(wordsOffPage(boxes, 28).map(describeWord), [], 'no word comes within 1 cm of a page edge')
  t.same(overlappingWords(boxes).map(([a, b]) => `${describeWord(a)} over ${describeWord(b)}`), [], 'no word is drawn over another')
  const start = headingPage(texts, 'Chain of custody') - 1
  const end = headingPage(texts, 'Photographs') - 1
  const spanned = texts.slice(start, end).map((p, i) => ({ n: start + i + 1, text: p })).filter((p) => /\blongest\b/.test(p.text))
  t.ok(spanned.length >= 2, `the note spans ${spanned.length} pages`)
  t.same(spanned.filter((p) => !p.text.includes('Occurred / recorded')).map((p) => p.n), [], 'every page the note spans repeats the table header')
  t.same(await inkNearEdges(file, out, 24), [], 'nothing (the anomaly bar, the row rule) is drawn past the bottom margin onto the footer or off the page')
})

t.test('a cover with many offences keeps its QR code, the manifest hash and the notice inside the pages, together', async (t) => {
  const fixture = await evidenceApp(t)
  const { app } = fixture
  const officer = await fixture.user('al.officer')
  const investigator = await fixture.user('al.investigator')
  const seizure = await createSeizure(app, officer.token)
  const out = path.join(fixture.dir, 'out')
  for (const n of [11, 16]) {
    const created = await as(app, investigator.token)('POST', '/api/cases', {
      title: `A case of ${n} offences`,
      seizureIds: [seizure.id],
      offences: Array.from({ length: n }, (_, i) => ({ law: `Law No. ${i + 1}/2026 on a matter with a long name`, article: `Art. ${i + 10}`, description: 'An offence described in a sentence long enough to wrap across two lines of the cover page.' }))
    })
    t.equal(created.statusCode, 201, `${n} offences: the case is opened`)
    const { file } = await getPdf(t, app, investigator.token, created.json<{ id: string }>().id, `generatedAt=${generatedNow()}`, out, `offences-${n}.pdf`)
    t.same(await inkNearEdges(file, path.join(out, String(n)), 24), [], `${n} offences: nothing (the QR code included) is drawn within 24 pt of a page edge`)
    t.same(wordsOffPage(await pdfWords(file), 28).map(describeWord), [], `${n} offences: no word comes within 1 cm of a page edge`)
    const texts = await pageTexts(file)
    const qrPage = texts.findIndex((p) => p.replace(/\s+/g, ' ').includes('SHA-256 of the manifest embedded in this file (QR code)'))
    t.ok(qrPage >= 0 && qrPage <= 1, `${n} offences: the QR code caption is on the cover (page ${qrPage + 1})`)
    t.ok(/see the certificate at the end/.test(texts[qrPage] ?? ''), `${n} offences: the notice ends on the page of the QR code`)
    t.match(texts[qrPage] ?? '', /\b[0-9a-f]{64}\b/, `${n} offences: the manifest hash is printed whole under the QR code`)
    t.ok(texts.some((p, i) => i > qrPage && /^\s*Contents\s*$/m.test(p)), `${n} offences: the contents follow the cover`)
  }
})

t.test('times just after midnight UTC read 00:xx in both languages, never 24:xx', async (t) => {
  // (The generation time is now, as the server allows no other for a case just made; the date
  // formatter is compared with Intl at midnight and at random times in case-file-text.test.ts.)
  const { app, out, investigator, kase } = await bigCase(t, 2)
  const generated = generatedNow()
  const sq = albanianTime(generated)
  for (const lang of ['en', 'sq'] as const) {
    const { file } = await getPdf(t, app, investigator.token, kase.id, `lang=${lang}&generatedAt=${generated}`, out, `midnight-${lang}.pdf`)
    const text = await pdfText(file)
    const day = lang === 'en' ? '30/03/2026' : '30.03.2026'
    t.ok(text.includes(`${day}, 00:30`), `${lang}: the event at 00:30 UTC on 30 March reads "${day}, 00:30"`)
    const when = lang === 'sq' ? sq : sq.replace(/^(\d\d)\.(\d\d)\.(\d{4})/, '$1/$2/$3')
    t.ok(text.includes(when), `${lang}: the generation time reads ${when}`)
    t.notOk(/\b24:\d\d\b/.test(text), `${lang}: no time reads 24:xx`)
  }
})
