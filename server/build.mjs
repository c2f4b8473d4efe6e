// Builds the server into dist/server: each TypeScript file of server/ made plain JavaScript by
// esbuild (the same transform tsx applies; types are checked by `npm run check`), one file for
// one, nothing bundled. `npm start` and `npm run demo` run the build: without a TypeScript loader
// in the main thread and in the case-file worker, the server takes about 80 MiB less memory.
// Tests and scripts run the sources through tsx.
// Run by `npm run build` (so by `npm ci`, `npm start` and `npm run demo`).
//
// A server already running from dist/ starts its case-file worker from it later, on first use:
// a build that changes nothing is therefore not swapped in, and a changed one is swapped in
// whole (built beside dist/, then renamed), never written file by file. Restart a running
// server after a build that changed it.
import fs from 'node:fs'
import { readdir, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = path.join(root, 'dist')

/** Every file under `dir` with `suffix`, recursively, relative to `dir`. */
async function filesUnder (dir, suffix, base = dir) {
  const found = []
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...await filesUnder(full, suffix, base))
    else if (entry.name.endsWith(suffix) && !entry.name.endsWith('.d.ts')) found.push(path.relative(base, full))
  }
  return found.sort()
}

/** Whether two build directories hold the same files with the same bytes. */
async function sameBuild (a, b) {
  const [left, right] = [await filesUnder(a, ''), await filesUnder(b, '')]
  if (left.length !== right.length || left.some((f, i) => f !== right[i])) return false
  for (const f of left) {
    if (!(await readFile(path.join(a, f))).equals(await readFile(path.join(b, f)))) return false
  }
  return true
}

export async function buildServer ({ quiet = false } = {}) {
  const out = `${dist}.tmp-${process.pid}-${Date.now()}`
  await rm(out, { recursive: true, force: true })
  const entryPoints = (await filesUnder(path.join(root, 'server'), '.ts')).map((f) => path.join(root, 'server', f))
  await esbuild.build({ entryPoints, outbase: root, outdir: out, format: 'esm', platform: 'node', target: 'node20', bundle: false, sourcemap: false, logLevel: 'warning' })
  // Another build (npm test beside npm start) may swap its own in meanwhile: try again then.
  for (let attempt = 0; ; attempt++) {
    if (await sameBuild(out, dist)) {
      await rm(out, { recursive: true, force: true })
      if (!quiet) console.log(`server build: ${entryPoints.length} files, unchanged in ${path.relative(root, dist)}/server`)
      return
    }
    const old = `${dist}.old-${process.pid}-${Date.now()}`
    try {
      await rename(dist, old).catch((err) => { if (err.code !== 'ENOENT') throw err })
      await rename(out, dist)
      await rm(old, { recursive: true, force: true })
      if (!quiet) console.log(`server build: ${entryPoints.length} files into ${path.relative(root, dist)}/server`)
      return
    } catch (err) {
      await rm(old, { recursive: true, force: true })
      if (attempt >= 3 || !['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes(err.code)) throw err
    }
  }
}

if (fs.realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) await buildServer()
