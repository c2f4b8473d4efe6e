/**
 * Not a bench: builds the reference case once into PROFILE_DIR (default
 * /tmp/strongroom-profile, kept between runs) and renders its case file and
 * bundle in-process, printing the time, CPU and RSS of each, so that a change
 * to the case file can be timed and profiled:
 *
 *   npx tsx bench/profile-case-file.ts [pdf|bundle|both]
 *   node --cpu-prof --import tsx bench/profile-case-file.ts bundle
 *
 * RUNS (default 2) repeats; OUT=<file> keeps the case file; LANG_CASE_FILE=sq
 * prints it in Albanian; GENERATED_AT fixes its generation time (not before the
 * reference case was built, nor in the future; to compare
 * the bytes of two versions of the code).
 */
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'
import { buildReferenceCase, password } from './reference-case.js'

const dir = path.resolve(process.env.PROFILE_DIR ?? '/tmp/strongroom-profile')
const fresh = !fs.existsSync(dir)
const app = await buildApp(loadConfig({ STRONGROOM_DATA_DIR: dir, STRONGROOM_ADMIN_PASSWORD: password, STRONGROOM_LOG_LEVEL: 'silent' }), { announce: () => {} })
try {
  if (fresh) await buildReferenceCase(app)
  const { db, accounts, bundles } = app.services
  const caseId = db.$client.prepare<[], { id: string }>("SELECT id FROM cases WHERE title LIKE 'Reference%'").get()?.id ?? ''
  const userId = db.$client.prepare<[], { id: string }>("SELECT id FROM users WHERE username = 'al.investigator'").get()?.id ?? ''
  const user = accounts.authUser(userId)
  if (user === undefined) throw new Error('no investigator')
  const what = process.argv[2] ?? 'both'
  for (let run = 0; run < Number(process.env.RUNS ?? 2); run++) {
    if (what !== 'bundle') {
      const t = performance.now()
      const { pdf, size, written } = await bundles.caseFile(user, caseId, process.env.LANG_CASE_FILE === 'sq' ? 'sq' : 'en', process.env.GENERATED_AT ?? new Date().toISOString())
      const out = process.env.OUT !== undefined ? fs.createWriteStream(process.env.OUT) : undefined
      await pipeline(pdf, new Writable({ write (c: Buffer, _e, done) { if (out === undefined) { written(c); done(); return } out.write(c, (err) => { written(c); done(err) }) }, final (done) { if (out === undefined) done(); else out.end(done) } }))
      console.log(`case file: ${(performance.now() - t).toFixed(0)} ms, ${(size / 2 ** 20).toFixed(1)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`)
    }
    if (what !== 'pdf') {
      const t = performance.now()
      const cpu = process.cpuUsage()
      let bytes = 0
      let first = 0
      const { stream, written } = await bundles.bundle(user, caseId, 'en', new Date().toISOString())
      await pipeline(stream, new Writable({ write (c: Buffer, _e, done) { if (bytes === 0) first = performance.now() - t; bytes += c.length; written(c); done() } }))
      const ms = performance.now() - t
      const used = process.cpuUsage(cpu)
      console.log(`bundle: ${ms.toFixed(0)} ms (first byte ${first.toFixed(0)} ms), ${(bytes / 2 ** 20).toFixed(1)} MiB, ${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s, CPU ${((used.user + used.system) / 1e6).toFixed(2)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`)
    }
  }
} finally {
  await app.close()
}
