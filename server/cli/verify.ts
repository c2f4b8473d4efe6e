/**
 * `npm run verify [-- options]`: checks the data directory of STRONGROOM_DATA_DIR (or
 * --data-dir) as VERIFIABILITY.md "Verification" says, read-only, in one snapshot, also while
 * the server runs. Exit status 0 only when everything holds; 1 on a mismatch; 2 when the check
 * cannot run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { ConfigError, loadConfig } from '../config.js'
import { databaseFile } from '../db/client.js'
import type { NodeStore } from '../lib/merkle.js'
import { listLogKeys, noteVerifiers } from '../services/log-keys.js'
import { checkHeldCheckpoint } from '../verify/fork.js'
import { formatProgress, formatReport } from '../verify/format.js'
import { verifyLog, type VerifyReport } from '../verify/verify-log.js'

const USAGE = `Usage: npm run verify -- [options]

Checks every audit entry, the Merkle tree, every signed checkpoint, the records and the
attachment files of the data directory (STRONGROOM_DATA_DIR, default ./data).

  --data-dir DIR       check DIR instead of STRONGROOM_DATA_DIR
  --json               print the report as JSON on stdout
  --checkpoint FILE    also check a signed checkpoint kept elsewhere (repeatable): it must be
                       consistent with this log, or the fork evidence is printed
  --no-records         skip re-deriving the entries from the domain rows
  --no-files           skip re-hashing the attachment files and re-making print copies
  --quiet              no progress on stderr
  --help               this text

Exit status: 0 all holds, 1 a mismatch was found, 2 the check could not run.
`

interface HeldResult { file: string, ok: boolean, reason?: string, evidence?: string }

function readOnlyNodes (sqlite: Database.Database): NodeStore {
  const get = sqlite.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM merkle_nodes WHERE level = ? AND idx = ?')
  return {
    get: (level, index) => get.get(level, index)?.hash,
    put: () => { throw new Error('the verifier never writes') }
  }
}

function checkHeld (sqlite: Database.Database, files: string[], report: VerifyReport): HeldResult[] {
  if (files.length === 0) return []
  const latest = sqlite.prepare<[], { note: string }>('SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1').get()
  const verifiers = noteVerifiers(listLogKeys(sqlite))
  const nodes = readOnlyNodes(sqlite)
  return files.map((file) => {
    const held = fs.readFileSync(file, 'utf8')
    if (latest === undefined) return { file, ok: false, reason: 'this log has issued no checkpoint to compare with' }
    const check = checkHeldCheckpoint(held, latest.note, nodes, report.treeSize, verifiers)
    return check.ok ? { file, ok: true } : { file, ok: false, reason: check.reason, evidence: check.evidence }
  })
}

async function main (): Promise<number> {
  let args
  try {
    args = parseArgs({
      options: {
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        checkpoint: { type: 'string', multiple: true, default: [] },
        'no-records': { type: 'boolean', default: false },
        'no-files': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false }
      },
      strict: true
    }).values
  } catch (err) {
    process.stderr.write(`strongroom verify: ${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (args.help) { process.stdout.write(USAGE); return 0 }
  const env = args['data-dir'] === undefined ? process.env : { ...process.env, STRONGROOM_DATA_DIR: args['data-dir'] }
  const config = loadConfig(env)
  const file = databaseFile(config.dataDir)
  if (!fs.existsSync(file)) {
    process.stderr.write(`strongroom verify: there is no database at ${file}\n`)
    return 2
  }
  const sqlite = new Database(file, { readonly: true, fileMustExist: true })
  try {
    sqlite.pragma('busy_timeout = 5000')
    const progress = args.quiet ? undefined : (p: Parameters<typeof formatProgress>[0]) => { process.stderr.write(`${formatProgress(p)}\n`) }
    if (!args.quiet) process.stderr.write(`strongroom verify: ${path.resolve(config.dataDir)}\n`)
    const report = await verifyLog({
      sqlite,
      dataDir: config.dataDir,
      records: !args['no-records'],
      attachments: !args['no-files'],
      ...(progress === undefined ? {} : { onProgress: progress })
    })
    const held = checkHeld(sqlite, args.checkpoint, report)
    const ok = report.ok && held.every((h) => h.ok)
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ...report, ok, heldCheckpoints: held }, null, 2)}\n`)
    } else {
      process.stdout.write(formatReport(report))
      for (const h of held) {
        process.stdout.write(h.ok ? `OK: the checkpoint in ${h.file} is consistent with this log\n` : `MISMATCH checkpoint in ${h.file}: ${h.reason ?? ''}\n${h.evidence ?? ''}`)
      }
    }
    return ok ? 0 : 1
  } finally {
    sqlite.close()
  }
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  const message = err instanceof ConfigError ? `configuration error: ${err.message}` : (err instanceof Error ? err.stack ?? err.message : String(err))
  process.stderr.write(`strongroom verify: ${message}\n`)
  process.exitCode = 2
})
