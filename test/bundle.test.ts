/**
 * GET /api/cases/:id/bundle.zip and the offline verifier, checked from VERIFIABILITY.md alone:
 * the bundle is downloaded over a real socket, unpacked with yauzl, and every hash, leaf,
 * inclusion proof and signature is recomputed here with node:crypto and the outside RFC 9162 /
 * C2SP code of helpers/log.ts. Then the verifier's command line is run on the bundle, on a
 * copy with one byte flipped in each member in turn, and on copies with a member added or
 * removed: it must exit 1 and name the member.
 */
import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import canonicalize from 'canonicalize'
import { calculateJwkThumbprint, CompactSign } from 'jose'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { ADMIN_PASSWORD, as, auditEntries, bearer, login } from './helpers/app.js'
import { createItem, createSeizure, evidenceApp, rawGet, upload } from './helpers/evidence.js'
import {
  caseAttachments, demoCase, demoFixture, generatedNow, pool, readZip, ROOT, spooledCaseFiles, tool, verifyCli, writeZip, type VerifyJson
} from './helpers/documents.js'
import { leafOf, parseNote, rootFromInclusion, signedBy, type Jwk } from './helpers/log.js'
import { embeddedFiles, keywordHashes } from '../server/verify/verify-bundle.js'

// A bundle holds the demo's photos (several MB) and the verifier runs once per member.
t.setTimeout(300_000)

const demoApp = demoFixture(t)
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')

async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

/** Streams a GET to `file`; answers the status, headers and whether the response completed. */
async function download (url: string, token: string, file: string): Promise<{ status: number, headers: http.IncomingHttpHeaders, complete: boolean }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: bearer(token) }, (res) => {
      pipeline(res, fs.createWriteStream(file))
        .then(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, complete: res.complete }))
        .catch(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, complete: false }))
    }).on('error', reject)
  })
}

/**
 * A name that extracts to the same path on Windows, macOS and Linux: printable ASCII, no
 * character Windows reserves, no absolute path, no empty, "." or ".." component, no component
 * ending in a dot or space, no reserved device name (even with an extension), at most 255 bytes
 * a component.
 */
function unsafeName (name: string): string | null {
  if (!/^[\x21-\x7e]+$/.test(name.replace(/ /g, '_'))) return 'not printable ASCII'
  if (/[\\:*?"<>|]/.test(name)) return 'a character Windows reserves'
  if (name.startsWith('/')) return 'an absolute path'
  for (const part of name.split('/')) {
    if (part === '' || part === '.' || part === '..') return `the component "${part}"`
    if (/[. ]$/.test(part)) return `the component "${part}" ends in a dot or space`
    if (/^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i.test(part)) return `the reserved device name "${part}"`
    if (Buffer.byteLength(part) > 255) return 'a component longer than 255 bytes'
  }
  return null
}

interface Manifest { format: string, software: { name: string, version: string }, case: { id: string, reference: string }, generatedAt: string, checkpoint: { origin: string, size: number, rootHash: string }, keyId: string, files: Array<{ path: string, size: number, sha256: string }> }

t.test('the bundle of the demo case, downloaded by al.prosecutor over a socket', async (t) => {
  const { app, dir } = await demoApp(t)
  const { prosecutor, kase } = await demoCase(app)
  const GENERATED = generatedNow()
  const base = await listen(app)
  const file = path.join(dir, 'bundle.zip')
  const got = await download(`${base}/api/cases/${kase.id}/bundle.zip?generatedAt=${GENERATED}`, prosecutor.token, file)
  const members = await readZip(file)
  const names = [...members.keys()]
  const jwks = JSON.parse((await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).body) as { keys: Jwk[] }
  const kid = jwks.keys[0]?.kid ?? ''
  const files = await caseAttachments(app, prosecutor.token, kase)
  const text = (name: string): string => members.get(name)?.toString('utf8') ?? ''
  const lines = text('audit/entries.jsonl').split('\n').filter((l) => l !== '')

  t.test('answers 200 application/zip, named after the case, streamed to its end', async (t) => {
    t.equal(got.status, 200, 'answers 200')
    t.match(got.headers['content-type'], /^application\/zip\b/, 'as application/zip')
    t.match(got.headers['content-disposition'], new RegExp(`^attachment; filename="${kase.reference}[^"/\\\\]*\\.zip"$`), 'as an attachment named after the case reference')
    t.ok(got.complete, 'the response completed')
    t.ok(fs.statSync(file).size > 1_000_000, `the ZIP holds the photos (${fs.statSync(file).size} bytes)`)
    const unzip = await tool('python3', ['-c', 'import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print(z.testzip() or "OK")', file])
    t.equal(unzip.stdout.trim(), 'OK', `python3 zipfile reads every member with a good CRC-32 ${unzip.stderr.trim()}`)
  })

  t.test('holds every file VERIFIABILITY.md lists', async (t) => {
    for (const name of ['case-file.pdf', 'audit/entries.jsonl', 'audit/checkpoint', 'manifest.json', 'manifest.jws', 'keys/jwks.json', 'VERIFY.txt']) {
      t.ok(members.has(name), `${name} is in the bundle`)
    }
    t.equal(members.get('case-file.pdf')?.subarray(0, 5).toString('latin1'), '%PDF-', 'case-file.pdf is a PDF')

    const evidence = names.filter((n) => n.startsWith('evidence/'))
    t.equal(evidence.length, files.length, `one evidence file for each of the case's ${files.length} attachments`)
    for (const f of files) {
      const escaped = f.filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      const match = evidence.filter((n) => new RegExp(`^evidence/${f.folder}/\\d+-${escaped}$`).test(n))
      t.equal(match.length, 1, `${f.filename} is at evidence/${f.folder}/<n>-${f.filename} (${match.join(', ')})`)
    }
    for (const item of kase.items) t.ok(evidence.some((n) => n.startsWith(`evidence/${item.label}/`)), `exhibit ${item.label} has its folder`)
    const numbers = evidence.map((n) => /^(evidence\/[^/]+)\/(\d+)-/.exec(n)).filter((m) => m !== null).map((m) => `${m[1]}#${m[2]}`)
    t.equal(new Set(numbers).size, evidence.length, 'the numbers are unique within each folder')

    const records = names.filter((n) => n.startsWith('records/'))
    t.ok(records.every((n) => /^records\/[^/]+\.json$/.test(n)), 'every record is records/<name>.json')
    const values = records.map((n) => ({ name: n, raw: text(n), value: JSON.parse(text(n)) as unknown }))
    for (const r of values) t.equal(r.raw, canonicalize(r.value), `${r.name} is RFC 8785 canonical JSON`)
    const ids = new Set<string>()
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect)
      else if (v !== null && typeof v === 'object') { const id = (v as { id?: unknown }).id; if (typeof id === 'string') ids.add(id) }
    }
    values.forEach((r) => collect(r.value))
    t.ok(ids.has(kase.id), 'the records hold the case')
    for (const s of kase.seizures) t.ok(ids.has(s.id), `the records hold seizure ${s.reference}`)
    for (const item of kase.items) t.ok(ids.has(item.id), `the records hold exhibit ${item.label}`)
    for (const item of kase.items) {
      const chain = (await app.inject({ method: 'GET', url: `/api/items/${item.id}/custody`, headers: bearer(prosecutor.token) })).json<{ items: Array<{ id: string, seq: number }> }>().items
      t.ok(chain.length > 0 && chain.every((e) => ids.has(e.id)), `the records hold all ${chain.length} custody events of ${item.label}`)
    }
    for (const f of files) t.ok(ids.has(f.id), `the records hold attachment ${f.filename}`)

    const indexes = lines.map((l) => (JSON.parse(l) as { index: number }).index)
    t.ok(indexes.length > 0, `audit/entries.jsonl has entries (${indexes.length})`)
    t.same(indexes, [...indexes].sort((a, b) => a - b), 'in index order')
    t.equal(new Set(indexes).size, indexes.length, 'each once')
    const proofs = names.filter((n) => n.startsWith('audit/proofs/')).sort()
    t.same(proofs, indexes.map((i) => `audit/proofs/${i}.tlog-proof`).sort(), 'one audit/proofs/<index>.tlog-proof for each entry, and no other')
    const entities = new Set(lines.map((l) => (JSON.parse(l) as { entityId: string }).entityId))
    for (const id of [kase.id, ...kase.seizures.map((s) => s.id), ...kase.items.map((i) => i.id), ...files.map((f) => f.id)]) {
      t.ok(entities.has(id), `an audit entry records ${id}`)
    }

    const manifest = JSON.parse(text('manifest.json')) as Manifest
    t.equal(text('manifest.json'), canonicalize(manifest), 'manifest.json is RFC 8785 canonical JSON')
    t.same(manifest.files.map((f) => f.path).sort(), names.filter((n) => n !== 'manifest.json' && n !== 'manifest.jws').sort(), 'manifest.json lists every other file, and nothing else')
    for (const f of manifest.files) {
      const bytes = members.get(f.path) ?? Buffer.alloc(0)
      t.ok(f.size === bytes.length && f.sha256 === sha256(bytes), `the manifest gives ${f.path} its size and SHA-256`)
    }
    t.match(manifest, { case: { id: kase.id, reference: kase.reference }, generatedAt: GENERATED, software: { name: 'strongroom', version: String } }, 'the manifest names the case, the generation time and the software version')

    const verifyTxt = text('VERIFY.txt')
    for (const word of ['sha256sum', 'openssl', 'strongroom-verify', kid]) t.ok(verifyTxt.includes(word), `VERIFY.txt explains the check with ${word}`)
  })

  t.test('names every member safely for Windows, macOS and Linux', async (t) => {
    for (const name of names) t.equal(unsafeName(name), null, `${name} is safe`)
    const folded = names.map((n) => n.toLowerCase())
    t.equal(new Set(folded).size, names.length, 'no two names differ only in case (Windows and macOS fold case)')
  })

  t.test('holds every evidence file byte for byte, with the SHA-256 recorded for its attachment', async (t) => {
    for (const f of files) {
      const name = names.find((n) => n.startsWith(`evidence/${f.folder}/`) && n.endsWith(`-${f.filename}`)) ?? ''
      const bytes = members.get(name) ?? Buffer.alloc(0)
      t.equal(sha256(bytes), f.sha256, `${name} hashes to the recorded SHA-256 ${f.sha256}`)
      t.equal(bytes.length, f.size, `${name} has the recorded size`)
    }
  })

  t.test('gives each audit entry the leaf hash SHA-256(0x00 || line) the log holds, and an inclusion proof to the signed checkpoint', async (t) => {
    const admin = await login(app, 'admin', ADMIN_PASSWORD)
    const log = new Map((await auditEntries(app, admin)).map((e) => [e.index, e]))
    const checkpoint = text('audit/checkpoint')
    const note = parseNote(checkpoint)
    const jwk = jwks.keys.find((k) => k.kid === kid) as Jwk
    t.ok(signedBy(note, jwk), 'audit/checkpoint is a signed note by the published key')
    const manifest = JSON.parse(text('manifest.json')) as Manifest
    t.same({ size: note.size, rootHash: note.root.toString('base64') }, { size: manifest.checkpoint.size, rootHash: manifest.checkpoint.rootHash }, 'the manifest names that checkpoint')
    let proven = 0
    for (const line of lines) {
      const entry = JSON.parse(line) as { index: number }
      const leaf = createHash('sha256').update(Buffer.from([0])).update(line, 'utf8').digest()
      t.equal(leaf.toString('hex'), log.get(entry.index)?.leafHash, `entry ${entry.index}: SHA-256(0x00 || line) is the leaf hash the log holds`)
      t.equal(line, log.get(entry.index)?.canonical, `entry ${entry.index}: the line is the entry's canonical bytes`)
      const proof = text(`audit/proofs/${entry.index}.tlog-proof`)
      const cut = proof.indexOf('\n\n')
      const head = proof.slice(0, cut).split('\n')
      t.equal(head[0], 'c2sp.org/tlog-proof@v1', `entry ${entry.index}: the proof is a C2SP tlog-proof@v1`)
      t.equal(head[1], `index ${entry.index}`, `entry ${entry.index}: the proof is for its index`)
      t.equal(proof.slice(cut + 2), checkpoint, `entry ${entry.index}: the proof ends with audit/checkpoint verbatim`)
      const root = rootFromInclusion(entry.index, note.size, leafOf(line), head.slice(2).map((h) => Buffer.from(h, 'base64')))
      if (root !== null && root.equals(note.root)) proven++
      else t.fail(`entry ${entry.index}: the inclusion proof leads to the checkpoint's root`)
    }
    t.equal(proven, lines.length, `all ${lines.length} inclusion proofs lead to the checkpoint's root (RFC 9162 §2.1.3)`)
  })

  t.test('signs manifest.json with a detached EdDSA JWS by the published key', async (t) => {
    const jws = text('manifest.jws').trim()
    const [header, payload, signature] = jws.split('.')
    t.equal(payload, '', 'the payload is detached (header..signature)')
    const protectedHeader = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as { alg: string, kid: string }
    t.match(protectedHeader, { alg: 'EdDSA', kid }, 'the header says EdDSA and the published key id')
    const input = Buffer.from(`${header ?? ''}.${(members.get('manifest.json') ?? Buffer.alloc(0)).toString('base64url')}`, 'ascii')
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwks.keys[0]?.x ?? '' }, format: 'jwk' })
    t.ok(verify(null, input, key, Buffer.from(signature ?? '', 'base64url')), 'the signature verifies over <header>.<base64url(manifest.json)> (RFC 7515 appendix F)')
    const bundled = JSON.parse(text('keys/jwks.json')) as { keys: Jwk[] }
    t.ok(bundled.keys.some((k) => k.kid === kid && k.x === jwks.keys[0]?.x), 'keys/jwks.json holds the published key with its thumbprint')
  })

  t.test('passes the verifier command line: exit 0 and VERIFIED; with --key the right thumbprint 0, a wrong one 1; --json parses', async (t) => {
    const plain = await verifyCli(file)
    t.equal(plain.code, 0, `exits 0 (${plain.stdout.slice(-300)})`)
    t.match(plain.stdout, /\bVERIFIED\b/, 'prints VERIFIED')
    t.notMatch(plain.stdout, /NOT VERIFIED|FAIL/, 'and no failure')
    const right = await verifyCli(file, ['--key', kid])
    t.equal(right.code, 0, `with --key ${kid} (the kid of /.well-known/jwks.json) exits 0`)
    const wrongKid = `${kid.slice(0, -1)}${kid.endsWith('A') ? 'B' : 'A'}`
    const wrong = await verifyCli(file, ['--key', wrongKid])
    t.equal(wrong.code, 1, 'with --key a wrong thumbprint exits 1')
    t.match(wrong.stdout, /NOT VERIFIED/, 'and says NOT VERIFIED')
    const json = await verifyCli(file, ['--json', '--key', kid])
    t.equal(json.code, 0, '--json exits 0')
    let report: VerifyJson | undefined
    try { report = JSON.parse(json.stdout) as VerifyJson } catch { t.fail(`--json prints JSON (${json.stdout.slice(0, 200)})`) }
    t.match(report, { ok: true, keyThumbprint: kid }, '--json reports ok with the signing key')
    t.ok((report?.findings ?? []).length > 0 && (report?.findings ?? []).every((f) => f.ok), 'every finding holds')
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> }
    const bin = pkg.bin?.['strongroom-verify']
    t.ok(bin !== undefined, 'package.json declares the strongroom-verify bin')
    const viaBin = await tool(process.execPath, [path.join(ROOT, bin ?? 'missing'), file, '--key', kid], { cwd: dir })
    t.equal(viaBin.code, 0, `the strongroom-verify bin, run from another directory, exits 0 ${viaBin.stderr.trim()}`)
    t.match(viaBin.stdout, /\bVERIFIED\b/, 'and prints VERIFIED')
    const wrongJson = await verifyCli(file, ['--json', '--key', wrongKid])
    const parsed = JSON.parse(wrongJson.stdout) as VerifyJson
    t.equal(parsed.ok, false, '--json with the wrong key reports not ok')
    t.ok(parsed.findings.some((f) => !f.ok && f.member === 'keys/jwks.json'), 'and names keys/jwks.json')
  })

  t.test('can be checked with plain tools by running the commands VERIFY.txt gives: sha256sum, openssl, the leaf hash, the proofs, the embedded manifest', async (t) => {
    const unpacked = path.join(dir, 'unpacked')
    for (const [name, bytes] of members) {
      fs.mkdirSync(path.dirname(path.join(unpacked, name)), { recursive: true })
      fs.writeFileSync(path.join(unpacked, name), bytes)
    }
    // Step N of VERIFY.txt: the lines indented as commands under "   N. ".
    const steps = new Map<string, string[]>()
    const parts = text('VERIFY.txt').split(/^ {3}([a-f])\. /m)
    for (let i = 1; i < parts.length; i += 2) steps.set(parts[i] as string, (parts[i + 1] ?? '').split('\n').filter((l) => l.startsWith('        ')).map((l) => l.slice(8)))
    const bash = async (step: string): Promise<{ code: number, stdout: string, stderr: string }> =>
      tool('bash', ['-c', `set -eo pipefail\n${(steps.get(step) ?? ['false']).join('\n')}`], { cwd: unpacked })

    const a = await bash('a')
    t.equal(a.code, 0, `step a (python3 and sha256sum -c) succeeds ${a.stderr.trim()}`)
    const manifest = JSON.parse(text('manifest.json')) as Manifest
    t.equal((a.stdout.match(/: OK$/gm) ?? []).length, manifest.files.length, `sha256sum checks all ${manifest.files.length} files OK`)

    const c = await bash('c')
    t.equal(c.code, 0, 'step c (the leaf hash of the first entry with printf and sha256sum) succeeds')
    const first = createHash('sha256').update(Buffer.from([0])).update(lines[0] ?? '', 'utf8').digest('hex')
    t.equal(c.stdout.split(/\s/)[0], first, 'and prints SHA-256(0x00 || first line)')

    const have = await tool('bash', ['-c', 'command -v openssl && command -v xxd && command -v basenc && command -v python3'])
    if (have.code !== 0) { t.pass('step b (openssl)', { skip: 'step b needs openssl, xxd, basenc and python3' }); return }
    const b = await bash('b')
    t.equal(b.code, 0, `step b (the detached JWS checked with openssl) succeeds ${b.stderr.trim()}`)
    t.match(b.stdout, /Signature Verified Successfully/, 'openssl says the signature verifies')

    const d = await bash('d')
    t.equal(d.code, 0, `step d (every inclusion proof in python3, the checkpoint's signature with openssl) succeeds ${d.stderr.trim()}`)
    t.match(d.stdout, /inclusion proofs: all OK/, `the proofs of all ${lines.length} entries lead to the checkpoint's root`)
    t.match(d.stdout, /checkpoint signature verified/, 'and openssl says the checkpoint signature verifies with a key of keys/jwks.json')
    // The same commands on a copy with one proof hash changed must fail.
    const proofName = `audit/proofs/${(JSON.parse(lines[lines.length - 1] ?? '{}') as { index: number }).index}.tlog-proof`
    const proof = fs.readFileSync(path.join(unpacked, proofName), 'utf8').split('\n')
    const hashLine = proof.findIndex((l, i) => i >= 2 && l !== '')
    fs.writeFileSync(path.join(unpacked, proofName), proof.map((l, i) => (i === hashLine ? Buffer.from(Buffer.from(l, 'base64').map((x, k) => (k === 0 ? x ^ 1 : x))).toString('base64') : l)).join('\n'))
    const forged = await bash('d')
    t.equal(forged.code, 1, 'with one bit of one proof hash flipped, step d fails')
    t.match(forged.stdout, /FAIL entry \d+[\s\S]*1 FAILED/, 'naming that one entry')

    const f = await bash('f')
    const embedded = canonicalize({ ...manifest, files: manifest.files.filter((x) => x.path !== 'case-file.pdf') }) ?? ''
    t.equal(f.code, 0, `step f (qpdf shows the embedded manifest) succeeds ${f.stderr.trim()}`)
    t.equal(f.stdout.split(/\s/)[0], sha256(embedded), 'and its SHA-256 is that of manifest.json minus the case file\'s entry')
  })

  t.test('flipping one byte of any member makes the verifier exit 1 and name that member', async (t) => {
    const cases: Array<{ member: string, at: number }> = []
    for (const [name, bytes] of members) {
      if (bytes.length === 0) continue
      cases.push({ member: name, at: Math.floor(bytes.length / 2) })
      // The signed pair is checked byte for byte at both ends too (the JWS ends in a newline).
      if (name === 'manifest.jws' || name === 'manifest.json') cases.push({ member: name, at: 0 }, { member: name, at: bytes.length - 1 })
    }
    t.ok(cases.length >= names.length, `${cases.length} tampered copies for ${names.length} members`)
    const results = await pool(cases, 3, async ({ member, at }) => {
      const copy = path.join(dir, `flip-${cases.findIndex((c) => c.member === member && c.at === at)}.zip`)
      await writeZip(copy, [...members].map(([n, b]): [string, Buffer] => {
        if (n !== member) return [n, b]
        const flipped = Buffer.from(b)
        flipped[at] = (flipped[at] ?? 0) ^ 0x01
        return [n, flipped]
      }))
      const run = await verifyCli(copy, ['--json'])
      fs.rmSync(copy)
      return { member, at, run }
    })
    for (const { member, at, run } of results) {
      let report: VerifyJson | undefined
      try { report = JSON.parse(run.stdout) as VerifyJson } catch {}
      const named = (report?.findings ?? []).filter((f) => !f.ok).map((f) => f.member)
      const signed = member === 'manifest.json' || member === 'manifest.jws'
      t.ok(run.code === 1 && (named.includes(member) || (signed && (named.includes('manifest.json') || named.includes('manifest.jws')))),
        `byte ${at} of ${member} flipped: exit ${run.code}, named ${[...new Set(named)].join(', ') || 'nothing'}`)
    }
  })

  t.test('a member added is named as not in the manifest; a member removed is named as missing', async (t) => {
    const evidenceName = names.find((n) => n.startsWith('evidence/')) ?? ''
    const variants: Array<{ what: string, members: Array<[string, Buffer]>, member: string, message: RegExp }> = [
      { what: 'an extra evidence file', members: [...members, [`${path.posix.dirname(evidenceName)}/99-planted.png`, Buffer.from('planted')]], member: `${path.posix.dirname(evidenceName)}/99-planted.png`, message: /not in the manifest/ },
      { what: 'an extra file at the top', members: [...members, ['README.txt', Buffer.from('read me')]], member: 'README.txt', message: /not in the manifest/ },
      { what: 'an extra proof', members: [...members, ['audit/proofs/999999.tlog-proof', members.get(names.find((n) => n.startsWith('audit/proofs/')) ?? '') ?? Buffer.alloc(0)]], member: 'audit/proofs/999999.tlog-proof', message: /./ },
      { what: 'an evidence file removed', members: [...members].filter(([n]) => n !== evidenceName), member: evidenceName, message: /missing/ },
      { what: 'records/case.json removed', members: [...members].filter(([n]) => n !== 'records/case.json'), member: 'records/case.json', message: /missing/ },
      { what: 'a proof removed', members: [...members].filter(([n]) => n !== `audit/proofs/${(JSON.parse(lines[0] ?? '{}') as { index: number }).index}.tlog-proof`), member: `audit/proofs/${(JSON.parse(lines[0] ?? '{}') as { index: number }).index}.tlog-proof`, message: /missing/ },
      { what: 'case-file.pdf removed', members: [...members].filter(([n]) => n !== 'case-file.pdf'), member: 'case-file.pdf', message: /missing/ }
    ]
    const results = await pool(variants, 3, async (v) => {
      const copy = path.join(dir, `variant-${variants.indexOf(v)}.zip`)
      await writeZip(copy, v.members)
      return { v, run: await verifyCli(copy, ['--json']) }
    })
    for (const { v, run } of results) {
      t.equal(run.code, 1, `${v.what}: the verifier exits 1`)
      const report = JSON.parse(run.stdout) as VerifyJson
      const finding = report.findings.find((f) => !f.ok && f.member === v.member)
      t.ok(finding !== undefined, `${v.what}: ${v.member} is named (${report.findings.filter((f) => !f.ok).map((f) => `${f.member}: ${f.message}`).join('; ')})`)
      t.match(finding?.message, v.message, `${v.what}: the finding says ${String(v.message)}`)
    }
  })

  t.test('without --key the verifier warns that the key is the bundle\'s own; a key holder who re-signs a bundle is still caught where the records contradict', async (t) => {
    const plain = await verifyCli(file)
    t.match(plain.stdout, /WARNING: no --key given/, 'without --key, a passing run warns that the key was not compared with a published one')
    t.equal(plain.code, 0, 'and still exits 0 (the key is optional)')
    t.notMatch((await verifyCli(file, ['--key', kid])).stdout, /WARNING/, 'with --key, no warning')
    const unkeyed = JSON.parse((await verifyCli(file, ['--json'])).stdout) as VerifyJson & { keyChecked: boolean, embeddedManifestSha256: string }
    t.match(unkeyed, { keyChecked: false }, '--json says keyChecked: false without --key')
    const named = keywordHashes(members.get('case-file.pdf') ?? Buffer.alloc(0))
    t.same(named, [unkeyed.embeddedManifestSha256, unkeyed.embeddedManifestSha256], 'the case file names the embedded manifest\'s SHA-256 in its XMP and its document information, which the verifier compares')
    // A forged case file full of openings that never close is read in time proportional to its size.
    t.same(keywordHashes(Buffer.from(`${'/Keywords ('.repeat(300_000)}${'<pdf:Keywords>'.repeat(100_000)}/Info 7 0 R`, 'latin1')), ['(none)'], 'a hostile file of unclosed Keywords gives no hash (and ends)')
    t.same(embeddedFiles(Buffer.from('/Type /EmbeddedFile /Length 10 '.repeat(100_000), 'latin1')), [], 'and one of unclosed embedded files gives no file')

    /** The bundle with `changed` members (null: removed), its manifest made again and signed with `key`. */
    const resigned = async (name: string, changed: Map<string, Buffer | null>, key: { privateKey: KeyObject, kid: string }, jwks?: Buffer): Promise<string> => {
      const manifest = JSON.parse(text('manifest.json')) as Manifest
      manifest.files = manifest.files.filter((f) => changed.get(f.path) !== null).map((f) => {
        const bytes = changed.get(f.path)
        return bytes === undefined || bytes === null ? f : { path: f.path, size: bytes.length, sha256: sha256(bytes) }
      })
      const manifestBytes = Buffer.from(canonicalize(manifest) ?? '', 'utf8')
      const [h, , sig] = (await new CompactSign(manifestBytes).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'strongroom-manifest+jws' }).sign(key.privateKey)).split('.')
      const out: Array<[string, Buffer]> = [...members].filter(([n]) => changed.get(n) !== null).map(([n, b]) => [n, changed.get(n) ?? b])
      const forged = out.map(([n, b]): [string, Buffer] => [n, n === 'manifest.json' ? manifestBytes : n === 'manifest.jws' ? Buffer.from(`${h ?? ''}..${sig ?? ''}\n`) : n === 'keys/jwks.json' && jwks !== undefined ? jwks : b])
      const copy = path.join(dir, `${name}.zip`)
      await writeZip(copy, forged)
      return copy
    }

    // The agency's own key, in the hands of someone who leaves a custody event out of the bundle.
    const custody = names.find((n) => n.startsWith('records/custody-') && (JSON.parse(text(n)) as unknown[]).length >= 3) ?? ''
    const events = JSON.parse(text(custody)) as Array<{ id: string, seq: number }>
    const dropped = events[1]
    const entry = lines.map((l) => JSON.parse(l) as { index: number, entityId: string }).find((e) => e.entityId === dropped?.id)
    t.ok(dropped !== undefined && entry !== undefined, `${custody} has a second event, with its audit entry`)
    const changed = new Map<string, Buffer | null>([
      [custody, Buffer.from(canonicalize(events.filter((e) => e !== dropped)) ?? '', 'utf8')],
      ['audit/entries.jsonl', Buffer.from(lines.filter((l) => (JSON.parse(l) as { index: number }).index !== entry?.index).map((l) => `${l}\n`).join(''), 'utf8')],
      [`audit/proofs/${entry?.index ?? 0}.tlog-proof`, null]
    ])
    const agency = app.services.auditLog.signer()
    const omitted = await verifyCli(await resigned('event-left-out', changed, agency), ['--json', '--key', kid])
    const report = JSON.parse(omitted.stdout) as VerifyJson
    t.equal(omitted.code, 1, 'a bundle re-signed by the agency key without one custody event fails')
    t.ok(report.findings.some((f) => !f.ok && f.member === custody && /numbered 1 to \d+ without a gap.*missing/.test(f.message)), `naming ${custody}: its events skip a number (${report.findings.filter((f) => !f.ok).map((f) => `${f.member}: ${f.message}`).join('; ')})`)

    // Someone else's key, added to keys/jwks.json, signing the manifest that names the agency's key.
    const other = generateKeyPairSync('ed25519')
    const otherJwk = other.publicKey.export({ format: 'jwk' }) as { x: string }
    const otherKid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: otherJwk.x })
    const bundledKeys = JSON.parse(text('keys/jwks.json')) as { keys: Array<Record<string, unknown>> }
    const withOther = Buffer.from(JSON.stringify({ keys: [...bundledKeys.keys, { kty: 'OKP', crv: 'Ed25519', x: otherJwk.x, kid: otherKid, alg: 'EdDSA', use: 'sig' }] }, null, 2), 'utf8')
    const stranger = await verifyCli(await resigned('other-key', new Map([['keys/jwks.json', withOther]]), { privateKey: other.privateKey, kid: otherKid }, withOther), ['--json'])
    const strangerReport = JSON.parse(stranger.stdout) as VerifyJson
    t.equal(stranger.code, 1, 'a manifest signed with another key than the one it names fails, even without --key')
    t.ok(strangerReport.findings.some((f) => !f.ok && f.member === 'manifest.json' && f.message.includes(otherKid)), `naming manifest.json and the key that signed it (${strangerReport.findings.filter((f) => !f.ok).map((f) => `${f.member}: ${f.message}`).join('; ')})`)
  })

  t.test('a byte flipped in the ZIP file itself, inside a stored member, is named too', async (t) => {
    const raw = fs.readFileSync(file)
    const pdf = members.get('case-file.pdf') ?? Buffer.alloc(0)
    const probe = pdf.subarray(Math.floor(pdf.length / 2), Math.floor(pdf.length / 2) + 64)
    const at = raw.indexOf(probe)
    t.ok(at > 0, 'case-file.pdf is stored uncompressed: its bytes are found in the ZIP')
    raw[at] = (raw[at] ?? 0) ^ 0x01
    const copy = path.join(dir, 'raw-flip.zip')
    fs.writeFileSync(copy, raw)
    const run = await verifyCli(copy, ['--json'])
    t.equal(run.code, 1, 'the verifier exits 1')
    const report = JSON.parse(run.stdout) as VerifyJson
    t.ok(report.findings.some((f) => !f.ok && f.member === 'case-file.pdf'), 'and names case-file.pdf')
  })
})

t.test('attachments with hostile or awkward file names get safe, distinct names in the bundle, and the bundle still verifies', async (t) => {
  const fixture = await evidenceApp(t)
  const { app } = fixture
  const officer = await fixture.user('al.officer')
  const investigator = await fixture.user('al.investigator')
  const seizure = await createSeizure(app, officer.token)
  const item = await createItem(app, officer.token, seizure.id)
  const hostile = [
    'CON.txt', 'aux', 'LPT1.log', 'nul.tar.gz', '..\\..\\evil.txt', '../../etc/passwd', 'a:b*c?d"e<f>g|h.txt', 'trailing dot.', 'trailing space ',
    '.hidden', '...', `${'a'.repeat(99)}.${'b'.repeat(60)}.txt`, 'Përmbledhje e çështjes.txt', '文件.txt', '📷 photo.txt', 'Photo.txt', 'photo.txt', `${'x'.repeat(250)}.txt`
  ]
  for (const [i, name] of hostile.entries()) {
    // RFC 7578 §4.2 / RFC 5987: the name as UTF-8, percent-encoded, as a client sends a non-ASCII name.
    const disposition = `Content-Disposition: form-data; name="file"; filename*=UTF-8''${encodeURIComponent(name)}`
    const res = await upload(app, officer.token, `/api/items/${item.id}/attachments`, [{ name: 'file', filename: name, data: `file ${i}\n`, contentType: 'text/plain', disposition }])
    t.equal(res.statusCode, 201, `${JSON.stringify(name)} is accepted`)
  }
  const created = await as(app, investigator.token)('POST', '/api/cases', { title: 'File names', seizureIds: [seizure.id] })
  t.equal(created.statusCode, 201, 'the case is opened')
  const res = await as(app, investigator.token)('GET', `/api/cases/${created.json<{ id: string }>().id}/bundle.zip`)
  t.equal(res.statusCode, 200, 'the bundle answers 200')
  const members = await readZip(res.rawPayload)
  const names = [...members.keys()]
  for (const name of names) t.equal(unsafeName(name), null, `${name} is safe`)
  t.equal(new Set(names.map((n) => n.toLowerCase())).size, names.length, 'no two names differ only in case')
  const evidence = names.filter((n) => n.startsWith('evidence/'))
  t.equal(evidence.length, hostile.length, 'every file is in the bundle')
  t.ok(evidence.some((n) => n.endsWith('-Permbledhje_e_ceshtjes.txt')), 'Albanian letters lose only their marks (Përmbledhje e çështjes.txt → Permbledhje_e_ceshtjes.txt)')
  const contents = new Set(evidence.map((n) => members.get(n)?.toString('utf8')))
  t.equal(contents.size, hostile.length, 'each under its own name')
  const file = path.join(fixture.dir, 'out-names.zip')
  fs.writeFileSync(file, res.rawPayload)
  const run = await verifyCli(file)
  t.equal(run.code, 0, `the verifier accepts the bundle (${run.stdout.split('\n').filter((l) => l.startsWith('FAIL')).join('; ')})`)
})

for (const harm of ['changed', 'deleted'] as const) {
  t.test(`a stored attachment file ${harm} on disk breaks the bundle download off instead of passing it on, and the server lives on`, async (t) => {
    const { app } = await demoApp(t)
    const { prosecutor, kase } = await demoCase(app)
    const GENERATED = generatedNow()
    const files = await caseAttachments(app, prosecutor.token, kase)
    const report = files.find((f) => f.mediaType.startsWith('text/'))
    t.ok(report !== undefined, 'the demo case has a text attachment (the laboratory report)')
    const stored = app.services.objects.pathOf(report?.sha256 ?? '')
    if (harm === 'changed') {
      const bytes = fs.readFileSync(stored)
      bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0x01
      fs.chmodSync(stored, 0o600)
      fs.writeFileSync(stored, bytes)
    } else {
      fs.rmSync(stored)
    }

    const base = await listen(app)
    const got = await rawGet(base, `/api/cases/${kase.id}/bundle.zip?generatedAt=${GENERATED}`, prosecutor.token)
    t.ok(got.status !== 200 || got.broken, `the client sees the response broken off (status ${got.status}, broken ${String(got.broken)}, ${got.body.length} bytes)`)
    let readable = true
    try { await readZip(got.body) } catch { readable = false }
    t.notOk(readable, 'what arrived is not a readable ZIP')

    const again = await rawGet(base, '/healthz', prosecutor.token)
    t.equal(again.status, 200, 'the server still answers /healthz afterwards')
  })
}

t.test('a stored photo changed on disk: the case file answers 409 before a byte is sent, the bundle is broken off', async (t) => {
  const { app } = await demoApp(t)
  const { prosecutor, kase } = await demoCase(app)
  const GENERATED = generatedNow()
  const files = await caseAttachments(app, prosecutor.token, kase)
  const photo = files.find((f) => f.mediaType === 'image/png')
  t.ok(photo !== undefined, 'the demo case has a photo')
  const stored = app.services.objects.pathOf(photo?.sha256 ?? '')
  const bytes = fs.readFileSync(stored)
  bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x01
  fs.chmodSync(stored, 0o600)
  fs.writeFileSync(stored, bytes)
  const base = await listen(app)
  const pdf = await rawGet(base, `/api/cases/${kase.id}/case-file.pdf?generatedAt=${GENERATED}`, prosecutor.token)
  t.equal(pdf.status, 409, 'the case file answers 409')
  t.match(pdf.headers['content-type'], /^application\/problem\+json\b/, 'as problem+json')
  t.match(JSON.parse(pdf.body.toString('utf8')), { status: 409, detail: new RegExp(`attachment ${photo?.id ?? ''} .*no longer matches its SHA-256`) }, 'naming the attachment whose file no longer matches its hash')
  // The bundle streams the evidence while the case file is made, so it has begun when the photo is found changed.
  const zip = await rawGet(base, `/api/cases/${kase.id}/bundle.zip?generatedAt=${GENERATED}`, prosecutor.token)
  t.ok(zip.status !== 200 || zip.broken, `the bundle download is broken off (status ${zip.status}, broken ${String(zip.broken)})`)
  let readable = true
  try { await readZip(zip.body) } catch { readable = false }
  t.notOk(readable, 'what arrived is not a readable ZIP')
  t.same(await spooledCaseFiles(app.config.dataDir, 10_000), [], 'no case file is left in tmp/ by either')
})
