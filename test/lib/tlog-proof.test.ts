import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { appendLeaf, inclusionProof, leafHash, MemoryNodeStore, rootAt } from '../../server/lib/merkle.js'
import { formatVerifierKey, parseVerifierKey, signCheckpoint } from '../../server/lib/note.js'
import { checkTlogProof, formatTlogProof, parseTlogProof, TlogProofError } from '../../server/lib/tlog-proof.js'

const example = readFileSync(fileURLToPath(new URL('../fixtures/tlog/c2sp-tlog-proof-example.tlog-proof', import.meta.url)), 'utf8')

const origin = 'strongroom.example/audit'
const { privateKey } = generateKeyPairSync('ed25519')
const verifier = parseVerifierKey(formatVerifierKey(origin, privateKey))

function signedLog (size: number): { store: MemoryNodeStore, leaves: Buffer[], checkpointNote: string } {
  const store = new MemoryNodeStore()
  const leaves: Buffer[] = []
  for (let i = 0; i < size; i++) {
    const hash = leafHash(Buffer.from(`{"index":${i}}`, 'utf8'))
    appendLeaf(store, i, hash)
    leaves.push(hash)
  }
  const checkpointNote = signCheckpoint({ origin, size, rootHash: rootAt(store, size) }, [{ name: origin, privateKey }])
  return { store, leaves, checkpointNote }
}

t.test('parseTlogProof reads the example of the C2SP tlog-proof spec, extra line included', async (t) => {
  const proof = parseTlogProof(example)
  t.equal(proof.index, 73894, 'the index is read')
  t.equal(proof.extra?.subarray(0, 30).toString('latin1'), 'age-v1.2.1-darwin-arm64.tar.gz', 'the extra data is decoded')
  t.equal(proof.hashes.length, 5, 'the five proof hashes are read')
  t.equal(proof.hashes[0]?.toString('base64'), 'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=', 'the first hash is the leaf\'s sibling line')
  t.ok(proof.checkpointNote.startsWith('example.com/fancylog\n109482\n'), 'the checkpoint follows the empty line')
  t.ok(proof.checkpointNote.endsWith('\u2014 witness3.example S4X82uH5[...]3oEcROGLFQ==\n'), 'the checkpoint is kept verbatim, cosignatures included')
  t.equal(formatTlogProof(proof), example, 'formatting the parsed proof gives back the same text')
})

t.test('formatTlogProof writes the layout VERIFIABILITY.md describes', async (t) => {
  const { store, checkpointNote } = signedLog(5)
  const hashes = inclusionProof(store, 2, 5)
  const text = formatTlogProof({ index: 2, hashes, checkpointNote })
  const expected = ['c2sp.org/tlog-proof@v1', 'index 2', ...hashes.map((h) => h.toString('base64')), '', ''].join('\n') + checkpointNote
  t.equal(text, expected, 'header, index, one hash a line, an empty line, the checkpoint')
  t.notOk('extra' in parseTlogProof(text), 'a proof without extra data has no extra field')
  const single = signedLog(1)
  const lone = formatTlogProof({ index: 0, hashes: [], checkpointNote: single.checkpointNote })
  t.equal(lone, `c2sp.org/tlog-proof@v1\nindex 0\n\n${single.checkpointNote}`, 'the only entry of a tree has no proof lines')
  t.same(parseTlogProof(lone), { index: 0, hashes: [], checkpointNote: single.checkpointNote }, 'and reads back')
})

t.test('every entry of a signed log has a tlog-proof that checks out', async (t) => {
  const { store, leaves, checkpointNote } = signedLog(37)
  const failures: string[] = []
  leaves.forEach((hash, index) => {
    const text = formatTlogProof({ index, hashes: inclusionProof(store, index, 37), checkpointNote })
    const check = checkTlogProof(text, hash, { verifiers: [verifier], origin })
    if (!check.ok) failures.push(`${index}: ${check.reason}`)
    else if (check.checkpoint.size !== 37 || check.proof.index !== index) failures.push(`${index}: wrong result`)
  })
  t.same(failures, [], 'all 37 proofs verify against the signed checkpoint')
})

t.test('checkTlogProof refuses a proof for another entry, a forged hash, or an untrusted checkpoint', async (t) => {
  const { store, leaves, checkpointNote } = signedLog(37)
  const hashes = inclusionProof(store, 20, 37)
  const text = formatTlogProof({ index: 20, hashes, checkpointNote })
  const leaf = leaves[20] as Buffer
  const options = { verifiers: [verifier], origin }
  t.match(checkTlogProof(text, leaves[21] as Buffer, options), { ok: false, reason: /inclusion proof of entry 20 fails/ }, 'another entry\'s leaf hash is refused')
  const forged = formatTlogProof({ index: 20, hashes: hashes.map((h, i) => (i === 2 ? leafHash(Buffer.from('forged')) : h)), checkpointNote })
  t.match(checkTlogProof(forged, leaf, options), { ok: false, reason: /not the expected root/ }, 'a forged middle hash is refused')
  const shifted = formatTlogProof({ index: 21, hashes, checkpointNote })
  t.match(checkTlogProof(shifted, leaf, options), { ok: false }, 'the same proof under another index is refused')
  t.match(checkTlogProof(text, leaf, { verifiers: [verifier], origin: 'other.example/log' }), { ok: false, reason: /origin/ }, 'a checkpoint of another log is refused')
  const stranger = generateKeyPairSync('ed25519').privateKey
  t.match(checkTlogProof(text, leaf, { verifiers: [parseVerifierKey(formatVerifierKey(origin, stranger))] }), { ok: false, reason: /no signature by a known key/ }, 'a checkpoint not signed by a trusted key is refused')
  const resized = text.replace('\n37\n', '\n36\n')
  t.match(checkTlogProof(resized, leaf, options), { ok: false, reason: /invalid signature/ }, 'a checkpoint altered after signing is refused')
  t.match(checkTlogProof('c2sp.org/tlog-proof@v1\n', leaf, options), { ok: false, reason: /malformed tlog-proof/ }, 'a malformed proof is refused with its reason')
})

t.test('parseTlogProof refuses malformed proofs', async (t) => {
  const { checkpointNote } = signedLog(2)
  const hash = Buffer.alloc(32, 3).toString('base64')
  const bad = [
    ['another header', `c2sp.org/tlog-proof@v2\nindex 0\n${hash}\n\n${checkpointNote}`],
    ['no index line', `c2sp.org/tlog-proof@v1\n${hash}\n\n${checkpointNote}`],
    ['an index with a leading zero', `c2sp.org/tlog-proof@v1\nindex 01\n${hash}\n\n${checkpointNote}`],
    ['a negative index', `c2sp.org/tlog-proof@v1\nindex -1\n${hash}\n\n${checkpointNote}`],
    ['an index beyond 2^53', `c2sp.org/tlog-proof@v1\nindex 18446744073709551615\n${hash}\n\n${checkpointNote}`],
    ['the extra line after the index', `c2sp.org/tlog-proof@v1\nindex 0\nextra AQID\n${hash}\n\n${checkpointNote}`],
    ['an empty extra line', `c2sp.org/tlog-proof@v1\nextra \nindex 0\n${hash}\n\n${checkpointNote}`],
    ['a short hash', `c2sp.org/tlog-proof@v1\nindex 0\n${Buffer.alloc(31).toString('base64')}\n\n${checkpointNote}`],
    ['a hash that is not base64', `c2sp.org/tlog-proof@v1\nindex 0\n${hash.slice(1)}\n\n${checkpointNote}`],
    ['no empty line', `c2sp.org/tlog-proof@v1\nindex 0\n${hash}\n${checkpointNote}`],
    ['no checkpoint', `c2sp.org/tlog-proof@v1\nindex 0\n${hash}\n\n`],
    ['CRLF line ends', `c2sp.org/tlog-proof@v1\r\nindex 0\r\n${hash}\r\n\r\n${checkpointNote}`]
  ] as const
  for (const [what, text] of bad) {
    t.throws(() => parseTlogProof(text), TlogProofError, `a proof with ${what} is refused`)
  }
  t.throws(() => formatTlogProof({ index: 0, hashes: [Buffer.alloc(16)], checkpointNote }), TlogProofError, 'a 16-byte hash cannot be written')
  t.throws(() => formatTlogProof({ index: 0, hashes: [], checkpointNote, extra: Buffer.alloc(0) }), TlogProofError, 'empty extra data cannot be written')
  t.throws(() => formatTlogProof({ index: 1.5, hashes: [], checkpointNote }), TlogProofError, 'a fractional index cannot be written')
  t.throws(() => formatTlogProof({ index: 0, hashes: [], checkpointNote: 'no newline' }), TlogProofError, 'a checkpoint without its final newline cannot be written')
})
