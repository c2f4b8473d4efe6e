import { createHash } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { calculateJwkThumbprint, compactVerify, importJWK, type JWK } from 'jose'
import yauzl from 'yauzl'
import { canonicalJson } from '../lib/canonical-json.js'
import { sha256Hex } from '../lib/hash.js'
import { leafHash } from '../lib/merkle.js'
import { ed25519KeyId, ed25519PublicKeyFromBytes, NoteError, openCheckpoint, type NoteVerifier } from '../lib/note.js'
import { checkTlogProof } from '../lib/tlog-proof.js'

/**
 * The offline bundle verifier: needs nothing but the bundle (and, ideally, the
 * key thumbprint the agency publishes). Trusts only the public key; every other
 * member is checked against the signed manifest, the signed checkpoint and the
 * audit entries, and each failure names the member it concerns.
 */
export interface Finding { ok: boolean, member: string, message: string }

export interface BundleReport {
  ok: boolean
  caseReference: string | null
  keyThumbprint: string | null
  checkpoint: { origin: string, size: number, rootHash: string } | null
  entries: number
  files: number
  embeddedManifestSha256: string | null
  /**
   * Whether the signing key was compared with an expected thumbprint (--key).
   * Without it, the bundle is only shown to be consistent with a key of its
   * own, which anyone can make: the thumbprint must still be compared with the
   * one the agency publishes.
   */
  keyChecked: boolean
  findings: Finding[]
}

const SIGNED_MEMBERS = new Set(['manifest.json', 'manifest.jws'])

interface Member { path: string, bytes?: Buffer, size: number, sha256: string, error?: string }

/** Reads every member: small ones into memory, evidence files hashed as they stream. */
async function readZip (file: string, onProgress: (path: string) => void): Promise<{ members: Map<string, Member>, problems: Finding[] }> {
  const members = new Map<string, Member>()
  const problems: Finding[] = []
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true, decodeStrings: true }, (err, z) => { err === null && z !== undefined ? resolve(z) : reject(err ?? new Error('cannot open')) })
  })
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject)
    zip.on('end', resolve)
    zip.on('entry', (entry: yauzl.Entry) => {
      const path = entry.fileName
      if (path.endsWith('/')) { zip.readEntry(); return }
      if (members.has(path)) problems.push({ ok: false, member: path, message: 'appears twice in the ZIP' })
      if (path.startsWith('/') || path.split('/').includes('..') || path.includes('\\')) problems.push({ ok: false, member: path, message: 'unsafe path in the ZIP' })
      onProgress(path)
      zip.openReadStream(entry, (err, stream) => {
        if (err !== null || stream === undefined) {
          members.set(path, { path, size: -1, sha256: '', error: err?.message ?? 'unreadable' })
          zip.readEntry()
          return
        }
        const hash = createHash('sha256')
        const keep = !path.startsWith('evidence/')
        const chunks: Buffer[] = []
        let size = 0
        stream.on('data', (c: Buffer) => { hash.update(c); size += c.length; if (keep) chunks.push(c) })
        stream.on('error', (e) => { members.set(path, { path, size, sha256: '', error: e.message }); zip.readEntry() })
        stream.on('end', () => {
          members.set(path, { path, size, sha256: hash.digest('hex'), ...(keep ? { bytes: Buffer.concat(chunks) } : {}) })
          zip.readEntry()
        })
      })
    })
    zip.readEntry()
  })
  return { members, problems }
}

/**
 * The EmbeddedFile streams of a PDF, inflated (pdfkit writes them with
 * /FlateDecode): the first 16 such dictionaries, each read within 2 KiB, so
 * that a hostile file costs time in proportion to its size only.
 */
export function embeddedFiles (pdf: Buffer, text = pdf.toString('latin1')): Buffer[] {
  const found: Buffer[] = []
  let at = -1
  for (let seen = 0; seen < 16; seen++) {
    at = text.indexOf('/Type /EmbeddedFile', at + 1)
    if (at < 0) break
    const window = text.slice(at, at + 2048)
    const length = /\/Length (\d{1,12})\b/.exec(window)
    const stream = /stream\r?\n/.exec(window)
    if (length === null || stream === null || stream.index < length.index) continue
    const start = at + stream.index + stream[0].length
    const raw = pdf.subarray(start, start + Number(length[1]))
    try { found.push(inflateSync(raw)) } catch { found.push(raw) }
  }
  return found
}

export async function verifyBundle (file: string, options: { expectedThumbprint?: string, onProgress?: (message: string) => void } = {}): Promise<BundleReport> {
  const findings: Finding[] = []
  const pass = (member: string, message: string): void => { findings.push({ ok: true, member, message }) }
  const fail = (member: string, message: string): void => { findings.push({ ok: false, member, message }) }
  const report: BundleReport = { ok: false, caseReference: null, keyThumbprint: null, checkpoint: null, entries: 0, files: 0, embeddedManifestSha256: null, keyChecked: options.expectedThumbprint !== undefined, findings }
  const finish = (): BundleReport => { report.ok = findings.every((f) => f.ok); return report }

  let zip
  try {
    zip = await readZip(file, (p) => options.onProgress?.(`reading ${p}`))
  } catch (err) {
    fail(file, `not a readable ZIP: ${(err as Error).message}`)
    return finish()
  }
  const { members } = zip
  findings.push(...zip.problems)
  for (const m of members.values()) if (m.error !== undefined) fail(m.path, `cannot be read from the ZIP: ${m.error}`)
  const text = (path: string): string | undefined => members.get(path)?.bytes?.toString('utf8')

  // 1. The key: the only thing trusted, and only if its thumbprint is the published one.
  const jwksText = text('keys/jwks.json')
  if (jwksText === undefined) { fail('keys/jwks.json', 'missing'); return finish() }
  let jwks: JWK[]
  try { jwks = (JSON.parse(jwksText) as { keys: JWK[] }).keys } catch { fail('keys/jwks.json', 'is not a JWKS'); return finish() }
  const keys = await Promise.all(jwks.filter((k) => k.kty === 'OKP' && k.crv === 'Ed25519' && typeof k.x === 'string')
    .map(async (k) => ({ jwk: k, thumbprint: await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: k.x as string }) })))
  if (keys.length === 0) { fail('keys/jwks.json', 'holds no Ed25519 key'); return finish() }

  // 2. The manifest's signature (RFC 7515 appendix F: detached payload).
  const manifestBytes = members.get('manifest.json')?.bytes
  // Exactly the JWS and one final newline: any other byte (a trailing space, a vertical tab) is an alteration.
  const jws = text('manifest.jws')?.replace(/\r?\n$/, '')
  if (manifestBytes === undefined) { fail('manifest.json', 'missing'); return finish() }
  if (jws === undefined) { fail('manifest.jws', 'missing'); return finish() }
  const [header, empty, signature] = jws.split('.')
  let signerKey: (typeof keys)[number] | undefined
  if (header === undefined || empty !== '' || signature === undefined) {
    fail('manifest.jws', 'is not a JWS with a detached payload (header..signature)')
  } else {
    let kid: unknown
    try { kid = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid?: unknown }).kid } catch {}
    signerKey = keys.find((k) => k.thumbprint === kid) ?? (keys.length === 1 ? keys[0] : undefined)
    if (signerKey === undefined) {
      fail('manifest.jws', `is signed by key ${String(kid)}, which keys/jwks.json does not hold`)
    } else {
      try {
        const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: signerKey.jwk.x as string }, 'EdDSA')
        await compactVerify(`${header}.${manifestBytes.toString('base64url')}.${signature}`, key, { algorithms: ['EdDSA'] })
        pass('manifest.jws', `valid EdDSA signature over manifest.json by key ${signerKey.thumbprint}`)
      } catch (err) {
        // A bad signature cannot tell which of the two was altered: both are named.
        const why = (err as Error).message
        fail('manifest.json', `does not match the signature in manifest.jws (${why})`)
        fail('manifest.jws', `is not a valid signature of manifest.json by key ${signerKey.thumbprint} (${why})`)
      }
    }
  }
  report.keyThumbprint = signerKey?.thumbprint ?? null
  if (options.expectedThumbprint !== undefined) {
    if (signerKey?.thumbprint === options.expectedThumbprint) pass('keys/jwks.json', 'the signing key is the expected one')
    else fail('keys/jwks.json', `the signing key ${signerKey?.thumbprint ?? '(none)'} is not the expected ${options.expectedThumbprint}`)
  }

  // 3. Every file against the manifest; nothing missing, nothing extra.
  let manifest: { case?: { reference?: string }, keyId?: string, checkpoint?: { origin: string, size: number, rootHash: string }, files?: Array<{ path: string, size: number, sha256: string }> }
  try { manifest = JSON.parse(manifestBytes.toString('utf8')) } catch { fail('manifest.json', 'is not JSON'); return finish() }
  if (canonicalJson(manifest) !== manifestBytes.toString('utf8')) fail('manifest.json', 'is not RFC 8785 canonical JSON')
  // The manifest names the key that signs it; another key's signature is someone else's bundle.
  if (signerKey !== undefined && manifest.keyId !== signerKey.thumbprint) fail('manifest.json', `names signing key ${String(manifest.keyId)}, but manifest.jws is signed by key ${signerKey.thumbprint}`)
  report.caseReference = manifest.case?.reference ?? null
  const listed = new Map((manifest.files ?? []).map((f) => [f.path, f]))
  report.files = listed.size
  for (const [path, f] of listed) {
    const m = members.get(path)
    if (m === undefined) { fail(path, 'is listed in the manifest but missing from the bundle'); continue }
    if (m.error !== undefined) continue
    if (m.size !== f.size) fail(path, `has ${m.size} bytes, the manifest says ${f.size}`)
    else if (m.sha256 !== f.sha256) fail(path, `SHA-256 ${m.sha256} differs from the manifest's ${f.sha256}`)
  }
  for (const path of members.keys()) if (!listed.has(path) && !SIGNED_MEMBERS.has(path)) fail(path, 'is in the bundle but not in the manifest')
  if (findings.filter((f) => !f.ok).length === 0) pass('manifest.json', `${listed.size} files, each with the size and SHA-256 the manifest gives`)

  // 4. The checkpoint's signature, with the published key under the log's origin.
  const origin = manifest.checkpoint?.origin ?? ''
  const verifiers: NoteVerifier[] = keys.map((k) => {
    const publicKey = ed25519PublicKeyFromBytes(Buffer.from(k.jwk.x as string, 'base64url'))
    return { name: origin, keyId: ed25519KeyId(origin, publicKey), publicKey }
  })
  const checkpointText = text('audit/checkpoint')
  let checkpointOk = false
  if (checkpointText === undefined) {
    fail('audit/checkpoint', 'missing')
  } else {
    try {
      const { checkpoint } = openCheckpoint(checkpointText, verifiers, origin)
      report.checkpoint = { origin: checkpoint.origin, size: checkpoint.size, rootHash: checkpoint.rootHash.toString('base64') }
      if (manifest.checkpoint?.size !== checkpoint.size || manifest.checkpoint.rootHash !== checkpoint.rootHash.toString('base64')) {
        fail('audit/checkpoint', 'is not the checkpoint the manifest names')
      } else {
        checkpointOk = true
        pass('audit/checkpoint', `signed note verified: ${checkpoint.origin}, tree size ${checkpoint.size}`)
      }
    } catch (err) {
      fail('audit/checkpoint', err instanceof NoteError ? err.message : `cannot be read: ${(err as Error).message}`)
    }
  }

  // 5. Audit entries: canonical, leaf-hashed, each proven in the checkpoint.
  const entries = new Map<number, { action: string, entityType: string, entityId: string, data: any }>()
  const lines = (text('audit/entries.jsonl') ?? '').split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0) fail('audit/entries.jsonl', 'missing or empty')
  let proofFailures = 0
  for (const [n, line] of lines.entries()) {
    let entry: { index: number, action: string, entityType: string, entityId: string, data: unknown }
    try { entry = JSON.parse(line) } catch { fail('audit/entries.jsonl', `line ${n + 1} is not JSON`); continue }
    if (canonicalJson(entry) !== line) { fail(`entry ${entry.index}`, 'is not RFC 8785 canonical JSON'); continue }
    entries.set(entry.index, entry)
    const proofPath = `audit/proofs/${entry.index}.tlog-proof`
    const proof = text(proofPath)
    if (proof === undefined) { fail(proofPath, `missing: entry ${entry.index} has no inclusion proof`); continue }
    const check = checkTlogProof(proof, leafHash(Buffer.from(line, 'utf8')), { verifiers, origin })
    if (!check.ok) { fail(proofPath, check.reason); proofFailures++; continue }
    if (check.proof.index !== entry.index) { fail(proofPath, `proves entry ${check.proof.index}, not ${entry.index}`); proofFailures++; continue }
    if (proof.slice(proof.indexOf('\n\n') + 2) !== checkpointText) { fail(proofPath, 'leads to another checkpoint than audit/checkpoint'); proofFailures++ }
  }
  report.entries = entries.size
  for (const path of members.keys()) {
    const m = /^audit\/proofs\/(\d+)\.tlog-proof$/.exec(path)
    if (m !== null && !entries.has(Number(m[1]))) fail(path, 'proves an entry that audit/entries.jsonl does not hold')
  }
  if (checkpointOk && proofFailures === 0 && entries.size === lines.length) pass('audit/entries.jsonl', `${entries.size} entries, each included in the checkpoint (RFC 9162 inclusion proofs)`)

  // 6. Records: each equals what its latest audit entry says.
  const latest = (type: string, id: string, action?: (a: string) => boolean) => [...entries.values()]
    .filter((e) => e.entityType === type && e.entityId === id && (action === undefined || action(e.action))).at(-1)
  const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b)
  const attachmentsByHash = new Map<string, Array<{ size: number }>>()
  for (const path of members.keys()) {
    if (!path.startsWith('records/')) continue
    const raw = text(path) ?? ''
    let value: any
    try { value = JSON.parse(raw) } catch { fail(path, 'is not JSON'); continue }
    if (canonicalJson(value) !== raw) { fail(path, 'is not RFC 8785 canonical JSON'); continue }
    const name = path.slice('records/'.length)
    const mismatch = (what: string): void => { fail(path, `differs from audit entry ${what}`) }
    if (name === 'case.json') {
      const e = latest('case', value.id)
      if (e === undefined) fail(path, 'has no audit entry'); else if (!sameJson(e.data.case, value)) mismatch(`${e.action} (${value.id})`)
    } else if (name.startsWith('seizure-')) {
      const e = latest('seizure', value.id)
      if (e === undefined) fail(path, 'has no audit entry'); else if (!sameJson(e.data.seizure ?? e.data, value)) mismatch(`${e.action} (${value.id})`)
    } else if (name.startsWith('item-')) {
      const e = latest('item', value.id, (a) => a === 'item.create')
      if (e === undefined) fail(path, 'has no audit entry'); else if (!sameJson(e.data, value)) mismatch(`item.create (${value.id})`)
    } else if (Array.isArray(value)) {
      const type = name.startsWith('custody-') ? 'custody_event' : name === 'attachments.json' ? 'attachment' : name === 'actions.json' ? 'case_action' : null
      if (type === null) { fail(path, 'is not a record this verifier knows'); continue }
      for (const element of value) {
        const e = latest(type, element.id, (a) => a !== 'attachment.integrity_failure')
        if (e === undefined) fail(path, `element ${element.id} has no audit entry`)
        else if (!sameJson(e.data, element)) mismatch(`${e.action} (${element.id})`)
        if (type === 'attachment') attachmentsByHash.set(element.sha256, [...(attachmentsByHash.get(element.sha256) ?? []), { size: element.size }])
      }
      if (type === 'custody_event' && value.length > 0) {
        const itemId = value[0].itemId
        const recorded = [...entries.values()].filter((e) => e.entityType === 'custody_event' && e.data?.itemId === itemId).length
        if (recorded !== value.length) fail(path, `holds ${value.length} custody events, the audit entries ${recorded}`)
        // An exhibit's events are numbered 1, 2, 3... as they are recorded: a gap is an event left out.
        const gap = value.findIndex((e: { seq?: unknown }, i: number) => e.seq !== i + 1)
        if (gap >= 0) fail(path, `custody events are not numbered 1 to ${value.length} without a gap: event ${gap + 1} in the list is numbered ${String(value[gap]?.seq)}${gap > 0 ? ` after ${String(value[gap - 1]?.seq)}` : ''}; an event is missing`)
      }
    } else {
      fail(path, 'is not a record this verifier knows')
    }
  }
  for (const [path, f] of listed) {
    if (!path.startsWith('evidence/')) continue
    if (!(attachmentsByHash.get(f.sha256) ?? []).some((a) => a.size === f.size)) fail(path, 'is not an attachment recorded in records/attachments.json')
  }
  if (!findings.some((f) => !f.ok && f.member.startsWith('records/'))) pass('records/', 'every record equals what its audit entry says')

  // 7. The case file carries the manifest minus its own entry, and names its SHA-256 in its
  // metadata (Keywords, which the cover's QR code and text also give).
  const pdf = members.get('case-file.pdf')?.bytes
  if (pdf !== undefined) {
    const expected = canonicalJson({ ...manifest, files: (manifest.files ?? []).filter((f) => f.path !== 'case-file.pdf') })
    const sha256 = sha256Hex(Buffer.from(expected, 'utf8'))
    report.embeddedManifestSha256 = sha256
    // Both read the file as latin1 text; a case file is tens of MiB, so it is made once.
    const text = pdf.toString('latin1')
    const named = keywordHashes(pdf, text)
    if (!embeddedFiles(pdf, text).some((b) => b.toString('utf8') === expected)) fail('case-file.pdf', 'does not embed this bundle\'s manifest')
    else if (named.length === 0 || named.some((h) => h !== sha256)) fail('case-file.pdf', `embeds this bundle's manifest (SHA-256 ${sha256}), but its metadata names ${named.length === 0 ? 'no manifest hash' : named.filter((h) => h !== sha256).join(', ')}`)
    else pass('case-file.pdf', `embeds this bundle's manifest and names its SHA-256 ${sha256} in its metadata (the QR code on the cover is not decoded here: compare it by eye or with a reader)`)
  }
  return finish()
}

/**
 * The manifest hashes a case file names in its metadata: the last word of its
 * Keywords ("<case reference>; <SHA-256>"), in the XMP and in the document
 * information dictionary. pdfkit writes both after every page and image (whose
 * bytes, a photo's, may hold anything), so the last XMP Keywords and the last
 * trailer's /Info are the file's own; each is read from a bounded slice.
 */
export function keywordHashes (pdf: Buffer, text = pdf.toString('latin1')): string[] {
  const lastWord = (keywords: string | undefined): string => /([0-9a-f]{64})\s*$/.exec(keywords ?? '')?.[1] ?? '(none)'
  const found: string[] = []
  const xmpAt = text.lastIndexOf('<pdf:Keywords>')
  if (xmpAt >= 0) found.push(lastWord(/^<pdf:Keywords>([^<]{0,1024})<\/pdf:Keywords>/.exec(text.slice(xmpAt, xmpAt + 1100))?.[1]))
  const infoAt = text.lastIndexOf('/Info ')
  const info = infoAt >= 0 ? /^\/Info (\d{1,10}) 0 R/.exec(text.slice(infoAt, infoAt + 30)) : null
  if (info !== null) {
    const objectAt = text.lastIndexOf(`\n${info[1]} 0 obj\n`)
    const dict = objectAt >= 0 ? text.slice(objectAt, objectAt + 4096) : ''
    const ref = /\/Keywords (\d{1,10}) 0 R/.exec(dict)
    const inline = ref === null ? /\/Keywords \(([^)]{0,1024})\)/.exec(dict) : null
    if (ref !== null) {
      const keywordsAt = text.lastIndexOf(`\n${ref[1]} 0 obj\n`)
      found.push(lastWord(keywordsAt >= 0 ? /^\n\d+ 0 obj\n\(([^)]{0,1024})\)/.exec(text.slice(keywordsAt, keywordsAt + 1100))?.[1] : undefined))
    } else if (inline !== null) {
      found.push(lastWord(inline[1]))
    }
  }
  return found
}

export function formatReport (r: BundleReport): string {
  const lines = [
    `Strongroom bundle ${r.caseReference ?? '(unknown case)'}`,
    `  signing key   ${r.keyThumbprint ?? '(not established)'}`,
    `  checkpoint    ${r.checkpoint === null ? '(not verified)' : `${r.checkpoint.origin}, tree size ${r.checkpoint.size}, root ${r.checkpoint.rootHash}`}`,
    `  files         ${r.files}, audit entries ${r.entries}`,
    ''
  ]
  for (const f of r.findings) lines.push(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.member}: ${f.message}`)
  lines.push('', r.ok ? 'VERIFIED: every check holds.' : `NOT VERIFIED: ${r.findings.filter((f) => !f.ok).length} check(s) failed.`)
  if (!r.keyChecked) {
    lines.push(`WARNING: no --key given. The bundle was checked against the key it carries (${r.keyThumbprint ?? 'none'}), which anyone can make;`,
      'compare that thumbprint with the one the agency publishes, or run again with --key <thumbprint>.')
  }
  return lines.join('\n')
}
