import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { Transform } from 'node:stream'
import { and, asc, eq } from 'drizzle-orm'
import exifr from 'exifr'
import { fileTypeFromBuffer } from 'file-type'
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/client.js'
import { attachments } from '../db/schema/index.js'
import { Problem } from '../errors.js'
import { newId } from '../lib/ids.js'
import type { ObjectStore, Received } from '../lib/object-store.js'
import { authorize, type AuthUser } from './access.js'
import type { AttachmentRecord } from './audit-events.js'
import type { AttachmentOwner } from './evidence-enums.js'
import type { ItemService } from './item-service.js'
import { isPrintable, type PrintCopies } from './print-copies.js'
import type { SeizureService } from './seizure-service.js'
import type { WritePath } from './write-path.js'

type Row = typeof attachments.$inferSelect

export interface UploadFields { description?: string, capturedAt?: string, sha256?: string }

/** Resolves an owner id to its agency after the caller's access check (cases register theirs later). */
export type OwnerResolver = (user: AuthUser, id: string, mode: 'read' | 'write') => { agencyId: string }

export const attachmentRecord = (r: Row): AttachmentRecord => ({
  id: r.id,
  agencyId: r.agencyId,
  ownerType: r.ownerType as AttachmentOwner,
  ownerId: r.ownerId,
  sha256: r.sha256,
  size: r.size,
  mediaType: r.mediaType,
  filename: r.filename,
  description: r.description,
  capturedAt: r.capturedAt,
  exif: r.exif === null ? null : JSON.parse(r.exif) as AttachmentRecord['exif'],
  uploadedBy: r.uploadedBy,
  uploadedAt: r.uploadedAt
})

/** The client's file name kept as data: control characters removed, length bounded. */
export function cleanFilename (name: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = (name ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, 255)
  return cleaned === '' ? 'unnamed' : cleaned
}

/** The media type from the bytes; text is recognised as valid UTF-8 without NUL. */
async function sniff (head: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(head)
  if (detected !== undefined) return detected.mime
  if (head.length === 0) return 'application/octet-stream'
  if (head.includes(0)) return 'application/octet-stream'
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 4)))
    return 'text/plain'
  } catch {
    return 'application/octet-stream'
  }
}

const EXIF_TYPES = new Set(['image/jpeg', 'image/tiff', 'image/heic', 'image/heif', 'image/png', 'image/webp', 'image/avif'])

/** A photo's capture time and position, kept as data (EXIF DateTimeOriginal, GPS). */
async function readExif (file: string, mediaType: string): Promise<AttachmentRecord['exif']> {
  if (!EXIF_TYPES.has(mediaType)) return null
  try {
    const tags = await exifr.parse(file, { gps: true, pick: ['DateTimeOriginal', 'CreateDate', 'GPSLatitude', 'GPSLongitude', 'latitude', 'longitude'] }) as Record<string, unknown> | undefined
    if (tags === undefined) return null
    const when = tags.DateTimeOriginal ?? tags.CreateDate
    const lat = typeof tags.latitude === 'number' && Number.isFinite(tags.latitude) ? tags.latitude : null
    const lon = typeof tags.longitude === 'number' && Number.isFinite(tags.longitude) ? tags.longitude : null
    const capturedAt = when instanceof Date && !Number.isNaN(when.getTime()) ? when.toISOString() : null
    if (capturedAt === null && lat === null) return null
    return { capturedAt, lat, lon }
  } catch {
    return null
  }
}

export function createAttachmentService (db: Db, writes: WritePath, store: ObjectStore, prints: PrintCopies, seizures: SeizureService, items: ItemService, log: FastifyBaseLogger) {
  const owners: Record<AttachmentOwner, OwnerResolver | undefined> = {
    seizure: (user, id, mode) => seizures.visible(user, id, mode),
    item: (user, id, mode) => items.visibleItem(user, id, mode),
    custody_event: (user, id, mode) => items.eventOwner(user, id, mode).item,
    case: undefined,
    case_action: undefined
  }

  function owner (user: AuthUser, type: AttachmentOwner, id: string, mode: 'read' | 'write'): { agencyId: string } {
    const resolve = owners[type]
    if (resolve === undefined) throw Problem.notFound(type)
    try {
      return resolve(user, id, mode)
    } catch (err) {
      // The resolver may fail on what holds the owner (a custody event's item, an action's case):
      // answer as for an owner id that does not exist, so another agency's record does not show.
      if (err instanceof Problem && err.status === 404) throw Problem.notFound(type.replace('_', ' '))
      throw err
    }
  }

  function visible (user: AuthUser, id: string): Row {
    const row = db.select().from(attachments).where(eq(attachments.id, id)).get()
    if (row === undefined) throw Problem.notFound('attachment')
    try {
      owner(user, row.ownerType as AttachmentOwner, row.ownerId, 'read')
    } catch (err) {
      if (err instanceof Problem && err.status === 404) throw Problem.notFound('attachment')
      throw err
    }
    return row
  }

  /** Records an integrity alarm in the log and the audit log; the file is not served. */
  function alarm (user: AuthUser | null, row: Row, actual: { sha256: string, size: number } | null, detectedBy: 'download' | 'verify'): void {
    log.error({ attachmentId: row.id, sha256: row.sha256, actual }, 'stored attachment does not match its recorded SHA-256')
    writes.commit(user?.id ?? 'system', () => ({
      result: undefined,
      audit: {
        action: 'attachment.integrity_failure',
        entityType: 'attachment',
        entityId: row.id,
        agencyId: row.agencyId,
        data: { attachmentId: row.id, sha256: row.sha256, expectedSize: row.size, actualSize: actual?.size ?? null, actualSha256: actual?.sha256 ?? null, detectedBy }
      }
    }))
  }

  return {
    registerOwner (type: AttachmentOwner, resolve: OwnerResolver): void { owners[type] = resolve },

    /** Checked before a single byte is streamed to disk. */
    checkUpload (user: AuthUser, type: AttachmentOwner, id: string): void {
      authorize(user, 'attachment.upload')
      owner(user, type, id, 'write')
    },

    /** The upload has streamed to a temp file; check it, move it into the store, then commit its row. */
    async commitUpload (user: AuthUser, type: AttachmentOwner, ownerId: string, received: Received, filename: string, fields: UploadFields): Promise<AttachmentRecord> {
      try {
        if (fields.sha256 !== undefined && fields.sha256.toLowerCase() !== received.sha256) {
          throw new Problem(422, 'digest-mismatch', `The file's SHA-256 is ${received.sha256}, not the ${fields.sha256} sent with it; nothing was stored`)
        }
        const { agencyId } = owner(user, type, ownerId, 'write')
        const mediaType = await sniff(received.head)
        const exif = await readExif(received.tmpPath, mediaType)
        if (await store.store(received) === 'repaired') {
          log.warn({ sha256: received.sha256 }, 'a stored file that no longer matched its SHA-256 was replaced by the same content uploaded again')
        }
        const record = writes.commit(user.id, (tx, time) => {
          const row = tx.insert(attachments).values({
            id: newId(), agencyId, ownerType: type, ownerId, sha256: received.sha256, size: received.size, mediaType,
            filename, description: fields.description ?? null, capturedAt: fields.capturedAt ?? exif?.capturedAt ?? null,
            exif: exif === null ? null : JSON.stringify(exif), uploadedBy: user.id, uploadedAt: time
          }).returning().get()
          const record = attachmentRecord(row)
          return { result: record, audit: { action: 'attachment.create', entityType: 'attachment', entityId: row.id, agencyId, data: record } }
        })
        // A photo's print copy is made now, once, rather than by every case file that prints it.
        if (isPrintable(mediaType)) await prints.prepare({ id: record.id, sha256: record.sha256, mediaType })
        return record
      } finally {
        await store.discard(received)
      }
    },

    list (user: AuthUser, type: AttachmentOwner, id: string): AttachmentRecord[] {
      owner(user, type, id, 'read')
      return db.select().from(attachments).where(and(eq(attachments.ownerType, type), eq(attachments.ownerId, id))).orderBy(asc(attachments.uploadedAt), asc(attachments.id)).all().map(attachmentRecord)
    },

    get (user: AuthUser, id: string): AttachmentRecord {
      return attachmentRecord(visible(user, id))
    },

    /**
     * Opens a stored file for download. Whole-file downloads are re-hashed while
     * they stream and the stream is broken off if the bytes do not match; a range
     * is served only after the whole file has been re-hashed.
     */
    async open (user: AuthUser, id: string, range: { start: number, end: number } | null) {
      const row = visible(user, id)
      const file = store.pathOf(row.sha256)
      const stat = await fs.promises.stat(file).catch(() => null)
      const refuse = (actual: { sha256: string, size: number } | null): never => {
        alarm(user, row, actual, 'download')
        throw new Problem(409, 'integrity-failure', 'The stored file no longer matches its recorded SHA-256; it is withheld and the incident has been recorded in the audit log')
      }
      if (stat === null || stat.size !== row.size) refuse(stat === null ? null : { sha256: 'unknown', size: stat.size })
      if (range !== null) {
        const actual = await store.hash(row.sha256)
        if (actual === null || actual.sha256 !== row.sha256) refuse(actual)
        return { record: attachmentRecord(row), stream: fs.createReadStream(file, { start: range.start, end: range.end }) }
      }
      const hash = createHash('sha256')
      // The last chunk is held back until the whole file has been hashed, so a
      // client never receives a complete response for bytes that do not match.
      let held: Buffer | undefined
      const check = new Transform({
        transform (chunk: Buffer, _enc, done) {
          hash.update(chunk)
          const previous = held
          held = chunk
          done(null, previous)
        },
        flush (done) {
          const actual = hash.digest('hex')
          if (actual === row.sha256) { done(null, held); return }
          try { alarm(user, row, { sha256: actual, size: row.size }, 'download') } catch {}
          done(new Error(`attachment ${row.id} failed its integrity check while streaming`))
        }
      })
      return { record: attachmentRecord(row), stream: fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(check) }
    },

    alarm
  }
}

export type AttachmentService = ReturnType<typeof createAttachmentService>
