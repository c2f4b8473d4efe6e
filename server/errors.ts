import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** Stable problem codes; the `type` URI is derived from them (RFC 9457 §3.1.1). */
export const PROBLEM_TITLES = {
  'bad-request': 'The request is malformed',
  'validation-failed': 'The request does not match the expected shape',
  unauthenticated: 'Authentication is required',
  'invalid-credentials': 'Wrong username or password',
  'invalid-token': 'The access token is not valid',
  forbidden: 'You are not allowed to do this',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  conflict: 'The request conflicts with the current state',
  'transition-refused': 'This custody event is not allowed now',
  'payload-too-large': 'The request body is too large',
  'unsupported-media-type': 'Unsupported content type',
  'unprocessable': 'The request cannot be processed',
  'integrity-failure': 'A stored file no longer matches its recorded hash',
  'range-not-satisfiable': 'The requested range is outside the file',
  'digest-mismatch': 'The uploaded content does not match the digest sent with it',
  'too-many-requests': 'Too many attempts',
  'client-closed-request': 'The client went away before the answer was ready',
  'internal-error': 'Internal server error',
  'unavailable': 'Service unavailable'
} as const
export type ProblemCode = keyof typeof PROBLEM_TITLES

export const problemType = (code: ProblemCode): string => `urn:strongroom:problem:${code}`

export interface FieldError { field: string, message: string }

/** A typed error that carries its HTTP status and becomes application/problem+json. */
export class Problem extends Error {
  readonly statusCode: number
  constructor (
    readonly status: number,
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {}
  ) {
    super(detail ?? PROBLEM_TITLES[code])
    this.name = 'Problem'
    this.statusCode = status
  }

  static badRequest (detail: string, errors?: FieldError[]): Problem {
    return new Problem(400, 'validation-failed', detail, errors === undefined ? {} : { errors })
  }

  static notFound (what = 'resource'): Problem {
    return new Problem(404, 'not-found', `No such ${what}`)
  }

  static forbidden (detail = 'Your role does not allow this action'): Problem {
    return new Problem(403, 'forbidden', detail)
  }

  static conflict (detail: string, extra: Record<string, unknown> = {}): Problem {
    return new Problem(409, 'conflict', detail, extra)
  }
}

interface ProblemBody {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
  code: ProblemCode
  requestId: string
  [key: string]: unknown
}

function send (reply: FastifyReply, body: ProblemBody, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(body.status).headers(headers).type('application/problem+json; charset=utf-8').send(body)
}

function bodyOf (request: FastifyRequest, status: number, code: ProblemCode, detail?: string, extra: Record<string, unknown> = {}): ProblemBody {
  return {
    type: problemType(code),
    title: PROBLEM_TITLES[code],
    status,
    ...(detail === undefined ? {} : { detail }),
    instance: request.url.split('?')[0] ?? '/',
    code,
    requestId: request.id,
    ...extra
  }
}

/** ajv's instancePath is a JSON pointer; name the field as an officer would read it. */
function fieldErrors (error: FastifyError): FieldError[] {
  const context = error.validationContext ?? 'body'
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>
    let field = v.instancePath
    if (typeof params.missingProperty === 'string') field = `${field}/${params.missingProperty}`
    if (typeof params.additionalProperty === 'string') field = `${field}/${params.additionalProperty}`
    const message = typeof params.additionalProperty === 'string'
      ? `unknown field "${params.additionalProperty}"`
      : v.message ?? 'is not valid'
    return { field: `${context}${field}`, message }
  })
}

/** Fastify's own 4xx errors keyed by code, mapped to our stable problem codes. */
const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad-request',
  FST_REQ_FILE_TOO_LARGE: 'payload-too-large',
  FST_FILES_LIMIT: 'payload-too-large',
  FST_PARTS_LIMIT: 'payload-too-large',
  FST_FIELDS_LIMIT: 'payload-too-large',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'unsupported-media-type',
  FST_ERR_VALIDATION: 'validation-failed'
}

function codeForStatus (status: number): ProblemCode {
  switch (status) {
    case 401: return 'unauthenticated'
    case 403: return 'forbidden'
    case 404: return 'not-found'
    case 405: return 'method-not-allowed'
    case 409: return 'conflict'
    case 413: return 'payload-too-large'
    case 416: return 'range-not-satisfiable'
    case 415: return 'unsupported-media-type'
    case 422: return 'unprocessable'
    case 429: return 'too-many-requests'
    case 503: return 'unavailable'
    default: return 'bad-request'
  }
}

export function registerErrorHandlers (app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Problem, request, reply) => {
    if (error instanceof Problem) {
      const headers: Record<string, string> = {}
      if (typeof error.extra.retryAfter === 'number') headers['retry-after'] = String(error.extra.retryAfter)
      if (error.status >= 500) request.log.error({ err: error }, 'problem')
      return send(reply, bodyOf(request, error.status, error.code, error.detail, error.extra), headers)
    }
    if (error.validation !== undefined) {
      const errors = fieldErrors(error)
      const first = errors[0]
      const detail = first === undefined ? 'The request is not valid' : `${first.field}: ${first.message}`
      return send(reply, bodyOf(request, 400, 'validation-failed', detail, { errors }))
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500
    if (status >= 400 && status < 500) {
      const code = (error.code !== undefined ? FASTIFY_CODES[error.code] : undefined) ?? codeForStatus(status)
      // Fastify's 4xx messages describe the request, never server internals.
      return send(reply, bodyOf(request, status, code, error.message))
    }
    request.log.error({ err: error }, 'unexpected error')
    return send(reply, bodyOf(request, 500, 'internal-error', 'Something went wrong on the server; the request id identifies it in the logs'))
  })

  app.setNotFoundHandler((request, reply) => {
    return send(reply, bodyOf(request, 404, 'not-found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}`))
  })
}
