import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { canonicalBytes, canonicalJson, CanonicalJsonError } from '../../server/lib/canonical-json.js'

const fixtures = fileURLToPath(new URL('../fixtures/jcs/', import.meta.url))

interface NumberVectors {
  serialStart: string
  serialCount: number
  staticU64s: string[]
  checksums: Array<{ sha256: string, lines: number, bytes: number }>
  samples: Array<{ ieeeHex: string, expected: string | null }>
}
const numbers = JSON.parse(readFileSync(`${fixtures}es6-numbers.json`, 'utf8')) as NumberVectors

function doubleFromBits (bits: bigint): number {
  const buffer = Buffer.alloc(8)
  buffer.writeBigUInt64BE(bits)
  return buffer.readDoubleBE(0)
}

// The IEEE-754 values of cyberphone's es6testfile100m.txt, generated as testdata/README.md
// describes: the static values, 2000 serial subnormals, then the finite non-zero doubles read
// from a SHA-256 chain that starts from 32 zero bytes.
function * numberBits (): Generator<bigint> {
  for (const bits of numbers.staticU64s) yield BigInt(`0x${bits}`)
  const serial = BigInt(`0x${numbers.serialStart}`)
  for (let i = 0; i < numbers.serialCount; i++) yield serial + BigInt(i)
  let block = Buffer.alloc(32)
  for (;;) {
    block = createHash('sha256').update(block).digest()
    for (let offset = 0; offset < 32; offset += 8) {
      const value = block.readDoubleLE(offset)
      if (value !== 0 && Number.isFinite(value)) yield block.readBigUInt64LE(offset)
    }
  }
}

t.test('every input of cyberphone/json-canonicalization canonicalizes to its expected output bytes', async (t) => {
  const names = readdirSync(`${fixtures}input`).filter((name) => name.endsWith('.json')).sort()
  t.same(names, ['arrays.json', 'french.json', 'structures.json', 'unicode.json', 'values.json', 'weird.json'], 'all six test files are present')
  for (const name of names) {
    const input: unknown = JSON.parse(readFileSync(`${fixtures}input/${name}`, 'utf8'))
    const expected = readFileSync(`${fixtures}output/${name}`)
    t.same(canonicalBytes(input), expected, `${name} canonicalizes byte for byte`)
    t.equal(canonicalJson(input), expected.toString('utf8'), `${name} as text matches too`)
  }
})

t.test('numbers serialize as the RFC 8785 reference samples', async (t) => {
  for (const { ieeeHex, expected } of numbers.samples) {
    const value = doubleFromBits(BigInt(`0x${ieeeHex}`))
    if (expected === null) {
      t.throws(() => canonicalJson(value), CanonicalJsonError, `${ieeeHex} (${value}) has no JSON form and is refused`)
    } else {
      t.equal(canonicalJson(value), expected, `${ieeeHex} serializes as ${expected}`)
    }
  }
})

t.test('the first million numbers of the ES6 test file hash to the published checksums', async (t) => {
  const largest = Math.max(...numbers.checksums.filter((c) => c.lines <= 1_000_000).map((c) => c.lines))
  const hash = createHash('sha256')
  let lines = 0
  let bytes = 0
  for (const bits of numberBits()) {
    const line = `${bits.toString(16)},${canonicalJson(doubleFromBits(bits))}\n`
    hash.update(line)
    bytes += line.length
    lines++
    const published = numbers.checksums.find((c) => c.lines === lines)
    if (published !== undefined) {
      t.equal(bytes, published.bytes, `the first ${lines} lines are ${published.bytes} bytes`)
      t.equal(hash.copy().digest('hex'), published.sha256, `the first ${lines} lines hash to ${published.sha256.slice(0, 16)}...`)
    }
    if (lines === largest) break
  }
})

t.test('canonicalJson sorts members by UTF-16 code units and drops whitespace', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [true, null, 'x'], '\u00e9': 0, A: { z: -0, y: 1e21 } }), '{"A":{"y":1e+21,"z":0},"a":[true,null,"x"],"b":1,"\u00e9":0}', 'keys sorted, -0 is 0, 1e21 in exponent form')
  t.equal(canonicalJson({ '\u{1F602}': 1, '\uFB33': 2 }), '{"\u{1F602}":1,"\uFB33":2}', 'a surrogate pair sorts by its code units, before U+FB33')
  t.equal(canonicalJson('\u2028<\u007f>'), '"\u2028<\u007f>"', 'only the characters JSON requires are escaped')
  t.same(canonicalBytes({ s: 'ë' }), Buffer.from('{"s":"\u00eb"}', 'utf8'), 'bytes are UTF-8')
  t.equal(canonicalJson({ at: new Date('2024-01-02T03:04:05.000Z') }), '{"at":"2024-01-02T03:04:05.000Z"}', 'a Date is written through its toJSON')
  t.equal(canonicalJson({ kept: 1, optional: undefined }), '{"kept":1}', 'a member whose value is undefined is left out, as JSON.stringify does')
  t.equal(canonicalJson(JSON.parse('{"__proto__":{"x":1}}')), '{"__proto__":{"x":1}}', 'a member named __proto__ is kept as data')
})

t.test('canonicalJson refuses values JSON cannot carry, and says where they are', async (t) => {
  const circular: Record<string, unknown> = {}
  circular.self = circular
  const refused: Array<[string, unknown, RegExp]> = [
    ['undefined at the top level', undefined, /^\$: undefined/],
    ['NaN', { a: [1, Number.NaN] }, /^\$\.a\[1\]: NaN/],
    ['Infinity', { 'odd key': Infinity }, /^\$\["odd key"\]: Infinity/],
    ['-Infinity', -Infinity, /-Infinity/],
    ['a BigInt', { n: 10n }, /^\$\.n: BigInt/],
    ['a function', { f: () => 1 }, /^\$\.f: function/],
    ['a symbol', [Symbol('s')], /^\$\[0\]: symbol/],
    ['undefined in an array', [1, undefined], /^\$\[1\]: undefined/],
    ['an array hole', [1, , 3], /^\$\[1\]: undefined/], // eslint-disable-line no-sparse-arrays
    ['a lone surrogate in a string', { s: '\uD800' }, /^\$\.s: string has a lone surrogate/],
    ['a lone surrogate in a key', { '\uDC00': 1 }, /lone surrogate/],
    ['a Map', { m: new Map([['a', 1]]) }, /^\$\.m: Map is not plain JSON data/],
    ['a class instance', { c: new (class Widget { x = 1 })() }, /Widget is not plain JSON data/],
    ['a circular reference', circular, /^\$\.self: circular reference/]
  ]
  for (const [what, value, message] of refused) {
    t.throws(() => canonicalJson(value), { name: 'CanonicalJsonError', message }, `${what} is refused`)
  }
  const shared = { x: 1 }
  t.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}', 'an object used twice is not a cycle')
})

t.test('the fast path for plain data writes what canonicalize writes, and leaves the rest to the checked path', async (t) => {
  const { default: canonicalize } = await import('canonicalize')
  let seed = 8785
  const next = (n: number): number => { seed = (Math.imul(seed, 48271) + 11) >>> 0; return seed % n }
  const strings = ['', 'a', 'é', '€', '\u{1F600}', '\u0000', '\n"\\', 'Gëzim Përmeti', '\u2028', 'b', '10', '1', 'A', 'aa']
  const numbers = [0, -0, 1, -1.5, 1e21, 1e-7, 123456789012345680000, 5e-324, Number.MAX_SAFE_INTEGER, 0.1 + 0.2]
  const value = (depth: number): unknown => {
    const kind = next(depth > 3 ? 4 : 6)
    if (kind === 0) return strings[next(strings.length)]
    if (kind === 1) return numbers[next(numbers.length)]
    if (kind === 2) return next(2) === 0
    if (kind === 3) return null
    if (kind === 4) return Array.from({ length: next(4) }, () => value(depth + 1))
    const o: Record<string, unknown> = {}
    for (let i = next(5); i > 0; i--) o[strings[next(strings.length)] as string] = value(depth + 1)
    return o
  }
  const differ: string[] = []
  for (let i = 0; i < 3000; i++) {
    const v = value(0)
    if (canonicalJson(v) !== canonicalize(v)) differ.push(JSON.stringify(v))
  }
  t.same(differ.slice(0, 5), [], 'on 3000 random JSON values (with index-like names, escapes, astral characters, -0, exponents) both agree')
  t.equal(canonicalJson({ 10: 'x', 2: 'y', a: 1 }), '{"10":"x","2":"y","a":1}', 'names that are array indexes still sort as strings')
  t.equal(canonicalJson(JSON.parse('{"__proto__":1,"a":2}')), '{"__proto__":1,"a":2}', 'a member named __proto__ is kept as data')
  t.throws(() => canonicalJson({ a: 'x\uD800' }), CanonicalJsonError, 'a lone surrogate is still refused')
  t.throws(() => canonicalJson({ a: [1, undefined] }), CanonicalJsonError, 'undefined in an array is still refused')
  t.throws(() => canonicalJson({ a: Number.NaN }), CanonicalJsonError, 'NaN is still refused')
  t.equal(canonicalJson({ a: '\\ud800' }), '{"a":"\\\\ud800"}', 'a backslash before "ud800" is text, not a surrogate')
  t.equal(canonicalJson({ when: new Date(0) }), '{"when":"1970-01-01T00:00:00.000Z"}', 'toJSON still applies')
})
