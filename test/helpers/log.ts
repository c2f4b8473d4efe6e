/**
 * An outside verifier for the log tests, written from the specifications and not from
 * server/lib (STYLE.md rule 15): RFC 9162 §2.1 hashing, inclusion and consistency proofs checked
 * by following the recursive definitions of PATH and SUBPROOF (§2.1.3.1, §2.1.4.1) rather than
 * the iterative algorithms the server uses, and C2SP signed-note / tlog-checkpoint parsing with
 * the Ed25519 key taken from the JWKS.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}

export const leafOf = (canonical: string): Buffer => sha256(Buffer.from([0]), Buffer.from(canonical, 'utf8'))
const node = (l: Buffer, r: Buffer): Buffer => sha256(Buffer.from([1]), l, r)

function split (n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH(D[n]) over leaf hashes, straight from RFC 9162 §2.1.1. */
export function mth (leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha256()
  if (leaves.length === 1) return leaves[0] as Buffer
  const k = split(leaves.length)
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)))
}

/**
 * The root an inclusion proof leads to, or null if the proof has the wrong length. PATH(m, D[n])
 * ends with the hash of the subtree the leaf is not in, so the proof is unwound from its end.
 */
export function rootFromInclusion (index: number, size: number, leaf: Buffer, proof: Buffer[]): Buffer | null {
  if (index < 0 || index >= size) return null
  if (size === 1) return proof.length === 0 ? leaf : null
  if (proof.length === 0) return null
  const last = proof[proof.length - 1] as Buffer
  const rest = proof.slice(0, -1)
  const k = split(size)
  if (index < k) {
    const left = rootFromInclusion(index, k, leaf, rest)
    return left === null ? null : node(left, last)
  }
  const right = rootFromInclusion(index - k, size - k, leaf, rest)
  return right === null ? null : node(last, right)
}

/**
 * Both roots a consistency proof leads to, given the first tree's root, or null if the proof does
 * not have the shape SUBPROOF(m, D[n], true) gives (RFC 9162 §2.1.4.1).
 */
export function rootsFromConsistency (m: number, n: number, oldRoot: Buffer, proof: Buffer[]): { oldRoot: Buffer, newRoot: Buffer } | null {
  if (m < 1 || m > n) return null
  const walk = (m: number, n: number, whole: boolean, proof: Buffer[]): [Buffer, Buffer] | null => {
    if (m === n) {
      if (whole) return proof.length === 0 ? [oldRoot, oldRoot] : null
      return proof.length === 1 ? [proof[0] as Buffer, proof[0] as Buffer] : null
    }
    if (proof.length === 0) return null
    const last = proof[proof.length - 1] as Buffer
    const rest = proof.slice(0, -1)
    const k = split(n)
    if (m <= k) {
      const inner = walk(m, k, whole, rest)
      return inner === null ? null : [inner[0], node(inner[1], last)]
    }
    const inner = walk(m - k, n - k, false, rest)
    return inner === null ? null : [node(last, inner[0]), node(last, inner[1])]
  }
  const roots = walk(m, n, true, proof)
  return roots === null ? null : { oldRoot: roots[0], newRoot: roots[1] }
}

export interface Jwk { kty: string, crv: string, x: string, kid: string, alg: string, use: string, note?: string }

export const keyOfJwk = (jwk: Jwk): KeyObject => createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' })

export interface ParsedNote {
  origin: string
  size: number
  root: Buffer
  body: string
  signatures: Array<{ name: string, keyId: Buffer, signature: Buffer }>
}

/** A C2SP signed note holding a tlog-checkpoint, parsed by hand. */
export function parseNote (text: string): ParsedNote {
  const cut = text.lastIndexOf('\n\n')
  if (cut < 0) throw new Error('no blank line in the note')
  const body = text.slice(0, cut + 1)
  const [origin, size, root] = body.slice(0, -1).split('\n')
  const signatures = text.slice(cut + 2).split('\n').filter((l) => l !== '').map((line) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line)
    if (m === null) throw new Error(`not a signature line: ${line}`)
    const raw = Buffer.from(m[2] as string, 'base64')
    return { name: m[1] as string, keyId: raw.subarray(0, 4), signature: raw.subarray(4) }
  })
  return { origin: origin ?? '', size: Number(size), root: Buffer.from(root ?? '', 'base64'), body, signatures }
}

/** signed-note: key ID = SHA-256(name || 0x0A || 0x01 || 32-byte public key)[:4]. */
export const noteKeyId = (name: string, jwk: Jwk): Buffer =>
  sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, 0x01]), Buffer.from(jwk.x, 'base64url')).subarray(0, 4)

/** Whether the note carries a valid Ed25519 signature, by its origin's name, of the JWKS key `jwk`. */
export function signedBy (note: ParsedNote, jwk: Jwk): boolean {
  const id = noteKeyId(note.origin, jwk)
  return note.signatures.some((s) => s.name === note.origin && s.keyId.equals(id) &&
    verify(null, Buffer.from(note.body, 'utf8'), keyOfJwk(jwk), s.signature))
}

export interface CliResult { status: number | null, stdout: string, stderr: string }

/** Runs one of the project's CLIs (`server/cli/<name>.ts`) as `npm run` would, on `dataDir`. */
export function runCli (name: 'verify' | 'rotate-key', dataDir: string, args: string[] = []): CliResult {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'cli', `${name}.ts`), ...args], {
    cwd: ROOT,
    env: { ...process.env, STRONGROOM_DATA_DIR: dataDir, STRONGROOM_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 120_000
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}
