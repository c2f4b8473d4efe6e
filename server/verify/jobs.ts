// The verify command as a background job of the server (issue 6: admins and auditors run the
// same check through the API and read its result). The job reads the database through its own
// read-only connection, in one snapshot, yielding to the event loop between batches; jobs are
// kept in memory (the last few), as the result is a report, not evidence.

import Database from 'better-sqlite3'
import type { FastifyBaseLogger } from 'fastify'
import { databaseFile } from '../db/client.js'
import { Problem } from '../errors.js'
import { newId } from '../lib/ids.js'
import { authorize, type AuthUser } from '../services/access.js'
import { verifyLog, type VerifyProgress, type VerifyReport } from './verify-log.js'

export type JobStatus = 'running' | 'passed' | 'failed' | 'error'

export interface VerificationJob {
  id: string
  status: JobStatus
  startedAt: string
  finishedAt: string | null
  startedBy: string
  progress: VerifyProgress
  result: VerifyReport | null
  /** Why the check could not run (not a mismatch: those are in `result`). */
  error: string | null
}

const KEEP = 20

export function createVerificationJobs ({ dataDir, now, log }: { dataDir: string, now: () => Date, log: FastifyBaseLogger }) {
  const jobs = new Map<string, VerificationJob>()
  let running: { job: VerificationJob, done: Promise<void>, abort: AbortController } | undefined

  async function run (job: VerificationJob, signal: AbortSignal): Promise<void> {
    const jobLog = log.child({ verification: job.id })
    let sqlite: Database.Database | undefined
    try {
      sqlite = new Database(databaseFile(dataDir), { readonly: true, fileMustExist: true })
      sqlite.pragma('busy_timeout = 5000')
      const result = await verifyLog({
        sqlite,
        dataDir,
        signal,
        // Small batches: the check shares the event loop with the requests (about 30 ms a batch).
        batchSize: 1000,
        onProgress: (p) => {
          job.progress = p
          if (p.stage === 'entries') jobLog.info({ stage: p.stage, done: p.done, total: p.total }, 'verification progress')
        }
      })
      job.result = result
      job.status = result.ok ? 'passed' : 'failed'
      jobLog.info({ ok: result.ok, entries: result.treeSize, mismatches: result.mismatches.length, first: result.mismatches[0]?.place, ms: result.durationMs }, 'verification finished')
    } catch (err) {
      job.status = 'error'
      job.error = signal.aborted ? 'the server closed before the check finished' : 'the check could not run; the server log says why'
      jobLog.error({ err }, 'verification could not run')
    } finally {
      sqlite?.close()
      job.finishedAt = now().toISOString()
    }
  }

  return {
    /** Starts a check, or answers the one already running (one at a time: it reads everything). */
    start (user: AuthUser): VerificationJob {
      authorize(user, 'audit.verify')
      if (running !== undefined && running.job.status === 'running') return running.job
      const job: VerificationJob = {
        id: newId(),
        status: 'running',
        startedAt: now().toISOString(),
        finishedAt: null,
        startedBy: user.id,
        progress: { stage: 'entries', done: 0, total: 0 },
        result: null,
        error: null
      }
      jobs.set(job.id, job)
      for (const id of jobs.keys()) {
        if (jobs.size <= KEEP) break
        if (jobs.get(id)?.status !== 'running') jobs.delete(id)
      }
      const abort = new AbortController()
      running = { job, abort, done: run(job, abort.signal) }
      return job
    },

    get (user: AuthUser, id: string): VerificationJob {
      authorize(user, 'audit.verify')
      const job = jobs.get(id)
      if (job === undefined) throw Problem.notFound('verification')
      return job
    },

    /** Waits for the running job (tests), or stops it when the server closes. */
    async settle (options: { abort?: boolean } = {}): Promise<void> {
      if (running === undefined) return
      if (options.abort === true) running.abort.abort()
      await running.done
    }
  }
}

export type VerificationJobs = ReturnType<typeof createVerificationJobs>
