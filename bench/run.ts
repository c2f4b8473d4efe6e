/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (or those named on the
 * command line), each in its own process so that memory figures do not mix.
 * Each bench prints its figures as ratios against a baseline measured in the
 * same run on the same machine, never as absolute targets. The benches that
 * start a server run it as `npm start` does, from its build (bench/common.ts).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dir = path.dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const benches = fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort()
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))

let failed = 0
for (const file of benches) {
  process.stdout.write(`\n=== ${file} ===\n`)
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join(dir, file)], { stdio: 'inherit', env: process.env })
  if (run.status !== 0) { failed++; process.stdout.write(`${file} failed (exit ${run.status ?? run.signal})\n`) }
}
process.exit(failed === 0 ? 0 : 1)
