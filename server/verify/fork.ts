// Fork evidence (VERIFIABILITY.md "Proofs"): two checkpoints signed by the log that no
// consistency proof reconciles prove that the log showed two different histories. Whoever checks
// them prints both signed notes and the failing proof, so that the evidence can be handed on.

import { checkConsistency, consistencyProof, type NodeStore } from '../lib/merkle.js'
import { NoteError, openCheckpoint, type Checkpoint, type NoteVerifier } from '../lib/note.js'

export interface SignedCheckpoint { note: string, checkpoint: Checkpoint }

export type ConsistencyCheck =
  | { ok: true, older: SignedCheckpoint, newer: SignedCheckpoint, proof: Buffer[] }
  | { ok: false, reason: string, evidence: string }

/** The text to hand on: the reason, both signed notes verbatim, the proof one base64 hash a line. */
export function forkEvidence (reason: string, first: string, second: string, proof: readonly Uint8Array[] | undefined, sizes: [number, number]): string {
  const lines = [
    'FORK EVIDENCE: two checkpoints signed by this log are not consistent with each other.',
    `Why: ${reason}`,
    '',
    `--- signed checkpoint (tree size ${sizes[0]}) ---`,
    first.trimEnd(),
    '',
    `--- signed checkpoint (tree size ${sizes[1]}) ---`,
    second.trimEnd(),
    ''
  ]
  if (proof !== undefined) {
    lines.push(`--- RFC 9162 §2.1.4 consistency proof from size ${sizes[0]} to ${sizes[1]} (${proof.length} hashes) ---`)
    lines.push(...proof.map((h) => Buffer.from(h).toString('base64')), '')
  }
  return `${lines.join('\n')}\n`
}

/**
 * Opens two signed checkpoints and checks that the smaller tree is a prefix of the larger with
 * `proof` (RFC 9162 §2.1.4.2, every element used). A note that does not verify is refused as
 * such; two signed notes that disagree answer the fork evidence.
 */
export function checkCheckpointConsistency (a: string, b: string, proof: readonly Uint8Array[], verifiers: readonly NoteVerifier[]): ConsistencyCheck {
  let first: SignedCheckpoint
  let second: SignedCheckpoint
  try {
    first = { note: a, checkpoint: openCheckpoint(a, verifiers).checkpoint }
    second = { note: b, checkpoint: openCheckpoint(b, verifiers).checkpoint }
  } catch (err) {
    if (err instanceof NoteError) return { ok: false, reason: `a checkpoint is not signed by a published key: ${err.message}`, evidence: '' }
    throw err
  }
  const [older, newer] = first.checkpoint.size <= second.checkpoint.size ? [first, second] : [second, first]
  const sizes: [number, number] = [older.checkpoint.size, newer.checkpoint.size]
  if (older.checkpoint.origin !== newer.checkpoint.origin) {
    return { ok: false, reason: `the checkpoints are of two logs (${older.checkpoint.origin}, ${newer.checkpoint.origin})`, evidence: '' }
  }
  if (older.checkpoint.size === 0) return { ok: true, older, newer, proof: [] }
  const check = checkConsistency(sizes[0], sizes[1], older.checkpoint.rootHash, proof, newer.checkpoint.rootHash)
  if (check.ok) return { ok: true, older, newer, proof: proof.map((h) => Buffer.from(h)) }
  return { ok: false, reason: check.reason, evidence: forkEvidence(check.reason, older.note, newer.note, proof, sizes) }
}

/**
 * Checks a checkpoint someone kept (a court, a witness) against this log's own signed
 * checkpoint, with a consistency proof read from the stored tree. `treeSize` is the number of
 * entries the log holds now.
 */
export function checkHeldCheckpoint (
  held: string,
  logCheckpoint: string,
  nodes: NodeStore,
  treeSize: number,
  verifiers: readonly NoteVerifier[]
): ConsistencyCheck {
  let heldSize: number
  let logSize: number
  try {
    heldSize = openCheckpoint(held, verifiers).checkpoint.size
    logSize = openCheckpoint(logCheckpoint, verifiers).checkpoint.size
  } catch (err) {
    if (err instanceof NoteError) return { ok: false, reason: `the checkpoint is not signed by a published key: ${err.message}`, evidence: '' }
    throw err
  }
  const [m, n] = heldSize <= logSize ? [heldSize, logSize] : [logSize, heldSize]
  if (n > treeSize) {
    const reason = `a checkpoint signed by this log covers ${n} entries, but the log now holds ${treeSize}: entries were removed`
    return { ok: false, reason, evidence: forkEvidence(reason, heldSize <= logSize ? held : logCheckpoint, heldSize <= logSize ? logCheckpoint : held, undefined, [m, n]) }
  }
  let proof: Buffer[]
  try {
    proof = m === 0 ? [] : consistencyProof(nodes, m, n)
  } catch (err) {
    return { ok: false, reason: `the stored tree cannot give a consistency proof from ${m} to ${n} (${(err as Error).message})`, evidence: '' }
  }
  return checkCheckpointConsistency(held, logCheckpoint, proof, verifiers)
}
