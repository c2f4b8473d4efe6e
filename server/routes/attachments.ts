import type { MultipartFile, MultipartValue } from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { Problem } from '../errors.js'
import type { Received } from '../lib/object-store.js'
import { IdParams, problems } from '../schemas/common.js'
import { AnyObject } from '../schemas/evidence.js'
import { cleanFilename, type UploadFields } from '../services/attachment-service.js'
import type { AttachmentOwner } from '../services/evidence-enums.js'

const FIELD_CHECKS: Record<keyof UploadFields, (v: string) => boolean> = {
  description: (v) => v.length > 0 && v.length <= 2000,
  capturedAt: (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
  sha256: (v) => /^[0-9a-fA-F]{64}$/.test(v)
}

function field (part: MultipartValue, fields: UploadFields): void {
  const name = part.fieldname as keyof UploadFields
  const check = Object.hasOwn(FIELD_CHECKS, name) ? FIELD_CHECKS[name] : undefined
  if (check === undefined) throw Problem.badRequest(`Unknown form field "${part.fieldname}": send "file" and optionally description, capturedAt, sha256`, [{ field: `body/${part.fieldname}`, message: 'unknown field' }])
  const value = String(part.value)
  if (!check(value)) throw Problem.badRequest(`The form field "${name}" is not valid`, [{ field: `body/${name}`, message: name === 'sha256' ? 'must be 64 hex digits' : name === 'capturedAt' ? 'must be an RFC 3339 time' : 'must be 1 to 2000 characters' }])
  if (fields[name] !== undefined) throw Problem.badRequest(`The form field "${name}" is sent twice`, [{ field: `body/${name}`, message: 'sent twice' }])
  fields[name] = name === 'capturedAt' ? new Date(value).toISOString() : value
}

/**
 * The multipart parser (busboy) reports a body cut short or malformed with a
 * plain Error that has no status ("Unexpected end of multipart data", "Part
 * terminated early..."): that is the client's 400, not a 500. Disk errors (they
 * carry a syscall), typed errors and errors with a status pass through.
 */
function malformedBody (err: unknown): unknown {
  if (!(err instanceof Error) || err.constructor !== Error || 'syscall' in err || 'statusCode' in err) return err
  return new Problem(400, 'bad-request', `The multipart body is malformed or incomplete (${err.message}); nothing was stored`)
}

/**
 * Streams the one "file" part to the store's temp directory while hashing it;
 * optional fields may come before or after it. Whatever fails, no temp file stays.
 */
async function receiveUpload (request: FastifyRequest, limit: number) {
  if (!request.isMultipart()) throw new Problem(415, 'unsupported-media-type', 'Send the file as multipart/form-data with a "file" part')
  const { objects } = request.server.services
  const fields: UploadFields = {}
  let received: Received | undefined
  let filename = ''
  try {
    for await (const part of request.parts({ limits: { fileSize: limit, files: 1, parts: 8, fields: 6, fieldSize: 16 * 1024, headerPairs: 50 } })) {
      if (part.type === 'field') { field(part, fields); continue }
      const file = part as MultipartFile
      if (file.fieldname !== 'file') throw Problem.badRequest(`The file part must be named "file", not "${file.fieldname}"`, [{ field: `body/${file.fieldname}`, message: 'unknown file field' }])
      filename = cleanFilename(file.filename)
      received = await objects.receive(file.file)
    }
  } catch (err) {
    if (received !== undefined) await objects.discard(received)
    throw malformedBody(err)
  }
  if (received === undefined) throw Problem.badRequest('No file was sent: add a "file" part', [{ field: 'body/file', message: 'is required' }])
  return { received, filename, fields }
}

function uploadRoute (type: AttachmentOwner) {
  return async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const { attachments } = request.server.services
    attachments.checkUpload(request.user, type, request.params.id)
    const { received, filename, fields } = await receiveUpload(request, request.server.config.uploadLimit)
    const record = await attachments.commitUpload(request.user, type, request.params.id, received, filename, fields)
    request.log.info({ attachmentId: record.id, sha256: record.sha256, size: record.size }, 'attachment stored')
    return reply.code(201).send(record)
  }
}

/** RFC 9110 §14.1.2: a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range. */
function parseRange (header: string | undefined, size: number): { start: number, end: number } | null | 'unsatisfiable' {
  if (header === undefined) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (m === null || (m[1] === '' && m[2] === '')) return null
  let start: number
  let end: number
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0) return 'unsatisfiable'
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start >= size || start > end) return 'unsatisfiable'
  return { start, end }
}

/** RFC 6266: an ASCII fallback and the UTF-8 name, never a path. */
function contentDisposition (filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? 'file'
  const ascii = base.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `attachment; filename="${ascii === '' ? 'file' : ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`
}

const OWNER_ROUTES: Array<[string, AttachmentOwner]> = [['seizures', 'seizure'], ['items', 'item'], ['custody-events', 'custody_event'], ['cases', 'case'], ['case-actions', 'case_action']]

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { attachments } = app.services
  for (const [path, type] of OWNER_ROUTES) {
    app.post(`/api/${path}/:id/attachments`, {
      config: { permission: 'attachment.upload' },
      schema: {
        tags: ['attachments'],
        summary: `Attach a file to a ${type.replace('_', ' ')} (multipart: "file", optional description, capturedAt, sha256)`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        response: { 201: AnyObject, ...problems(400, 401, 403, 404, 413, 415, 422) }
      }
    }, uploadRoute(type))
    app.get(`/api/${path}/:id/attachments`, {
      config: { permission: 'attachment.read' },
      schema: { tags: ['attachments'], summary: `Files attached to a ${type.replace('_', ' ')}`, params: IdParams, response: { 200: Type.Object({ items: Type.Array(AnyObject), nextCursor: Type.Null() }), ...problems(401, 403, 404) } }
    }, async (request) => ({ items: attachments.list(request.user, type, request.params.id), nextCursor: null }))
  }

  app.get('/api/attachments/:id', {
    config: { permission: 'attachment.read' },
    schema: { tags: ['attachments'], summary: 'An attachment\'s recorded metadata', params: IdParams, response: { 200: AnyObject, ...problems(401, 403, 404) } }
  }, async (request) => attachments.get(request.user, request.params.id))

  app.get('/api/attachments/:id/content', {
    config: { permission: 'attachment.read' },
    schema: { tags: ['attachments'], summary: 'The bytes, with ETag and Repr-Digest (RFC 9530); supports Range', params: IdParams, response: { ...problems(401, 403, 404, 409, 416) } }
  }, async (request, reply) => {
    const meta = attachments.get(request.user, request.params.id)
    const etag = `"${meta.sha256}"`
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    const range = parseRange(request.headers.range, meta.size)
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${meta.size}`)
      throw new Problem(416, 'range-not-satisfiable', `The file has ${meta.size} bytes`)
    }
    const { stream } = await attachments.open(request.user, meta.id, range)
    reply.headers({
      etag,
      'repr-digest': `sha-256=:${Buffer.from(meta.sha256, 'hex').toString('base64')}:`,
      'content-disposition': contentDisposition(meta.filename),
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
      'content-type': meta.mediaType
    })
    if (range !== null) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${meta.size}`).header('content-length', range.end - range.start + 1)
    } else {
      reply.header('content-length', meta.size)
    }
    return reply.send(stream)
  })
}

export default routes
