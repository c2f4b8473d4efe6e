// Merkle tree hashing, proofs and proof checks for the audit log, as RFC 6962 / RFC 9162 §2.1
// define them (VERIFIABILITY.md, "The audit log").
//
// Tree sizes and indexes are JavaScript numbers and must be safe integers (below 2^53). The code
// never uses 32-bit bitwise operators on them, so trees past 2^31 leaves stay correct.

import crypto, { createHash } from 'node:crypto'

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32

const LEAF_PREFIX = Buffer.from([0x00])
const NODE_PREFIX = Buffer.from([0x01])

// crypto.hash (Node >= 20.12) hashes one buffer without creating a Hash object: for the 65 bytes
// of a node that object is most of the cost, and a verifier computes one node per entry.
const oneShot: ((data: Uint8Array) => Buffer) | undefined = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha256', data, 'buffer')
  : undefined

// RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0))
export function leafHash (bytes: Uint8Array): Buffer {
  if (oneShot === undefined || bytes.length > 64 * 1024) return createHash('sha256').update(LEAF_PREFIX).update(bytes).digest()
  const input = Buffer.allocUnsafe(bytes.length + 1)
  input[0] = 0x00
  input.set(bytes, 1)
  return oneShot(input)
}

// RFC 9162 §2.1.1: MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
export function nodeHash (left: Uint8Array, right: Uint8Array): Buffer {
  if (oneShot === undefined) return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest()
  const input = Buffer.allocUnsafe(1 + left.length + right.length)
  input[0] = 0x01
  input.set(left, 1)
  input.set(right, 1 + left.length)
  return oneShot(input)
}

// RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string.
export function emptyRoot (): Buffer {
  return createHash('sha256').digest()
}

// ---------------------------------------------------------------------------------------------
// Integer helpers (exact for every safe integer)

function isOdd (n: number): boolean {
  return n % 2 === 1
}

function half (n: number): number {
  return Math.floor(n / 2)
}

function isPowerOfTwo (n: number): boolean {
  if (n < 1) return false
  let k = 1
  while (k < n) k *= 2
  return k === n
}

function log2Exact (powerOfTwo: number): number {
  let level = 0
  for (let k = 1; k < powerOfTwo; k *= 2) level++
  return level
}

// RFC 9162 §2.1.1: "k is the largest power of two smaller than n" (n > 1)
function splitPoint (n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

function assertSize (name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be a safe integer >= ${min}, got ${value}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Storage of perfect subtrees

/**
 * Hashes of perfect (complete, power-of-two sized) subtrees of the log. Node (level L, index i)
 * covers leaves [i*2^L, (i+1)*2^L); level 0 holds the leaf hashes. A node is stored only once
 * every leaf under it exists, so nodes never change: the store is append-only like the log.
 */
export interface NodeStore {
  get(level: number, index: number): Buffer | undefined
  put(level: number, index: number, hash: Buffer): void
  /** The stored ones among many nodes of one level, read together: for a store that reads them so faster than one at a time. */
  getMany?(level: number, indices: number[]): Map<number, Buffer>
}

export class MissingNodeError extends Error {
  readonly level: number
  readonly index: number

  constructor (level: number, index: number) {
    super(`Merkle node (level ${level}, index ${index}) is not in the store: the tree is smaller than the size asked for, or the store lost a node`)
    this.name = 'MissingNodeError'
    this.level = level
    this.index = index
  }
}

/** In-memory NodeStore for tests and offline tools. */
export class MemoryNodeStore implements NodeStore {
  readonly #levels: Map<number, Buffer>[] = []

  get (level: number, index: number): Buffer | undefined {
    return this.#levels[level]?.get(index)
  }

  put (level: number, index: number, hash: Buffer): void {
    let row = this.#levels[level]
    if (row === undefined) {
      row = new Map()
      this.#levels[level] = row
    }
    row.set(index, hash)
  }

  /** Number of stored nodes (about twice the number of leaves). */
  get nodeCount (): number {
    let count = 0
    for (const row of this.#levels) count += row?.size ?? 0
    return count
  }
}

function readNode (store: NodeStore, level: number, index: number): Buffer {
  const hash = store.get(level, index)
  if (hash === undefined) throw new MissingNodeError(level, index)
  return hash
}

/**
 * Appends the leaf at index `size` (the current tree size) and stores every perfect subtree that
 * this leaf completes. Amortised O(1), worst O(log n) reads and writes. Refuses to overwrite an
 * existing leaf.
 */
export function appendLeaf (store: NodeStore, size: number, hash: Buffer): void {
  assertSize('tree size', size, 0)
  assertHash('leaf hash', hash)
  if (store.get(0, size) !== undefined) {
    throw new Error(`leaf ${size} is already stored: the tree size given (${size}) is stale`)
  }
  store.put(0, size, hash)
  let node = hash
  let index = size
  let level = 0
  // A right child completes its parent; climb while the node just stored is a right child.
  while (isOdd(index)) {
    node = nodeHash(readNode(store, level, index - 1), node)
    index = half(index)
    level++
    store.put(level, index, node)
  }
}

/**
 * MTH(D[start:end]) for a range that RFC 9162 §2.1.1's recursion produces: `start` is a multiple
 * of a power of two not smaller than end - start. Perfect ranges are read from the store; the
 * others split at the largest power of two smaller than their size, whose left part is perfect.
 * Reads at most log2(end - start) + 1 nodes.
 */
function rangeHash (store: NodeStore, start: number, end: number): Buffer {
  const n = end - start
  if (isPowerOfTwo(n)) {
    return readNode(store, log2Exact(n), start / n)
  }
  const k = splitPoint(n)
  return nodeHash(rangeHash(store, start, start + k), rangeHash(store, start + k, end))
}

/** Root hash of the tree of the first `size` leaves (any size up to the stored size). */
export function rootAt (store: NodeStore, size: number): Buffer {
  assertSize('tree size', size, 0)
  if (size === 0) return emptyRoot()
  return rangeHash(store, 0, size)
}

/**
 * RFC 9162 §2.1.3.1: PATH(m, D[n]), the inclusion proof of leaf `index` in the tree of `size`
 * leaves, ordered from the leaf's sibling up to a child of the root.
 */
export function inclusionProof (store: NodeStore, index: number, size: number): Buffer[] {
  return proofRanges(index, size).map(([start, end]) => rangeHash(store, start, end))
}

/** The leaf ranges whose hashes make up PATH(index, D[size]) (RFC 9162 §2.1.3.1), from the leaf's sibling up. */
function proofRanges (index: number, size: number): Array<[number, number]> {
  assertSize('tree size', size, 1)
  assertSize('leaf index', index, 0)
  if (index >= size) throw new RangeError(`leaf index ${index} is not below tree size ${size}`)
  const ranges: Array<[number, number]> = []
  let start = 0
  let end = size
  let m = index
  while (end - start > 1) {
    const k = splitPoint(end - start)
    if (m < k) {
      // PATH(m, D[0:k]) : MTH(D[k:n])
      ranges.push([start + k, end])
      end = start + k
    } else {
      // PATH(m - k, D[k:n]) : MTH(D[0:k])
      ranges.push([start, start + k])
      start += k
      m -= k
    }
  }
  return ranges.reverse()
}

/** The stored nodes (perfect subtrees) that make up MTH(D[start:end]), as rangeHash reads them. */
function rangeNodes (start: number, end: number, visit: (level: number, index: number) => void): void {
  const n = end - start
  if (isPowerOfTwo(n)) { visit(log2Exact(n), start / n); return }
  const k = splitPoint(n)
  rangeNodes(start, start + k, visit)
  rangeNodes(start + k, end, visit)
}

/**
 * The inclusion proofs of many leaves in the tree of `size` leaves, each as
 * inclusionProof gives it, for a case bundle that proves thousands of
 * entries: the nodes they need are read in one batch a level when the store
 * can (getMany), and the hash of each range is made once, however many proofs
 * pass through it (every proof passes the tree's right edge, whose ranges are
 * not stored and were hashed again for each).
 */
export function inclusionProofs (store: NodeStore, indices: number[], size: number): Buffer[][] {
  const paths = indices.map((index) => proofRanges(index, size))
  let nodes = store
  if (store.getMany !== undefined) {
    const wanted = new Map<number, Set<number>>()
    for (const path of paths) {
      for (const [start, end] of path) {
        rangeNodes(start, end, (level, index) => {
          let row = wanted.get(level)
          if (row === undefined) wanted.set(level, row = new Set())
          row.add(index)
        })
      }
    }
    const read = new Map([...wanted].map(([level, row]) => [level, store.getMany?.(level, [...row]) ?? new Map<number, Buffer>()]))
    // A node the batch did not find is asked for again, and reported missing as ever.
    nodes = { get: (level, index) => read.get(level)?.get(index) ?? store.get(level, index), put: (level, index, hash) => { store.put(level, index, hash) } }
  }
  const hashes = new Map<string, Buffer>()
  return paths.map((path) => path.map(([start, end]) => {
    const key = `${start}-${end}`
    let hash = hashes.get(key)
    if (hash === undefined) hashes.set(key, hash = rangeHash(nodes, start, end))
    return hash
  }))
}

/**
 * RFC 9162 §2.1.4.1: PROOF(m, D[n]) = SUBPROOF(m, D[n], true), the consistency proof between the
 * tree of the first m leaves and the tree of n leaves (0 < m <= n; empty when m == n).
 */
export function consistencyProof (store: NodeStore, m: number, n: number): Buffer[] {
  assertSize('first tree size', m, 1)
  assertSize('second tree size', n, 1)
  if (m > n) throw new RangeError(`first tree size ${m} is larger than second tree size ${n}`)
  const proof: Buffer[] = []
  let start = 0
  let end = n
  let count = m
  let wholeTree = true
  while (count < end - start) {
    const k = splitPoint(end - start)
    if (count <= k) {
      // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      proof.push(rangeHash(store, start + k, end))
      end = start + k
    } else {
      // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      proof.push(rangeHash(store, start, start + k))
      start += k
      count -= k
      wholeTree = false
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}; SUBPROOF(m, D[m], true) = {}
  if (!wholeTree) proof.push(rangeHash(store, start, end))
  return proof.reverse()
}

// ---------------------------------------------------------------------------------------------
// Root computation without a store

/**
 * Reference recursion of RFC 9162 §2.1.1 over leaf hashes (not entry bytes), holding every leaf
 * hash in memory: for tests and small trees. CompactRange computes the same root in O(log n).
 */
export function rootFromLeaves (leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return emptyRoot()
  return mth(leafHashes, 0, leafHashes.length)
}

function mth (leafHashes: readonly Buffer[], start: number, end: number): Buffer {
  if (end - start === 1) {
    const only = leafHashes[start]
    if (only === undefined) throw new RangeError(`no leaf hash at ${start}`)
    return only
  }
  const k = splitPoint(end - start)
  return nodeHash(mth(leafHashes, start, start + k), mth(leafHashes, start + k, end))
}

/**
 * Streaming root computation: keeps one hash per set bit of the size (the perfect subtrees of
 * the compact range [0, size)), so O(log n) memory and amortised O(1) hashing per leaf.
 */
export class CompactRange {
  // Roots of the perfect subtrees covering [0, size), largest (leftmost) first.
  readonly #peaks: Buffer[] = []
  #size = 0

  get size (): number {
    return this.#size
  }

  /**
   * Appends the next leaf. `visit`, when given, sees the leaf (level 0) and every perfect
   * subtree the leaf completes, with the same (level, index) addressing as NodeStore, so a
   * verifier can compare each recomputed node with a stored one without hashing twice.
   */
  push (hash: Buffer, visit?: (level: number, index: number, node: Buffer) => void): void {
    assertHash('leaf hash', hash)
    let node = hash
    let size = this.#size
    let level = 0
    visit?.(0, size, node)
    while (isOdd(size)) {
      const left = this.#peaks.pop()
      if (left === undefined) throw new Error('compact range lost a subtree root')
      node = nodeHash(left, node)
      size = half(size)
      level++
      visit?.(level, size, node)
    }
    this.#peaks.push(node)
    this.#size++
  }

  // RFC 9162 §2.1.1: the smaller right-hand subtrees combine first.
  root (): Buffer {
    let root: Buffer | undefined
    for (let i = this.#peaks.length - 1; i >= 0; i--) {
      const peak = this.#peaks[i] as Buffer
      root = root === undefined ? peak : nodeHash(peak, root)
    }
    return root ?? emptyRoot()
  }
}

// ---------------------------------------------------------------------------------------------
// Verification

export type Check = { ok: true } | { ok: false, reason: string }

const OK: Check = { ok: true }

function fail (reason: string): Check {
  return { ok: false, reason }
}

function assertHash (name: string, hash: Uint8Array): void {
  if (hash.length !== HASH_SIZE) {
    throw new RangeError(`${name} is ${hash.length} bytes, not ${HASH_SIZE}`)
  }
}

function hashLengthProblem (name: string, hash: Uint8Array): string | undefined {
  if (!(hash instanceof Uint8Array)) return `${name} is not a byte array`
  if (hash.length !== HASH_SIZE) return `${name} is ${hash.length} bytes, not ${HASH_SIZE}`
  return undefined
}

function proofProblem (proof: readonly Uint8Array[]): string | undefined {
  for (let i = 0; i < proof.length; i++) {
    const problem = hashLengthProblem(`proof element ${i}`, proof[i] as Uint8Array)
    if (problem !== undefined) return problem
  }
  return undefined
}

function sizeProblem (name: string, value: number): string | undefined {
  if (!Number.isSafeInteger(value) || value < 0) return `${name} ${value} is not a non-negative safe integer`
  return undefined
}

function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)
}

/**
 * RFC 9162 §2.1.3.2: checks that `hash` is leaf `index` of the tree of `size` leaves whose root
 * is `root`. Every proof element is consumed; a proof with an element too many or too few fails.
 */
export function checkInclusion (
  index: number,
  size: number,
  hash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array
): Check {
  const problem = sizeProblem('leaf index', index) ?? sizeProblem('tree size', size) ??
    hashLengthProblem('leaf hash', hash) ?? proofProblem(proof)
  if (problem !== undefined) return fail(problem)
  // Step 1
  if (index >= size) return fail(`leaf index ${index} is not below tree size ${size}`)
  // Steps 2 and 3
  let fn = index
  let sn = size - 1
  let r: Uint8Array = hash
  // Step 4
  for (let i = 0; i < proof.length; i++) {
    const p = proof[i] as Uint8Array
    if (sn === 0) {
      return fail(`proof has ${proof.length} elements, more than the ${i} on the path from leaf ${index} to the root of a tree of size ${size}`)
    }
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  // Step 5
  if (sn !== 0) {
    return fail(`proof has ${proof.length} elements, fewer than the path from leaf ${index} to the root of a tree of size ${size} needs`)
  }
  if (!bytesEqual(r, root)) {
    return fail(`proof leads to root ${hex(r)}, not the expected root ${hex(root)}`)
  }
  return OK
}

export function verifyInclusion (
  index: number,
  size: number,
  hash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array
): boolean {
  return checkInclusion(index, size, hash, proof, root).ok
}

/**
 * RFC 9162 §2.1.4.2: checks that the tree of `m` leaves with root `rootM` is a prefix of the tree
 * of `n` leaves with root `rootN`. Requires 0 < m <= n (RFC 9162 §2.1.4.2 covers 0 < m < n; for
 * m == n the proof must be empty and the roots equal, as SUBPROOF(m, D[m], true) = {}).
 */
export function checkConsistency (
  m: number,
  n: number,
  rootM: Uint8Array,
  proof: readonly Uint8Array[],
  rootN: Uint8Array
): Check {
  const problem = sizeProblem('first tree size', m) ?? sizeProblem('second tree size', n) ??
    proofProblem(proof)
  if (problem !== undefined) return fail(problem)
  if (m === 0) return fail('a consistency proof from the empty tree proves nothing (RFC 9162 §2.1.4.2 needs 0 < first)')
  if (m > n) return fail(`first tree size ${m} is larger than second tree size ${n}`)
  if (m === n) return checkSameSize(m, rootM, proof, rootN)
  return checkConsistencyPath(m, n, rootM, proof, rootN)
}

function checkSameSize (m: number, rootM: Uint8Array, proof: readonly Uint8Array[], rootN: Uint8Array): Check {
  if (proof.length !== 0) return fail(`proof between two trees of size ${m} must be empty, has ${proof.length} elements`)
  if (!bytesEqual(rootM, rootN)) return fail(`two trees of size ${m} have different roots ${hex(rootM)} and ${hex(rootN)}`)
  return OK
}

function checkConsistencyPath (
  m: number,
  n: number,
  rootM: Uint8Array,
  proof: readonly Uint8Array[],
  rootN: Uint8Array
): Check {
  const rootProblem = hashLengthProblem('first root', rootM) ?? hashLengthProblem('second root', rootN)
  if (rootProblem !== undefined) return fail(rootProblem)
  // Step 1
  if (proof.length === 0) return fail(`proof between sizes ${m} and ${n} is empty`)
  // Step 2
  const path: readonly Uint8Array[] = isPowerOfTwo(m) ? [rootM, ...proof] : proof
  // Step 3
  let fn = m - 1
  let sn = n - 1
  // Step 4
  while (isOdd(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  // Step 5
  let fr = path[0] as Uint8Array
  let sr = fr
  // Step 6
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array
    if (sn === 0) {
      return fail(`proof has ${proof.length} elements, more than consistency between sizes ${m} and ${n} needs`)
    }
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  // Step 7
  if (sn !== 0) {
    return fail(`proof has ${proof.length} elements, fewer than consistency between sizes ${m} and ${n} needs`)
  }
  if (!bytesEqual(fr, rootM)) {
    return fail(`proof leads to first root ${hex(fr)}, not the expected ${hex(rootM)}`)
  }
  if (!bytesEqual(sr, rootN)) {
    return fail(`proof leads to second root ${hex(sr)}, not the expected ${hex(rootN)}`)
  }
  return OK
}

export function verifyConsistency (
  m: number,
  n: number,
  rootM: Uint8Array,
  proof: readonly Uint8Array[],
  rootN: Uint8Array
): boolean {
  return checkConsistency(m, n, rootM, proof, rootN).ok
}
