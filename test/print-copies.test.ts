/**
 * Photos in the case file are print copies (VERIFIABILITY.md: "photos embedded, scaled"):
 * made once when the photo is uploaded, reduced to the print box, turned upright, kept in the
 * object store under their own SHA-256. Checked through the API and the PDF itself
 * (pdfimages, pdftotext): the PDF holds the reduced picture, the caption the original's hash;
 * a damaged or missing copy is made again; a photo that cannot be decoded is named, not
 * dropped, and does not stop the case file. `npm run verify` makes every copy again from its
 * original and names one that differs (a picture swapped in the table and the store).
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import t, { type Test } from 'tap'
import { as } from './helpers/app.js'
import { createItem, createSeizure, evidenceApp, sha256, upload, type Caller, type EvidenceApp } from './helpers/evidence.js'
import { generatedNow, getPdf, pdfText, spooledCaseFiles, tool } from './helpers/documents.js'
import { PRINT_BOX, PRINT_TOOL, PRINT_VERSION } from '../server/documents/printable.js'
import { verifyLog, type VerifyReport } from '../server/verify/verify-log.js'

t.setTimeout(180_000)

interface Copy { source_sha256: string, sha256: string | null, width: number | null, height: number | null, media_type: string | null }

/** A camera-like JPEG: a gradient with noise, `width` × `height`, EXIF orientation as given. */
async function cameraJpeg (width: number, height: number, orientation?: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3)
  for (let i = 0; i < raw.length; i++) raw[i] = ((i * 7) % 251) ^ (i >> 11)
  const image = sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 })
  return await (orientation === undefined ? image : image.withMetadata({ orientation })).toBuffer()
}

interface PhotoCase { fixture: EvidenceApp, officer: Caller, investigator: Caller, caseId: string, itemId: string }

async function photoCase (t: Test): Promise<PhotoCase> {
  const fixture = await evidenceApp(t)
  const officer = await fixture.user('al.officer')
  const investigator = await fixture.user('al.investigator')
  const seizure = await createSeizure(fixture.app, officer.token)
  const item = await createItem(fixture.app, officer.token, seizure.id)
  const created = await as(fixture.app, investigator.token)('POST', '/api/cases', { title: 'Photographed exhibit', seizureIds: [seizure.id] })
  if (created.statusCode !== 201) throw new Error(`POST /api/cases: ${created.statusCode} ${created.body}`)
  return { fixture, officer, investigator, caseId: created.json<{ id: string }>().id, itemId: item.id }
}

async function attachPhoto (c: PhotoCase, bytes: Buffer, filename: string): Promise<{ id: string, sha256: string, mediaType: string }> {
  const res = await upload(c.fixture.app, c.officer.token, `/api/items/${c.itemId}/attachments`, [{ name: 'file', filename, data: bytes, contentType: 'image/jpeg' }])
  if (res.statusCode !== 201) throw new Error(`upload ${filename}: ${res.statusCode} ${res.body}`)
  return res.json()
}

const copyOf = (c: PhotoCase, source: string): Copy | undefined =>
  c.fixture.app.services.db.$client.prepare<[string, number], Copy>('SELECT * FROM print_copies WHERE source_sha256 = ? AND version = ?').get(source, PRINT_VERSION)

/** The images a PDF embeds, from `pdfimages -list`: width, height and encoding of each. */
async function pdfImages (file: string): Promise<Array<{ width: number, height: number, enc: string }>> {
  const run = await tool('pdfimages', ['-list', file])
  return run.stdout.split('\n').slice(2).filter((l) => l.trim() !== '').map((l) => {
    const cols = l.trim().split(/\s+/)
    return { width: Number(cols[3]), height: Number(cols[4]), enc: cols[8] ?? '' }
  })
}

t.test('a photo larger than the print box gets a reduced print copy when it is uploaded, and the case file embeds that copy', async (t) => {
  const c = await photoCase(t)
  const original = await cameraJpeg(3000, 2000)
  const photo = await attachPhoto(c, original, 'container.jpg')
  const copy = copyOf(c, photo.sha256)
  t.ok(copy !== undefined && copy.sha256 !== null, 'the print copy was made at upload')
  t.ok((copy?.width ?? 0) <= PRINT_BOX.width && (copy?.height ?? 0) <= PRINT_BOX.height, `it fits the print box ${PRINT_BOX.width}×${PRINT_BOX.height} (${copy?.width ?? 0}×${copy?.height ?? 0})`)
  t.equal(copy?.width, PRINT_BOX.height * 3 / 2 > PRINT_BOX.width ? PRINT_BOX.width : Math.round(PRINT_BOX.height * 3 / 2), 'keeping the 3:2 shape of the photo')
  const stored = fs.readFileSync(c.fixture.app.services.objects.pathOf(copy?.sha256 ?? ''))
  t.equal(sha256(stored), copy?.sha256, 'the copy is in the object store under its own SHA-256')
  t.ok(stored.length < original.length / 3, `it is much smaller than the original (${stored.length} < ${original.length} bytes)`)

  const GENERATED = generatedNow()
  const { file, bytes } = await getPdf(t, c.fixture.app, c.investigator.token, c.caseId, `generatedAt=${GENERATED}`, path.join(c.fixture.dir, 'out'), 'photo.pdf')
  const images = await pdfImages(file)
  t.same(images.map((i) => [i.width, i.height, i.enc]), [[copy?.width, copy?.height, 'jpeg']], 'the PDF embeds one JPEG, the print copy at its size')
  t.ok(bytes.indexOf(stored.subarray(200, 264)) >= 0, 'the embedded bytes are the print copy itself')
  t.ok(bytes.length < original.length, `the case file is smaller than the original photo (${bytes.length} < ${original.length})`)
  const text = await pdfText(file)
  t.match(text, photo.sha256, 'the caption gives the SHA-256 of the original, not of the copy')
  t.notMatch(text, copy?.sha256 ?? '-', 'and never the print copy\'s hash')
  t.match(text.replace(/\s+/g, ' '), /printed reduced in size/, 'the photographs section says the photos are reduced')
})

t.test('several photos, the largest first and a PNG among them: every JPEG in the case file is its own print copy, byte for byte', async (t) => {
  // The worker reads each JPEG copy into the buffer the one before it was read into: a copy
  // still held by pdfkit when the next is read would come out with the next one's bytes.
  const c = await photoCase(t)
  const pngBytes = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } }).png().toBuffer()
  const png = await upload(c.fixture.app, c.officer.token, `/api/items/${c.itemId}/attachments`, [{ name: 'file', filename: 'marking.png', data: pngBytes, contentType: 'image/png' }])
  t.equal(png.statusCode, 201, 'a PNG with transparency is attached')
  const photos = []
  for (const [w, h] of [[2400, 1600], [900, 600], [1600, 1200], [320, 240]] as const) photos.push(await attachPhoto(c, await cameraJpeg(w, h), `photo-${w}.jpg`))
  const copies = photos.map((p) => copyOf(c, p.sha256)?.sha256 ?? '')
  t.equal(new Set(copies).size, 4, 'four JPEG print copies, all different')
  const GENERATED = generatedNow()
  const { file } = await getPdf(t, c.fixture.app, c.investigator.token, c.caseId, `generatedAt=${GENERATED}`, path.join(c.fixture.dir, 'out'), 'photos.pdf')
  const out = path.join(c.fixture.dir, 'images')
  fs.mkdirSync(out)
  const run = await tool('pdfimages', ['-j', file, path.join(out, 'image')])
  t.equal(run.code, 0, `pdfimages -j extracts the images (${run.stderr})`)
  const extracted = fs.readdirSync(out).sort()
  const jpegs = extracted.filter((f) => f.endsWith('.jpg')).map((f) => sha256(fs.readFileSync(path.join(out, f))))
  t.same(jpegs, copies, 'the JPEGs embedded, in order, are the print copies: none holds the bytes of another')
  const images = await pdfImages(file)
  t.same(images.filter((i) => i.enc !== 'jpeg').map((i) => [i.width, i.height]), [[300, 200]], 'and the PNG is embedded too, read into a buffer of its own')
})

t.test('a photo taken sideways (EXIF orientation 6) is printed upright', async (t) => {
  const c = await photoCase(t)
  const photo = await attachPhoto(c, await cameraJpeg(1600, 1200, 6), 'sideways.jpg')
  const copy = copyOf(c, photo.sha256)
  t.ok((copy?.height ?? 0) > (copy?.width ?? 0), `the copy is portrait (${copy?.width ?? 0}×${copy?.height ?? 0}) as the camera meant`)
  const GENERATED = generatedNow()
  const { file } = await getPdf(t, c.fixture.app, c.investigator.token, c.caseId, `generatedAt=${GENERATED}`, path.join(c.fixture.dir, 'out'), 'sideways.pdf')
  const [image] = await pdfImages(file)
  t.ok(image !== undefined && image.height > image.width, 'and embedded portrait')
})

t.test('a small photo is not enlarged, and the same photo twice has one print copy', async (t) => {
  const c = await photoCase(t)
  const small = await cameraJpeg(400, 300)
  const first = await attachPhoto(c, small, 'small.jpg')
  await attachPhoto(c, small, 'small-again.jpg')
  const copy = copyOf(c, first.sha256)
  t.same([copy?.width, copy?.height], [400, 300], 'the copy keeps the size of the photo')
  const count = c.fixture.app.services.db.$client.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM print_copies').get()?.n
  t.equal(count, 1, 'one print copy row for the two uploads of the same bytes')
})

for (const harm of ['changed', 'deleted'] as const) {
  t.test(`a print copy ${harm} on disk is made again from the original, and the case file is still made`, async (t) => {
    const c = await photoCase(t)
    const photo = await attachPhoto(c, await cameraJpeg(2000, 1500), 'copy.jpg')
    const before = copyOf(c, photo.sha256)
    const file = c.fixture.app.services.objects.pathOf(before?.sha256 ?? '')
    if (harm === 'changed') {
      const bytes = fs.readFileSync(file)
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0x10
      fs.chmodSync(file, 0o600)
      fs.writeFileSync(file, bytes)
    } else {
      fs.rmSync(file)
    }
    const GENERATED = generatedNow()
    const { file: pdf } = await getPdf(t, c.fixture.app, c.investigator.token, c.caseId, `generatedAt=${GENERATED}`, path.join(c.fixture.dir, 'out'), `copy-${harm}.pdf`)
    t.equal((await pdfImages(pdf)).length, 1, 'the case file still embeds the photo')
    const after = copyOf(c, photo.sha256)
    t.equal(after?.sha256, before?.sha256, 'the copy made again is the same bytes (the recipe is deterministic)')
    t.equal(sha256(fs.readFileSync(file)), before?.sha256, 'and the file on disk matches its SHA-256 again')
    t.same(await spooledCaseFiles(c.fixture.dir), [], 'neither the render that found the damage nor the one sent is left in tmp/')
  })
}

t.test('a damaged print copy of one photo and a changed original of another: the case file is refused with 409 naming the original', async (t) => {
  const c = await photoCase(t)
  const damaged = await attachPhoto(c, await cameraJpeg(1800, 1200), 'damaged-copy.jpg')
  const changed = await attachPhoto(c, await cameraJpeg(1600, 1200), 'changed-original.jpg')
  const copyFile = c.fixture.app.services.objects.pathOf(copyOf(c, damaged.sha256)?.sha256 ?? '')
  const originalFile = c.fixture.app.services.objects.pathOf(changed.sha256)
  for (const file of [copyFile, originalFile]) {
    const bytes = fs.readFileSync(file)
    bytes[bytes.length - 200] = (bytes[bytes.length - 200] ?? 0) ^ 0x01
    fs.chmodSync(file, 0o600)
    fs.writeFileSync(file, bytes)
  }
  const GENERATED = generatedNow()
  const res = await as(c.fixture.app, c.investigator.token)('GET', `/api/cases/${c.caseId}/case-file.pdf?generatedAt=${GENERATED}`)
  t.equal(res.statusCode, 409, '409, before a byte of PDF is sent')
  t.match(res.json(), { code: 'integrity-failure', detail: new RegExp(`attachment ${changed.id} .*no longer matches its SHA-256`) }, 'naming the photo whose original changed, not the damaged copy (which could be made again)')
  const downloads = c.fixture.app.services.db.$client.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'case.download'").get()?.n
  t.equal(downloads, 0, 'and no download is audited')
  t.same(await spooledCaseFiles(c.fixture.dir), [], 'and the case file rendered meanwhile is not left in tmp/')
})

t.test('npm run verify makes every print copy again from its original: a damaged copy, a swapped picture or a hidden one is named', async (t) => {
  const c = await photoCase(t)
  const photo = await attachPhoto(c, await cameraJpeg(2000, 1500), 'verified.jpg')
  const copy = copyOf(c, photo.sha256)
  t.equal((copy as unknown as { made_with: string }).made_with, PRINT_TOOL, 'each copy records the library that made it')
  const verify = async (): Promise<VerifyReport> => {
    const sqlite = new Database(path.join(c.fixture.dir, 'strongroom.db'), { readonly: true })
    try { return await verifyLog({ sqlite, dataDir: c.fixture.dir }) } finally { sqlite.close() }
  }
  const clean = await verify()
  t.equal(clean.ok, true, 'a store as the server left it verifies')
  t.same(clean.checked.printCopies, { remade: 1, hashOnly: 0 }, 'and its one print copy was made again and compared')

  // Someone with write access to the store and the database puts another picture in its place.
  const other = await sharp(await cameraJpeg(1342, 1006)).negate().jpeg({ quality: 85 }).toBuffer()
  const { sha256: swapped } = await c.fixture.app.services.objects.put(other)
  c.fixture.app.services.db.$client.prepare('UPDATE print_copies SET sha256 = ?, size = ? WHERE source_sha256 = ?').run(swapped, other.length, photo.sha256)
  const afterSwap = await verify()
  t.equal(afterSwap.ok, false, 'a swapped picture fails verification')
  t.match(afterSwap.mismatches, [{ place: `print copy ${swapped}`, reason: new RegExp(`not the picture the print recipe makes from attachment ${photo.sha256}`) }], 'naming the print copy and its original')

  // Put back, then damage the copy's file on disk.
  c.fixture.app.services.db.$client.prepare('UPDATE print_copies SET sha256 = ?, size = ? WHERE source_sha256 = ?').run(copy?.sha256, (copy as unknown as { size: number }).size, photo.sha256)
  const file = c.fixture.app.services.objects.pathOf(copy?.sha256 ?? '')
  const bytes = fs.readFileSync(file)
  bytes[bytes.length - 50] = (bytes[bytes.length - 50] ?? 0) ^ 0x04
  fs.chmodSync(file, 0o600)
  fs.writeFileSync(file, bytes)
  const afterDamage = await verify()
  t.match(afterDamage.mismatches, [{ place: `print copy ${copy?.sha256 ?? ''}`, reason: /no longer hashes to its name/ }], 'a damaged copy is named too')

  // Or marks the photo as one that cannot be decoded, so that case files print a notice instead.
  const intact = fs.readFileSync(file).map((b, i) => (i === bytes.length - 50 ? b ^ 0x04 : b))
  fs.writeFileSync(file, intact)
  c.fixture.app.services.db.$client.prepare('UPDATE print_copies SET sha256 = NULL, size = NULL, width = NULL, height = NULL WHERE source_sha256 = ?').run(photo.sha256)
  const hidden = await verify()
  t.match(hidden.mismatches, [{ place: `print copy of ${photo.sha256}`, reason: /recorded as a photo that cannot be decoded, but attachment .* decodes/ }], 'a photo marked undecodable is named')
  c.fixture.app.services.db.$client.prepare('UPDATE print_copies SET sha256 = ?, size = ?, width = ?, height = ? WHERE source_sha256 = ?')
    .run(copy?.sha256, (copy as unknown as { size: number }).size, copy?.width, copy?.height, photo.sha256)

  // A copy made by another version of the library cannot be made again byte for byte: its hash is checked only.
  c.fixture.app.services.db.$client.prepare("UPDATE print_copies SET made_with = 'sharp 0.1.0, libvips 8.0.0' WHERE source_sha256 = ?").run(photo.sha256)
  const older = await verify()
  t.equal(older.ok, true, 'a copy by another library version, intact, verifies')
  t.same(older.checked.printCopies, { remade: 0, hashOnly: 1 }, 'counted as checked by hash only')
})

t.test('a file sniffed as a photo that cannot be decoded is named in the case file instead of pictured', async (t) => {
  const c = await photoCase(t)
  // A PNG signature and header chunk, then bytes that are no image: the media type is sniffed as PNG.
  const broken = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000003e8000003e80806000000', 'hex'), Buffer.alloc(2000, 0x5a)])
  const photo = await attachPhoto(c, broken, 'broken.png')
  t.equal(photo.mediaType, 'image/png', 'the upload is kept, sniffed as PNG')
  t.equal(copyOf(c, photo.sha256)?.sha256, null, 'the print copy is recorded as impossible, so it is not tried on every case file')
  const GENERATED = generatedNow()
  const { file } = await getPdf(t, c.fixture.app, c.investigator.token, c.caseId, `generatedAt=${GENERATED}`, path.join(c.fixture.dir, 'out'), 'broken.pdf')
  t.equal((await pdfImages(file)).length, 0, 'no image is embedded')
  const text = (await pdfText(file)).replace(/\s+/g, ' ')
  t.match(text, /cannot be displayed as an image/, 'the photographs section says this file cannot be shown')
  t.match(text, photo.sha256, 'and gives its SHA-256, so the original can be found in the bundle')
})
