import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { FastifyBaseLogger } from 'fastify'
import { Problem } from '../errors.js'
import { discardSpool, type Spooled } from '../lib/spool.js'
import type { CaseFileJob, CaseFileMessage, CaseFileReply } from './case-file-worker.js'

/** The job was cancelled (the manifest could not be made, or the caller's signal fired). */
export class RenderCancelled extends Error {}

/** The worker found print copies whose bytes no longer match: make them again and render once more. */
export class DamagedPrintCopies extends Error {
  constructor (readonly attachmentIds: string[]) { super(`the print copies of attachments ${attachmentIds.join(', ')} no longer match their SHA-256`) }
}

// Built (dist/, npm start) the worker is plain JavaScript; from the sources (tests, scripts) it
// starts through case-file-worker.mjs, which loads TypeScript with tsx as the main thread does.
const BUILT = import.meta.url.endsWith('.js')
const ENTRY = new URL(BUILT ? './case-file-worker.js' : './case-file-worker.mjs', import.meta.url)
const MODULE = new URL('./case-file-worker.ts', import.meta.url).href

/**
 * Renders case files in one worker thread, started on first use and kept for
 * the next (fonts and code stay loaded). Its heap is capped: a case file too
 * big for it fails alone instead of taking the server's memory. A larger young
 * generation than Node's default cuts the time pdfkit's many short-lived
 * objects spend in garbage collection.
 */
export function createCaseFileRenderer (log: FastifyBaseLogger) {
  let worker: Worker | undefined
  let closed = false
  let nextId = 1
  const pending = new Map<number, { resolve: (pdf: Spooled) => void, reject: (err: Error) => void }>()

  function failAll (err: Error): void {
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }

  function start (): Worker {
    const w = new Worker(ENTRY, { workerData: { module: MODULE }, resourceLimits: { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 512 } })
    w.unref()
    log.debug({ entry: fileURLToPath(ENTRY) }, 'case file worker: started')
    w.on('message', (reply: CaseFileReply) => {
      const p = pending.get(reply.id)
      if (p === undefined) {
        // A job already failed (its worker was given up on): nobody will send its file.
        if ('pdf' in reply) discardSpool(reply.pdf.path)
        return
      }
      pending.delete(reply.id)
      if ('pdf' in reply) {
        log.debug({ job: reply.id, bytes: reply.pdf.size }, 'case file worker: rendered')
        p.resolve(reply.pdf)
      } else if ('cancelled' in reply) {
        log.debug({ job: reply.id, reason: reply.cancelled }, 'case file worker: cancelled')
        p.reject(new RenderCancelled(`the case file was cancelled: ${reply.cancelled}`))
      }
      else if ('damagedCopies' in reply) p.reject(new DamagedPrintCopies(reply.damagedCopies))
      else p.reject(new Error(`case file rendering failed: ${reply.error}`))
    })
    w.on('error', (err) => {
      log.error({ err }, 'case file worker failed; a new one starts with the next case file')
      if (worker === w) worker = undefined
      failAll(new Error(`the case file worker failed: ${err.message}`, { cause: err }))
    })
    w.on('exit', (code) => {
      if (worker === w) worker = undefined
      if (pending.size > 0) failAll(new Error(`case file worker exited (code ${code})`))
    })
    return w
  }

  return {
    /**
     * The PDF, written to the job's spool file (lib/spool.ts). The job is
     * sent at once, so the layout starts before `manifest` is known; the
     * manifest follows when it settles. When `signal` fires (the client went
     * away) the job is cancelled: dropped if it has not started, stopped at
     * its next section if it has; it then rejects with RenderCancelled.
     */
    async render (job: Omit<CaseFileJob, 'id'>, manifest: Promise<{ bytes: Buffer, sha256: string }>, signal?: AbortSignal): Promise<Spooled> {
      if (closed) throw new Problem(503, 'unavailable', 'The server is shutting down')
      if (signal?.aborted === true) throw new RenderCancelled('the case file was cancelled before it was sent to the worker')
      const w = worker ??= start()
      const id = nextId++
      const result = new Promise<Spooled>((resolve, reject) => { pending.set(id, { resolve, reject }) })
      try {
        w.postMessage({ kind: 'render', job: { ...job, id } } satisfies CaseFileMessage)
      } catch (err) {
        pending.delete(id)
        throw err
      }
      log.debug({ job: id, queued: pending.size - 1 }, 'case file worker: job sent')
      // A worker that has gone meanwhile has already failed this job: nothing to send it.
      const send = (message: CaseFileMessage): void => { if (pending.has(id)) w.postMessage(message) }
      manifest.then(
        (m) => { send({ kind: 'manifest', id, bytes: m.bytes, sha256: m.sha256 }) },
        (err: unknown) => { send({ kind: 'cancel', id, reason: err instanceof Error ? err.message : String(err) }) }
      )
      const abandon = (): void => { send({ kind: 'cancel', id, reason: signal?.reason instanceof Error ? signal.reason.message : 'the caller gave up' }) }
      signal?.addEventListener('abort', abandon, { once: true })
      try {
        return await result
      } catch (err) {
        discardSpool(job.spool) // the worker removes it too, unless it died
        throw err
      } finally {
        signal?.removeEventListener('abort', abandon)
      }
    },

    async close (): Promise<void> {
      closed = true
      const w = worker
      worker = undefined
      if (w !== undefined) await w.terminate()
    }
  }
}

export type CaseFileRenderer = ReturnType<typeof createCaseFileRenderer>
