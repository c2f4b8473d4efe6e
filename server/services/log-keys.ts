// The audit log's signing keys (VERIFIABILITY.md "Keys"): Ed25519, generated into the data
// directory (mode 0600), every public key ever used kept in `log_keys` and published as a JWKS
// whose `kid` is the RFC 7638 thumbprint. Separate from the token key (keys/token-signing.pem):
// checkpoints are evidence, tokens are sessions, and they rotate for different reasons.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { calculateJwkThumbprint } from 'jose'
import { ed25519KeyId, ed25519PublicKeyBytes, formatKeyId, formatVerifierKey, isValidKeyName, type NoteSigner, type NoteVerifier } from '../lib/note.js'

/** Where log keys live, relative to the data directory. */
export const LOG_KEYS_DIR = path.join('keys', 'log')

export interface LogKey {
  seq: number
  /** RFC 7638 thumbprint of the public JWK. */
  kid: string
  /** Signed-note key name and checkpoint origin line. */
  origin: string
  /** base64url of the 32-byte public key (JWK `x`). */
  x: string
  file: string
  createdAt: string
}

/** A JWKS entry: the RFC 8037 OKP key, plus `note`, its C2SP signed-note verifier key. */
export interface LogJwk {
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
  kid: string
  alg: 'EdDSA'
  use: 'sig'
  /** `<origin>+<key id>+<base64 key>`: what note and checkpoint tools (and witnesses) are configured with. */
  note: string
}

export class LogKeyError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'LogKeyError'
  }
}

/** The origin of a new log: stable, lower case, without spaces or `+` (signed-note key names). */
export function defaultOrigin (agencyCode: string): string {
  const origin = `strongroom.${agencyCode.toLowerCase()}`
  if (!isValidKeyName(origin)) throw new LogKeyError(`cannot make a log origin from agency code ${JSON.stringify(agencyCode)}`)
  return origin
}

/** RFC 7638 thumbprint (SHA-256) of an Ed25519 public key given as its JWK `x`. */
export async function thumbprint (x: string): Promise<string> {
  return calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x }, 'sha256')
}

export function publicKeyOf (key: LogKey): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x }, format: 'jwk' })
}

interface Row { seq: number, kid: string, origin: string, public_key: string, file: string, created_at: string }
const fromRow = (r: Row): LogKey => ({ seq: r.seq, kid: r.kid, origin: r.origin, x: r.public_key, file: r.file, createdAt: r.created_at })

function hasTable (sqlite: Database.Database, name: string): boolean {
  return sqlite.prepare('SELECT 1 FROM sqlite_master WHERE type = \'table\' AND name = ?').get(name) !== undefined
}

/** Every key ever used, oldest first (none on a database that predates the log keys). */
export function listLogKeys (sqlite: Database.Database): LogKey[] {
  if (!hasTable(sqlite, 'log_keys')) return []
  return sqlite.prepare<[], Row>('SELECT seq, kid, origin, public_key, file, created_at FROM log_keys ORDER BY seq').all().map(fromRow)
}

/** The key that signs new checkpoints: the last one added. */
export function activeLogKey (sqlite: Database.Database): LogKey | undefined {
  const row = sqlite.prepare<[], Row>('SELECT seq, kid, origin, public_key, file, created_at FROM log_keys ORDER BY seq DESC LIMIT 1').get()
  return row === undefined ? undefined : fromRow(row)
}

/**
 * Generates a key, writes it to keys/log/<kid>.pem (0600, in a 0700 directory, never
 * overwriting) and records it as the active key. The origin stays the one of the log's first
 * key, so checkpoints before and after a rotation name the same log.
 */
export async function createLogKey (sqlite: Database.Database, dataDir: string, fallbackOrigin: string, time: string): Promise<LogKey> {
  const origin = activeLogKey(sqlite)?.origin ?? fallbackOrigin
  if (!isValidKeyName(origin)) throw new LogKeyError(`invalid log origin ${JSON.stringify(origin)}`)
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const x = ed25519PublicKeyBytes(publicKey).toString('base64url')
  const kid = await thumbprint(x)
  const file = path.join(LOG_KEYS_DIR, `${kid}.pem`)
  const absolute = path.join(dataDir, file)
  fs.mkdirSync(path.dirname(absolute), { recursive: true, mode: 0o700 })
  fs.writeFileSync(absolute, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
  const row = sqlite.prepare<[string, string, string, string, string], Row>(
    'INSERT INTO log_keys (kid, origin, public_key, file, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *'
  ).get(kid, origin, x, file, time)
  if (row === undefined) throw new LogKeyError('the new log key was not recorded')
  return fromRow(row)
}

/** The private key of `key`, read from its file and checked against the published public key. */
export function loadLogSigner (dataDir: string, key: LogKey): NoteSigner & { kid: string } {
  const absolute = path.join(dataDir, key.file)
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(fs.readFileSync(absolute))
  } catch (err) {
    throw new LogKeyError(`the log signing key ${key.kid} cannot be read from ${key.file} (${(err as Error).message}); restore the file or run "npm run rotate-key"`)
  }
  if (privateKey.asymmetricKeyType !== 'ed25519' || ed25519PublicKeyBytes(privateKey).toString('base64url') !== key.x) {
    throw new LogKeyError(`${key.file} does not hold the published log key ${key.kid}`)
  }
  return { name: key.origin, privateKey, kid: key.kid }
}

export function jwkOf (key: LogKey): LogJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: key.x, kid: key.kid, alg: 'EdDSA', use: 'sig', note: formatVerifierKey(key.origin, publicKeyOf(key)) }
}

/** Newest first: tools that take the first key take the one signing now. */
export function jwksOf (keys: readonly LogKey[]): { keys: LogJwk[] } {
  return { keys: [...keys].reverse().map(jwkOf) }
}

/** The signed-note verifiers of every published key. */
export function noteVerifiers (keys: readonly LogKey[]): Array<NoteVerifier & { kid: string }> {
  return keys.map((key) => {
    const publicKey = publicKeyOf(key)
    return { name: key.origin, keyId: ed25519KeyId(key.origin, publicKey), publicKey, kid: key.kid }
  })
}

export const noteKeyIdHex = (key: LogKey): string => formatKeyId(ed25519KeyId(key.origin, publicKeyOf(key)))
