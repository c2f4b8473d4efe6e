/**
 * Runs in a worker thread (case-file-renderer.ts starts it): renders case
 * files, so that laying out hundreds of pages does not stop the main thread,
 * which streams the rest of the bundle meanwhile, on another core.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { parentPort } from 'node:worker_threads'
import { renderCaseFileChunks, type CaseFileModel } from './case-file.js'
import type { Printable } from './printable.js'
import { texts, type CaseFileTemplate, type Language } from './template.js'
import type { PrintCopyRef } from '../services/print-copies.js'

/** A photo as the worker gets it: where its print copy is, and, when asked, where its original is to re-check it. */
export interface PhotoJob {
  label: string
  attachment: CaseFileModel['photos'][number]['attachment']
  copy: PrintCopyRef | null
  original: { path: string, sha256: string } | null
}

export interface CaseFileJob {
  id: number
  model: Omit<CaseFileModel, 'photos' | 'manifest'> & { photos: PhotoJob[] }
  template: CaseFileTemplate
  lang: Language
}

/**
 * What the main thread sends: a job, which is laid out at once; then its
 * manifest, when the bundle's records and proofs are hashed (or `cancel` when
 * they could not be made).
 */
export type CaseFileMessage =
  | { kind: 'render', job: CaseFileJob }
  | { kind: 'manifest', id: number, bytes: Uint8Array, sha256: string }
  | { kind: 'cancel', id: number, reason: string }

export type CaseFileReply =
  | { id: number, pdf: ArrayBuffer[] }
  | { id: number, problem: { status: number, code: string, detail: string } }
  | { id: number, damagedCopy: string }
  | { id: number, error: string }

class IntegrityFailure extends Error {}
/** A print copy that no longer matches its SHA-256: the main thread makes it again and asks once more. */
class DamagedCopy extends Error { constructor (readonly attachmentId: string) { super(`print copy of attachment ${attachmentId} damaged`) } }

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

async function readChecked (file: string, expected: string): Promise<Buffer | null> {
  const bytes = await fs.promises.readFile(file).catch(() => null)
  return bytes === null || sha256(bytes) !== expected ? null : bytes
}

async function render (job: CaseFileJob, manifest: Promise<{ bytes: Buffer, sha256: string }>): Promise<Buffer[]> {
  const photos: CaseFileModel['photos'] = job.model.photos.map((p) => ({
    label: p.label,
    attachment: p.attachment,
    image: async (): Promise<Printable | null> => {
      if (p.original !== null && await readChecked(p.original.path, p.original.sha256) === null) {
        throw new IntegrityFailure(`The stored file of attachment ${p.attachment.id} is missing or no longer matches its SHA-256; the case file is not generated`)
      }
      if (p.copy === null) return null
      const bytes = await readChecked(p.copy.path, p.copy.sha256)
      if (bytes === null) throw new DamagedCopy(p.attachment.id)
      return { bytes, width: p.copy.width, height: p.copy.height, mediaType: p.copy.mediaType }
    }
  }))
  return await renderCaseFileChunks({ ...job.model, photos, manifest }, job.template, texts(job.template, job.lang))
}

interface Waiting { resolve: (m: { bytes: Buffer, sha256: string }) => void, reject: (err: Error) => void }
const manifests = new Map<number, Waiting>()

parentPort?.on('message', (message: CaseFileMessage) => {
  if (message.kind === 'manifest') {
    // Structured cloning turned the manifest Buffer into a plain Uint8Array.
    manifests.get(message.id)?.resolve({ bytes: Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength), sha256: message.sha256 })
    return
  }
  if (message.kind === 'cancel') {
    manifests.get(message.id)?.reject(new Error(`cancelled: ${message.reason}`))
    return
  }
  const { job } = message
  const manifest = new Promise<{ bytes: Buffer, sha256: string }>((resolve, reject) => { manifests.set(job.id, { resolve, reject }) })
  render(job, manifest).finally(() => { manifests.delete(job.id) }).then((slabs) => {
    // Each slab owns its ArrayBuffer (case-file.ts Slabs): handed over without a copy.
    const pdf = slabs.map((slab) => slab.buffer as ArrayBuffer)
    parentPort?.postMessage({ id: job.id, pdf } satisfies CaseFileReply, pdf)
  }, (err: unknown) => {
    const reply: CaseFileReply = err instanceof IntegrityFailure
      ? { id: job.id, problem: { status: 409, code: 'integrity-failure', detail: err.message } }
      : err instanceof DamagedCopy
        ? { id: job.id, damagedCopy: err.attachmentId }
        : { id: job.id, error: err instanceof Error ? err.stack ?? err.message : String(err) }
    parentPort?.postMessage(reply)
  })
})
