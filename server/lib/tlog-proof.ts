// C2SP tlog-proof@v1 (https://c2sp.org/tlog-proof): an offline-verifiable proof that an audit
// entry is in the log, as the case bundle carries it in `audit/proofs/<index>.tlog-proof`
// (VERIFIABILITY.md, "The case bundle").

import { checkInclusion, type Check } from './merkle.js'
import { decodeBase64Strict, NoteError, openCheckpoint, type Checkpoint, type NoteVerifier } from './note.js'

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1'
const HASH_SIZE = 32

export interface TlogProof {
  /** Zero-based index of the entry in the log. */
  index: number
  /** RFC 6962 §2.1.1 inclusion proof, from the leaf's sibling up to a child of the root. */
  hashes: Buffer[]
  /** The signed checkpoint, verbatim (tlog-checkpoint inside a signed-note). */
  checkpointNote: string
  /** Opaque, unauthenticated application data (tlog-proof §Format `extra` line). */
  extra?: Buffer
}

export interface TlogProofInput {
  index: number
  hashes: readonly Uint8Array[]
  checkpointNote: string
  extra?: Uint8Array
}

export class TlogProofError extends Error {
  constructor (message: string) {
    super(`malformed tlog-proof: ${message}`)
    this.name = 'TlogProofError'
  }
}

function assertIndex (index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) throw new TlogProofError(`index ${index} is not a non-negative safe integer`)
}

function assertCheckpointNote (note: string): void {
  if (note === '' || !note.endsWith('\n')) throw new TlogProofError('the checkpoint must be a signed note ending in a newline')
}

/**
 * tlog-proof §Format: the header line, an optional `extra <base64>` line, `index <N>`, one base64
 * hash a line, an empty line, then the signed checkpoint verbatim.
 */
export function formatTlogProof (proof: TlogProofInput): string {
  assertIndex(proof.index)
  assertCheckpointNote(proof.checkpointNote)
  const lines = [TLOG_PROOF_HEADER]
  if (proof.extra !== undefined) {
    // "If no extra data is present, this line is omitted."
    if (proof.extra.length === 0) throw new TlogProofError('extra data is empty: leave it out instead')
    lines.push(`extra ${Buffer.from(proof.extra).toString('base64')}`)
  }
  lines.push(`index ${proof.index}`)
  proof.hashes.forEach((hash, i) => {
    if (hash.length !== HASH_SIZE) throw new TlogProofError(`proof hash ${i} is ${hash.length} bytes, not ${HASH_SIZE}`)
    // A view of the bytes, not a copy (a bundle formats thousands of proofs).
    lines.push(Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('base64'))
  })
  return `${lines.join('\n')}\n\n${proof.checkpointNote}`
}

function parseIndexLine (line: string | undefined): number {
  const match = line === undefined ? null : /^index (0|[1-9][0-9]*)$/.exec(line)
  if (match === null) throw new TlogProofError(`expected "index <N>" (decimal, no leading zeroes), got ${JSON.stringify(line)}`)
  const index = Number(match[1])
  if (!Number.isSafeInteger(index)) throw new TlogProofError(`index ${match[1]} is beyond what this implementation handles (2^53 - 1)`)
  return index
}

function parseExtraLine (line: string): Buffer {
  const extra = decodeBase64Strict(line.slice('extra '.length))
  if (extra === undefined || extra.length === 0) throw new TlogProofError('extra line is not non-empty base64')
  return extra
}

function parseHashLine (line: string, i: number): Buffer {
  const hash = decodeBase64Strict(line)
  if (hash === undefined) throw new TlogProofError(`proof line ${i} is not base64: ${JSON.stringify(line)}`)
  if (hash.length !== HASH_SIZE) throw new TlogProofError(`proof hash ${i} is ${hash.length} bytes, not ${HASH_SIZE}`)
  return hash
}

/** Parses a tlog-proof. The checkpoint's signatures are not checked here: see checkTlogProof. */
export function parseTlogProof (text: string): TlogProof {
  // The header lines are all non-empty, so the first empty line ends them.
  const split = text.indexOf('\n\n')
  if (split < 0) throw new TlogProofError('no empty line before the checkpoint')
  const lines = text.slice(0, split).split('\n')
  const checkpointNote = text.slice(split + 2)
  if (lines[0] !== TLOG_PROOF_HEADER) throw new TlogProofError(`the first line must be ${TLOG_PROOF_HEADER}`)
  let next = 1
  let extra: Buffer | undefined
  if (lines[next]?.startsWith('extra ') === true) extra = parseExtraLine(lines[next++] as string)
  const index = parseIndexLine(lines[next++])
  const hashes = lines.slice(next).map(parseHashLine)
  assertCheckpointNote(checkpointNote)
  return extra === undefined ? { index, hashes, checkpointNote } : { index, hashes, checkpointNote, extra }
}

export interface TlogProofCheckOptions {
  /** Keys trusted to sign checkpoints of this log. */
  verifiers: readonly NoteVerifier[]
  /** The log's origin line; when given, the checkpoint must carry this one. */
  origin?: string
}

export type TlogProofCheck =
  | { ok: true, proof: TlogProof, checkpoint: Checkpoint }
  | { ok: false, reason: string }

/**
 * tlog-proof §"Verifying a tlog proof", steps 2 and 4 (step 1, the leaf hash, is the caller's):
 * the checkpoint is signed by a trusted key for the expected origin, and the inclusion proof
 * binds `leafHash` at the proof's index to the checkpoint's root (RFC 9162 §2.1.3.2).
 */
export function checkTlogProof (text: string, leafHash: Uint8Array, options: TlogProofCheckOptions): TlogProofCheck {
  let proof: TlogProof
  let checkpoint: Checkpoint
  try {
    proof = parseTlogProof(text)
    checkpoint = openCheckpoint(proof.checkpointNote, options.verifiers, options.origin).checkpoint
  } catch (err) {
    if (err instanceof TlogProofError || err instanceof NoteError) return { ok: false, reason: err.message }
    throw err
  }
  const inclusion: Check = checkInclusion(proof.index, checkpoint.size, leafHash, proof.hashes, checkpoint.rootHash)
  if (!inclusion.ok) return { ok: false, reason: `inclusion proof of entry ${proof.index} fails: ${inclusion.reason}` }
  return { ok: true, proof, checkpoint }
}
