import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import {
  appendLeaf,
  checkConsistency,
  checkInclusion,
  CompactRange,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  inclusionProofs,
  leafHash,
  MemoryNodeStore,
  MissingNodeError,
  nodeHash,
  rootAt,
  rootFromLeaves,
  verifyConsistency,
  verifyInclusion,
  type NodeStore
} from '../../server/lib/merkle.js'

const fixtures = fileURLToPath(new URL('../fixtures/merkle/', import.meta.url))

function readJson<T> (path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64')
const hex = (s: string): Buffer => Buffer.from(s, 'hex')

interface Constants { leafInputs: string[], nodeHashes: string[][], rootHashes: string[] }
const constants = readJson<Constants>(`${fixtures}testonly-constants.json`)

interface InclusionProbe {
  leafIdx: number, treeSize: number, root: string, leafHash: string, proof: string[] | null, desc: string, wantErr: boolean
}
interface ConsistencyProbe {
  size1: number, size2: number, root1: string, root2: string, proof: string[] | null, desc: string, wantErr: boolean
}

function probes<T> (kind: string): Array<{ file: string, probe: T }> {
  const dir = `${fixtures}testdata/${kind}/`
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file: `${kind}/${file}`, probe: readJson<T>(dir + file) }))
}

// Deterministic pseudo-random numbers, so that a failure can be replayed.
function prng (seed: number): (below: number) => number {
  let state = seed >>> 0
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return (((x ^ (x >>> 14)) >>> 0) / 4294967296 * below) | 0
  }
}

const entryHash = (i: number): Buffer => leafHash(Buffer.from(`audit entry ${i}`, 'utf8'))

function buildStore (size: number): { store: MemoryNodeStore, leaves: Buffer[] } {
  const store = new MemoryNodeStore()
  const leaves: Buffer[] = []
  for (let i = 0; i < size; i++) {
    const hash = entryHash(i)
    appendLeaf(store, i, hash)
    leaves.push(hash)
  }
  return { store, leaves }
}

class CountingStore implements NodeStore {
  gets = 0
  puts = 0
  readonly inner = new MemoryNodeStore()

  get (level: number, index: number): Buffer | undefined {
    this.gets++
    return this.inner.get(level, index)
  }

  put (level: number, index: number, hash: Buffer): void {
    this.puts++
    this.inner.put(level, index, hash)
  }

  reset (): void {
    this.gets = 0
    this.puts = 0
  }
}

function flipBit (bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes)
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7))
  return copy
}

function ceilLog2 (n: number): number {
  let level = 0
  while (2 ** level < n) level++
  return level
}

t.test('leaf, node and empty-tree hashes are the RFC 6962 hashes transparency-dev/merkle publishes', async (t) => {
  const known = readJson<{
    emptyRoot: string
    leaves: Array<{ inputUtf8: string, hash: string }>
    nodes: Array<{ leftUtf8: string, rightUtf8: string, hash: string }>
  }>(`${fixtures}rfc6962-hashes.json`)
  t.equal(emptyRoot().toString('hex'), known.emptyRoot, 'the empty tree hashes to SHA-256 of nothing')
  for (const leaf of known.leaves) {
    t.equal(leafHash(Buffer.from(leaf.inputUtf8, 'utf8')).toString('hex'), leaf.hash, `leaf hash of ${JSON.stringify(leaf.inputUtf8)}`)
  }
  for (const node of known.nodes) {
    t.equal(nodeHash(Buffer.from(node.leftUtf8), Buffer.from(node.rightUtf8)).toString('hex'), node.hash, `node hash of ${node.leftUtf8} and ${node.rightUtf8}`)
  }
})

t.test('appendLeaf stores exactly the perfect subtrees of the reference tree of eight leaves', async (t) => {
  const store = new MemoryNodeStore()
  constants.leafInputs.forEach((input, i) => { appendLeaf(store, i, leafHash(hex(input))) })
  constants.nodeHashes.forEach((level, l) => {
    level.forEach((hash, i) => {
      t.equal(store.get(l, i)?.toString('hex'), hash, `node (level ${l}, index ${i})`)
    })
  })
  t.equal(store.nodeCount, 15, 'a tree of 8 leaves has 15 perfect subtrees, and no other node is stored')
})

t.test('rootAt, rootFromLeaves and CompactRange give the reference roots for sizes 0 to 8', async (t) => {
  const store = new MemoryNodeStore()
  const leaves = constants.leafInputs.map((input) => leafHash(hex(input)))
  const range = new CompactRange()
  t.equal(range.root().toString('hex'), constants.rootHashes[0], 'an empty compact range has the empty root')
  leaves.forEach((hash, i) => {
    appendLeaf(store, i, hash)
    range.push(hash)
  })
  constants.rootHashes.forEach((root, size) => {
    t.equal(rootAt(store, size).toString('hex'), root, `rootAt(${size})`)
    t.equal(rootFromLeaves(leaves.slice(0, size)).toString('hex'), root, `rootFromLeaves of ${size} leaves`)
  })
  t.equal(range.size, 8, 'the compact range counts its leaves')
  t.equal(range.root().toString('hex'), constants.rootHashes[8], 'CompactRange.root of 8 leaves')
})

t.test('every inclusion probe of transparency-dev/merkle is accepted or refused as it expects', async (t) => {
  const all = probes<InclusionProbe>('inclusion')
  t.equal(all.length, 98, 'all inclusion probes are read')
  for (const { file, probe } of all) {
    const check = checkInclusion(probe.leafIdx, probe.treeSize, b64(probe.leafHash), (probe.proof ?? []).map(b64), b64(probe.root))
    const detail = check.ok ? 'accepted' : `refused: ${check.reason}`
    t.equal(check.ok, !probe.wantErr, `${file} (${probe.desc}) is ${probe.wantErr ? 'refused' : 'accepted'}; it was ${detail}`)
  }
})

t.test('every consistency probe of transparency-dev/merkle is accepted or refused as it expects', async (t) => {
  const all = probes<ConsistencyProbe>('consistency')
  t.equal(all.length, 98, 'all consistency probes are read')
  for (const { file, probe } of all) {
    const check = checkConsistency(probe.size1, probe.size2, b64(probe.root1), (probe.proof ?? []).map(b64), b64(probe.root2))
    const detail = check.ok ? 'accepted' : `refused: ${check.reason}`
    t.equal(check.ok, !probe.wantErr, `${file} (${probe.desc}) is ${probe.wantErr ? 'refused' : 'accepted'}; it was ${detail}`)
  }
})

t.test('the proofs built from the store are the happy-path proofs of transparency-dev/merkle', async (t) => {
  const store = new MemoryNodeStore()
  constants.leafInputs.forEach((input, i) => { appendLeaf(store, i, leafHash(hex(input))) })
  const isReferenceRoot = (size: number, root: string): boolean => constants.rootHashes[size] === b64(root).toString('hex')
  let compared = 0
  for (const { file, probe } of probes<InclusionProbe>('inclusion')) {
    if (probe.wantErr || !isReferenceRoot(probe.treeSize, probe.root)) continue
    const proof = inclusionProof(store, probe.leafIdx, probe.treeSize).map((h) => h.toString('base64'))
    t.same(proof, probe.proof ?? [], `inclusionProof(${probe.leafIdx}, ${probe.treeSize}) equals ${file}`)
    compared++
  }
  for (const { file, probe } of probes<ConsistencyProbe>('consistency')) {
    if (probe.wantErr || !isReferenceRoot(probe.size2, probe.root2)) continue
    const proof = consistencyProof(store, probe.size1, probe.size2).map((h) => h.toString('base64'))
    t.same(proof, probe.proof ?? [], `consistencyProof(${probe.size1}, ${probe.size2}) equals ${file}`)
    compared++
  }
  t.ok(compared >= 8, `at least eight happy-path proofs are over the reference tree (${compared})`)
})

t.test('for every tree size up to 300, rootAt equals rootFromLeaves and CompactRange', async (t) => {
  const { store, leaves } = buildStore(300)
  const range = new CompactRange()
  const mismatches: string[] = []
  for (let n = 0; n <= 300; n++) {
    const expected = rootFromLeaves(leaves.slice(0, n))
    if (!rootAt(store, n).equals(expected)) mismatches.push(`rootAt(${n})`)
    if (!range.root().equals(expected)) mismatches.push(`CompactRange at ${n}`)
    const next = leaves[n]
    if (next !== undefined) range.push(next)
  }
  t.same(mismatches, [], 'no size gives a different root')
})

t.test('for every tree size up to 300, every inclusion proof verifies and a proof for another leaf or tree does not', async (t) => {
  const { store, leaves } = buildStore(300)
  const random = prng(6962)
  const failures: string[] = []
  for (let n = 1; n <= 300; n++) {
    const root = rootAt(store, n)
    const otherRoot = rootAt(store, n === 300 ? 299 : n + 1)
    for (let i = 0; i < n; i++) {
      const leaf = leaves[i] as Buffer
      const proof = inclusionProof(store, i, n)
      const check = checkInclusion(i, n, leaf, proof, root)
      if (!check.ok) failures.push(`(${i}, ${n}) refused: ${check.reason}`)
      if (n > 100 && random(4) !== 0) continue // misuse a sample of the larger trees
      if (n > 1 && verifyInclusion((i + 1) % n, n, leaf, proof, root)) failures.push(`(${i}, ${n}) passes as leaf ${(i + 1) % n}`)
      if (verifyInclusion(i, n === 300 ? 299 : n + 1, leaf, proof, otherRoot)) failures.push(`(${i}, ${n}) passes in the tree of the next size`)
      if (n > 1 && verifyInclusion(i, n, leaves[(i + 1) % n] as Buffer, proof, root)) failures.push(`(${i}, ${n}) passes for another leaf hash`)
    }
  }
  t.same(failures, [], 'all genuine proofs verify, none for the wrong leaf, index or tree')
})

t.test('inclusionProofs gives, for many leaves at once, the proofs inclusionProof gives each, reading the nodes in one batch a level', async (t) => {
  const { store } = buildStore(1000)
  /** The store with a batch read, counting the nodes read one by one and the batches. */
  const batching = { single: 0, batches: 0, dropped: new Set<string>() }
  const batchStore: NodeStore = {
    get: (level, index) => { batching.single++; return store.get(level, index) },
    put: (level, index, hash) => { store.put(level, index, hash) },
    getMany: (level, indices) => {
      batching.batches++
      return new Map(indices.flatMap((i) => { const h = store.get(level, i); return h === undefined || batching.dropped.has(`${level}/${i}`) ? [] : [[i, h] as const] }))
    }
  }
  const random = prng(9162)
  for (const n of [1, 2, 3, 7, 64, 100, 513, 1000]) {
    const sets = [Array.from({ length: n }, (_, i) => i), Array.from({ length: Math.min(n, 40) }, () => random(n)), [n - 1, 0, n - 1]]
    for (const indices of sets) {
      const expected = indices.map((i) => inclusionProof(store, i, n))
      batching.single = 0
      batching.batches = 0
      t.same(inclusionProofs(batchStore, indices, n), expected, `tree of ${n}: the proofs of ${indices.length} leaves, in the order asked`)
      t.equal(batching.single, 0, `tree of ${n}: no node read one by one`)
      t.ok(batching.batches <= Math.ceil(Math.log2(n)) + 1, `tree of ${n}: at most one batch a level (${batching.batches})`)
    }
    t.same(inclusionProofs(store, [n - 1, 0], n), [inclusionProof(store, n - 1, n), inclusionProof(store, 0, n)], `tree of ${n}: the same from a store without batch reads`)
  }
  batching.dropped.add('0/6')
  t.same(inclusionProofs(batchStore, [7], 1000), [inclusionProof(store, 7, 1000)], 'a node the batch did not give is read on its own')
  t.equal(batching.single, 1, 'once')
  t.throws(() => inclusionProofs(store, [5, 1000], 1000), RangeError, 'a leaf index not below the tree size is refused')
  t.throws(() => inclusionProofs(new MemoryNodeStore(), [0], 4), MissingNodeError, 'a node missing from the store is refused')
})

t.test('an inclusion proof with any bit flipped, or an element dropped or added, is refused', async (t) => {
  const { store, leaves } = buildStore(130)
  const random = prng(2024)
  const failures: string[] = []
  for (let n = 1; n <= 130; n++) {
    const root = rootAt(store, n)
    for (let i = 0; i < n; i++) {
      const leaf = leaves[i] as Buffer
      const proof = inclusionProof(store, i, n)
      proof.forEach((element, e) => {
        const bit = random(256)
        const forged = proof.map((h, k) => (k === e ? flipBit(element, bit) : h))
        if (verifyInclusion(i, n, leaf, forged, root)) failures.push(`(${i}, ${n}) with bit ${bit} of element ${e} flipped`)
        const dropped = proof.filter((_, k) => k !== e)
        if (verifyInclusion(i, n, leaf, dropped, root)) failures.push(`(${i}, ${n}) without element ${e}`)
      })
      for (const extra of [root, leaf, entryHash(999)]) {
        if (verifyInclusion(i, n, leaf, [...proof, extra], root)) failures.push(`(${i}, ${n}) with a trailing element`)
        if (verifyInclusion(i, n, leaf, [extra, ...proof], root)) failures.push(`(${i}, ${n}) with a leading element`)
      }
    }
  }
  t.same(failures, [], 'no tampered inclusion proof verifies')
})

t.test('every bit of every element of an inclusion proof matters', async (t) => {
  const { store, leaves } = buildStore(1000)
  const failures: string[] = []
  for (const [i, n] of [[0, 1000], [511, 1000], [999, 1000], [700, 777]] as const) {
    const root = rootAt(store, n)
    const proof = inclusionProof(store, i, n)
    proof.forEach((element, e) => {
      for (let bit = 0; bit < 256; bit++) {
        const forged = proof.map((h, k) => (k === e ? flipBit(element, bit) : h))
        if (verifyInclusion(i, n, leaves[i] as Buffer, forged, root)) failures.push(`(${i}, ${n}) element ${e} bit ${bit}`)
      }
    })
  }
  t.same(failures, [], 'no single-bit change in any element goes unnoticed')
})

t.test('a proof whose middle elements are forged fails though its first and last are genuine (immudb GHSA-672p-m5jq-mrh8)', async (t) => {
  const { store, leaves } = buildStore(1000)
  const root = rootAt(store, 1000)
  const proof = inclusionProof(store, 300, 1000)
  t.ok(proof.length > 3, 'the proof has middle elements')
  const forged = proof.map((h, k) => (k === 0 || k === proof.length - 1 ? h : entryHash(5000 + k)))
  t.notOk(verifyInclusion(300, 1000, leaves[300] as Buffer, forged, root), 'the forged inclusion proof is refused')
  const consistency = consistencyProof(store, 300, 1000)
  t.ok(consistency.length > 3, 'the consistency proof has middle elements')
  const forgedConsistency = consistency.map((h, k) => (k === 0 || k === consistency.length - 1 ? h : entryHash(6000 + k)))
  t.notOk(verifyConsistency(300, 1000, rootAt(store, 300), forgedConsistency, root), 'the forged consistency proof is refused')
})

t.test('for every pair of sizes up to 300, the consistency proof verifies and a tampered one does not', async (t) => {
  const { store } = buildStore(300)
  const roots = Array.from({ length: 301 }, (_, n) => rootAt(store, n))
  const random = prng(77)
  const failures: string[] = []
  for (let n = 1; n <= 300; n++) {
    const rootN = roots[n] as Buffer
    for (let m = 1; m <= n; m++) {
      const rootM = roots[m] as Buffer
      const proof = consistencyProof(store, m, n)
      const check = checkConsistency(m, n, rootM, proof, rootN)
      if (!check.ok) failures.push(`(${m}, ${n}) refused: ${check.reason}`)
      if (n > 100 && random(8) !== 0) continue // tamper with a sample of the larger trees
      proof.forEach((element, e) => {
        const forged = proof.map((h, k) => (k === e ? flipBit(element, random(256)) : h))
        if (verifyConsistency(m, n, rootM, forged, rootN)) failures.push(`(${m}, ${n}) with element ${e} altered`)
        if (verifyConsistency(m, n, rootM, proof.filter((_, k) => k !== e), rootN)) failures.push(`(${m}, ${n}) without element ${e}`)
      })
      if (verifyConsistency(m, n, rootM, [...proof, rootN], rootN)) failures.push(`(${m}, ${n}) with a trailing element`)
      if (verifyConsistency(m, n, rootM, [rootM, ...proof], rootN)) failures.push(`(${m}, ${n}) with a leading element`)
      if (m > 1 && verifyConsistency(m - 1, n, roots[m - 1] as Buffer, proof, rootN)) failures.push(`(${m}, ${n}) passes from size ${m - 1}`)
      if (m < n && verifyConsistency(m + 1, n, roots[m + 1] as Buffer, proof, rootN)) failures.push(`(${m}, ${n}) passes from size ${m + 1}`)
      if (n < 300 && verifyConsistency(m, n + 1, rootM, proof, roots[n + 1] as Buffer)) failures.push(`(${m}, ${n}) passes to size ${n + 1}`)
      if (m < n && verifyConsistency(m, n, rootN, proof, rootM)) failures.push(`(${m}, ${n}) passes with the roots swapped`)
    }
  }
  t.same(failures, [], 'all genuine consistency proofs verify and no tampered one does')
})

t.test('proofs and roots agree on random larger trees', async (t) => {
  const size = 20000
  const { store, leaves } = buildStore(size)
  const random = prng(9162)
  const range = new CompactRange()
  const failures: string[] = []
  leaves.forEach((hash, i) => {
    range.push(hash)
    if (!range.root().equals(rootAt(store, i + 1))) failures.push(`CompactRange differs at size ${i + 1}`)
  })
  for (let k = 0; k < 10; k++) {
    const n = 1 + random(size)
    if (!rootAt(store, n).equals(rootFromLeaves(leaves.slice(0, n)))) failures.push(`rootFromLeaves differs at size ${n}`)
  }
  for (let k = 0; k < 2000; k++) {
    const n = 1 + random(size)
    const i = random(n)
    const m = 1 + random(n)
    const rootN = rootAt(store, n)
    const inclusion = checkInclusion(i, n, leaves[i] as Buffer, inclusionProof(store, i, n), rootN)
    if (!inclusion.ok) failures.push(`inclusion (${i}, ${n}): ${inclusion.reason}`)
    const consistency = checkConsistency(m, n, rootAt(store, m), consistencyProof(store, m, n), rootN)
    if (!consistency.ok) failures.push(`consistency (${m}, ${n}): ${consistency.reason}`)
  }
  t.same(failures, [], 'every root and proof on trees of up to 20000 leaves checks out')
})

t.test('appending, proving and computing roots read and write O(log n) stored hashes', async (t) => {
  const store = new CountingStore()
  const size = 4096 + 1234
  let worstAppend = ''
  for (let i = 0; i < size; i++) {
    store.reset()
    appendLeaf(store, i, entryHash(i))
    const bound = ceilLog2(i + 1) + 1
    if (store.gets > bound + 1 || store.puts > bound) worstAppend += `append ${i}: ${store.gets} reads, ${store.puts} writes; `
  }
  t.equal(worstAppend, '', 'one append reads at most log2(n) + 2 and writes at most log2(n) + 1 hashes')
  t.equal(store.inner.nodeCount, 2 * size - [...size.toString(2)].filter((b) => b === '1').length, 'in all, appends store 2n - popcount(n) nodes')

  const random = prng(1)
  const failures: string[] = []
  for (let k = 0; k < 500; k++) {
    const n = 1 + random(size)
    const i = random(n)
    const m = 1 + random(n)
    const bound = 2 * ceilLog2(n) + 2
    store.reset()
    rootAt(store, n)
    if (store.gets > ceilLog2(n + 1)) failures.push(`rootAt(${n}) read ${store.gets}`)
    store.reset()
    inclusionProof(store, i, n)
    if (store.gets > bound) failures.push(`inclusionProof(${i}, ${n}) read ${store.gets}`)
    store.reset()
    consistencyProof(store, m, n)
    if (store.gets > bound) failures.push(`consistencyProof(${m}, ${n}) read ${store.gets}`)
    if (store.puts !== 0) failures.push('a proof wrote to the store')
  }
  t.same(failures, [], 'roots read at most log2(n + 1) hashes and proofs at most 2 log2(n) + 2')
})

t.test('the store refuses what the tree does not have, and appendLeaf refuses to rewrite a leaf', async (t) => {
  const { store } = buildStore(5)
  t.throws(() => rootAt(store, 6), MissingNodeError, 'the root of a tree larger than the store is refused')
  t.throws(() => inclusionProof(store, 2, 7), MissingNodeError, 'an inclusion proof in a tree larger than the store is refused')
  t.throws(() => consistencyProof(store, 3, 9), MissingNodeError, 'a consistency proof to a tree larger than the store is refused')
  t.throws(() => { appendLeaf(store, 3, entryHash(3)) }, /already stored/, 'appending at a stale size is refused')
  t.throws(() => { appendLeaf(store, 5, Buffer.alloc(31)) }, RangeError, 'a leaf hash of the wrong length is refused')
  t.throws(() => inclusionProof(store, 5, 5), RangeError, 'a leaf index outside the tree is refused')
  t.throws(() => inclusionProof(store, 0, 0), RangeError, 'an inclusion proof in the empty tree is refused')
  t.throws(() => consistencyProof(store, 0, 5), RangeError, 'a consistency proof from the empty tree is refused')
  t.throws(() => consistencyProof(store, 5, 4), RangeError, 'a consistency proof to a smaller tree is refused')
  t.throws(() => rootAt(store, 1.5), RangeError, 'a fractional tree size is refused')
  t.same(consistencyProof(store, 5, 5), [], 'the consistency proof between a tree and itself is empty')
  t.throws(() => { new CompactRange().push(Buffer.alloc(33)) }, RangeError, 'CompactRange refuses a hash of the wrong length')
})

t.test('checks name the reason a proof fails', async (t) => {
  const { store, leaves } = buildStore(8)
  const root = rootAt(store, 8)
  const proof = inclusionProof(store, 3, 8)
  const leaf = leaves[3] as Buffer
  t.match(checkInclusion(3, 8, leaf, [...proof, root], root), { ok: false, reason: /more than/ }, 'an extra element is named')
  t.match(checkInclusion(3, 8, leaf, proof.slice(1), root), { ok: false, reason: /fewer than/ }, 'a missing element is named')
  t.match(checkInclusion(3, 8, leaf, [Buffer.alloc(0), ...proof.slice(1)], root), { ok: false, reason: /proof element 0 is 0 bytes/ }, 'a short element is named')
  t.match(checkInclusion(8, 8, leaf, proof, root), { ok: false, reason: /not below tree size/ }, 'an index outside the tree is named')
  t.match(checkInclusion(2 ** 64, 2 ** 65, leaf, proof, root), { ok: false, reason: /safe integer/ }, 'an index beyond 2^53 is named')
  t.match(checkInclusion(3, 8, leaves[4] as Buffer, proof, root), { ok: false, reason: /not the expected root/ }, 'a wrong root is named')
  const consistency = consistencyProof(store, 3, 8)
  t.match(checkConsistency(3, 8, rootAt(store, 3), [], root), { ok: false, reason: /empty/ }, 'an empty consistency proof is named')
  t.match(checkConsistency(3, 8, rootAt(store, 3), [...consistency, root], root), { ok: false, reason: /more than/ }, 'an extra consistency element is named')
  t.match(checkConsistency(3, 8, rootAt(store, 3), consistency.slice(1), root), { ok: false, reason: /fewer than|first root/ }, 'a missing consistency element is named')
  t.match(checkConsistency(3, 8, root, consistency, root), { ok: false, reason: /first root/ }, 'a wrong first root is named')
  t.match(checkConsistency(3, 8, rootAt(store, 3), consistency, rootAt(store, 7)), { ok: false, reason: /second root/ }, 'a wrong second root is named')
  t.match(checkConsistency(0, 8, emptyRoot(), consistency, root), { ok: false, reason: /empty tree/ }, 'a proof from the empty tree is named')
  t.match(checkConsistency(8, 3, root, consistency, root), { ok: false, reason: /larger/ }, 'sizes in the wrong order are named')
  t.same(checkConsistency(8, 8, root, [], root), { ok: true }, 'a tree is consistent with itself by the empty proof')
  t.match(checkConsistency(8, 8, root, [root], root), { ok: false, reason: /must be empty/ }, 'a non-empty proof between equal sizes is named')
})

t.test('CompactRange.push shows each leaf and every subtree it completes, exactly the nodes appendLeaf stores', async (t) => {
  const { store, leaves } = buildStore(300)
  const range = new CompactRange()
  const seen = new MemoryNodeStore()
  const wrong: string[] = []
  leaves.forEach((hash) => {
    range.push(hash, (level, index, node) => {
      if (seen.get(level, index) !== undefined) wrong.push(`(${level}, ${index}) shown twice`)
      seen.put(level, index, node)
      if (!store.get(level, index)?.equals(node)) wrong.push(`(${level}, ${index}) differs from the stored node`)
    })
  })
  t.same(wrong, [], 'every node shown is the one appendLeaf stored, each once')
  t.equal(seen.nodeCount, store.nodeCount, 'and every stored node was shown')
})
