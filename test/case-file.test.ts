/**
 * GET /api/cases/:id/case-file.pdf of the demo's referred case, judged as issue 7 says a reader
 * will judge it: with the Debian tools a court clerk or an archivist has (pdftotext, pdfinfo,
 * pdffonts, pdfdetach, pdftoppm, qpdf), never with the project's own code. The hostile and the
 * oversized inputs are in case-file-layout.test.ts.
 *
 * STRONGROOM_SCREENS=<dir> keeps the PDFs and rendered pages there for a human to look at.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import canonicalize from 'canonicalize'
import t from 'tap'
import { ADMIN_PASSWORD, as, assertProblem, auditEntries, login } from './helpers/app.js'
import { loginAs } from './helpers/evidence.js'
import {
  albanianTime, caseAttachments, demoCase, demoFixture, describeWord, generatedNow, getPdf, headingPage, inkNearEdges, inkShare, keep, overlappingWords,
  pageTexts, pdfPages, pdfText, pdfWords, readZip, SCREENS, tool, wordsOffPage
} from './helpers/documents.js'

// Each test generates the demo case file (photos of about 1 MB each) and runs the poppler tools on it.
t.setTimeout(300_000)

const demoApp = demoFixture(t)
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')

t.test('the English case file of the demo case, as al.prosecutor downloads it', async (t) => {
  const { app, dir } = await demoApp(t)
  const { prosecutor, kase } = await demoCase(app)
  const GENERATED = generatedNow()
  const res = await as(app, prosecutor.token)('GET', `/api/cases/${kase.id}/case-file.pdf?generatedAt=${GENERATED}`)
  const file = keep(dir, 'demo-en.pdf', res.rawPayload)
  const pages = await pdfPages(file)
  const texts = await pageTexts(file)
  const text = texts.join('\n')

  t.test('answers 200 application/pdf, named after the case, naming every exhibit label and every attachment SHA-256', async (t) => {
    t.equal(res.statusCode, 200, 'answers 200')
    t.match(res.headers['content-type'], /^application\/pdf\b/, 'as application/pdf')
    t.match(res.headers['content-disposition'], new RegExp(`^attachment; filename="${kase.reference}[^"/\\\\]*\\.pdf"$`), 'as an attachment named after the case reference')
    t.equal(res.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-', 'the body is a PDF')
    t.equal(kase.items.length, 3, 'the demo case has three exhibits')
    t.ok(text.includes(kase.reference), 'the text names the case reference')
    for (const item of kase.items) t.ok(text.includes(item.label), `the text names exhibit ${item.label}`)
    for (const s of kase.seizures) t.ok(text.includes(s.reference), `the text names seizure ${s.reference}`)
    const files = await caseAttachments(app, prosecutor.token, kase)
    t.ok(files.length >= 5, `the demo case has its photos and the laboratory report (${files.length} files)`)
    for (const f of files) {
      // pdftotext joins nothing across lines: a hash is found only if it is printed whole on one line.
      t.ok(text.includes(f.sha256), `the SHA-256 of ${f.folder}/${f.filename} is printed whole on one line (${f.sha256})`)
      t.ok(text.includes(f.filename), `the file name ${f.filename} is printed`)
    }
    t.ok(text.includes('Gëzim Përmeti'), 'a party name with ë is extracted as written')
    t.ok(text.includes('Mirela Çela'), 'a member name with Ç is extracted as written')
  })

  t.test('every page carries the case reference, "page X of Y" with Y the real page count, and its Bates number', async (t) => {
    t.ok(pages >= 8, `cover, contents, case, seizure, exhibits, custody, photos and certificate make at least 8 pages (${pages})`)
    t.equal(texts.length, pages, 'pdftotext reads every page')
    texts.forEach((text, i) => {
      const n = i + 1
      const bates = `${kase.reference}-${String(n).padStart(6, '0')}`
      t.ok(text.includes(`page ${n} of ${pages}`), `page ${n} is footed "page ${n} of ${pages}"`)
      t.same([...text.matchAll(/page (\d+) of (\d+)/g)].map((m) => `${m[1]}/${m[2]}`), [`${n}/${pages}`], `page ${n} names no other page number or total`)
      t.ok(text.includes(kase.reference), `page ${n} is headed with the case reference`)
      t.ok(text.includes(bates), `page ${n} carries the Bates number ${bates}`)
    })
    t.ok((texts[0] ?? '').includes('COURT CASE FILE'), 'the cover says what the document is')
  })

  t.test('the contents list every section and exhibit with the page its heading is on, in the order VERIFIABILITY.md gives', async (t) => {
    const sections = ['The case', 'Seizures', 'Exhibit list', 'Chain of custody', 'Photographs', 'Certificate of integrity']
    const contents = await pdfText(file, { first: 2, last: 2, layout: true })
    t.match(contents, /^\s*Contents\s*$/m, 'page 2 is the table of contents')
    const listed = sections.map((s) => Number(new RegExp(`^\\s*${s}\\s+(\\d+)\\s*$`, 'm').exec(contents)?.[1] ?? -1))
    sections.forEach((s, i) => {
      t.equal(listed[i], headingPage(texts, s), `the contents list "${s}" on page ${headingPage(texts, s)}, where its heading is`)
    })
    t.same([...listed].sort((a, b) => a - b), listed, 'the sections come in order: case, seizures, exhibits, custody, photos, certificate')
    for (const item of kase.items) t.match(contents, new RegExp(`^\\s*${item.label}\\b.*\\s\\d+\\s*$`, 'm'), `the contents list exhibit ${item.label} with a page`)
  })

  t.test('is PDF/A-3b as the CI can check it: qpdf --check clean, every font embedded, XMP pdfaid part 3 conformance B', async (t) => {
    const check = await tool('qpdf', ['--check', file])
    t.equal(check.code, 0, `qpdf --check exits 0 (${check.stderr.trim()})`)
    t.match(check.stdout, /No syntax or stream encoding errors found/, 'qpdf finds no syntax or stream error')
    t.equal(check.stderr.trim(), '', 'qpdf warns about nothing')

    const fonts = await tool('pdffonts', [file])
    t.equal(fonts.code, 0, 'pdffonts exits 0')
    const rows = fonts.stdout.split('\n').slice(2).filter((l) => l.trim() !== '')
    t.ok(rows.length >= 1, `pdffonts lists the fonts (${rows.length})`)
    for (const row of rows) {
      const m = /\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.exec(row)
      t.equal(m?.[1], 'yes', `font ${row.split(/\s+/)[0] ?? '?'} is embedded (emb yes)`)
    }

    const info = await tool('pdfinfo', ['-meta', file])
    t.equal(info.code, 0, 'pdfinfo -meta exits 0')
    t.match(info.stdout, /<x:xmpmeta\b/, 'the file carries an XMP metadata stream')
    t.match(info.stdout, /<pdfaid:part>\s*3\s*<\/pdfaid:part>|pdfaid:part="3"/, 'the XMP says pdfaid:part 3')
    t.match(info.stdout, /<pdfaid:conformance>\s*B\s*<\/pdfaid:conformance>|pdfaid:conformance="B"/, 'the XMP says pdfaid:conformance B')

    const plain = await tool('pdfinfo', [file])
    t.match(plain.stdout, /^Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)/m, 'the pages are A4')
    t.match(plain.stdout, /^Encrypted:\s+no/m, 'the file is not encrypted (PDF/A forbids it)')
    t.match(plain.stdout, /^JavaScript:\s+no/m, 'the file holds no JavaScript')
    t.match(info.stdout, /<xmp:CreateDate>/, 'the XMP carries the creation date of the document information')
    t.notMatch(plain.stdout, /^ModDate:/m, 'and the document information has no ModDate that the XMP would lack')
  })

  t.test('carries the bundle manifest minus its case-file.pdf entry as the associated file manifest.json', async (t) => {
    const bundle = await as(app, prosecutor.token)('GET', `/api/cases/${kase.id}/bundle.zip?generatedAt=${GENERATED}`)
    t.equal(bundle.statusCode, 200, 'the bundle of the same generation time answers 200')
    const members = await readZip(bundle.rawPayload)
    t.ok(members.get('case-file.pdf')?.equals(res.rawPayload), 'the bundle holds the very same case file')

    const list = await tool('pdfdetach', ['-list', file])
    t.equal(list.code, 0, 'pdfdetach -list exits 0')
    t.match(list.stdout, /^1 embedded files?$/m, 'the PDF embeds one file')
    t.match(list.stdout, /^1: manifest\.json$/m, 'named manifest.json')

    const out = path.join(dir, 'embedded-manifest.json')
    const save = await tool('pdfdetach', ['-save', '1', '-o', out, file])
    t.equal(save.code, 0, 'pdfdetach -save exits 0')
    const embedded = fs.readFileSync(out)
    const manifest = JSON.parse((members.get('manifest.json') ?? Buffer.from('{"files":[]}')).toString('utf8')) as { files: Array<{ path: string }> }
    t.ok(manifest.files.some((f) => f.path === 'case-file.pdf'), 'the bundle manifest lists case-file.pdf')
    const expected = canonicalize({ ...manifest, files: manifest.files.filter((f) => f.path !== 'case-file.pdf') }) ?? ''
    t.equal(embedded.toString('utf8'), expected, 'the embedded manifest is the bundle manifest without the case-file.pdf entry, as RFC 8785 canonical JSON')
    t.ok(text.includes(sha256(embedded)), 'the cover prints the SHA-256 of the embedded manifest (what its QR code carries)')

    const json = await tool('qpdf', ['--json=2', '--json-key=qpdf', file])
    t.equal(json.code, 0, 'qpdf --json reads the file')
    const objects = (JSON.parse(json.stdout) as { qpdf: [unknown, Record<string, { value?: Record<string, unknown>, stream?: { dict: Record<string, unknown> } }>] }).qpdf[1]
    const dict = (ref: unknown): Record<string, unknown> | undefined => {
      const o = objects[`obj:${String(ref)}`]
      return o?.value ?? o?.stream?.dict
    }
    const catalog = Object.values(objects).map((o) => o.value).find((v) => v?.['/Type'] === '/Catalog')
    t.ok(catalog !== undefined, 'the file has a catalog')
    const af = catalog?.['/AF']
    t.ok(Array.isArray(af) && af.length === 1, 'the catalog has an /AF array with one associated file (PDF/A-3)')
    const spec = dict((af as unknown[] | undefined)?.[0])
    t.equal(spec?.['/Type'], '/Filespec', 'the associated file is a file specification')
    t.equal(spec?.['/F'], 'u:manifest.json', 'its /F is manifest.json')
    t.equal(spec?.['/UF'], 'u:manifest.json', 'its /UF is manifest.json')
    t.match(spec?.['/AFRelationship'], /^\/(Source|Data|Supplement|Alternative|Unspecified)$/, 'it has an /AFRelationship')
    const ef = dict((spec?.['/EF'] as Record<string, unknown> | undefined)?.['/F'])
    t.equal(ef?.['/Type'], '/EmbeddedFile', 'its /EF /F is an embedded file stream')
    t.equal(ef?.['/Subtype'], '/application/json', 'with the MIME type application/json')
    t.ok(Array.isArray(catalog?.['/OutputIntents']), 'the catalog has output intents (PDF/A)')
  })

  t.test('keeps every word inside the page and draws no text over other text', async (t) => {
    const boxes = await pdfWords(file)
    t.equal(boxes.length, pages, 'pdftotext -bbox reads every page')
    t.same(wordsOffPage(boxes, 28).map(describeWord), [], 'no word comes within 1 cm of a page edge')
    t.same(overlappingWords(boxes).map(([a, b]) => `${describeWord(a)} over ${describeWord(b)}`), [], 'no word is drawn over another')
    t.same(await inkNearEdges(file, dir, 24), [], 'nothing at all (text, rule, bar or image) is drawn within 24 pt of a page edge')
  })

  t.test('renders with pdftoppm to pages that are not blank: cover, custody, photographs, certificate', async (t) => {
    const custodyPage = headingPage(texts, 'Chain of custody')
    const photoPage = headingPage(texts, 'Photographs')
    for (const [page, what] of [[1, 'cover'], [custodyPage, 'custody'], [photoPage, 'photographs'], [pages, 'certificate']] as const) {
      t.ok(page >= 1, `the ${what} page is found (${page})`)
      const prefix = path.join(dir, `page-${what}`)
      const run = await tool('pdftoppm', ['-f', String(page), '-l', String(page), '-r', '50', '-png', '-singlefile', file, prefix])
      t.equal(run.code, 0, `pdftoppm renders the ${what} page (${run.stderr.trim()})`)
      const png = fs.readFileSync(`${prefix}.png`)
      if (SCREENS !== undefined) fs.writeFileSync(path.join(SCREENS, `demo-${what}.png`), png)
      t.ok(png.length > 4000, `the ${what} page image is not trivially small (${png.length} bytes)`)
      const share = inkShare(png)
      t.ok(share > 0.005, `the ${what} page has ink on more than 0.5 % of its pixels (${(share * 100).toFixed(2)} %)`)
    }
  })
})

t.test('?lang=sq gives the Albanian case file: "faqe X nga Y" on every page and Albanian headings with ë and ç', async (t) => {
  const { app, dir } = await demoApp(t)
  const { prosecutor, kase } = await demoCase(app)
  const GENERATED = generatedNow()
  const { file } = await getPdf(t, app, prosecutor.token, kase.id, `lang=sq&generatedAt=${GENERATED}`, dir, 'demo-sq.pdf')
  const pages = await pdfPages(file)
  const texts = await pageTexts(file)
  texts.forEach((text, i) => {
    t.ok(text.includes(`faqe ${i + 1} nga ${pages}`), `page ${i + 1} is footed "faqe ${i + 1} nga ${pages}"`)
    t.notOk(/\bpage \d+ of\b/.test(text), `page ${i + 1} has no English footer`)
  })
  const all = texts.join('\n')
  for (const heading of ['Përmbajtja', 'Çështja', 'Sekuestrimet', 'Lista e provave', 'Zinxhiri i ruajtjes', 'Fotografitë', 'Certifikata e integritetit']) {
    t.ok(all.includes(heading), `the Albanian heading "${heading}" is there`)
  }
  t.ok(all.includes('Gjeneruar më'), 'the cover labels are Albanian')
  t.ok(all.includes('Drejtoria e Përgjithshme e Doganave'), 'the agency is named in Albanian (templates/case-file.json agencyNames)')
  t.notOk(all.includes('Albanian Customs Administration'), 'and not by its English name')
  t.ok(all.includes(albanianTime(GENERATED)), `the generation time is in the Albanian date format (${albanianTime(GENERATED)})`)
  t.ok(/48[\s\u00a0\u202f]000,00 EUR/.test(all), 'amounts are in the Albanian number format (48 000,00 EUR)')
  for (const english of ['Chain of custody', 'Exhibit list', 'Certificate of integrity', 'Contents']) {
    t.notOk(all.includes(english), `the English heading "${english}" is not`)
  }
  const fonts = await tool('pdffonts', [file])
  t.equal(fonts.code, 0, 'pdffonts reads the Albanian file')
  const rows = fonts.stdout.split('\n').slice(2).filter((l) => l.trim() !== '')
  t.ok(rows.length > 0 && rows.every((r) => /\syes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/.test(r)), 'every font of the Albanian file is embedded')
  const boxes = await pdfWords(file)
  t.same(wordsOffPage(boxes, 28).map(describeWord), [], 'the longer Albanian words stay inside the page')
  t.same(overlappingWords(boxes).map(([a, b]) => `${describeWord(a)} over ${describeWord(b)}`), [], 'and overlap no other word')
})

t.test('two downloads of the same case state with the same generation time', async (t) => {
  const { app } = await demoApp(t)
  const { prosecutor, kase } = await demoCase(app)
  const GENERATED = generatedNow()
  const call = as(app, prosecutor.token)
  const pdfs = [await call('GET', `/api/cases/${kase.id}/case-file.pdf?lang=sq&generatedAt=${GENERATED}`), await call('GET', `/api/cases/${kase.id}/case-file.pdf?lang=sq&generatedAt=${GENERATED}`)]
  const zips = [await call('GET', `/api/cases/${kase.id}/bundle.zip?generatedAt=${GENERATED}`), await call('GET', `/api/cases/${kase.id}/bundle.zip?generatedAt=${GENERATED}`)]

  t.test('give a byte-identical PDF and a byte-identical ZIP', async (t) => {
    t.same(pdfs.map((r) => r.statusCode), [200, 200], 'both PDF requests answer 200')
    t.equal(sha256(pdfs[1]?.rawPayload ?? Buffer.alloc(0)), sha256(pdfs[0]?.rawPayload ?? Buffer.alloc(0)), 'the two PDFs are byte-identical')
    t.same(zips.map((r) => r.statusCode), [200, 200], 'both bundle requests answer 200')
    t.ok((zips[0]?.rawPayload.length ?? 0) > 100_000, 'the bundle is not empty')
    t.equal(sha256(zips[1]?.rawPayload ?? Buffer.alloc(0)), sha256(zips[0]?.rawPayload ?? Buffer.alloc(0)), 'the two ZIPs are byte-identical')
    const a = await readZip(zips[0]?.rawPayload ?? Buffer.alloc(0))
    t.equal(a.get('manifest.json') !== undefined && JSON.parse(a.get('manifest.json')?.toString('utf8') ?? '{}').generatedAt, GENERATED, 'the manifest carries the generation time asked for')
  })

  t.test('are each audited as case.download: who, which case, which kind, language and generation time', async (t) => {
    const admin = await login(app, 'admin', ADMIN_PASSWORD)
    const downloads = (await auditEntries(app, admin)).filter((e) => e.action === 'case.download')
    t.equal(downloads.length, 4, 'four case.download entries are in the audit log')
    const parsed = downloads.map((e) => JSON.parse(e.canonical) as { actor: string, data: Record<string, unknown> })
    for (const [i, kind, language] of [[0, 'case_file', 'sq'], [1, 'case_file', 'sq'], [2, 'bundle', 'en'], [3, 'bundle', 'en']] as const) {
      t.match(parsed[i], { actor: prosecutor.id, data: { caseId: kase.id, reference: kase.reference, kind, language, generatedAt: GENERATED } }, `entry ${i + 1} says al.prosecutor generated the ${kind} (${language}) of the case`)
      t.match(parsed[i]?.data.manifestSha256, /^[0-9a-f]{64}$/, `entry ${i + 1} records the manifest hash`)
    }
    t.equal(parsed[0]?.data.manifestSha256, parsed[1]?.data.manifestSha256, 'the same state gives the same manifest hash')
  })
})

t.test('case files asked for at the same time, in both languages, with a bundle among them, each come whole and equal to one asked for alone', async (t) => {
  const { app } = await demoApp(t)
  const { prosecutor, kase } = await demoCase(app)
  const GENERATED = generatedNow()
  const call = as(app, prosecutor.token)
  const url = (lang: string): string => `/api/cases/${kase.id}/case-file.pdf?lang=${lang}&generatedAt=${GENERATED}`
  // One worker thread renders them all: its jobs interleave while it waits for photos and manifests.
  const together = await Promise.all([call('GET', url('en')), call('GET', url('sq')), call('GET', `/api/cases/${kase.id}/bundle.zip?generatedAt=${GENERATED}`), call('GET', url('en')), call('GET', url('sq'))])
  t.same(together.map((r) => r.statusCode), [200, 200, 200, 200, 200], 'all five answer 200')
  const alone = { en: await call('GET', url('en')), sq: await call('GET', url('sq')) }
  for (const [i, lang] of [[0, 'en'], [1, 'sq'], [3, 'en'], [4, 'sq']] as const) {
    t.equal(sha256(together[i]?.rawPayload ?? Buffer.alloc(0)), sha256(alone[lang].rawPayload), `request ${i + 1} (${lang}) is byte-identical to the ${lang} case file asked for alone`)
  }
  t.not(sha256(alone.en.rawPayload), sha256(alone.sq.rawPayload), 'and the two languages differ')
  const zip = await readZip(together[2]?.rawPayload ?? Buffer.alloc(0))
  t.equal(sha256(zip.get('case-file.pdf') ?? Buffer.alloc(0)), sha256(alone.en.rawPayload), 'the bundle made among them carries the same English case file')
})

t.test('the case file and the bundle are 404 for a prosecutor who is not a member of the case, and nothing is audited for them', async (t) => {
  const { app } = await demoApp(t)
  const { prosecutor, kase } = await demoCase(app)
  const GENERATED = generatedNow()
  const investigator = await loginAs(app, 'al.investigator')
  const all = (await as(app, investigator.token)('GET', '/api/cases')).json<{ items: Array<{ id: string }> }>().items
  const other = all.find((c) => c.id !== kase.id)
  t.ok(other !== undefined, 'the demo has another case, without al.prosecutor')
  const foreign = await loginAs(app, 'xk.prosecutor')
  for (const doc of ['case-file.pdf', 'bundle.zip']) {
    assertProblem(t, await as(app, prosecutor.token)('GET', `/api/cases/${other?.id ?? 'none'}/${doc}`), 404, {}, `al.prosecutor, not a member, asking for the other case's ${doc}`)
    assertProblem(t, await as(app, foreign.token)('GET', `/api/cases/${kase.id}/${doc}`), 404, {}, `xk.prosecutor (another agency) asking for ${doc}`)
    assertProblem(t, await as(app, prosecutor.token)('GET', `/api/cases/no-such-case/${doc}`), 404, {}, `al.prosecutor asking for ${doc} of a case that does not exist`)
    assertProblem(t, await app.inject({ method: 'GET', url: `/api/cases/${kase.id}/${doc}` }), 401, {}, `an anonymous request for ${doc}`)
    assertProblem(t, await as(app, prosecutor.token)('GET', `/api/cases/${kase.id}/${doc}?lang=fr`), 400, {}, `${doc} in a language the template does not have`)
    // A file shows the case as it is now, under the agency's signature: it cannot say it was made
    // before the case's last change, or after now.
    const early = await as(app, prosecutor.token)('GET', `/api/cases/${kase.id}/${doc}?generatedAt=2020-01-01T00:00:00Z`)
    assertProblem(t, early, 400, { code: 'validation-failed' }, `${doc} "generated" in 2020, before the case's records`)
    t.match(early.json<{ detail: string }>().detail, /before the case's last recorded change/, 'and the answer says why')
    const tomorrow = new Date(Date.parse(GENERATED) + 86_400_000).toISOString()
    assertProblem(t, await as(app, prosecutor.token)('GET', `/api/cases/${kase.id}/${doc}?generatedAt=${tomorrow}`), 400, { code: 'validation-failed' }, `${doc} "generated" tomorrow`)
    assertProblem(t, await as(app, prosecutor.token)('GET', `/api/cases/${kase.id}/${doc}?generatedAt=2026-06-30T23:59:60Z`), 400, { code: 'validation-failed' }, `${doc} "generated" at a leap second, which the format allows and Date cannot hold`)
  }
  const admin = await login(app, 'admin', ADMIN_PASSWORD)
  t.equal((await auditEntries(app, admin)).filter((e) => e.action === 'case.download').length, 0, 'no download is audited for a refused request')
})
