import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import {
  decodeBase64Strict,
  ed25519KeyId,
  ed25519PrivateKeyFromSeed,
  ed25519PublicKeyBytes,
  formatCheckpoint,
  formatKeyId,
  formatVerifierKey,
  NoteError,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  type NoteVerifier
} from '../../server/lib/note.js'

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))
const read = (path: string): string => readFileSync(fixtures + path, 'utf8')

interface GoVectors {
  peterNeumann: { verifierKey: string, signerKey: string, text: string, signatureLine: string, signedNote: string }
  enochRoot: { verifierKey: string, signatureLine: string }
  localhostSumdb: { verifierKey: string, signerKey: string, signedNote: string }
  sumGolangOrg: { verifierKey: string }
}
const go = JSON.parse(read('signed-note/golang-mod-vectors.json')) as GoVectors

// golang.org/x/mod/sumdb/note signer keys: PRIVATE+KEY+<name>+<hex id>+base64(0x01 || seed).
function goSigner (skey: string): { name: string, keyIdHex: string, seed: Buffer } {
  const [, , name, keyIdHex, ...rest] = skey.split('+')
  const material = Buffer.from(rest.join('+'), 'base64')
  return { name: name as string, keyIdHex: keyIdHex as string, seed: material.subarray(1) }
}

function errorCode (fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    return err instanceof NoteError ? err.code : `not a NoteError: ${String(err)}`
  }
}

const c2spKey = read('signed-note/c2sp-example.vkey').trim()
const peter = parseVerifierKey(go.peterNeumann.verifierKey)
const enoch = parseVerifierKey(go.enochRoot.verifierKey)

t.test('openNote verifies the example note of the C2SP signed-note spec with its key 530d903a', async (t) => {
  const verifier = parseVerifierKey(c2spKey)
  t.equal(verifier.name, 'example.com/foo', 'the key name is read')
  t.equal(formatKeyId(verifier.keyId), '530d903a', 'the key id is read')
  const note = openNote(read('signed-note/c2sp-example.note'), [verifier])
  t.equal(note.body, 'This is an example message.\n', 'the body is the text before the blank line, with its newline')
  t.same(note.verified.map((s) => [s.name, formatKeyId(s.keyId)]), [['example.com/foo', '530d903a']], 'the one signature is verified')
  t.same(note.unverified, [], 'no signature is left unverified')
  t.equal(formatVerifierKey(verifier.name, verifier.publicKey), c2spKey, 'the key formats back to the same verifier key string')
})

t.test('verifier keys whose base64 contains "+" are parsed, and their key ids recomputed', async (t) => {
  for (const vkey of [go.localhostSumdb.verifierKey, go.sumGolangOrg.verifierKey]) {
    const material = vkey.split('+').slice(2).join('+')
    t.ok(material.includes('+'), `the base64 of ${vkey} contains a plus`)
    const verifier = parseVerifierKey(vkey)
    t.equal(`${verifier.name}+${formatKeyId(verifier.keyId)}`, vkey.split('+').slice(0, 2).join('+'), `name and key id of ${verifier.name}`)
    t.equal(formatKeyId(ed25519KeyId(verifier.name, verifier.publicKey)), formatKeyId(verifier.keyId), `the key id of ${verifier.name} is SHA-256(name || 0x0A || 0x01 || key)[:4]`)
    t.equal(formatVerifierKey(verifier.name, verifier.publicKey), vkey, `${verifier.name} formats back to the same string`)
  }
  const sumdb = parseVerifierKey(go.localhostSumdb.verifierKey)
  const note = openNote(go.localhostSumdb.signedNote, [sumdb])
  t.equal(note.verified.length, 1, 'the go.sum test tree note verifies with the plus-containing key')
  t.same(parseCheckpoint(note.body), {
    origin: 'go.sum database tree',
    size: 6,
    rootHash: Buffer.from('wc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM=', 'base64'),
    extensions: []
  }, 'its body reads as a checkpoint')
})

t.test('signNote reproduces the signed note golang.org/x/mod expects, byte for byte', async (t) => {
  const signer = goSigner(go.peterNeumann.signerKey)
  const privateKey = ed25519PrivateKeyFromSeed(signer.seed)
  t.equal(formatKeyId(ed25519KeyId(signer.name, privateKey)), signer.keyIdHex, 'the key id derives from the private key')
  t.equal(formatVerifierKey(signer.name, privateKey), go.peterNeumann.verifierKey, 'the verifier key derives from the private key')
  t.equal(signNote(go.peterNeumann.text, [{ name: signer.name, privateKey }]), go.peterNeumann.signedNote, 'Ed25519 is deterministic, so the note is identical')
  const sumdb = goSigner(go.localhostSumdb.signerKey)
  const sumdbKey = ed25519PrivateKeyFromSeed(sumdb.seed)
  const sumdbVerifier = parseVerifierKey(go.localhostSumdb.verifierKey)
  t.equal(signNote('go.sum database tree\n6\nwc4SkQt52o5W2nQ8To2ARs+mWuUJjss+sdleoiqxMmM=\n', [{ name: sumdb.name, privateKey: sumdbKey }]), go.localhostSumdb.signedNote, 'the go.sum tree note is reproduced too')
  t.same(ed25519PublicKeyBytes(sumdbKey), ed25519PublicKeyBytes(sumdbVerifier.publicKey), 'the signer seed matches the verifier key')
})

t.test('openNote ignores signatures of unknown keys and verifies every known one', async (t) => {
  const signed = `${go.peterNeumann.text}\n${go.peterNeumann.signatureLine}${go.enochRoot.signatureLine}`
  const one = openNote(signed, [peter])
  t.same(one.verified.map((s) => s.name), ['PeterNeumann'], 'the known signature is verified')
  t.same(one.unverified.map((s) => [s.name, formatKeyId(s.keyId)]), [['EnochRoot', 'af0cfe78']], 'the unknown one is listed, not verified')
  const both = openNote(signed, [peter, enoch])
  t.same(both.verified.map((s) => s.name), ['PeterNeumann', 'EnochRoot'], 'with both keys both are verified')
  const repeated = openNote(`${go.peterNeumann.text}\n${go.peterNeumann.signatureLine}${go.peterNeumann.signatureLine}${go.enochRoot.signatureLine}${go.enochRoot.signatureLine}`, [peter])
  t.equal(repeated.verified.length, 1, 'a repeated verified signature is listed once')
  t.equal(repeated.unverified.length, 1, 'a repeated unknown signature is listed once')
  const sameNameOtherKey = { ...peter, keyId: (peter.keyId + 1) >>> 0 }
  t.equal(errorCode(() => openNote(signed, [sameNameOtherKey])), 'unverified-note', 'a key sharing only the name is not the signer')
  t.equal(errorCode(() => openNote(signed, [{ ...peter, name: 'PeterNeuman' }])), 'unverified-note', 'a key sharing only the id is not the signer')
})

t.test('openNote rejects a note that no known key signed, and tells who did', async (t) => {
  const quasimodo = read('signed-note/c2sp-quasimodo.note')
  try {
    openNote(quasimodo, [peter])
    t.fail('an unverifiable note must be rejected')
  } catch (err) {
    t.ok(err instanceof NoteError, 'the error is a NoteError')
    const error = err as NoteError
    t.equal(error.code, 'unverified-note', 'the code says no known key signed')
    t.equal(error.note?.body, 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n', 'the body keeps its inner blank line: the last blank line separates')
    t.same(error.note?.unverified.map((s) => s.name), ['quasimodo.example/salvatore'], 'the unknown signer is named')
  }
  t.equal(errorCode(() => openNote(quasimodo, [])), 'unverified-note', 'with no keys at all the note is unverified')
})

t.test('openNote rejects a known key\'s bad signature', async (t) => {
  const line = go.peterNeumann.signatureLine
  const corrupted = `${line.slice(0, 60)}ABCD${line.slice(60)}`
  t.equal(errorCode(() => openNote(`${go.peterNeumann.text}\n${corrupted}`, [peter])), 'invalid-signature', 'a corrupted signature is refused')
  t.equal(errorCode(() => openNote(`${go.peterNeumann.text.replace('problem', 'Problem')}\n${line}`, [peter])), 'invalid-signature', 'a changed body is refused')
  t.equal(errorCode(() => openNote(`${go.peterNeumann.text}\n${line}${corrupted}`, [peter])), 'invalid-signature', 'a bad repeat of a good signature is refused too')
  t.equal(errorCode(() => openNote(`${go.peterNeumann.text}\n${line}`, [peter, peter])), 'ambiguous-key', 'two verifiers with one name and id are ambiguous')
})

t.test('openNote rejects malformed notes', async (t) => {
  const { text, signatureLine: line } = go.peterNeumann
  const malformed: Array<[string, string | Uint8Array]> = [
    ['text alone', text],
    ['text and a blank line only', `${text}\n`],
    ['a signature line without its newline', `${text}\n${line.slice(0, -1)}`],
    ['a control character', `\u0001${text}\n${line}`],
    ['a carriage return', `${text.replace('\n', '\r\n')}\n${line}`],
    ['a lone surrogate', `\uD800${text}\n${line}`],
    ['invalid UTF-8 bytes', Buffer.concat([Buffer.from([0xff]), Buffer.from(`${text}\n${line}`)])],
    ['a key name with a space', `${text}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`],
    ['a line after the signatures', `${text}\n${line}Unexpected line.\n`],
    ['a hyphen instead of an em dash', `${text}\n${line.replace('\u2014', '-')}`],
    ['a signature that is not base64', `${text}\n\u2014 PeterNeumann not*base64\n`],
    ['a signature of four bytes, key id only', `${text}\n\u2014 PeterNeumann x08gow==\n`],
    ['a signature line without signature', `${text}\n\u2014 PeterNeumann\n`],
    ['101 signatures', `${text}\n${line.repeat(101)}`]
  ]
  for (const [what, note] of malformed) {
    t.equal(errorCode(() => openNote(note, [peter])), 'malformed-note', `a note with ${what} is malformed`)
  }
  t.equal(openNote(Buffer.from(`${text}\n${line}`, 'utf8'), [peter]).body, text, 'a note given as UTF-8 bytes opens')
})

t.test('parseVerifierKey refuses mangled keys', async (t) => {
  const key = go.peterNeumann.verifierKey
  const bad = [
    '',
    'PeterNeumann',
    'PeterNeumann+c74f20a3',
    key.replace('c74f20a3', 'C74F20A3'),
    key.replace('c74f20a3', 'c74f20a4'),
    key.replace('+c74f20a3+', '+c74f20a+'),
    key.replace('PeterNeumann', 'Peter Neumann'),
    `${key}=`,
    key.slice(0, -1),
    'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
    'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
  ]
  for (const vkey of bad) {
    t.equal(errorCode(() => parseVerifierKey(vkey)), 'malformed-key', `${JSON.stringify(vkey)} is refused`)
  }
})

t.test('a fresh key signs notes that open with its verifier key, and no other', async (t) => {
  const { privateKey } = generateKeyPairSync('ed25519')
  const other = generateKeyPairSync('ed25519')
  const name = 'strongroom.example/audit'
  const verifier: NoteVerifier = parseVerifierKey(formatVerifierKey(name, privateKey))
  const text = signNote('Line one\n\nLine three after a blank line\n', [{ name, privateKey }, { name: 'witness.example', privateKey: other.privateKey }])
  const note = openNote(text, [verifier])
  t.equal(note.body, 'Line one\n\nLine three after a blank line\n', 'a body with a blank line survives signing')
  t.same(note.unverified.map((s) => s.name), ['witness.example'], 'the second signature is kept as unverified')
  t.equal(errorCode(() => openNote(text, [{ name, keyId: verifier.keyId, publicKey: other.publicKey }])), 'invalid-signature', 'another public key under the same name and id is refused')
  t.equal(errorCode(() => signNote('no newline', [{ name, privateKey }])), 'malformed-note', 'a body without its final newline cannot be signed')
  t.equal(errorCode(() => signNote('tab\there\n', [{ name, privateKey }])), 'malformed-note', 'a body with a control character cannot be signed')
  t.equal(errorCode(() => signNote('fine\n', [])), 'malformed-note', 'a note needs a signer')
  t.equal(errorCode(() => signNote('fine\n', [{ name: 'a+b', privateKey }])), 'malformed-key', 'a signer name with a plus is refused')
  t.equal(errorCode(() => formatVerifierKey(name, generateKeyPairSync('x25519').publicKey)), 'malformed-key', 'a key that is not Ed25519 is refused')
})

t.test('checkpoints format and parse as tlog-checkpoint defines them', async (t) => {
  const example = read('tlog/c2sp-checkpoint-example.note')
  const body = example.slice(0, example.lastIndexOf('\n\n') + 1)
  const checkpoint = parseCheckpoint(body)
  t.same(checkpoint, {
    origin: 'example.com/behind-the-sofa',
    size: 20852163,
    rootHash: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64'),
    extensions: []
  }, 'the spec example is read')
  t.equal(formatCheckpoint(checkpoint), body, 'it formats back to the same text')
  const root = Buffer.alloc(32, 7)
  const withExtensions = formatCheckpoint({ origin: 'strongroom.example/log', size: 0, rootHash: root, extensions: ['ext one', 'ext two'] })
  t.equal(withExtensions, `strongroom.example/log\n0\n${root.toString('base64')}\next one\next two\n`, 'size 0 and extension lines are written one a line')
  t.same(parseCheckpoint(withExtensions).extensions, ['ext one', 'ext two'], 'extension lines are read back')
})

t.test('parseCheckpoint and formatCheckpoint refuse malformed checkpoints', async (t) => {
  const root = Buffer.alloc(32).toString('base64')
  const bad = [
    ['no final newline', `o\n1\n${root}`],
    ['two lines', 'o\n1\n'],
    ['an empty origin', `\n1\n${root}\n`],
    ['a leading zero', `o\n01\n${root}\n`],
    ['a negative size', `o\n-1\n${root}\n`],
    ['a size beyond 2^53', `o\n18446744073709551615\n${root}\n`],
    ['a short root', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`],
    ['a root that is not base64', `o\n1\n${root.slice(0, -1)}*\n`],
    ['unpadded base64', `o\n1\n${root.replace(/=+$/, '')}\n`],
    ['an empty extension line', `o\n1\n${root}\n\n`]
  ] as const
  for (const [what, body] of bad) {
    t.equal(errorCode(() => parseCheckpoint(body)), 'malformed-checkpoint', `a checkpoint with ${what} is refused`)
  }
  t.equal(errorCode(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: Buffer.alloc(32) })), 'malformed-checkpoint', 'a negative size cannot be formatted')
  t.equal(errorCode(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: Buffer.alloc(20) })), 'malformed-checkpoint', 'a 20-byte root cannot be formatted')
  t.equal(errorCode(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: Buffer.alloc(32) })), 'malformed-checkpoint', 'an origin with a newline cannot be formatted')
  t.equal(errorCode(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: Buffer.alloc(32), extensions: [''] })), 'malformed-checkpoint', 'an empty extension line cannot be formatted')
})

t.test('signCheckpoint and openCheckpoint round-trip, and the origin is checked', async (t) => {
  const { privateKey } = generateKeyPairSync('ed25519')
  const origin = 'strongroom.example/audit'
  const verifier = parseVerifierKey(formatVerifierKey(origin, privateKey))
  const rootHash = Buffer.alloc(32, 1)
  const text = signCheckpoint({ origin, size: 42, rootHash }, [{ name: origin, privateKey }])
  const { checkpoint, note } = openCheckpoint(text, [verifier], origin)
  t.same(checkpoint, { origin, size: 42, rootHash, extensions: [] }, 'the checkpoint is read back')
  t.equal(note.verified.length, 1, 'its signature is verified')
  t.equal(errorCode(() => openCheckpoint(text, [verifier], 'another.example/log')), 'malformed-checkpoint', 'a checkpoint of another origin is refused')
})

t.test('decodeBase64Strict accepts only canonical padded standard base64', async (t) => {
  t.same(decodeBase64Strict('AQID'), Buffer.from([1, 2, 3]), 'plain base64 decodes')
  t.same(decodeBase64Strict(''), Buffer.alloc(0), 'the empty string is empty bytes')
  for (const text of ['AQI', 'AQ-_', 'AQ==AQ==', 'AR==', ' AQID', 'AQID\n']) {
    t.equal(decodeBase64Strict(text), undefined, `${JSON.stringify(text)} is refused`)
  }
})
