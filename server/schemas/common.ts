import { Type, type TSchema } from 'typebox'
import { ROLES } from '../services/access.js'

/** Enumerations are lower snake case strings (PRODUCT.md). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })

export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339, UTC' })
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })
export const Role = StringEnum(ROLES)
export const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 (Kosovo: XK)' })

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 }))
}

export const Page = <T extends TSchema>(item: T) => Type.Object({
  items: Type.Array(item),
  nextCursor: Type.Union([Type.String(), Type.Null()])
})

/** RFC 9457 problem details, with our stable `code` and the request id. */
export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  code: Type.String(),
  requestId: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() })))
}, { additionalProperties: true, $id: 'Problem' })

/** The error statuses a route may answer, each as problem+json. */
export function problems (...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, { $ref: 'Problem#', description: 'application/problem+json' }]))
}
