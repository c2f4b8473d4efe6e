// Builds the web client into web/dist: one script and one stylesheet, named by content hash,
// an index.html that loads them, and gzip and brotli copies served to browsers that accept them.
// Run by `npm run build:web`, and so by `npm ci` (prepare), `npm start` and `npm run demo`.
import fs from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile, copyFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, gzipSync, constants } from 'node:zlib'
import * as esbuild from 'esbuild'

const here = path.dirname(fileURLToPath(import.meta.url))
const dist = path.join(here, 'dist')

/** First-load script budget (issue 8: "well under 200 KB"); the build fails above it. */
const SCRIPT_BUDGET = 120 * 1024

/**
 * htm templates are text to esbuild, so their indentation would ship as is. htm drops
 * whitespace that holds a newline at either end of a text node, so cutting the indentation
 * after each newline changes nothing on screen (only template literals hold raw newlines).
 */
const squeezeTemplates = {
  name: 'squeeze-templates',
  setup (build) {
    build.onLoad({ filter: /[\\/]web[\\/]src[\\/].*\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace(/\n[ \t]+/g, '\n'),
      loader: 'js'
    }))
  }
}

export async function buildWeb ({ quiet = false } = {}) {
  // Build beside dist and swap it in, so a server never sees half a build.
  const out = `${dist}.tmp-${process.pid}-${Date.now()}`
  await rm(out, { recursive: true, force: true })
  await mkdir(out, { recursive: true })
  const result = await esbuild.build({
    entryPoints: { app: path.join(here, 'src/main.js'), style: path.join(here, 'app.css') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    splitting: true,
    plugins: [squeezeTemplates],
    outdir: out,
    metafile: true,
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'warning'
  })
  const outputs = result.metafile.outputs
  const names = Object.keys(outputs).map((f) => path.basename(f))
  const script = names.find((f) => f.startsWith('app-') && f.endsWith('.js'))
  const style = names.find((f) => f.startsWith('style-') && f.endsWith('.css'))
  if (script === undefined || style === undefined) throw new Error(`web build: unexpected outputs ${names.join(', ')}`)
  const byName = Object.fromEntries(Object.entries(outputs).map(([f, o]) => [path.basename(f), o]))
  /** A chunk and what it imports statically, transitively. */
  const closure = (name, seen = new Set()) => {
    if (seen.has(name)) return seen
    seen.add(name)
    for (const i of byName[name].imports) if (i.kind === 'import-statement') closure(path.basename(i.path), seen)
    return seen
  }
  const entry = byName[script]
  // Chunks the entry imports statically load with it: preload them. Languages and pages load on demand.
  const statics = [...closure(script)].filter((f) => f !== script)
  const dynamic = entry.imports.filter((i) => i.kind === 'dynamic-import').map((i) => path.basename(i.path))
  const languages = dynamic.filter((f) => /[\\/]lang[\\/]/.test(byName[f].entryPoint ?? ''))
  const pages = dynamic.filter((f) => !languages.includes(f))

  const template = await readFile(path.join(here, 'index.html'), 'utf8')
  const preload = statics.map((f) => `<link rel="modulepreload" href="/${f}">\n`).join('')
  const html = template.replace('/app.js', `/${script}`).replace('/app.css', `/${style}`).replace('<script type="module"', `${preload}<script type="module"`)
  await writeFile(path.join(out, 'index.html'), html)
  await copyFile(path.join(here, 'favicon.svg'), path.join(out, 'favicon.svg'))

  const sizes = {}
  for (const name of [...names, 'index.html', 'favicon.svg']) {
    const bytes = await readFile(path.join(out, name))
    const gz = gzipSync(bytes, { level: 9 })
    const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
    await writeFile(path.join(out, `${name}.gz`), gz)
    await writeFile(path.join(out, `${name}.br`), br)
    sizes[name] = { raw: bytes.length, gzip: gz.length, brotli: br.length }
  }
  // The first page after login loads the entry, its static chunks, one language and one page
  // (with what that page imports and the entry does not).
  const sum = (files, key) => [...files].reduce((n, f) => n + sizes[f][key], 0)
  const base = new Set([script, ...statics])
  const worstPage = (key) => Math.max(0, ...pages.map((p) => sum([...closure(p)].filter((f) => !base.has(f)), key)))
  const worstLang = (key) => Math.max(0, ...languages.map((f) => sizes[f][key]))
  const firstLoad = (key) => sum(base, key) + worstLang(key) + worstPage(key)
  const first = { raw: firstLoad('raw'), gzip: firstLoad('gzip'), brotli: firstLoad('brotli') }
  if (first.raw > SCRIPT_BUDGET) throw new Error(`web build: the first load is ${first.raw} bytes of script, over the ${SCRIPT_BUDGET}-byte budget`)

  await rm(dist, { recursive: true, force: true })
  try {
    await rename(out, dist)
  } catch (err) {
    // Another build finished first (tests may build concurrently): keep theirs.
    await rm(out, { recursive: true, force: true })
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err
  }
  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`
    if (process.argv.includes('--sizes')) {
      for (const [name, s] of Object.entries(sizes)) {
        process.stdout.write(`web/dist/${name.padEnd(24)} ${kb(s.raw).padStart(9)}  gzip ${kb(s.gzip).padStart(8)}  brotli ${kb(s.brotli).padStart(8)}\n`)
      }
    }
    process.stdout.write(`web/dist built: first load ${kb(first.raw)} of script (gzip ${kb(first.gzip)}, brotli ${kb(first.brotli)}): the entry, one language and the largest page; ${kb(sizes[style].raw)} of CSS\n`)
  }
  return { script, style, sizes, firstLoad: first }
}

if (process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWeb().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`)
    process.exit(1)
  })
}
