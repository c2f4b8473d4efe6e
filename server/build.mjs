// Builds the server into dist/server: each TypeScript file of server/ made plain JavaScript by
// esbuild (the same transform tsx applies; types are checked by `npm run check`), one file for
// one, nothing bundled. `npm start` and `npm run demo` run the build: without a TypeScript loader
// in the main thread and in the case-file worker, the server starts faster and takes about 80 MiB
// less memory. Tests and scripts run the sources through tsx.
// Run by `npm run build` (so by `npm ci`, `npm start` and `npm run demo`).
import { readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = path.join(root, 'dist')

/** Every .ts file under `dir`, recursively. */
async function sources (dir) {
  const found = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) found.push(...await sources(full))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(full)
  }
  return found
}

export async function buildServer ({ quiet = false } = {}) {
  // Built beside dist and swapped in, so that a running server never sees half a build.
  const out = `${dist}.tmp-${process.pid}-${Date.now()}`
  await rm(out, { recursive: true, force: true })
  const entryPoints = await sources(path.join(root, 'server'))
  await esbuild.build({
    entryPoints,
    outbase: root,
    outdir: out,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: false,
    logLevel: 'warning'
  })
  const old = `${dist}.old-${process.pid}-${Date.now()}`
  await rename(dist, old).catch((err) => { if (err.code !== 'ENOENT') throw err })
  await rename(out, dist)
  await rm(old, { recursive: true, force: true })
  if (!quiet) console.log(`server build: ${entryPoints.length} files into ${path.relative(root, dist)}/server`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer()
