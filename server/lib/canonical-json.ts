// RFC 8785 JSON Canonicalization Scheme (JCS): the bytes of every audit entry and record
// (VERIFIABILITY.md, "The audit log"). The work is done by `canonicalize` (Erdtman, one of the
// RFC's authors); this wrapper first checks that the value is JSON data, because `canonicalize`
// writes `undefined` for a function and `null` for an array hole or symbol, silently.

import canonicalize from 'canonicalize'

export class CanonicalJsonError extends Error {
  /** Where in the value the problem is, as `$.a.b[2]`. */
  readonly path: string

  constructor (path: string, message: string) {
    super(`${path}: ${message}`)
    this.name = 'CanonicalJsonError'
    this.path = path
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function memberPath (path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

function hasToJson (value: object): value is { toJSON: () => unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function'
}

// RFC 8785 §3.2.2.2 and RFC 7493 §2.1: strings (member names too) must be valid Unicode.
function checkString (path: string, value: string): void {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(path, 'string has a lone surrogate (RFC 7493 §2.1)')
}

// RFC 8785 §3.2.2.3: NaN and Infinity have no JSON form.
function checkNumber (path: string, value: number): void {
  if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not representable in JSON (RFC 8785 §3.2.2.3)`)
}

function checkPlainObject (path: string, value: object): void {
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    const name = (value.constructor as { name?: string } | undefined)?.name ?? 'object'
    throw new CanonicalJsonError(path, `${name} is not plain JSON data (give it a toJSON method or convert it)`)
  }
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

// Copies `value` into plain JSON data, applying toJSON as JSON.stringify does, so that
// `canonicalize` only ever sees values it handles correctly (and toJSON runs once).
function toJsonData (path: string, value: unknown, ancestors: Set<object>): JsonValue {
  switch (typeof value) {
    case 'string': checkString(path, value); return value
    case 'number': checkNumber(path, value); return value
    case 'boolean': return value
    case 'bigint': throw new CanonicalJsonError(path, 'BigInt is not representable in JSON (RFC 8785 §3.2.2.3: numbers are IEEE 754 doubles)')
    case 'undefined': throw new CanonicalJsonError(path, 'undefined is not representable in JSON')
    case 'function':
    case 'symbol': throw new CanonicalJsonError(path, `${typeof value} is not representable in JSON`)
  }
  if (value === null) return null
  return containerData(path, value as object, ancestors)
}

function containerData (path: string, value: object, ancestors: Set<object>): JsonValue {
  if (ancestors.has(value)) throw new CanonicalJsonError(path, 'circular reference')
  ancestors.add(value)
  let data: JsonValue
  if (hasToJson(value)) {
    data = toJsonData(path, value.toJSON(), ancestors)
  } else if (Array.isArray(value)) {
    data = Array.from(value, (item: unknown, i) => toJsonData(`${path}[${i}]`, item, ancestors))
  } else {
    checkPlainObject(path, value)
    data = membersData(path, value as Record<string, unknown>, ancestors)
  }
  ancestors.delete(value)
  return data
}

// Members whose value is undefined are left out, as JSON.stringify does: optional fields.
function membersData (path: string, value: Record<string, unknown>, ancestors: Set<object>): JsonValue {
  const data: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>
  for (const key of Object.keys(value)) {
    const member = memberPath(path, key)
    checkString(member, key)
    if (value[key] !== undefined) data[key] = toJsonData(member, value[key], ancestors)
  }
  return data
}

/**
 * RFC 8785 canonical JSON text of `value`: members sorted by UTF-16 code units (§3.2.3),
 * ECMAScript number form (§3.2.2.3), minimal string escapes (§3.2.2.2), no whitespace.
 * Throws CanonicalJsonError, naming the place, for anything JSON cannot carry.
 */
export function canonicalJson (value: unknown): string {
  const text = canonicalize(toJsonData('$', value, new Set()))
  if (text === undefined) throw new CanonicalJsonError('$', 'value has no JSON form')
  return text
}

/** The UTF-8 bytes of canonicalJson(value) (RFC 8785 §3.2.4). */
export function canonicalBytes (value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8')
}
