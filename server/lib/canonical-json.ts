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

// Fast path for values that already are plain JSON data (what JSON.parse gives, the records the
// services build), which is most of the verifier's time: a copy with members inserted in RFC 8785
// §3.2.3 order (UTF-16 code units, Array.prototype.sort's order), then one JSON.stringify, whose
// strings and numbers are the forms §3.2.2.2 and §3.2.2.3 name (the ECMAScript ones, -0 as 0).
// Anything else answers undefined and takes the checked path below, which names the problem:
// toJSON, undefined in an array, a non-finite number, a class instance, nesting deep enough to be
// a cycle, a member name that JavaScript would not keep in insertion order (an array index) or
// would not keep as data (__proto__), and any output holding a \uD800-\uDFFF escape, which
// JSON.stringify writes only for a lone surrogate (or for a backslash before "ud8", harmlessly
// sent the slow way).
const MAX_FAST_DEPTH = 64
const NOT_PLAIN = Symbol('not plain JSON data')
const ORDER_BREAKING_KEY = /^(?:0|[1-9][0-9]*|__proto__)$/
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/

function sortedCopy (value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean': return value
    case 'number': return Number.isFinite(value) ? value : NOT_PLAIN
    case 'object': break
    default: return NOT_PLAIN
  }
  if (value === null) return null
  if (depth >= MAX_FAST_DEPTH) return NOT_PLAIN
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) {
      const item = sortedCopy(value[i], depth + 1)
      if (item === NOT_PLAIN || item === undefined) return NOT_PLAIN
      copy[i] = item
    }
    return copy
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if ((proto !== Object.prototype && proto !== null) || hasToJson(value)) return NOT_PLAIN
  const record = value as Record<string, unknown>
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(record).sort()) {
    if (ORDER_BREAKING_KEY.test(key)) return NOT_PLAIN
    const member = record[key]
    if (member === undefined) continue
    const item = sortedCopy(member, depth + 1)
    if (item === NOT_PLAIN) return NOT_PLAIN
    copy[key] = item
  }
  return copy
}

function plainCanonical (value: unknown): string | undefined {
  const copy = sortedCopy(value, 0)
  if (copy === NOT_PLAIN || copy === undefined) return undefined
  const text = JSON.stringify(copy)
  return SURROGATE_ESCAPE.test(text) ? undefined : text
}

/**
 * RFC 8785 canonical JSON text of `value`: members sorted by UTF-16 code units (§3.2.3),
 * ECMAScript number form (§3.2.2.3), minimal string escapes (§3.2.2.2), no whitespace.
 * Throws CanonicalJsonError, naming the place, for anything JSON cannot carry.
 */
export function canonicalJson (value: unknown): string {
  const fast = plainCanonical(value)
  if (fast !== undefined) return fast
  const text = canonicalize(toJsonData('$', value, new Set()))
  if (text === undefined) throw new CanonicalJsonError('$', 'value has no JSON form')
  return text
}

/** The UTF-8 bytes of canonicalJson(value) (RFC 8785 §3.2.4). */
export function canonicalBytes (value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8')
}
