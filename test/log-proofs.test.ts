import t from 'tap'
import { inclusionProof, inclusionProofs } from '../server/lib/merkle.js'
import { parseTlogProof } from '../server/lib/tlog-proof.js'
import { sqliteNodeStore } from '../server/services/write-path.js'
import { ADMIN_PASSWORD, as, assertProblem, auditEntries, createUser, login, makeApp } from './helpers/app.js'
import { leafOf, mth, parseNote, rootFromInclusion, rootsFromConsistency, signedBy, type Jwk } from './helpers/log.js'

/** A small deterministic generator, so that a failure names a reproducible case. */
function random (seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s % n
  }
}

const b64 = (hashes: string[]): Buffer[] => hashes.map((h) => Buffer.from(h, 'base64'))

async function grownLog (t: Parameters<typeof makeApp>[0], users: number) {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const call = as(app, token)
  const before = await call('POST', '/api/audit/checkpoint')
  for (let i = 0; i < users; i++) {
    const res = await call('POST', '/api/users', { username: `user.${i}`, password: 'a long enough password', displayName: `User ${i}`, role: 'officer' })
    if (res.statusCode !== 201) throw new Error(res.body)
    await call('PATCH', `/api/users/${res.json<{ id: string }>().id}`, { displayName: `User number ${i}` })
  }
  const after = await call('POST', '/api/audit/checkpoint')
  const keys = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Jwk[] }>().keys
  return { app, token, call, before: parseNote(before.body), after: parseNote(after.body), keys, entries: await auditEntries(app, token) }
}

t.test('the stored nodes read in batches are those read one by one, near together or far apart, and the proofs made from them the same', async (t) => {
  const { app, after } = await grownLog(t, 160)
  const nodes = sqliteNodeStore(app.services.db)
  const size = after.size
  t.ok(size > 300, `a log of ${size} entries`)
  // Runs of neighbours, lone nodes far apart (more than 64 between them), the last leaf, and indexes not stored.
  const level0 = [0, 1, 2, 3, 70, 71, 200, 140, size - 1, 3, size, size + 500]
  const many = nodes.getMany?.(0, level0)
  t.ok(many !== undefined, 'the SQLite store reads in batches')
  t.same([...(many ?? new Map<number, Buffer>())].sort((a, b) => a[0] - b[0]), [...new Set(level0)].filter((i) => i < size).sort((a, b) => a - b).map((i) => [i, nodes.get(0, i)]), 'each stored node once, as get() reads it; none for an index past the log')
  t.same([...(nodes.getMany?.(3, [0, 1, 30]) ?? new Map<number, Buffer>())].map(([i]) => i).sort((a, b) => a - b), [0, 1, 30].filter((i) => nodes.get(3, i) !== undefined), 'the same on a higher level')
  const indices = [5, 6, 7, 140, 141, size - 1, 0, 299]
  t.same(inclusionProofs(nodes, indices, size), indices.map((i) => inclusionProof(nodes, i, size)), 'the proofs of leaves near together and far apart, in one go, are those made one by one')
})

t.test('inclusion proofs of random entries lead to the signed root of a checkpoint', async (t) => {
  const { call, before, after, keys, entries } = await grownLog(t, 8)
  const key = keys[0] as Jwk
  t.ok(signedBy(after, key) && signedBy(before, key), 'both checkpoints verify with the JWKS key')
  t.same(after.root, mth(entries.slice(0, after.size).map((e) => leafOf(e.canonical))), 'the later root is the MTH of the entries computed here')
  const pick = random(6962)
  for (const checkpoint of [before, after]) {
    for (let n = 0; n < 12; n++) {
      const index = pick(checkpoint.size)
      const res = await call('GET', `/api/audit/proof/inclusion?index=${index}&size=${checkpoint.size}`)
      t.equal(res.statusCode, 200, `entry ${index} in size ${checkpoint.size}: 200`)
      const proof = res.json<{ index: number, size: number, hashes: string[] }>()
      t.match(proof, { index, size: checkpoint.size }, `entry ${index}: echoes index and size`)
      const leaf = leafOf((entries[index] as { canonical: string }).canonical)
      const root = rootFromInclusion(index, checkpoint.size, leaf, b64(proof.hashes))
      t.ok(root?.equals(checkpoint.root), `entry ${index}: the proof leads to the signed root of size ${checkpoint.size}`)
      const other = leafOf(`${(entries[index] as { canonical: string }).canonical} `)
      t.notOk(rootFromInclusion(index, checkpoint.size, other, b64(proof.hashes))?.equals(checkpoint.root), `entry ${index}: another leaf does not`)
    }
  }
})

t.test('the consistency proof between an earlier and a later checkpoint verifies, and every pair of sizes too', async (t) => {
  const { call, before, after, entries } = await grownLog(t, 6)
  const res = await call('GET', `/api/audit/proof/consistency?from=${before.size}&to=${after.size}`)
  t.equal(res.statusCode, 200, 'answers 200')
  const proof = res.json<{ from: number, to: number, hashes: string[] }>()
  t.match(proof, { from: before.size, to: after.size }, 'echoes from and to')
  const roots = rootsFromConsistency(before.size, after.size, before.root, b64(proof.hashes))
  t.ok(roots !== null && roots.oldRoot.equals(before.root) && roots.newRoot.equals(after.root), 'the proof leads from the earlier signed root to the later one')
  const forged = b64(proof.hashes)
  forged[0] = Buffer.alloc(32, 7)
  const bad = rootsFromConsistency(before.size, after.size, before.root, forged)
  t.notOk(bad !== null && bad.oldRoot.equals(before.root) && bad.newRoot.equals(after.root), 'a proof with one element changed does not')

  const leaves = entries.slice(0, after.size).map((e) => leafOf(e.canonical))
  const failures: string[] = []
  for (let m = 1; m <= after.size; m++) {
    for (let n = m; n <= after.size; n += 3) {
      const r = await call('GET', `/api/audit/proof/consistency?from=${m}&to=${n}`)
      const got = rootsFromConsistency(m, n, mth(leaves.slice(0, m)), b64(r.json<{ hashes: string[] }>().hashes))
      if (got === null || !got.newRoot.equals(mth(leaves.slice(0, n))) || !got.oldRoot.equals(mth(leaves.slice(0, m)))) failures.push(`${m}->${n}`)
    }
  }
  t.same(failures, [], 'every consistency proof between sizes of the log verifies')
})

t.test('GET /api/audit/entries/:index/proof answers the C2SP tlog-proof of an entry against the latest checkpoint', async (t) => {
  const { call, keys, entries } = await grownLog(t, 2)
  const latest = parseNote((await call('GET', '/api/audit/checkpoint')).body)
  const index = 3
  const res = await call('GET', `/api/audit/entries/${index}/proof`)
  t.equal(res.statusCode, 200, 'answers 200')
  t.match(res.headers['content-type'], /^text\/plain/, 'as text/plain')
  t.match(res.body, /^c2sp\.org\/tlog-proof@v1\nindex 3\n/, 'starts with the tlog-proof header and the index line')
  const proof = parseTlogProof(res.body)
  const note = parseNote(proof.checkpointNote)
  t.equal(note.size, latest.size, 'against the latest checkpoint')
  t.ok(signedBy(note, keys[0] as Jwk), 'whose signature verifies with the JWKS key')
  const root = rootFromInclusion(index, note.size, leafOf((entries[index] as { canonical: string }).canonical), proof.hashes)
  t.ok(root?.equals(note.root), 'and the proof hashes lead from the entry to its root')

  const added = await call('POST', '/api/users', { username: 'later', password: 'a long enough password', displayName: 'Later', role: 'officer' })
  t.equal(added.statusCode, 201, 'one more entry, not yet in a checkpoint')
  const newest = entries.length
  const last = await call('GET', `/api/audit/entries/${newest}/proof`)
  t.equal(last.statusCode, 200, 'the newest entry has a proof too')
  t.ok(parseNote(parseTlogProof(last.body).checkpointNote).size > newest, 'against a checkpoint that covers it')
  assertProblem(t, await call('GET', `/api/audit/entries/${newest + 1}/proof`), 404, { code: 'not-found', detail: /No audit entry/ }, 'an entry beyond the log')
  assertProblem(t, await call('GET', '/api/audit/entries/x/proof'), 400, { code: 'validation-failed' }, 'an index that is not a number')
})

t.test('bad proof parameters answer 400 or 404 problems, never 500', async (t) => {
  const { call, after } = await grownLog(t, 1)
  const n = after.size
  const cases: Array<[string, number, RegExp]> = [
    [`/api/audit/proof/inclusion?index=${n}&size=${n}`, 400, /not in a tree/],
    [`/api/audit/proof/inclusion?index=0&size=${n + 1}`, 404, /larger than the log/],
    ['/api/audit/proof/inclusion?index=0&size=0', 400, /size/],
    ['/api/audit/proof/inclusion?index=-1&size=2', 400, /index/],
    ['/api/audit/proof/inclusion?index=1.5&size=2', 400, /index/],
    ['/api/audit/proof/inclusion?index=0&size=99999999999999999999', 400, /size/],
    ['/api/audit/proof/inclusion?index=0', 400, /size/],
    ['/api/audit/proof/inclusion?index=0&size=2&extra=1', 400, /extra/],
    [`/api/audit/proof/consistency?from=${n}&to=${n - 1}`, 400, /must not be larger/],
    [`/api/audit/proof/consistency?from=1&to=${n + 1}`, 404, /larger than the log/],
    ['/api/audit/proof/consistency?from=0&to=2', 400, /from/],
    ['/api/audit/proof/consistency?from=a&to=2', 400, /from/],
    ['/api/audit/proof/consistency?to=2', 400, /from/]
  ]
  for (const [url, status, detail] of cases) {
    assertProblem(t, await call('GET', url), status, { detail }, url)
  }
  const same = await call('GET', `/api/audit/proof/consistency?from=${n}&to=${n}`)
  t.same(same.json(), { from: n, to: n, hashes: [] }, 'from = to is the empty proof')
  const pick = random(9162)
  for (let i = 0; i < 40; i++) {
    const a = pick(3 * n) - n
    const b = pick(3 * n) - n
    const res = await call('GET', `/api/audit/proof/${i % 2 === 0 ? `inclusion?index=${a}&size=${b}` : `consistency?from=${a}&to=${b}`}`)
    t.ok([200, 400, 404].includes(res.statusCode), `random parameters ${a}, ${b} answer ${res.statusCode}, not a 5xx`)
  }
})

t.test('only auditors and admins read proofs', async (t) => {
  const { app } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const auditor = await createUser(app, token, { username: 'auditor.a', role: 'auditor' })
  const investigator = await createUser(app, token, { username: 'inv.a', role: 'investigator' })
  t.equal((await as(app, auditor.token)('GET', '/api/audit/proof/inclusion?index=0&size=2')).statusCode, 200, 'an auditor reads an inclusion proof')
  for (const url of ['/api/audit/proof/inclusion?index=0&size=2', '/api/audit/proof/consistency?from=1&to=2', '/api/audit/entries/0/proof', '/api/audit/checkpoints']) {
    assertProblem(t, await as(app, investigator.token)('GET', url), 403, { code: 'forbidden' }, `an investigator: ${url}`)
  }
})
