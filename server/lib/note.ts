// C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, and the transparency-log
// checkpoints carried in them (https://c2sp.org/tlog-checkpoint), as VERIFIABILITY.md
// ("Checkpoints") requires so that existing transparency-log tools and witnesses can read them.

import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'

/** Signature type byte of Ed25519 in signed-note §"Signature types". */
const ED25519_TYPE = 0x01
const ED25519_KEY_SIZE = 32
const ED25519_SIG_SIZE = 64
const KEY_ID_SIZE = 4
/** Go's golang.org/x/mod/sumdb/note accepts at most 100; the spec asks for at least 16. */
const MAX_SIGNATURES = 100
const SIGNATURE_PREFIX = '\u2014 '
const ROOT_HASH_SIZE = 32

export type NoteErrorCode =
  | 'malformed-note'
  | 'malformed-key'
  | 'malformed-checkpoint'
  | 'invalid-signature'
  | 'unverified-note'
  | 'ambiguous-key'

export class NoteError extends Error {
  readonly code: NoteErrorCode
  /** For `unverified-note`: the note as read, with every signature it carries. */
  readonly note: OpenedNote | undefined

  constructor (code: NoteErrorCode, message: string, note?: OpenedNote) {
    super(message)
    this.name = 'NoteError'
    this.code = code
    this.note = note
  }
}

function malformed (message: string): NoteError {
  return new NoteError('malformed-note', `malformed note: ${message}`)
}

// ---------------------------------------------------------------------------------------------
// Base64 (RFC 4648 §4), strictly: Buffer.from(s, 'base64') silently skips bad characters.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Decodes standard, padded, canonical base64; undefined for anything else. */
export function decodeBase64Strict (text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  // Non-zero padding bits would let two texts carry the same bytes.
  return bytes.toString('base64') === text ? bytes : undefined
}

// ---------------------------------------------------------------------------------------------
// Text rules

const UNICODE_SPACE = /\p{White_Space}/u
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

// signed-note §Format: non-empty, no Unicode spaces, no plus.
export function isValidKeyName (name: string): boolean {
  return name !== '' && !UNICODE_SPACE.test(name) && !name.includes('+') && !LONE_SURROGATE.test(name)
}

function assertKeyName (name: string): void {
  if (!isValidKeyName(name)) {
    throw new NoteError('malformed-key', `invalid key name ${JSON.stringify(name)}: it must be non-empty, without spaces or "+"`)
  }
}

// signed-note §Format: valid UTF-8 without ASCII control characters other than newline.
function textProblem (text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'it is not valid UTF-8 (lone surrogate)'
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 && code !== 0x0a) {
      return `it contains control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`
    }
  }
  return undefined
}

function decodeUtf8 (bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw malformed('it is not valid UTF-8')
  }
}

// ---------------------------------------------------------------------------------------------
// Keys

export interface NoteSigner {
  name: string
  privateKey: KeyObject
}

export interface NoteVerifier {
  name: string
  /** uint32 key ID (signed-note §Signatures). */
  keyId: number
  publicKey: KeyObject
}

function assertEd25519 (key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new NoteError('malformed-key', `expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`)
  }
}

/** The 32-byte RFC 8032 encoding of an Ed25519 public key (from a public or a private key). */
export function ed25519PublicKeyBytes (key: KeyObject): Buffer {
  assertEd25519(key)
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  const { x } = publicKey.export({ format: 'jwk' })
  if (typeof x !== 'string') throw new NoteError('malformed-key', 'Ed25519 key has no public part')
  return Buffer.from(x, 'base64url')
}

export function ed25519PublicKeyFromBytes (bytes: Uint8Array): KeyObject {
  if (bytes.length !== ED25519_KEY_SIZE) {
    throw new NoteError('malformed-key', `Ed25519 public key is ${bytes.length} bytes, not ${ED25519_KEY_SIZE}`)
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes).toString('base64url') }, format: 'jwk' })
}

// RFC 8410 §7: PKCS#8 PrivateKeyInfo for Ed25519 is this fixed prefix and the 32-byte seed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** An Ed25519 private key from its 32-byte RFC 8032 seed. */
export function ed25519PrivateKeyFromSeed (seed: Uint8Array): KeyObject {
  if (seed.length !== ED25519_KEY_SIZE) {
    throw new NoteError('malformed-key', `Ed25519 seed is ${seed.length} bytes, not ${ED25519_KEY_SIZE}`)
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

// signed-note §"Ed25519 signatures":
// key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4]
export function ed25519KeyId (name: string, publicKey: KeyObject | Uint8Array): number {
  const bytes = publicKey instanceof Uint8Array ? publicKey : ed25519PublicKeyBytes(publicKey)
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(bytes)
    .digest()
  return digest.readUInt32BE(0)
}

/** Fixed-length lowercase hex of a key ID (signed-note §Conventions). */
export function formatKeyId (keyId: number): string {
  return keyId.toString(16).padStart(8, '0')
}

// signed-note §"Verifier keys": <name>+hex(key ID)+base64(0x01 || public key)
export function formatVerifierKey (name: string, publicKey: KeyObject): string {
  assertKeyName(name)
  const bytes = ed25519PublicKeyBytes(publicKey)
  const material = Buffer.concat([Buffer.from([ED25519_TYPE]), bytes]).toString('base64')
  return `${name}+${formatKeyId(ed25519KeyId(name, bytes))}+${material}`
}

/**
 * Parses a verifier key. Only the first two `+` separate fields: the base64 part may contain `+`.
 * The key ID must be the one the name and key give.
 */
export function parseVerifierKey (vkey: string): NoteVerifier {
  const first = vkey.indexOf('+')
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1)
  if (second < 0) throw new NoteError('malformed-key', 'verifier key must be <name>+<key id>+<base64 key>')
  const name = vkey.slice(0, first)
  const idHex = vkey.slice(first + 1, second)
  assertKeyName(name)
  if (!/^[0-9a-f]{8}$/.test(idHex)) {
    throw new NoteError('malformed-key', `verifier key id ${JSON.stringify(idHex)} is not 8 lowercase hex digits`)
  }
  const material = decodeBase64Strict(vkey.slice(second + 1))
  if (material === undefined) throw new NoteError('malformed-key', 'verifier key material is not valid base64')
  if (material[0] !== ED25519_TYPE) {
    throw new NoteError('malformed-key', `verifier key type 0x${(material[0] ?? 0).toString(16).padStart(2, '0')} is not Ed25519 (0x01)`)
  }
  const publicKey = ed25519PublicKeyFromBytes(material.subarray(1))
  const keyId = Number.parseInt(idHex, 16)
  const expected = ed25519KeyId(name, material.subarray(1))
  if (keyId !== expected) {
    throw new NoteError('malformed-key', `verifier key id ${idHex} does not match its name and key (${formatKeyId(expected)})`)
  }
  return { name, keyId, publicKey }
}

// ---------------------------------------------------------------------------------------------
// Notes

export interface NoteSignature {
  name: string
  keyId: number
  /** base64(key ID || signature), as on the signature line. */
  base64: string
}

export interface OpenedNote {
  /** The note text, ending in a newline, without the blank separator line. */
  body: string
  /** Signatures by known keys, each checked. */
  verified: NoteSignature[]
  /** Signatures by keys not given, ignored as signed-note §Signatures requires. */
  unverified: NoteSignature[]
}

function signatureLine (signer: NoteSigner, body: Buffer): string {
  assertKeyName(signer.name)
  assertEd25519(signer.privateKey)
  if (signer.privateKey.type !== 'private') throw new NoteError('malformed-key', `signer ${signer.name} has no private key`)
  const keyId = Buffer.alloc(KEY_ID_SIZE)
  keyId.writeUInt32BE(ed25519KeyId(signer.name, signer.privateKey))
  const signature = sign(null, body, signer.privateKey)
  return `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`
}

/**
 * Signs `body` with every signer: the body, a blank line, one `— <name> <base64>` line each
 * (signed-note §Format). The body must end in a newline.
 */
export function signNote (body: string, signers: readonly NoteSigner[]): string {
  if (!body.endsWith('\n')) throw malformed('the text must end in a newline')
  const problem = textProblem(body)
  if (problem !== undefined) throw malformed(problem)
  if (signers.length === 0) throw malformed('a note needs at least one signature')
  const bytes = Buffer.from(body, 'utf8')
  return `${body}\n${signers.map((signer) => signatureLine(signer, bytes)).join('')}`
}

function parseSignatureLine (line: string): NoteSignature & { signature: Buffer } {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw malformed(`line ${JSON.stringify(line)} after the blank line is not a signature line`)
  }
  const rest = line.slice(SIGNATURE_PREFIX.length)
  const space = rest.indexOf(' ')
  const name = space < 0 ? rest : rest.slice(0, space)
  const base64 = space < 0 ? '' : rest.slice(space + 1)
  if (!isValidKeyName(name)) throw malformed(`signature key name ${JSON.stringify(name)} is invalid`)
  const raw = decodeBase64Strict(base64)
  if (base64 === '' || raw === undefined) throw malformed(`signature by ${name} is not valid base64`)
  if (raw.length <= KEY_ID_SIZE) throw malformed(`signature by ${name} is too short`)
  return { name, keyId: raw.readUInt32BE(0), base64, signature: raw.subarray(KEY_ID_SIZE) }
}

function splitNote (text: string): { body: string, lines: string[] } {
  const problem = textProblem(text)
  if (problem !== undefined) throw malformed(problem)
  // signed-note §Format: the text is separated from the signatures by the last empty line.
  const split = text.lastIndexOf('\n\n')
  if (split < 0) throw malformed('no blank line separates the text from the signatures')
  const body = text.slice(0, split + 1)
  const signatures = text.slice(split + 2)
  if (signatures === '') throw malformed('it has no signature lines')
  if (!signatures.endsWith('\n')) throw malformed('the last signature line does not end in a newline')
  const lines = signatures.slice(0, -1).split('\n')
  if (lines.length > MAX_SIGNATURES) throw malformed(`it has more than ${MAX_SIGNATURES} signatures`)
  return { body, lines }
}

function findVerifier (verifiers: readonly NoteVerifier[], name: string, keyId: number): NoteVerifier | undefined {
  const matches = verifiers.filter((v) => v.name === name && v.keyId === keyId)
  if (matches.length > 1) {
    throw new NoteError('ambiguous-key', `more than one verifier key is named ${name}+${formatKeyId(keyId)}`)
  }
  return matches[0]
}

function checkSignature (verifier: NoteVerifier, body: Buffer, signature: Buffer): boolean {
  if (signature.length !== ED25519_SIG_SIZE) return false
  try {
    return verify(null, body, verifier.publicKey, signature)
  } catch {
    return false
  }
}

/**
 * Reads a signed note and checks the signatures of the keys given. Signatures of unknown keys are
 * ignored (signed-note §Signatures); a known key's bad signature rejects the whole note; a note
 * with no verified signature is rejected with code `unverified-note`.
 */
export function openNote (text: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { body, lines } = splitNote(typeof text === 'string' ? text : decodeUtf8(text))
  const bodyBytes = Buffer.from(body, 'utf8')
  const opened: OpenedNote = { body, verified: [], unverified: [] }
  const seen = new Set<string>()
  for (const line of lines) {
    const { signature, ...entry } = parseSignatureLine(line)
    const verifier = findVerifier(verifiers, entry.name, entry.keyId)
    // signed-note §Signatures: every signature of a known key is verified, repeats included.
    if (verifier !== undefined && !checkSignature(verifier, bodyBytes, signature)) {
      throw new NoteError('invalid-signature', `invalid signature for key ${entry.name}+${formatKeyId(entry.keyId)}`)
    }
    const seenKey = verifier === undefined ? `?${line}` : `${entry.name}+${entry.keyId}`
    if (seen.has(seenKey)) continue
    seen.add(seenKey)
    if (verifier === undefined) opened.unverified.push(entry)
    else opened.verified.push(entry)
  }
  if (opened.verified.length === 0) {
    throw new NoteError('unverified-note', 'note has no signature by a known key', opened)
  }
  return opened
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (tlog-checkpoint §"Note text")

export interface Checkpoint {
  origin: string
  size: number
  rootHash: Buffer
  extensions: string[]
}

export interface CheckpointInput {
  origin: string
  size: number
  rootHash: Uint8Array
  extensions?: readonly string[]
}

function checkpointError (message: string): NoteError {
  return new NoteError('malformed-checkpoint', `malformed checkpoint: ${message}`)
}

function assertCheckpointLine (what: string, line: string): void {
  if (line === '') throw checkpointError(`${what} is empty`)
  if (line.includes('\n')) throw checkpointError(`${what} contains a newline`)
  const problem = textProblem(line)
  if (problem !== undefined) throw checkpointError(`${what}: ${problem}`)
}

/** The checkpoint note text: origin, decimal tree size, base64 root hash, extension lines. */
export function formatCheckpoint (checkpoint: CheckpointInput): string {
  assertCheckpointLine('origin', checkpoint.origin)
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) {
    throw checkpointError(`tree size ${checkpoint.size} is not a non-negative safe integer`)
  }
  if (checkpoint.rootHash.length !== ROOT_HASH_SIZE) {
    throw checkpointError(`root hash is ${checkpoint.rootHash.length} bytes, not ${ROOT_HASH_SIZE}`)
  }
  const extensions = checkpoint.extensions ?? []
  extensions.forEach((line, i) => { assertCheckpointLine(`extension line ${i + 1}`, line) })
  const lines = [checkpoint.origin, String(checkpoint.size), Buffer.from(checkpoint.rootHash).toString('base64'), ...extensions]
  return lines.map((line) => `${line}\n`).join('')
}

function parseTreeSize (line: string): number {
  // tlog-checkpoint: ASCII decimal, no leading zeroes unless the tree is empty.
  if (!/^(?:0|[1-9][0-9]*)$/.test(line)) throw checkpointError(`tree size ${JSON.stringify(line)} is not a decimal number without leading zeroes`)
  const size = Number(line)
  if (!Number.isSafeInteger(size)) throw checkpointError(`tree size ${line} is beyond what this implementation handles (2^53 - 1)`)
  return size
}

/** Parses a checkpoint note text (the body of an opened note, ending in a newline). */
export function parseCheckpoint (body: string): Checkpoint {
  if (!body.endsWith('\n')) throw checkpointError('the text must end in a newline')
  const lines = body.slice(0, -1).split('\n')
  if (lines.length < 3) throw checkpointError(`it has ${lines.length} lines, at least 3 are needed`)
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]]
  assertCheckpointLine('origin', origin)
  const size = parseTreeSize(sizeLine)
  const rootHash = decodeBase64Strict(rootLine)
  if (rootHash === undefined) throw checkpointError('root hash is not valid base64')
  if (rootHash.length !== ROOT_HASH_SIZE) throw checkpointError(`root hash is ${rootHash.length} bytes, not ${ROOT_HASH_SIZE}`)
  extensions.forEach((line, i) => { assertCheckpointLine(`extension line ${i + 1}`, line) })
  return { origin, size, rootHash, extensions }
}

/** Signs a checkpoint: formatCheckpoint, then signNote. */
export function signCheckpoint (checkpoint: CheckpointInput, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers)
}

/**
 * Opens a signed checkpoint: the note must carry a valid signature by one of `verifiers`, and,
 * when `origin` is given, its origin line must be that one (tlog-proof §"Verifying a tlog proof"
 * step 2: the origin must be acceptable and signed by a key configured for it).
 */
export function openCheckpoint (
  text: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin?: string
): { checkpoint: Checkpoint, note: OpenedNote } {
  const note = openNote(text, verifiers)
  const checkpoint = parseCheckpoint(note.body)
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw checkpointError(`origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(origin)}`)
  }
  return { checkpoint, note }
}
