import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import Database from 'better-sqlite3'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { databaseFile } from '../server/db/client.js'
import { as, assertProblem, auditEntries, auditSize, bearer } from './helpers/app.js'
import {
  createItem, createSeizure, eventually, filesUnder, evidenceApp, listen, multipart, objectFiles, rawGet, rowCount, sha256,
  streamUpload, tmpFiles, upload, type Part
} from './helpers/evidence.js'

interface AttachmentBody {
  id: string
  sha256: string
  size: number
  mediaType: string
  filename: string
  description: string | null
  capturedAt: string | null
  exif: { capturedAt: string | null, lat: number | null, lon: number | null } | null
}

/** SHA-256 of the empty string (FIPS 180-2 / `sha256sum < /dev/null`). */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** A well-known test string and its SHA-256 (`printf %s 'The quick brown fox jumps over the lazy dog' | sha256sum`). */
const FOX = 'The quick brown fox jumps over the lazy dog'
const FOX_SHA256 = 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592'

async function setup (t: Test, env: Record<string, string> = {}) {
  const { app, dir, admin, user } = await evidenceApp(t, env)
  const officer = await user('al.officer')
  const seizure = await createSeizure(app, officer.token)
  return { app, dir, admin, user, officer, seizure, url: `/api/seizures/${seizure.id}/attachments` }
}

const filePart = (data: Buffer | string, filename = 'evidence.txt', contentType = 'text/plain'): Part => ({ name: 'file', filename, data, contentType })

/** `sha256sum` of a file: the hash from outside Node. */
function sha256sum (file: string): string {
  const run = spawnSync('sha256sum', [file], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`sha256sum failed: ${run.stderr}`)
  return run.stdout.split(/\s+/)[0] ?? ''
}

const objectPath = (dir: string, sha: string): string => path.join(dir, 'objects', sha.slice(0, 2), sha.slice(2))

/** Asserts a refused upload left nothing: no row, no new object, no temp file. */
function assertNothingStored (t: Test, app: FastifyInstance, dir: string, before: { rows: number, objects: string[] }, what: string): void {
  t.equal(rowCount(app, 'attachments'), before.rows, `${what}: no attachment row`)
  t.same(objectFiles(dir), before.objects, `${what}: no new object in the store`)
  t.same(tmpFiles(dir), [], `${what}: nothing left in the temp directory`)
}

const snapshot = (app: FastifyInstance, dir: string) => ({ rows: rowCount(app, 'attachments'), objects: objectFiles(dir) })

// ---------------------------------------------------------------------------
// Image fixtures, built byte by byte.

function pngChunk (type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(zlib.crc32(body) >>> 0)
  return Buffer.concat([length, body, crc])
}

/** A valid 2x2 greyscale PNG (PNG spec: signature, IHDR, IDAT, IEND). */
function tinyPng (): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(2, 0)
  ihdr.writeUInt32BE(2, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // greyscale
  const raw = Buffer.from([0, 0x00, 0xff, 0, 0xff, 0x00]) // filter byte + 2 pixels, per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))
  ])
}

/**
 * A JPEG whose APP1 segment carries EXIF (TIFF 6.0, little-endian): DateTimeOriginal
 * 2026:03:29 08:41:12 and GPS 42°14'15.36" N, 20°32'58.92" E (Morinë, 42.2376 / 20.5497).
 */
function jpegWithExif (): Buffer {
  const tiff = Buffer.alloc(178)
  tiff.write('II', 0, 'latin1')
  tiff.writeUInt16LE(42, 2)
  tiff.writeUInt32LE(8, 4)
  const entry = (at: number, tag: number, type: number, count: number, value: number | string): void => {
    tiff.writeUInt16LE(tag, at)
    tiff.writeUInt16LE(type, at + 2)
    tiff.writeUInt32LE(count, at + 4)
    if (typeof value === 'string') tiff.write(value, at + 8, 'latin1')
    else tiff.writeUInt32LE(value, at + 8)
  }
  // IFD0 at 8: pointers to the Exif IFD (38) and the GPS IFD (56).
  tiff.writeUInt16LE(2, 8)
  entry(10, 0x8769, 4, 1, 38)
  entry(22, 0x8825, 4, 1, 56)
  tiff.writeUInt32LE(0, 34)
  // Exif IFD at 38: DateTimeOriginal (ASCII, 20 bytes at 110).
  tiff.writeUInt16LE(1, 38)
  entry(40, 0x9003, 2, 20, 110)
  tiff.writeUInt32LE(0, 52)
  // GPS IFD at 56: latitude ref/value, longitude ref/value (RATIONAL x3 at 130 and 154).
  tiff.writeUInt16LE(4, 56)
  entry(58, 0x0001, 2, 2, 'N\0')
  entry(70, 0x0002, 5, 3, 130)
  entry(82, 0x0003, 2, 2, 'E\0')
  entry(94, 0x0004, 5, 3, 154)
  tiff.writeUInt32LE(0, 106)
  tiff.write('2026:03:29 08:41:12\0', 110, 'latin1')
  const rationals = (at: number, values: Array<[number, number]>): void => values.forEach(([n, d], i) => { tiff.writeUInt32LE(n, at + i * 8); tiff.writeUInt32LE(d, at + i * 8 + 4) })
  rationals(130, [[42, 1], [14, 1], [1536, 100]])
  rationals(154, [[20, 1], [32, 1], [5892, 100]])
  const exif = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])
  const app1 = Buffer.alloc(4)
  app1.writeUInt16BE(0xffe1, 0)
  app1.writeUInt16BE(exif.length + 2, 2)
  // SOI, APP1 (EXIF), a comment segment, EOI.
  const comment = Buffer.from('strongroom test', 'latin1')
  const com = Buffer.alloc(4)
  com.writeUInt16BE(0xfffe, 0)
  com.writeUInt16BE(comment.length + 2, 2)
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, exif, com, comment, Buffer.from([0xff, 0xd9])])
}

// ---------------------------------------------------------------------------

t.test('POST /api/seizures/:id/attachments stores a small file and answers its SHA-256, size, media type and name', async (t) => {
  const { app, dir, admin, officer, seizure, url } = await setup(t)
  const before = snapshot(app, dir)
  const auditBefore = await auditSize(app)
  const content = Buffer.from('Bill of lading BL-2026-0042: 12 frequency changers\n', 'utf8')
  const res = await upload(app, officer.token, url, [filePart(content, 'bill-of-lading.txt')])
  t.equal(res.statusCode, 201, 'the upload is accepted')
  const body = res.json<AttachmentBody>()
  const expected = createHash('sha256').update(content).digest('hex')
  t.match(body, { id: String, sha256: expected, size: content.length, mediaType: 'text/plain', filename: 'bill-of-lading.txt' }, 'the answer has the id, node:crypto\'s SHA-256, the size, the sniffed type and the name')
  t.equal(rowCount(app, 'attachments'), before.rows + 1, 'one attachment row was added')
  const stored = objectPath(dir, expected)
  t.same(objectFiles(dir), [...before.objects, path.relative(path.join(dir, 'objects'), stored)].sort(), 'one object was added, named by its SHA-256 under objects/ab/cdef…')
  t.equal(sha256sum(stored), expected, 'sha256sum of the stored object agrees')
  t.equal(fs.statSync(stored).mode & 0o222, 0, 'the stored object is read-only')
  t.same(tmpFiles(dir), [], 'nothing is left in the temp directory')
  t.equal(await auditSize(app), auditBefore + 1, 'the upload adds one audit entry')
  const entries = await auditEntries(app, admin, { entityId: body.id })
  t.match(entries, [{ action: 'attachment.create', entityType: 'attachment', actor: officer.id }], 'it is an attachment.create entry')
  t.match(JSON.parse(entries[0]?.canonical ?? '{}'), { data: { id: body.id, sha256: expected, size: content.length, ownerType: 'seizure', ownerId: seizure.id } }, 'the entry records the hash, size and owner')
  const meta = await as(app, officer.token)('GET', `/api/attachments/${body.id}`)
  t.match(meta.json(), { id: body.id, sha256: expected, filename: 'bill-of-lading.txt', uploadedBy: officer.id }, 'GET /api/attachments/:id answers the metadata')
  const list = await as(app, officer.token)('GET', url)
  t.same(list.json<{ items: AttachmentBody[] }>().items.map((a) => a.id), [body.id], 'GET /api/seizures/:id/attachments lists it')
})

t.test('uploads to an item and to a custody event are stored and listed with their owner', async (t) => {
  const { app, officer, seizure, user } = await setup(t)
  const item = await createItem(app, officer.token, seizure.id)
  const events = (await as(app, officer.token)('GET', `/api/items/${item.id}/custody`)).json<{ items: Array<{ id: string }> }>().items
  const eventId = events[0]?.id ?? ''
  const a = await upload(app, officer.token, `/api/items/${item.id}/attachments`, [filePart('photo of the bag')])
  t.equal(a.statusCode, 201, 'an upload to an item is accepted')
  const b = await upload(app, officer.token, `/api/custody-events/${eventId}/attachments`, [filePart('seizure receipt')])
  t.equal(b.statusCode, 201, 'an upload to a custody event is accepted')
  t.same((await as(app, officer.token)('GET', `/api/items/${item.id}/attachments`)).json<{ items: AttachmentBody[] }>().items.map((x) => x.id), [a.json<AttachmentBody>().id], 'the item lists its file')
  t.same((await as(app, officer.token)('GET', `/api/custody-events/${eventId}/attachments`)).json<{ items: AttachmentBody[] }>().items.map((x) => x.id), [b.json<AttachmentBody>().id], 'the custody event lists its file')
  assertProblem(t, await upload(app, officer.token, '/api/items/no-such-item/attachments', [filePart('x')]), 404, { code: 'not-found' }, 'an upload to an unknown item')
  const auditor = await user('al.auditor')
  assertProblem(t, await upload(app, auditor.token, `/api/items/${item.id}/attachments`, [filePart('x')]), 403, { code: 'forbidden' }, 'an upload by an auditor')
})

t.test('the optional fields work before and after the file part', async (t) => {
  const { app, officer, url } = await setup(t)
  const content = Buffer.from('invoice INV-77', 'utf8')
  const after = await upload(app, officer.token, url, [
    { name: 'description', value: 'Invoice found in the cab' },
    filePart(content, 'invoice.txt'),
    { name: 'capturedAt', value: '2026-03-29T08:45:00+01:00' },
    { name: 'sha256', value: sha256(content) }
  ])
  t.equal(after.statusCode, 201, 'description before and capturedAt, sha256 after the file are accepted')
  t.match(after.json(), { description: 'Invoice found in the cab', capturedAt: '2026-03-29T07:45:00.000Z', sha256: sha256(content) }, 'the fields on both sides of the file are kept (time in UTC)')
  const before = await upload(app, officer.token, url, [
    { name: 'capturedAt', value: '2026-03-29T09:00:00Z' },
    { name: 'sha256', value: sha256(content).toUpperCase() },
    filePart(content, 'invoice-2.txt'),
    { name: 'description', value: 'Second copy' }
  ])
  t.equal(before.statusCode, 201, 'capturedAt and an upper-case sha256 before, description after the file are accepted')
  t.match(before.json(), { description: 'Second copy', capturedAt: '2026-03-29T09:00:00.000Z' }, 'both fields are kept')
  const meta = await as(app, officer.token)('GET', `/api/attachments/${before.json<AttachmentBody>().id}`)
  t.match(meta.json(), { description: 'Second copy', capturedAt: '2026-03-29T09:00:00.000Z' }, 'GET answers them too')
  assertProblem(t, await upload(app, officer.token, url, [filePart(content), { name: 'capturedAt', value: 'last tuesday' }]), 400, { code: 'validation-failed', errors: [{ field: 'body/capturedAt' }] }, 'a capturedAt that is not RFC 3339')
  assertProblem(t, await upload(app, officer.token, url, [filePart(content), { name: 'sha256', value: 'abc' }]), 400, { code: 'validation-failed', errors: [{ field: 'body/sha256' }] }, 'a sha256 that is not 64 hex digits')
  assertProblem(t, await upload(app, officer.token, url, [{ name: 'description', value: 'a' }, filePart(content), { name: 'description', value: 'b' }]), 400, { code: 'validation-failed', errors: [{ field: 'body/description' }] }, 'a field sent twice')
})

t.test('the media type is sniffed from the bytes, not taken from the client', async (t) => {
  const { app, officer, url } = await setup(t)
  const png = tinyPng()
  const pngRes = await upload(app, officer.token, url, [filePart(png, 'notes.txt', 'text/plain')])
  t.equal(pngRes.statusCode, 201, 'a PNG claimed as text/plain is accepted')
  t.match(pngRes.json(), { mediaType: 'image/png', sha256: sha256(png), size: png.length }, 'it is reported as image/png')

  const jpeg = jpegWithExif()
  const jpegRes = await upload(app, officer.token, url, [filePart(jpeg, 'IMG_0042.txt', 'text/plain')])
  t.equal(jpegRes.statusCode, 201, 'a JPEG claimed as text/plain is accepted')
  const photo = jpegRes.json<AttachmentBody>()
  t.equal(photo.mediaType, 'image/jpeg', 'it is reported as image/jpeg')
  // EXIF DateTimeOriginal has no zone; it is read as the server's local time (TZ of this process).
  const shot = new Date(2026, 2, 29, 8, 41, 12).toISOString()
  t.equal(photo.exif?.capturedAt, shot, 'the EXIF capture time is kept as data')
  t.equal(photo.capturedAt, shot, 'and becomes the capture time when none is sent')
  t.ok(Math.abs((photo.exif?.lat ?? 0) - 42.2376) < 1e-4, `the GPS latitude is kept (${String(photo.exif?.lat)})`)
  t.ok(Math.abs((photo.exif?.lon ?? 0) - 20.5497) < 1e-4, `the GPS longitude is kept (${String(photo.exif?.lon)})`)
  const sent = await upload(app, officer.token, url, [filePart(jpeg, 'IMG_0042.jpg', 'image/jpeg'), { name: 'capturedAt', value: '2026-03-29T08:00:00Z' }])
  t.equal(sent.json<AttachmentBody>().capturedAt, '2026-03-29T08:00:00.000Z', 'a capture time sent by the client wins over EXIF')

  const text = await upload(app, officer.token, url, [filePart('this is not a picture at all\n', 'fake.png', 'image/png')])
  t.equal(text.statusCode, 201, 'a text file claiming image/png is accepted')
  t.not(text.json<AttachmentBody>().mediaType, 'image/png', 'it is not reported as image/png')
  t.equal(text.json<AttachmentBody>().mediaType, 'text/plain', 'it is reported as text/plain')

  const binary = await upload(app, officer.token, url, [filePart(Buffer.from([0, 1, 2, 3, 0, 255, 254, 0, 7]), 'blob.png', 'image/png')])
  t.equal(binary.json<AttachmentBody>().mediaType, 'application/octet-stream', 'unrecognised binary is application/octet-stream')
  const download = await as(app, officer.token)('GET', `/api/attachments/${pngRes.json<AttachmentBody>().id}/content`)
  t.match(download.headers['content-type'], /^image\/png/, 'the download carries the sniffed type')
})

t.test('the same content uploaded twice gives two attachments and one stored object', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const before = snapshot(app, dir)
  const content = Buffer.from('the same photo, twice', 'utf8')
  const first = await upload(app, officer.token, url, [filePart(content, 'a.txt')])
  const second = await upload(app, officer.token, url, [filePart(content, 'b.txt')])
  t.equal(first.statusCode, 201, 'the first upload is accepted')
  t.equal(second.statusCode, 201, 'the second upload is accepted')
  t.not(first.json<AttachmentBody>().id, second.json<AttachmentBody>().id, 'they are two attachments')
  t.equal(first.json<AttachmentBody>().sha256, second.json<AttachmentBody>().sha256, 'with the same SHA-256')
  t.match([first.json(), second.json()], [{ filename: 'a.txt' }, { filename: 'b.txt' }], 'each keeps its own file name')
  t.equal(rowCount(app, 'attachments'), before.rows + 2, 'two rows were added')
  t.equal(objectFiles(dir).length, before.objects.length + 1, 'one object file was added')
  t.ok(fs.existsSync(objectPath(dir, sha256(content))), 'it is stored under its hash')
  t.same(tmpFiles(dir), [], 'the second copy left no temp file')
})

t.test('a client SHA-256 that does not match gives 422 and stores nothing', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const before = snapshot(app, dir)
  const auditBefore = await auditSize(app)
  const content = Buffer.from('the real content', 'utf8')
  const wrong = sha256('other content')
  for (const [label, parts] of [
    ['sent before the file', [{ name: 'sha256', value: wrong }, filePart(content)]],
    ['sent after the file', [filePart(content), { name: 'sha256', value: wrong }]]
  ] as Array<[string, Part[]]>) {
    const res = await upload(app, officer.token, url, parts)
    assertProblem(t, res, 422, { code: 'digest-mismatch', detail: new RegExp(sha256(content)) }, `a mismatching sha256 ${label}`)
    assertNothingStored(t, app, dir, before, `a mismatching sha256 ${label}`)
  }
  t.equal(await auditSize(app), auditBefore, 'nothing was audited')
  const ok = await upload(app, officer.token, url, [{ name: 'sha256', value: sha256(content) }, filePart(content)])
  t.equal(ok.statusCode, 201, 'the matching sha256 is accepted')
})

t.test('an empty file is stored with size 0 and the SHA-256 of nothing', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const res = await upload(app, officer.token, url, [filePart(Buffer.alloc(0), 'empty.txt')])
  t.equal(res.statusCode, 201, 'the empty file is accepted')
  t.match(res.json(), { size: 0, sha256: EMPTY_SHA256, filename: 'empty.txt' }, 'size 0, SHA-256 e3b0c442…')
  t.ok(fs.existsSync(objectPath(dir, EMPTY_SHA256)), 'the empty object is stored under its hash')
  const download = await as(app, officer.token)('GET', `/api/attachments/${res.json<AttachmentBody>().id}/content`)
  t.equal(download.statusCode, 200, 'the empty file downloads')
  t.equal(download.rawPayload.length, 0, 'with an empty body')
  t.equal(download.headers['repr-digest'], `sha-256=:${Buffer.from(EMPTY_SHA256, 'hex').toString('base64')}:`, 'and the Repr-Digest of nothing')
  const ranged = await app.inject({ method: 'GET', url: `/api/attachments/${res.json<AttachmentBody>().id}/content`, headers: { ...bearer(officer.token), range: 'bytes=0-0' } })
  assertProblem(t, ranged, 416, { code: 'range-not-satisfiable' }, 'a range of an empty file')
})

t.test('the size limit: exactly the limit is stored, one byte more is 413 with nothing left', async (t) => {
  const { app, dir, officer, url } = await setup(t, { STRONGROOM_UPLOAD_LIMIT: '2048' })
  const exact = Buffer.alloc(2048, 0x61)
  const ok = await upload(app, officer.token, url, [filePart(exact, 'exact.txt')])
  t.equal(ok.statusCode, 201, 'a file of exactly 2048 bytes is accepted')
  t.match(ok.json(), { size: 2048, sha256: sha256(exact) }, 'all of it is stored')
  t.equal(sha256sum(objectPath(dir, sha256(exact))), sha256(exact), 'sha256sum of the stored object agrees')
  const before = snapshot(app, dir)
  const auditBefore = await auditSize(app)
  for (const size of [2049, 100 * 1024]) {
    const over = Buffer.alloc(size, 0x62)
    const res = await upload(app, officer.token, url, [{ name: 'description', value: 'too big' }, filePart(over, 'over.txt')])
    assertProblem(t, res, 413, { code: 'payload-too-large' }, `a file of ${size} bytes`)
    assertNothingStored(t, app, dir, before, `a file of ${size} bytes`)
    t.notOk(fs.existsSync(objectPath(dir, sha256(over.subarray(0, 2048)))), `${size} bytes: not even the first 2048 bytes were stored`)
  }
  t.equal(await auditSize(app), auditBefore, 'nothing was audited')
})

t.test('a truncated multipart body is refused with 4xx and leaves nothing behind', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const before = snapshot(app, dir)
  const content = Buffer.alloc(64 * 1024, 0x63)
  const whole = multipart([{ name: 'description', value: 'cut short' }, filePart(content, 'cut.txt')])
  const variants: Array<[string, Buffer]> = [
    ['cut in the middle of the file', whole.body.subarray(0, whole.body.length - 32 * 1024)],
    ['without the closing boundary', multipart([filePart(content, 'cut.txt')], { boundary: whole.boundary, close: false }).body],
    ['cut inside the part headers', whole.body.subarray(0, whole.body.indexOf('filename') + 4)]
  ]
  for (const [label, body] of variants) {
    const res = await app.inject({ method: 'POST', url, headers: { ...bearer(officer.token), ...whole.headers }, payload: body })
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${label}: answers 4xx (got ${res.statusCode})`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${label}: as problem+json`)
    assertNothingStored(t, app, dir, before, label)
  }
})

t.test('a client that disconnects mid-upload leaves no row and no temp file', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const base = await listen(app)
  const before = snapshot(app, dir)
  let partial: string[] = []
  const res = await streamUpload(base, url, officer.token, { size: 16 * 1024 * 1024, abortAfter: 4 * 1024 * 1024, beforeAbort: () => { partial = tmpFiles(dir) } })
  t.equal(res.status, 0, 'the client went away without an answer')
  t.equal(partial.length, 1, 'while the upload ran, its temp file existed')
  t.ok(await eventually(() => tmpFiles(dir).length === 0, 5000), 'the temp file is removed soon after the disconnect')
  assertNothingStored(t, app, dir, before, 'after the disconnect')
  const health = await fetch(`${base}/healthz`)
  t.equal(health.status, 200, 'the server still answers')
})

t.test('two files in one request are refused with 4xx and nothing is stored', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const before = snapshot(app, dir)
  for (const [label, second] of [['both named file', 'file'], ['the second named other', 'other']] as Array<[string, string]>) {
    const res = await upload(app, officer.token, url, [filePart('first file', 'one.txt'), { name: second, filename: 'two.txt', data: 'second file', contentType: 'text/plain' }])
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${label}: answers 4xx (got ${res.statusCode})`)
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${label}: as problem+json`)
    assertNothingStored(t, app, dir, before, label)
  }
})

t.test('too many parts answer 413 and nothing is stored', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const before = snapshot(app, dir)
  // Parts without a form-data disposition are skipped by the parser but still counted.
  const filler: Part[] = Array.from({ length: 20 }, (_, i) => ({ name: `filler${i}`, value: 'x', disposition: `X-Filler: ${i}` }))
  const res = await upload(app, officer.token, url, [filePart('the file', 'ok.txt'), ...filler])
  assertProblem(t, res, 413, { code: 'payload-too-large' }, '21 parts')
  assertNothingStored(t, app, dir, before, '21 parts')
  const first = await upload(app, officer.token, url, [...filler, filePart('the file', 'ok.txt')])
  assertProblem(t, first, 413, { code: 'payload-too-large' }, '20 parts before the file')
  assertNothingStored(t, app, dir, before, '20 parts before the file')
})

t.test('a __proto__ part is refused with 400 and does not crash the server', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const before = snapshot(app, dir)
  const variants: Array<[string, Part[]]> = [
    ['a field named __proto__', [{ name: '__proto__', value: '{"polluted":true}' }, filePart('x')]],
    ['a field named __proto__ after the file', [filePart('x'), { name: '__proto__', value: 'polluted' }]],
    ['a file part named __proto__', [{ name: '__proto__', filename: 'x.txt', data: 'x', contentType: 'text/plain' }]],
    ['a field named constructor', [{ name: 'constructor', value: 'x' }, filePart('x')]]
  ]
  for (const [label, parts] of variants) {
    assertProblem(t, await upload(app, officer.token, url, parts), 400, {}, label)
    assertNothingStored(t, app, dir, before, label)
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is not polluted')
  const header = await upload(app, officer.token, url, [{ ...filePart('with a __proto__ header'), headers: ['__proto__: polluted', 'constructor: x'] }])
  t.ok(header.statusCode === 201 || header.statusCode === 400, `a part with a __proto__ header line answers 201 or 400, not a crash (got ${header.statusCode})`)
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is still not polluted')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the server still answers')
})

t.test('a file name like ../../etc/passwd or with control characters is kept as data only', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const filesBefore = filesUnder(dir).filter((f) => !f.startsWith('strongroom.db'))
  const names = ['../../etc/passwd', '..\\..\\windows\\system32\\config', 'bell\u0007name.txt', 'tab\tand\u001bescape.txt', '/absolute/evil.sh', '..']
  const answers: AttachmentBody[] = []
  for (const name of names) {
    const content = Buffer.from(`content for ${JSON.stringify(name)}`, 'utf8')
    const res = await upload(app, officer.token, url, [{ name: 'file', filename: 'x', data: content, contentType: 'text/plain', disposition: `Content-Disposition: form-data; name="file"; filename="${name}"` }])
    t.equal(res.statusCode, 201, `${JSON.stringify(name)}: the upload is accepted`)
    const body = res.json<AttachmentBody>()
    answers.push(body)
    t.notMatch(body.filename, /[/\\]/, `${JSON.stringify(name)}: the kept name has no path separator (${JSON.stringify(body.filename)})`)
    // eslint-disable-next-line no-control-regex
    t.notMatch(body.filename, /[\u0000-\u001f\u007f]/, `${JSON.stringify(name)}: the kept name has no control character`)
    t.ok(body.filename.length > 0, `${JSON.stringify(name)}: a name is kept`)
    t.ok(fs.existsSync(objectPath(dir, sha256(content))), `${JSON.stringify(name)}: the bytes are stored under objects/ by their hash`)
    const download = await as(app, officer.token)('GET', `/api/attachments/${body.id}/content`)
    // eslint-disable-next-line no-control-regex
    t.notMatch(String(download.headers['content-disposition']), /[\u0000-\u001f\u007f]/, `${JSON.stringify(name)}: the download's Content-Disposition has no control character`)
  }
  t.match(answers.map((a) => a.filename), ['passwd', 'config', 'bellname.txt', 'tabandescape.txt', 'evil.sh', String], 'the names are the last path segment without control characters')
  const added = filesUnder(dir).filter((f) => !f.startsWith('strongroom.db') && !filesBefore.includes(f))
  t.ok(added.every((f) => f.startsWith(`objects${path.sep}`)), `every new file is under objects/ (${JSON.stringify(added)})`)
  t.equal(added.length, names.length, 'one object per upload, nothing else')
  t.notOk(fs.existsSync(path.join(dir, '..', '..', 'etc', 'passwd')), 'nothing was written along the client\'s path')

  // A bare CR or LF in a file name (encoded, or a raw CR inside the quoted name):
  // the parser drops such a part, so no file arrives and nothing is stored.
  const before = snapshot(app, dir)
  const crlf: Array<[string, string]> = [
    ['an encoded CR', `filename*=UTF-8''${encodeURIComponent('carriage\rreturn.txt')}`],
    ['an encoded LF', `filename*=UTF-8''${encodeURIComponent('line\nfeed.txt')}`],
    ['a raw CR', 'filename="carriage\rreturn.txt"']
  ]
  for (const [label, param] of crlf) {
    const res = await upload(app, officer.token, url, [{ name: 'file', filename: 'x', data: 'crlf', contentType: 'text/plain', disposition: `Content-Disposition: form-data; name="file"; ${param}` }])
    assertProblem(t, res, 400, { errors: [{ field: 'body/file' }] }, `a file name with ${label}`)
    assertNothingStored(t, app, dir, before, `a file name with ${label}`)
  }
})

t.test('non-multipart requests get 415; unknown form fields get 400', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const before = snapshot(app, dir)
  assertProblem(t, await as(app, officer.token)('POST', url, { file: 'aGVsbG8=' }), 415, { code: 'unsupported-media-type' }, 'a JSON body')
  assertProblem(t, await app.inject({ method: 'POST', url, headers: { ...bearer(officer.token), 'content-type': 'application/octet-stream' }, payload: Buffer.from('raw bytes') }), 415, { code: 'unsupported-media-type' }, 'raw bytes')
  assertProblem(t, await upload(app, officer.token, url, [{ name: 'colour', value: 'red' }, filePart('x')]), 400, { code: 'validation-failed', errors: [{ field: 'body/colour' }] }, 'an unknown field before the file')
  assertProblem(t, await upload(app, officer.token, url, [filePart('x'), { name: 'owner', value: 'me' }]), 400, { code: 'validation-failed', errors: [{ field: 'body/owner' }] }, 'an unknown field after the file')
  assertProblem(t, await upload(app, officer.token, url, [{ name: 'document', filename: 'x.txt', data: 'x', contentType: 'text/plain' }]), 400, { code: 'validation-failed', errors: [{ field: 'body/document' }] }, 'a file part not named file')
  assertProblem(t, await upload(app, officer.token, url, [{ name: 'description', value: 'no file' }]), 400, { code: 'validation-failed', errors: [{ field: 'body/file' }] }, 'a form without a file')
  assertNothingStored(t, app, dir, before, 'after the refused requests')
})

t.test('GET /api/attachments/:id/content serves the bytes with ETag, Repr-Digest, Content-Disposition and ranges', async (t) => {
  const { app, officer, url } = await setup(t)
  const fox = Buffer.from(FOX, 'utf8')
  const res = await upload(app, officer.token, url, [filePart(fox, 'fox.txt')])
  const body = res.json<AttachmentBody>()
  t.equal(body.sha256, FOX_SHA256, 'the SHA-256 is the well-known one of the fox sentence')
  const content = `/api/attachments/${body.id}/content`
  const get = async (headers: Record<string, string> = {}): Promise<LightMyRequestResponse> => app.inject({ method: 'GET', url: content, headers: { ...bearer(officer.token), ...headers } })

  const whole = await get()
  t.equal(whole.statusCode, 200, 'the whole file answers 200')
  t.same(whole.rawPayload, fox, 'the body is the uploaded bytes')
  t.equal(whole.headers.etag, `"${FOX_SHA256}"`, 'the ETag is the quoted SHA-256')
  t.equal(whole.headers['repr-digest'], `sha-256=:${Buffer.from(FOX_SHA256, 'hex').toString('base64')}:`, 'Repr-Digest is sha-256=:<base64>: (RFC 9530)')
  t.equal(whole.headers['repr-digest'], 'sha-256=:16j7swfXgJRpypq8sAguT41WUeRtPNt2LQLQvzfJ5ZI=:', 'which is the known base64 of that digest')
  t.match(String(whole.headers['content-disposition']), /^attachment; filename="fox\.txt"/, 'Content-Disposition names the file')
  t.equal(whole.headers['content-length'], String(fox.length), 'Content-Length is the size')
  t.equal(whole.headers['accept-ranges'], 'bytes', 'ranges are advertised')

  const slice = await get({ range: 'bytes=2-5' })
  t.equal(slice.statusCode, 206, 'bytes=2-5 answers 206')
  t.equal(slice.headers['content-range'], `bytes 2-5/${fox.length}`, 'with Content-Range 2-5')
  t.same(slice.rawPayload, fox.subarray(2, 6), 'and exactly bytes 2 to 5')
  t.equal(slice.headers['repr-digest'], whole.headers['repr-digest'], 'Repr-Digest still describes the whole representation')

  const suffix = await get({ range: 'bytes=-3' })
  t.equal(suffix.statusCode, 206, 'bytes=-3 answers 206')
  t.equal(suffix.headers['content-range'], `bytes ${fox.length - 3}-${fox.length - 1}/${fox.length}`, 'with the Content-Range of the last 3 bytes')
  t.equal(suffix.rawPayload.toString('utf8'), 'dog', 'and the last 3 bytes')

  const open = await get({ range: 'bytes=40-' })
  t.equal(open.rawPayload.toString('utf8'), 'dog', 'bytes=40- answers from byte 40 to the end')
  const long = await get({ range: 'bytes=4-1000' })
  t.equal(long.headers['content-range'], `bytes 4-${fox.length - 1}/${fox.length}`, 'a range past the end is cut at the end')

  const unsatisfiable = await get({ range: `bytes=${fox.length}-` })
  assertProblem(t, unsatisfiable, 416, { code: 'range-not-satisfiable' }, 'a range starting past the end')
  t.equal(unsatisfiable.headers['content-range'], `bytes */${fox.length}`, 'the 416 names the size')

  const cached = await get({ 'if-none-match': `"${FOX_SHA256}"` })
  t.equal(cached.statusCode, 304, 'If-None-Match with the ETag answers 304')
  t.equal(cached.rawPayload.length, 0, 'with no body')
  t.equal((await get({ 'if-none-match': '"something-else"' })).statusCode, 200, 'another ETag answers 200')
})

t.test('a stored file whose bytes were changed on disk is not served as good, and the incident is audited', async (t) => {
  const { app, dir, admin, officer, url } = await setup(t)
  const base = await listen(app)
  // Big enough to stream in several chunks.
  const original = Buffer.alloc(3 * 1024 * 1024, 0x41)
  const res = await upload(app, officer.token, url, [filePart(original, 'scan.txt')])
  const body = res.json<AttachmentBody>()
  const stored = objectPath(dir, body.sha256)
  const untouched = await rawGet(base, `/api/attachments/${body.id}/content`, officer.token)
  t.equal(untouched.status, 200, 'before tampering, the download answers 200')
  t.notOk(untouched.broken, 'and completes')
  t.equal(sha256(untouched.body), body.sha256, 'with the right bytes')

  fs.chmodSync(stored, 0o600)
  const tampered = Buffer.from(original)
  tampered.write('TAMPERED', original.length - 100, 'latin1')
  fs.writeFileSync(stored, tampered)
  t.equal(fs.statSync(stored).size, original.length, 'the tampered object has the same length')

  const ranged = await app.inject({ method: 'GET', url: `/api/attachments/${body.id}/content`, headers: { ...bearer(officer.token), range: 'bytes=0-9' } })
  assertProblem(t, ranged, 409, { code: 'integrity-failure' }, 'a range of the tampered file')

  const download = await rawGet(base, `/api/attachments/${body.id}/content`, officer.token)
  t.ok(download.broken || download.status >= 400, `the whole download does not complete successfully (status ${download.status}, broken ${String(download.broken)}, ${download.body.length} bytes)`)
  t.not(sha256(download.body), body.sha256, 'the client never holds bytes that pass as the recorded file')
  t.ok(download.body.length < original.length || download.status >= 400, 'the client does not receive the whole tampered file as a good response')

  const alarms = await auditEntries(app, admin, { action: 'attachment.integrity_failure' })
  t.ok(alarms.length >= 1, `an attachment.integrity_failure entry was written (${alarms.length})`)
  t.match(JSON.parse(alarms[0]?.canonical ?? '{}'), { entityType: 'attachment', entityId: body.id, data: { sha256: body.sha256, detectedBy: 'download' } }, 'it names the attachment and its recorded hash')
  t.ok(alarms.every((a) => a.entityId === body.id), 'every alarm is about that attachment')
  t.equal((await fetch(`${base}/healthz`)).status, 200, 'the server still answers')
})

t.test('a 20 MiB upload streamed over a real socket is stored with the right SHA-256', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const base = await listen(app)
  const res = await streamUpload(base, url, officer.token, { size: 20 * 1024 * 1024, filename: 'disk-image.bin', fields: [{ name: 'description', value: 'USB stick image' }] })
  t.equal(res.status, 201, `the upload is accepted (${res.status} ${res.status === 201 ? '' : res.body})`)
  const body = JSON.parse(res.body) as AttachmentBody
  t.equal(body.sha256, res.sha256, 'the answered SHA-256 is node:crypto\'s hash of the bytes sent')
  t.equal(body.size, 20 * 1024 * 1024, 'the size is 20 MiB')
  t.equal(sha256sum(objectPath(dir, body.sha256)), res.sha256, 'sha256sum of the stored object agrees')
  t.same(tmpFiles(dir), [], 'nothing is left in the temp directory')
  const download = await rawGet(base, `/api/attachments/${body.id}/content`, officer.token)
  t.equal(download.status, 200, 'it downloads')
  t.equal(createHash('sha256').update(download.body).digest('hex'), res.sha256, 'the downloaded bytes hash the same')
})

t.test('another agency\'s attachments answer 404, and its users cannot upload to our seizures', async (t) => {
  const { app, dir, officer, url, seizure, user } = await setup(t)
  const res = await upload(app, officer.token, url, [filePart('AL evidence')])
  const id = res.json<AttachmentBody>().id
  const xk = await user('xk.officer')
  assertProblem(t, await as(app, xk.token)('GET', `/api/attachments/${id}`), 404, { code: 'not-found' }, 'GET metadata by another agency')
  assertProblem(t, await as(app, xk.token)('GET', `/api/attachments/${id}/content`), 404, { code: 'not-found' }, 'GET content by another agency')
  assertProblem(t, await as(app, xk.token)('GET', url), 404, { code: 'not-found' }, 'GET the seizure\'s list by another agency')
  const before = snapshot(app, dir)
  assertProblem(t, await upload(app, xk.token, `/api/seizures/${seizure.id}/attachments`, [filePart('XK bytes')]), 404, { code: 'not-found' }, 'an upload to another agency\'s seizure')
  assertNothingStored(t, app, dir, before, 'the refused upload')
})

t.test('attachment rows cannot be UPDATEd or DELETEd in SQLite', async (t) => {
  const { app, dir, officer, url } = await setup(t)
  const res = await upload(app, officer.token, url, [filePart('kept forever', 'kept.txt')])
  const id = res.json<AttachmentBody>().id
  const sqlite = new Database(databaseFile(dir))
  t.teardown(() => sqlite.close())
  t.throws(() => sqlite.prepare("UPDATE attachments SET filename = 'renamed.txt' WHERE id = ?").run(id), /attachments are append-only/, 'UPDATE of an attachment row is refused by a trigger')
  t.throws(() => sqlite.prepare("UPDATE attachments SET sha256 = 'x'").run(), /attachments are append-only/, 'UPDATE of every row is refused')
  t.throws(() => sqlite.prepare('DELETE FROM attachments WHERE id = ?').run(id), /attachments are append-only/, 'DELETE of an attachment row is refused')
  t.throws(() => sqlite.prepare('DELETE FROM attachments').run(), /attachments are append-only/, 'DELETE of every row is refused')
  t.match((await as(app, officer.token)('GET', `/api/attachments/${id}`)).json(), { filename: 'kept.txt' }, 'the row is unchanged')
})

t.test('a stored file damaged on disk is made good when the same content is uploaded again, and downloads whole after', async (t) => {
  const { app, officer, url } = await setup(t)
  const first = (await upload(app, officer.token, url, [filePart(FOX, 'fox.txt')])).json<AttachmentBody>()
  const stored = app.services.objects.pathOf(FOX_SHA256)
  fs.chmodSync(stored, 0o600)
  fs.writeFileSync(stored, FOX.replace('fox', 'cat'))
  assertProblem(t, await app.inject({ method: 'GET', url: `/api/attachments/${first.id}/content`, headers: { ...bearer(officer.token), range: 'bytes=0-3' } }), 409, { code: 'integrity-failure' }, 'before: a range of the damaged file')
  const again = await upload(app, officer.token, url, [filePart(FOX, 'fox-again.txt')])
  t.equal(again.statusCode, 201, 'the same content uploaded again is accepted')
  t.equal(fs.readFileSync(stored, 'utf8'), FOX, 'the stored file holds the right bytes again')
  const download = await as(app, officer.token)('GET', `/api/attachments/${first.id}/content`)
  t.equal(download.statusCode, 200, 'the first attachment downloads again')
  t.equal(download.body, FOX, 'whole and right')
})
