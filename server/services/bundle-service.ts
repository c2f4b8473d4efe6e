import { createHash } from 'node:crypto'
import { Readable, Transform } from 'node:stream'
import { asc, eq, inArray } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import { CompactSign } from 'jose'
import type { Db } from '../db/client.js'
import { attachments, caseActions, caseStatusChanges, custodyEvents, items as itemsTable, users } from '../db/schema/index.js'
import type { CaseFileModel, Exhibit } from '../documents/case-file.js'
import { DamagedPrintCopies, type CaseFileRenderer } from '../documents/case-file-renderer.js'
import type { PhotoJob } from '../documents/case-file-worker.js'
import { loadTemplate, type Language } from '../documents/template.js'
import { Problem } from '../errors.js'
import { canonicalJson } from '../lib/canonical-json.js'
import { ChunkPool } from '../lib/chunk-pool.js'
import { collectGarbage } from '../lib/gc.js'
import { sha256Hex } from '../lib/hash.js'
import { discardSpool, readSpool, spoolPath, type Spooled } from '../lib/spool.js'
import { newId } from '../lib/ids.js'
import { yazl } from '../lib/zip.js'
import { inclusionProofs } from '../lib/merkle.js'
import type { ObjectStore } from '../lib/object-store.js'
import { formatTlogProof } from '../lib/tlog-proof.js'
import type { AuthUser } from './access.js'
import { auditEntriesOf } from './audit-service.js'
import { attachmentRecord } from './attachment-service.js'
import { isPrintable, originalChanged, type PrintCopies } from './print-copies.js'
import type { AttachmentRecord, CaseActionRecord, CaseRecord, CustodyEventRecord, ItemRecord } from './audit-events.js'
import type { CaseService } from './case-service.js'
import { custodyEventRecord, itemRecord, type ItemService } from './item-service.js'
import type { SeizureRecord } from './seizure-records.js'
import type { SeizureService } from './seizure-service.js'
import { sqliteNodeStore, type WritePath } from './write-path.js'

export const BUNDLE_FORMAT = 'strongroom-bundle/1'
export const SOFTWARE = { name: 'strongroom', version: '0.1.0' }

/** What the bundle needs from the verifiable log (log-service.ts provides it). */
export interface BundleLog {
  /** The earliest stored checkpoint whose tree holds `size` entries, signed now if there is none yet. */
  checkpointCovering: (size: number) => { size: number, rootHash: Buffer, note: string, keyId: string }
  /** Every public key that signs, as a JWKS; and the active signer for the manifest JWS. */
  jwks: () => { keys: Array<Record<string, unknown>> }
  signer: () => { name: string, privateKey: import('node:crypto').KeyObject, kid: string }
}

export interface ManifestFile { path: string, size: number, sha256: string }

export interface Manifest {
  format: string
  software: { name: string, version: string }
  case: { id: string, reference: string, agency: string }
  generatedAt: string
  language: Language
  checkpoint: { origin: string, size: number, rootHash: string }
  keyId: string
  files: ManifestFile[]
}

/** Where a download reports its progress: the request's logger (pino), or nowhere. */
export type ProgressLog = Pick<FastifyBaseLogger, 'info' | 'warn'>
const silent: ProgressLog = { info: () => {}, warn: () => {} }

/** A file of the bundle made in memory (records, audit entries, proofs, keys). */
interface Member { path: string, bytes: Buffer }

/** `work` on every item, at most `limit` at a time, answers in order. */
async function mapLimit<T, R> (items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i

/** A file name safe on Windows, macOS and Linux: ASCII letters, digits, dot, dash, underscore. */
export function safeName (name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '_')
  // Cut to length before trimming the ends: a cut may end on a dot, which Windows drops from a name.
  let safe = ascii.replace(/_+/g, '_').slice(0, 100).replace(/^[._]+|[._ ]+$/g, '')
  if (safe === '' || WINDOWS_RESERVED.test(safe)) safe = `file_${safe}`
  return safe
}

const json = (value: unknown): Buffer => Buffer.from(canonicalJson(value), 'utf8')

/** The bundle manifest minus the case file's own entry: what the PDF embeds and its QR code names. */
export function evidenceManifest (manifest: Manifest): Manifest {
  return { ...manifest, files: manifest.files.filter((f) => f.path !== 'case-file.pdf') }
}

function verifyText (m: Manifest, thumbprint: string): string {
  return `Strongroom case bundle ${m.case.reference}, generated ${m.generatedAt}
==========================================================================

Everything in this bundle can be checked offline. Trust only the public key, and
compare its thumbprint with the one the agency publishes (also printed in the
case file): ${thumbprint}

1. With the project's verifier, from a copy of the Strongroom source code
   (Node.js 20 or later; run "npm ci" in it first):

     npx strongroom-verify bundle.zip --key ${thumbprint}

   It checks everything below and names any file, entry or proof that fails.
   The verifier is not published on the npm registry: run npx only inside
   that copy, where it runs the project's own command (elsewhere npx would
   fetch whatever package of that name the registry holds).

2. With plain tools (unzip, sha256sum, base64 and basenc of GNU coreutils,
   xxd, openssl 3, python3; qpdf for f), in the directory the bundle is unpacked into.
   The commands are indented by eight spaces here: run them without that
   indentation.

   a. Every file's size and SHA-256 against manifest.json:
        python3 -c 'import json;[print(f["sha256"]+"  "+f["path"]) for f in json.load(open("manifest.json"))["files"]]' > SHA256SUMS
        sha256sum -c SHA256SUMS
      and no file other than manifest.json and manifest.jws is absent from the list.

   b. The signature over manifest.json: manifest.jws is a JWS with a detached
      payload (RFC 7515 appendix F), algorithm EdDSA (Ed25519), key keys/jwks.json.
      The signed input is <header>.<base64url(manifest.json)>:
        H=$(cut -d. -f1 manifest.jws); S=$(cut -d. -f3 manifest.jws)
        printf '%s.%s' "$H" "$(basenc --base64url -w0 manifest.json | tr -d =)" > signed-input
        printf '%s' "$S" | tr '_-' '/+' | sed 's/$/==/' | base64 -d > signature 2>/dev/null
        # public key: the "x" of keys/jwks.json (base64url) is the raw Ed25519 key;
        # wrap it in the SPKI prefix 302a300506032b6570032100 to get a DER key:
        X=$(python3 -c 'import json,base64;kid=json.load(open("manifest.json"))["keyId"];k=[k for k in json.load(open("keys/jwks.json"))["keys"] if k["kid"]==kid][0]["x"];print(base64.urlsafe_b64decode(k+"==").hex())')
        echo "302a300506032b6570032100$X" | xxd -r -p > key.der
        openssl pkeyutl -verify -pubin -inkey key.der -keyform DER -rawin -in signed-input -sigfile signature

   c. Each line of audit/entries.jsonl is one audit entry: its RFC 6962 leaf hash
      is SHA-256(0x00 || the line's UTF-8 bytes, without the newline):
        head -n1 audit/entries.jsonl | tr -d '\\n' | (printf '\\000'; cat) | sha256sum

   d. Each audit/proofs/<index>.tlog-proof (C2SP tlog-proof@v1) holds the
      inclusion proof of entry <index> and the signed checkpoint; recompute the
      root as RFC 9162 section 2.1.3.2 says and compare it with the checkpoint's
      third line (tree size on the second):
        cat > proofs.py <<'EOF'
        import base64, hashlib, json
        H = lambda b: hashlib.sha256(b).digest()
        note = open('audit/checkpoint', encoding='utf-8').read()
        lines = note.split('\\n')
        size, root = int(lines[1]), base64.b64decode(lines[2])
        bad = 0
        for line in open('audit/entries.jsonl', encoding='utf-8', newline='').read().split('\\n')[:-1]:
            i = json.loads(line)['index']
            head, _, rest = open(f'audit/proofs/{i}.tlog-proof', encoding='utf-8').read().partition('\\n\\n')
            p = head.split('\\n')
            fn, sn, r = i, size - 1, H(b'\\x00' + line.encode('utf-8'))
            ok = p[0] == 'c2sp.org/tlog-proof@v1' and p[1] == f'index {i}' and rest == note
            for h in map(base64.b64decode, p[2:]):
                if sn == 0:
                    ok = False
                    break
                if fn % 2 == 1 or fn == sn:
                    r = H(b'\\x01' + h + r)
                    while fn % 2 == 0 and fn != 0:
                        fn, sn = fn >> 1, sn >> 1
                else:
                    r = H(b'\\x01' + r + h)
                fn, sn = fn >> 1, sn >> 1
            if not (ok and sn == 0 and r == root):
                bad += 1
                print('FAIL entry', i)
        print('inclusion proofs:', 'all OK' if bad == 0 else f'{bad} FAILED')
        raise SystemExit(1 if bad else 0)
        EOF
        python3 proofs.py
      The checkpoint is a C2SP signed note: each signature line after the blank
      line is "— <origin> base64(key id (4 bytes) || Ed25519 signature)" over the
      note's text up to and including the last newline before the blank line.
      After a key rotation it may be signed by an earlier key of keys/jwks.json,
      so every key is tried on every signature:
        sed '/^$/,$d' audit/checkpoint > note-text
        sed '1,/^$/d' audit/checkpoint | cut -d' ' -f3 > note-signatures
        python3 -c 'import json,base64;[print(base64.urlsafe_b64decode(k["x"]+"==").hex()) for k in json.load(open("keys/jwks.json"))["keys"]]' > note-keys
        while read -r X; do
          echo "302a300506032b6570032100$X" | xxd -r -p > note-key.der
          while read -r S; do
            printf '%s' "$S" | base64 -d | tail -c 64 > note-signature
            openssl pkeyutl -verify -pubin -inkey note-key.der -keyform DER -rawin -in note-text -sigfile note-signature >/dev/null 2>&1 && echo "checkpoint signature verified" || true
          done < note-signatures
        done < note-keys

   e. records/*.json are RFC 8785 canonical JSON; each must equal the "data" (or
      "data.case" / "data.seizure") of the latest audit entry of that record.

   f. case-file.pdf embeds manifest.json minus its own entry (a file cannot
      contain its own hash): the QR code on its cover, the hash printed under
      it and the PDF's Keywords give the SHA-256 of that embedded manifest, not
      of this bundle's manifest.json. To see it (qpdf):
        qpdf --show-attachment=manifest.json case-file.pdf | sha256sum
`
}

/** A time to the second, as files carry it. */
const toSecond = (ms: number): number => Math.floor(ms / 1000) * 1000

/**
 * Four buffers of 1 MiB to read a download's files into in turn, each given
 * back when the socket has written it (lib/chunk-pool.ts, lib/send.ts).
 */
const downloadPool = (): ChunkPool => new ChunkPool(4, 1024 * 1024)

export function createBundleService (deps: {
  now: () => Date
  db: Db
  objects: ObjectStore
  prints: PrintCopies
  renderer: CaseFileRenderer
  cases: CaseService
  seizures: SeizureService
  items: ItemService
  writes: WritePath
  log: BundleLog
}) {
  const { now, db, objects, prints, renderer, cases, seizures, items, writes, log } = deps
  const nodes = sqliteNodeStore(db)

  /** Everything the case file and bundle show, read in one go. */
  function gather (user: AuthUser, caseId: string) {
    const caseRow = cases.visible(user, caseId)
    const record: CaseRecord = cases.record(db, caseId)
    const names = new Map(db.select({ id: users.id, name: users.displayName }).from(users).all().map((u) => [u.id, u.name]))
    const nameOf = (id: string | null): string | null => (id === null ? null : names.get(id) ?? id)
    const seizureList = record.seizureIds.map((id) => seizures.load(db, id)).filter((s): s is SeizureRecord => s !== undefined)
      .sort((a, b) => a.reference.localeCompare(b.reference))
    const itemRows = record.seizureIds.length === 0 ? [] : db.select().from(itemsTable).where(inArray(itemsTable.seizureId, record.seizureIds)).orderBy(asc(itemsTable.label)).all()
    const eventRows = itemRows.length === 0 ? [] : db.select().from(custodyEvents).where(inArray(custodyEvents.itemId, itemRows.map((i) => i.id))).orderBy(asc(custodyEvents.itemId), asc(custodyEvents.seq)).all()
    const actions = db.select().from(caseActions).where(eq(caseActions.caseId, caseId)).orderBy(asc(caseActions.occurredAt), asc(caseActions.id)).all()
    const owners = [caseId, ...record.seizureIds, ...itemRows.map((i) => i.id), ...eventRows.map((e) => e.id), ...actions.map((a) => a.id)]
    const files = db.select().from(attachments).where(inArray(attachments.ownerId, owners)).orderBy(asc(attachments.uploadedAt), asc(attachments.id)).all().map(attachmentRecord)
    return { caseRow, record, nameOf, seizureList, itemRows, eventRows, actions, files }
  }

  /**
   * Phase one, quick: the case as the case file shows it (the model), the
   * evidence files and their places in the bundle, the audit entries and the
   * checkpoint that covers them. `checkOriginals`: whether each photo's
   * original is re-hashed while the case file is made, which is then refused
   * if one is gone or changed (the bundle re-hashes every original anyway as
   * it streams them).
   */
  function read (user: AuthUser, caseId: string, lang: Language, requested: string | undefined, checkOriginals: boolean) {
    const g = gather(user, caseId)
    const { record, nameOf } = g
    const eventsByItem = new Map<string, CustodyEventRecord[]>()
    for (const e of g.eventRows) eventsByItem.set(e.itemId, [...(eventsByItem.get(e.itemId) ?? []), custodyEventRecord(e)])
    const itemOfEvent = new Map(g.eventRows.map((e) => [e.id, e.itemId]))
    const labelOfItem = new Map(g.itemRows.map((i) => [i.id, i.label]))
    const refOfSeizure = new Map(g.seizureList.map((s) => [s.id, s.reference]))

    // Evidence files: evidence/<item label | seizure reference | case reference>/<n>-<safe name>.
    const folderOf = (a: AttachmentRecord): string => {
      if (a.ownerType === 'item') return labelOfItem.get(a.ownerId) ?? a.ownerId
      if (a.ownerType === 'custody_event') return labelOfItem.get(itemOfEvent.get(a.ownerId) ?? '') ?? a.ownerId
      if (a.ownerType === 'seizure') return refOfSeizure.get(a.ownerId) ?? a.ownerId
      return record.reference
    }
    const counters = new Map<string, number>()
    const evidence: Array<{ path: string, attachment: AttachmentRecord, folder: string }> = g.files.map((a) => {
      const folder = folderOf(a)
      const n = (counters.get(folder) ?? 0) + 1
      counters.set(folder, n)
      return { path: `evidence/${safeName(folder)}/${n}-${safeName(a.filename)}`, attachment: a, folder }
    })

    // Audit entries of every record in the bundle, and one checkpoint that covers them all.
    const entityIds = [caseId, ...record.seizureIds, ...g.itemRows.map((i) => i.id), ...g.eventRows.map((e) => e.id), ...g.actions.map((a) => a.id), ...g.files.map((f) => f.id)]
    const entries = auditEntriesOf(db, entityIds)
    const last = entries[entries.length - 1]
    if (last === undefined) throw new Problem(409, 'conflict', 'The case has no audit entries')
    const generatedAt = generationTime(requested, last.time)
    const checkpoint = log.checkpointCovering(last.index + 1)
    const origin = checkpoint.note.split('\n')[0] ?? ''
    const signer = log.signer()

    const template = loadTemplate()
    const exhibits: Exhibit[] = g.itemRows.map((row) => {
      const view = items.view(row)
      const events = eventsByItem.get(row.id) ?? []
      return {
        label: row.label,
        description: row.description,
        category: row.category,
        status: view.status,
        sealNumber: view.sealNumber,
        sealBroken: view.sealBroken,
        custodianName: nameOf(view.custodianId) ?? view.custodianId,
        location: view.location,
        seizureReference: view.seizureReference,
        events: events.map((e) => ({ ...e, actorName: nameOf(e.actorId) ?? e.actorId, fromName: nameOf(e.fromUserId), toName: nameOf(e.toUserId), witnessName: nameOf(e.witnessUserId) })),
        files: evidence.filter((f) => f.folder === row.label).map((f) => f.attachment)
      }
    })
    const photos = evidence.flatMap(({ folder, attachment: a }) => {
      const { mediaType } = a
      return isPrintable(mediaType) ? [{ label: folder, attachment: a, source: { id: a.id, sha256: a.sha256, mediaType } }] : []
    })
    const model: Omit<CaseFileModel, 'photos' | 'manifest'> = {
      generatedAt,
      agency: { code: user.agency.code, name: template.agencyNames?.[user.agency.code]?.[lang] ?? user.agency.name, country: user.agency.country },
      case: record,
      members: record.members.map((m) => ({ name: nameOf(m.userId) ?? m.userId, role: m.role })),
      statusHistory: db.select().from(caseStatusChanges).where(eq(caseStatusChanges.caseId, caseId)).orderBy(asc(caseStatusChanges.changedAt)).all()
        .map((s) => ({ from: s.fromStatus, to: s.toStatus, outcome: s.outcome, reason: s.reason, at: s.changedAt, by: nameOf(s.changedBy) ?? s.changedBy })),
      actions: g.actions.map((a) => ({ id: a.id, caseId: a.caseId, occurredAt: a.occurredAt, recordedAt: a.recordedAt, authorId: a.authorId, title: a.title, text: a.text, authorName: nameOf(a.authorId) ?? a.authorId })),
      seizures: g.seizureList.map((s) => ({ ...s, recordedByName: nameOf(s.recordedBy) ?? s.recordedBy, corrections: s.version - 1 })),
      exhibits,
      checkpoint: { note: checkpoint.note, origin, size: checkpoint.size, rootHash: checkpoint.rootHash.toString('base64') },
      keyThumbprint: signer.kid
    }
    return { user, lang, generatedAt, checkOriginals, g, record, eventsByItem, evidence, entries, checkpoint, origin, signer, model, photos, template }
  }

  type Read = ReturnType<typeof read>

  /**
   * The time a file says it was generated, to the second: now, or a time
   * asked for to make an earlier file again (the same case state and time
   * give the same bytes). A file shows the case as it is now, and is signed
   * so: a time before the case's last recorded change (`changed`) or after
   * now would be a false date under the agency's signature, and is refused.
   */
  function generationTime (requested: string | undefined, changed: string): string {
    const current = now().getTime()
    if (requested === undefined) return new Date(toSecond(current)).toISOString()
    const asked = Date.parse(requested)
    // The schema's date-time format lets a leap second (23:59:60) through, which Date cannot hold.
    if (!Number.isFinite(asked)) throw Problem.badRequest(`generatedAt ${requested} is not a time this server can represent`, [{ field: 'generatedAt', message: 'must be a date and time' }])
    const earliest = toSecond(Date.parse(changed))
    if (asked < earliest) {
      const from = new Date(earliest).toISOString()
      throw Problem.badRequest(`generatedAt ${requested} is before the case's last recorded change (${changed}): a file of the case as it is now cannot have been generated then. A file can be made again for a time from ${from} to now, while the case stays as it is`, [{ field: 'generatedAt', message: `must not be before ${from}` }])
    }
    if (asked > current) throw Problem.badRequest(`generatedAt ${requested} is in the future`, [{ field: 'generatedAt', message: 'must not be in the future' }])
    return new Date(toSecond(asked)).toISOString()
  }

  /**
   * Phase two, while the case file is laid out: the records, the audit entries
   * with their inclusion proofs, the keys and VERIFY.txt, and the manifest of
   * all of it and the evidence (everything but the case file itself).
   */
  function assemble (r: Read) {
    const { g, record, checkpoint, signer } = r
    const members: Member[] = []
    const add = (path: string, bytes: Buffer): void => { members.push({ path, bytes }) }
    add('records/case.json', json(record))
    for (const s of g.seizureList) add(`records/seizure-${safeName(s.reference)}.json`, json(s))
    for (const row of g.itemRows) {
      add(`records/item-${safeName(row.label)}.json`, json(itemRecord(row) satisfies ItemRecord))
      add(`records/custody-${safeName(row.label)}.json`, json(r.eventsByItem.get(row.id) ?? []))
    }
    add('records/attachments.json', json(g.files))
    add('records/actions.json', json(g.actions.map((a): CaseActionRecord => ({ id: a.id, caseId: a.caseId, occurredAt: a.occurredAt, recordedAt: a.recordedAt, authorId: a.authorId, title: a.title, text: a.text }))))
    add('audit/entries.jsonl', Buffer.from(r.entries.map((e) => `${e.canonical}\n`).join(''), 'utf8'))
    add('audit/checkpoint', Buffer.from(checkpoint.note, 'utf8'))
    const proofs = inclusionProofs(nodes, r.entries.map((e) => e.index), checkpoint.size)
    r.entries.forEach((e, i) => {
      add(`audit/proofs/${e.index}.tlog-proof`, Buffer.from(formatTlogProof({ index: e.index, hashes: proofs[i] ?? [], checkpointNote: checkpoint.note }), 'utf8'))
    })
    add('keys/jwks.json', Buffer.from(`${JSON.stringify(log.jwks(), null, 2)}\n`, 'utf8'))

    const manifestBase: Manifest = {
      format: BUNDLE_FORMAT,
      software: SOFTWARE,
      case: { id: record.id, reference: record.reference, agency: r.user.agency.code },
      generatedAt: r.generatedAt,
      language: r.lang,
      checkpoint: { origin: r.origin, size: checkpoint.size, rootHash: checkpoint.rootHash.toString('base64') },
      keyId: signer.kid,
      files: []
    }
    add('VERIFY.txt', Buffer.from(verifyText(manifestBase, signer.kid), 'utf8'))
    const listed: ManifestFile[] = [
      ...members.map((m) => ({ path: m.path, size: m.bytes.length, sha256: sha256Hex(m.bytes) })),
      ...r.evidence.map((e) => ({ path: e.path, size: e.attachment.size, sha256: e.attachment.sha256 }))
    ]
    const evidenceOnly = { ...manifestBase, files: [...listed].sort((a, b) => (a.path < b.path ? -1 : 1)) }
    const embedded = json(evidenceOnly)
    return { members, evidenceOnly, embedded, embeddedSha256: sha256Hex(embedded) }
  }

  type Assembled = ReturnType<typeof assemble>

  /**
   * The case file, laid out in the worker from the moment this is called (when
   * every print copy is already made, as after an upload) while the caller
   * assembles the manifest it carries.
   */
  async function print (r: Read, manifest: Promise<Assembled>, signal?: AbortSignal) {
    const embedded = manifest.then((a) => ({ bytes: a.embedded, sha256: a.embeddedSha256 }))
    // Rejected when assembling failed: renderer.render cancels the job then, and start() throws.
    embedded.catch(() => {})
    // The case file alone re-hashes every photo's original here, on this thread, while the worker
    // lays out the pages (the bundle re-hashes every original as it streams them instead). A changed
    // original stops the render, and its 409 is the answer whatever else failed meanwhile.
    const originals = r.checkOriginals ? checkOriginals(r.photos, signal) : Promise.resolve()
    const refused = new AbortController()
    originals.catch((err: unknown) => { refused.abort(err) })
    const stop = signal === undefined ? refused.signal : AbortSignal.any([signal, refused.signal])
    let copies = r.photos.map((p) => prints.stored(p.source))
    if (copies.includes(undefined)) {
      // Copies not made yet (photos from before print copies existed): two at a time, as each
      // holds its original in memory while sharp reduces it.
      copies = await mapLimit(r.photos, 2, async (p, i) => copies[i] !== undefined ? copies[i] : await prints.locate(p.source))
    }
    const photos: PhotoJob[] = r.photos.map((p, i) => ({ label: p.label, attachment: p.attachment, copy: copies[i] ?? null }))
    const job = (): Parameters<CaseFileRenderer['render']>[0] => ({ model: { ...r.model, photos }, template: r.template, lang: r.lang, spool: spoolPath(objects.tmpDir) })
    const attempt = async (): Promise<Spooled> => {
      try {
        return await renderer.render(job(), embedded, stop)
      } catch (err) {
        if (!(err instanceof DamagedPrintCopies) || stop.aborted) throw err
        // The worker checks every copy as it places it and goes on to the end: all the damaged ones
        // are made again from their originals, and the file rendered once more.
        for (const id of err.attachmentIds) {
          const i = photos.findIndex((p) => p.attachment.id === id)
          const source = r.photos[i]?.source
          const photo = photos[i]
          if (source !== undefined && photo !== undefined) photos[i] = { ...photo, copy: await prints.locate(source, { remake: true }) }
        }
        try {
          return await renderer.render(job(), embedded, stop)
        } catch (again) {
          if (again instanceof DamagedPrintCopies) throw new Problem(409, 'integrity-failure', `${again.message}, even after they were made again from the originals; the case file is not generated`)
          throw again
        }
      }
    }
    let pdf: Spooled
    try {
      pdf = await attempt()
    } catch (err) {
      if (signal?.aborted !== true) await originals // throws the 409 of a changed original
      throw err
    }
    try {
      await originals
    } catch (err) {
      discardSpool(pdf.path)
      throw err
    }
    return pdf
  }

  /** Every photo's stored original re-hashed, two at a time, until `signal` fires; a 409 names the first that is gone or changed. */
  async function checkOriginals (photos: Read['photos'], signal?: AbortSignal): Promise<void> {
    await mapLimit(photos, 2, async (p) => {
      if (signal?.aborted === true) return // nobody waits for the answer any more
      const actual = await objects.hash(p.source.sha256).catch(() => null)
      if (actual?.sha256 !== p.source.sha256) throw originalChanged(p.attachment.id)
    })
  }

  /**
   * Reads the case, starts its case file in the worker and assembles the rest
   * of the bundle meanwhile; `done` settles with the case file, the whole
   * manifest (the case file's entry added) and its detached JWS. Whatever
   * fails in reading or assembling (not found, no audit entries) is thrown
   * here, before anything is sent.
   */
  function start (user: AuthUser, caseId: string, lang: Language, requested: string | undefined, checkOriginals: boolean, signal?: AbortSignal) {
    const r = read(user, caseId, lang, requested, checkOriginals)
    let settle: { resolve: (a: Assembled) => void, reject: (err: unknown) => void } | undefined
    const printing = print(r, new Promise<Assembled>((resolve, reject) => { settle = { resolve, reject } }), signal)
    let a: Assembled
    try {
      a = assemble(r)
    } catch (err) {
      settle?.reject(err)
      printing.catch(() => {}) // cancelled with it: the error that counts is this one
      throw err
    }
    settle?.resolve(a)
    const done = printing.then(async (pdf) => {
      try {
        const manifest: Manifest = { ...a.evidenceOnly, files: [...a.evidenceOnly.files, { path: 'case-file.pdf', size: pdf.size, sha256: pdf.sha256 }].sort((x, y) => (x.path < y.path ? -1 : 1)) }
        const manifestBytes = json(manifest)
        // RFC 7515 appendix F: a JWS with detached payload (header..signature).
        const jws = (await new CompactSign(manifestBytes).setProtectedHeader({ alg: 'EdDSA', kid: r.signer.kid, typ: 'strongroom-manifest+jws' }).sign(r.signer.privateKey)).split('.')
        return { pdf, manifestBytes, detached: `${jws[0] ?? ''}..${jws[2] ?? ''}\n` }
      } catch (err) {
        discardSpool(pdf.path)
        throw err
      }
    })
    return { r, a, done }
  }

  const clientGone = (): Problem => new Problem(499, 'client-closed-request', 'The client went away before the case file was ready; it was not sent or audited')

  function audit (user: AuthUser, record: CaseRecord, kind: 'case_file' | 'bundle', lang: Language, generatedAt: string, manifestSha256: string, checkpointSize: number): void {
    writes.commit(user.id, () => ({
      result: undefined,
      audit: {
        action: 'case.download',
        entityType: 'case_download',
        entityId: newId(),
        agencyId: record.agencyId,
        data: { caseId: record.id, reference: record.reference, kind, language: lang, generatedAt, manifestSha256, checkpointSize }
      }
    }))
  }

  return {
    /**
     * The case file as a stream from its spool file, and its size. When
     * `signal` fires (the client went away) the render is cancelled and
     * nothing is audited: a 499 that nobody receives. The stream's chunks are
     * lent from a pool, as the bundle's are: `written(chunk)` gives each back.
     */
    async caseFile (user: AuthUser, caseId: string, lang: Language, requested: string | undefined, signal?: AbortSignal, progress: ProgressLog = silent): Promise<{ pdf: Readable, size: number, reference: string, written: (chunk: Buffer) => void }> {
      const began = performance.now()
      const { r, a, done } = start(user, caseId, lang, requested, true, signal)
      const { generatedAt } = r
      let pdf: Awaited<typeof done>['pdf']
      try {
        ({ pdf } = await done)
      } catch (err) {
        // Whatever failed once the client had gone (a cancelled render, or one that ended otherwise), nobody hears of it.
        if (signal?.aborted === true) throw clientGone()
        throw err
      }
      try {
        // Made, but nobody is left to receive it: not a download.
        if (signal?.aborted === true) throw clientGone()
        progress.info({ caseId, reference: r.record.reference, language: lang, generatedAt, bytes: pdf.size, exhibits: r.model.exhibits.length, photos: r.photos.length, ms: Math.round(performance.now() - began) }, 'case file: rendered')
        audit(user, r.record, 'case_file', lang, generatedAt, a.embeddedSha256, r.checkpoint.size)
      } catch (err) {
        discardSpool(pdf.path)
        throw err
      }
      const pool = downloadPool()
      const stream = readSpool(pdf.path, pool)
      stream.once('close', () => { setImmediate(collectGarbage) }) // as after a bundle
      return { pdf: stream, size: pdf.size, reference: r.record.reference, written: (chunk) => { pool.release(chunk) } }
    },

    /**
     * The bundle as a ZIP stream. The evidence files go first, streamed from
     * the store (no temporary copy) and re-hashed on the way, while the case
     * file is rendered; the case file, manifest.json and manifest.jws close
     * the archive. A stored file that no longer matches, or a case file that
     * cannot be made, breaks the stream off instead of passing.
     *
     * The evidence comes in chunks lent from a pool (lib/chunk-pool.ts): the
     * caller must call `written(chunk)` for every chunk of `stream` once it has
     * been written out (sendWritten in lib/send.ts does), and not before; the
     * stream stalls when four are out.
     */
    async bundle (user: AuthUser, caseId: string, lang: Language, requested: string | undefined, progress: ProgressLog = silent): Promise<{ stream: Readable, reference: string, written: (chunk: Buffer) => void }> {
      const began = performance.now()
      const ms = (): number => Math.round(performance.now() - began)
      // Cancels the case file's render when the client goes away before the end.
      const gone = new AbortController()
      const { r, a, done: sealed } = start(user, caseId, lang, requested, false, gone.signal)
      const { generatedAt } = r
      const evidenceBytes = r.evidence.reduce((n, e) => n + e.attachment.size, 0)
      const about = { caseId, reference: r.record.reference, language: lang, generatedAt }
      // Recorded before a byte is sent; if it cannot be, nothing is sent (and the case file's
      // own outcome is of no interest any more).
      try {
        audit(user, r.record, 'bundle', lang, generatedAt, a.embeddedSha256, r.checkpoint.size)
      } catch (err) {
        gone.abort(err) // nobody will receive its case file
        sealed.catch(() => {})
        throw err
      }
      const mtime = new Date(generatedAt)
      // The evidence and the case file are read into the same few buffers.
      const pool = downloadPool()
      const zip = new yazl.ZipFile()
      const options = { mtime, mode: 0o100644 }
      let sent = 0
      const output = new Transform({ transform (chunk: Buffer, _enc, done) { sent += chunk.length; done(null, chunk) } })
      progress.info({ ...about, evidenceFiles: r.evidence.length, evidenceBytes, members: a.members.length, ms: ms() }, 'bundle: started, evidence first')
      // The file being streamed: closed if the client goes away, so no descriptor is left open.
      let reading: Readable | undefined
      // The case file's spool once rendered, until its turn comes to be read (readSpool removes it then).
      let spooled: string | undefined
      let finished = false
      output.on('close', () => {
        setImmediate(collectGarbage) // the bundle's records, proofs and rows are garbage now
        if (spooled !== undefined) discardSpool(spooled)
        if (finished) return
        reading?.destroy()
        gone.abort(new Error('the client went away'))
        // Broken off on purpose (breakOff: the route logs why), or left by the client.
        if (output.errored === null) progress.info({ ...about, sentBytes: sent, ms: ms() }, 'bundle: the client went away; stopped')
      })
      output.on('end', () => {
        finished = true
        progress.info({ ...about, bytes: sent, ms: ms(), mibPerSecond: Math.round(sent / 1048576 / (ms() / 1000)) }, 'bundle: sent')
      })
      // Progress at every quarter of the evidence bytes.
      let streamed = 0
      let files = 0
      let quarter = 1
      // A stored file that is gone, unreadable or changed breaks the download off; its error
      // must reach `output` only: an 'error' event nobody listens to would crash the process.
      // A stream already closed (the client went away) has nobody left to tell.
      const breakOff = (error: Error): void => { if (!output.destroyed) output.destroy(error) }
      for (const e of r.evidence) {
        const hash = createHash('sha256')
        const check = new Transform({
          transform (chunk: Buffer, _enc, done) { hash.update(chunk); done(null, chunk) },
          flush (done) {
            const actual = hash.digest('hex')
            streamed += e.attachment.size
            files++
            if (streamed >= (quarter * evidenceBytes) / 4 && evidenceBytes > 0) {
              progress.info({ ...about, evidenceFiles: `${files}/${r.evidence.length}`, evidenceBytes: `${streamed}/${evidenceBytes}`, ms: ms() }, 'bundle: evidence streamed and re-hashed')
              while (streamed >= (quarter * evidenceBytes) / 4) quarter++
            }
            if (actual === e.attachment.sha256) { done(); return }
            done(new Error(`attachment ${e.attachment.id} (${e.path}) no longer matches its SHA-256; the bundle is broken off`))
          }
        })
        check.on('error', breakOff)
        // Opened only when its turn comes: opened all at once, every file would buffer a chunk.
        // Stored, not deflated: each chunk must reach the socket as the pool lent it, to be given
        // back (a deflated member would pass on other buffers, and the pool would run dry).
        zip.addReadStreamLazy(e.path, { ...options, compress: false, size: e.attachment.size }, (cb) => {
          const source = pool.read(objects.pathOf(e.attachment.sha256))
          reading = source
          source.on('error', (err) => { breakOff(new Error(`attachment ${e.attachment.id} (${e.path}) cannot be read: ${err.message}; the bundle is broken off`)) })
          cb(null, source.pipe(check))
        })
      }
      // Deflating thousands of small proofs cost more time than the bytes it saves; large text files are deflated.
      for (const m of a.members) zip.addBuffer(m.bytes, m.path, { ...options, compress: m.bytes.length > 64 * 1024 })
      sealed.then((f) => {
        if (output.destroyed) { discardSpool(f.pdf.path); return }
        progress.info({ ...about, caseFileBytes: f.pdf.size, ms: ms() }, 'bundle: case file rendered')
        spooled = f.pdf.path
        zip.addReadStreamLazy('case-file.pdf', { ...options, compress: false, size: f.pdf.size }, (cb) => {
          if (output.destroyed) return // the client has gone: its close removed the file
          const source = readSpool(f.pdf.path, pool)
          spooled = undefined
          reading = source
          source.on('error', (err) => { breakOff(new Error(`the case file cannot be read back: ${err.message}; the bundle is broken off`)) })
          cb(null, source)
        })
        zip.addBuffer(f.manifestBytes, 'manifest.json', options)
        zip.addBuffer(Buffer.from(f.detached, 'utf8'), 'manifest.jws', options)
        zip.end()
      }, (err: Error) => {
        if (!gone.signal.aborted) progress.warn({ ...about, err, ms: ms() }, 'bundle: the case file could not be made; broken off')
        breakOff(new Error(`the case file could not be made: ${err.message}; the bundle is broken off`, { cause: err }))
      })
      zip.outputStream.pipe(output)
      return { stream: output, reference: r.record.reference, written: (chunk: Buffer) => { pool.release(chunk) } }
    }
  }
}

export type BundleService = ReturnType<typeof createBundleService>
