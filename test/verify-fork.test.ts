/**
 * Fork evidence (VERIFIABILITY.md "Proofs"): shown two checkpoints signed by the log that no
 * consistency proof reconciles, the verifier prints both signed notes and the failing proof.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { appendLeaf, consistencyProof, leafHash, MemoryNodeStore, rootAt } from '../server/lib/merkle.js'
import { ed25519KeyId, signCheckpoint } from '../server/lib/note.js'
import { checkCheckpointConsistency } from '../server/verify/fork.js'
import { ADMIN_PASSWORD, as, createUser, login, makeApp } from './helpers/app.js'
import { runCli } from './helpers/log.js'

function tree (entries: string[]): MemoryNodeStore {
  const store = new MemoryNodeStore()
  entries.forEach((e, i) => { appendLeaf(store, i, leafHash(Buffer.from(e))) })
  return store
}

t.test('two checkpoints of one history pass; of two histories, the failure carries both notes and the proof', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const name = 'example.test/log'
  const signer = { name, privateKey }
  const verifiers = [{ name, keyId: ed25519KeyId(name, publicKey), publicKey }]
  const honest = tree(Array.from({ length: 13 }, (_v, i) => `entry ${i}`))
  const forked = tree(Array.from({ length: 13 }, (_v, i) => (i === 4 ? 'entry 4, rewritten' : `entry ${i}`)))
  const at = (store: MemoryNodeStore, size: number): string => signCheckpoint({ origin: name, size, rootHash: rootAt(store, size) }, [signer])

  const good = checkCheckpointConsistency(at(honest, 6), at(honest, 13), consistencyProof(honest, 6, 13), verifiers)
  t.ok(good.ok, 'checkpoints 6 and 13 of one history are consistent')

  const early = at(honest, 6)
  const late = at(forked, 13)
  const proof = consistencyProof(forked, 6, 13)
  const bad = checkCheckpointConsistency(late, early, proof, verifiers)
  t.notOk(bad.ok, 'a checkpoint of the rewritten history is not consistent with the earlier one')
  if (bad.ok) return
  t.match(bad.evidence, /^FORK EVIDENCE/, 'the failure is reported as fork evidence')
  t.ok(bad.evidence.includes(early.trimEnd()) && bad.evidence.includes(late.trimEnd()), 'carrying both signed notes verbatim')
  t.ok(proof.every((h) => bad.evidence.includes(h.toString('base64'))), 'and every hash of the failing proof')
  t.ok(bad.evidence.indexOf('tree size 6') < bad.evidence.indexOf('tree size 13'), 'the smaller tree first')
})

t.test('npm run verify --checkpoint accepts a checkpoint the log issued and prints fork evidence for one it cannot extend', async (t) => {
  const { app, dir } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const held = (await as(app, token)('POST', '/api/audit/checkpoint')).body
  await createUser(app, token, { username: 'officer.a', role: 'officer' })
  await as(app, token)('POST', '/api/audit/checkpoint')
  await app.close()
  const heldFile = path.join(dir, '..', 'held.checkpoint')
  fs.writeFileSync(heldFile, held)
  const ok = runCli('verify', dir, ['--quiet', '--checkpoint', heldFile])
  t.equal(ok.status, 0, `a checkpoint the log issued is consistent (${ok.stdout}${ok.stderr})`)
  t.match(ok.stdout, /^OK: the checkpoint in .* is consistent with this log/m, 'and the command says so')

  // The log's own key signs a different history of the same size: what a split view looks like.
  const sqlite = new Database(path.join(dir, 'strongroom.db'), { readonly: true })
  const key = sqlite.prepare<[], { origin: string, file: string }>('SELECT origin, file FROM log_keys').get()
  const size = Number(held.split('\n')[1])
  sqlite.close()
  const other = signCheckpoint({ origin: key?.origin ?? '', size, rootHash: Buffer.alloc(32, 9) }, [{ name: key?.origin ?? '', privateKey: createPrivateKey(fs.readFileSync(path.join(dir, key?.file ?? ''))) }])
  const forkFile = path.join(dir, '..', 'fork.checkpoint')
  fs.writeFileSync(forkFile, other)
  const fork = runCli('verify', dir, ['--quiet', '--checkpoint', forkFile])
  t.equal(fork.status, 1, 'verify exits 1')
  t.match(fork.stdout, /FORK EVIDENCE/, 'and prints fork evidence')
  t.ok(fork.stdout.includes(other.trimEnd()), 'with the held signed note')
  t.match(fork.stdout, /consistency proof from size \d+ to \d+/, 'and the proof that fails')
})
