/**
 * Runs in a worker thread (case-file-renderer.ts starts it): renders case
 * files, so that laying out hundreds of pages does not stop the main thread,
 * which streams the rest of the bundle meanwhile, on another core.
 */
import { parentPort } from 'node:worker_threads'
import { readVerified, ReusedReader } from '../lib/hash.js'
import { SpoolWriter, type Spooled } from '../lib/spool.js'
import { renderCaseFile, type CaseFileModel } from './case-file.js'
import type { Printable } from './printable.js'
import { texts, type CaseFileTemplate, type Language } from './template.js'
import type { PrintCopyRef } from '../services/print-copies.js'

/** A photo as the worker gets it: where its print copy is (null: the original cannot be decoded). */
export interface PhotoJob {
  label: string
  attachment: CaseFileModel['photos'][number]['attachment']
  copy: PrintCopyRef | null
}

export interface CaseFileJob {
  id: number
  model: Omit<CaseFileModel, 'photos' | 'manifest'> & { photos: PhotoJob[] }
  template: CaseFileTemplate
  lang: Language
  /** The spool file to write the PDF to (lib/spool.ts); created here, removed here if the job fails. */
  spool: string
}

/**
 * What the main thread sends: a job, which is laid out at once; then its
 * manifest, when the bundle's records and proofs are hashed; or `cancel`, when
 * they could not be made or the client went away: a job not started yet is
 * dropped, one under way stops at its next section.
 */
export type CaseFileMessage =
  | { kind: 'render', job: CaseFileJob }
  | { kind: 'manifest', id: number, bytes: Uint8Array, sha256: string }
  | { kind: 'cancel', id: number, reason: string }

export type CaseFileReply =
  | { id: number, pdf: Spooled }
  | { id: number, damagedCopies: string[] }
  | { id: number, cancelled: string }
  | { id: number, error: string }

/** A job the main thread no longer wants. */
class Cancelled extends Error {}
/** Print copies that no longer match their SHA-256: the main thread makes them again and asks once more. */
class DamagedCopies extends Error { constructor (readonly attachmentIds: string[]) { super(`print copies of attachments ${attachmentIds.join(', ')} damaged`) } }


async function render (job: CaseFileJob, manifest: Promise<{ bytes: Buffer, sha256: string }>, checkpoint: () => Promise<void>): Promise<Spooled> {
  // A damaged print copy does not stop the layout: every damaged one is found in one pass
  // (each copy is read once, when it is placed), then all are made again at once and the file
  // rendered once more.
  const damaged: string[] = []
  // pdfkit has copied a JPEG's bytes into the document by the time image() returns (its JPEG
  // embed ends the image object with them and lets go), so the next JPEG is read into the same
  // buffer. A PNG's bytes may still be used later (pdfkit splits an alpha channel asynchronously):
  // each is read into a buffer of its own.
  const jpegs = new ReusedReader()
  const photos: CaseFileModel['photos'] = job.model.photos.map((p) => ({
    label: p.label,
    attachment: p.attachment,
    image: async (): Promise<Printable | null> => {
      if (p.copy === null) return null
      const bytes = p.copy.mediaType === 'image/jpeg' ? await jpegs.readVerified(p.copy.path, p.copy.sha256) : await readVerified(p.copy.path, p.copy.sha256)
      if (bytes === null) { damaged.push(p.attachment.id); return null }
      return { bytes, width: p.copy.width, height: p.copy.height, mediaType: p.copy.mediaType }
    }
  }))
  const out = new SpoolWriter(job.spool)
  try {
    await renderCaseFile({ ...job.model, photos, manifest }, job.template, texts(job.template, job.lang), (chunk) => { out.write(chunk) }, checkpoint)
    if (damaged.length > 0) throw new DamagedCopies(damaged)
    return out.finish()
  } catch (err) {
    out.discard()
    throw err
  }
}

interface Waiting { resolve: (m: { bytes: Buffer, sha256: string }) => void, reject: (err: Error) => void }
/** The jobs queued or under way, by id. */
const manifests = new Map<number, Waiting>()
/** The reasons jobs were cancelled for, by id, until they end. */
const cancelled = new Map<number, string>()

/**
 * Called between the sections of a case file: lets a waiting `cancel` in
 * (the layout itself never waits), and stops the job if it was cancelled.
 */
const checkpointOf = (id: number) => async (): Promise<void> => {
  await new Promise<void>((resolve) => { setImmediate(resolve) })
  const reason = cancelled.get(id)
  if (reason !== undefined) throw new Cancelled(reason)
}

/** Renders one job and replies; never rejects. */
async function run (job: CaseFileJob, manifest: Promise<{ bytes: Buffer, sha256: string }>): Promise<void> {
  try {
    const reason = cancelled.get(job.id)
    if (reason !== undefined) throw new Cancelled(reason)
    const pdf = await render(job, manifest, checkpointOf(job.id))
    parentPort?.postMessage({ id: job.id, pdf } satisfies CaseFileReply)
  } catch (err) {
    const reply: CaseFileReply = err instanceof DamagedCopies
      ? { id: job.id, damagedCopies: err.attachmentIds }
      : err instanceof Cancelled
        ? { id: job.id, cancelled: err.message }
        : { id: job.id, error: err instanceof Error ? err.stack ?? err.message : String(err) }
    parentPort?.postMessage(reply)
  } finally {
    manifests.delete(job.id)
    cancelled.delete(job.id)
  }
}

// One document at a time: the fonts' glyph caches are per document (fonts.ts), and the
// thread has one core's worth of work to give anyway. Manifests and cancels are taken at once.
let queue = Promise.resolve()

parentPort?.on('message', (message: CaseFileMessage) => {
  if (message.kind === 'manifest') {
    // Structured cloning turned the manifest Buffer into a plain Uint8Array.
    manifests.get(message.id)?.resolve({ bytes: Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength), sha256: message.sha256 })
    return
  }
  if (message.kind === 'cancel') {
    const waiting = manifests.get(message.id)
    if (waiting === undefined) return // already ended
    cancelled.set(message.id, message.reason)
    waiting.reject(new Cancelled(message.reason))
    return
  }
  const { job } = message
  // The manifest may come (or the job be cancelled) while the job still waits its turn.
  const manifest = new Promise<{ bytes: Buffer, sha256: string }>((resolve, reject) => { manifests.set(job.id, { resolve, reject }) })
  // A cancel rejects it; the render sees that when it awaits it, and nothing else must.
  manifest.catch(() => {})
  queue = queue.then(async () => { await run(job, manifest) })
})
