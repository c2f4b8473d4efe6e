import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'

interface Lang { messages: Record<string, string>, enums: Record<string, Record<string, string>> }

const SRC = fileURLToPath(new URL('../../web/src/', import.meta.url))
// The same in both languages on purpose: codes, units, and words Albanian shares.
const SAME = new Set(['place.locode', 'verify.seconds', 'role.admin', 'role.auditor', 'direction.import', 'unit.KGM', 'unit.GRM', 'unit.LTR', 'unit.MTR', 'unit.MTK', 'unit.MTQ'])

async function lang (name: string): Promise<Lang> {
  const url = pathToFileURL(path.join(SRC, 'lang', `${name}.js`)).href
  return ((await import(url)) as { default: Lang }).default
}

async function sources (dir = SRC): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== 'lang') out.push(...await sources(file))
    else if (entry.name.endsWith('.js') && !dir.endsWith(`${path.sep}lang`)) out.push(await readFile(file, 'utf8'))
  }
  return out
}

t.test('English and Albanian hold the same texts and labels, each translated', async (t) => {
  const en = await lang('en')
  const sq = await lang('sq')
  t.same(Object.keys(sq.messages).sort(), Object.keys(en.messages).sort(), 'the same message keys')
  t.same(Object.keys(sq.enums).sort(), Object.keys(en.enums).sort(), 'the same enumerations')
  for (const kind of Object.keys(en.enums)) {
    t.same(Object.keys(sq.enums[kind] ?? {}).sort(), Object.keys(en.enums[kind] ?? {}).sort(), `the same values of ${kind}`)
  }
  const untranslated = [
    ...Object.keys(en.messages).filter((k) => en.messages[k] === sq.messages[k] && !SAME.has(k)),
    ...Object.entries(en.enums).flatMap(([kind, values]) => Object.keys(values).map((v) => `${kind}.${v}`)
      .filter((k) => { const [kind2, v] = [k.slice(0, k.indexOf('.')), k.slice(k.indexOf('.') + 1)]; return en.enums[kind2]?.[v] === sq.enums[kind2]?.[v] && !SAME.has(k) }))
  ]
  t.same(untranslated, [], 'no Albanian text is left in English')
  for (const [key, text] of Object.entries(en.messages)) {
    const placeholders = (s: string | undefined) => [...(s ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    t.same(placeholders(sq.messages[key]), placeholders(text), `${key}: the same placeholders`)
  }
})

t.test('every text the client asks for exists', async (t) => {
  const en = await lang('en')
  const code = (await sources()).join('\n')
  const used = new Set<string>()
  for (const m of code.matchAll(/\bt\(\s*'([\w.]+)'/g)) used.add(m[1] ?? '')
  for (const m of code.matchAll(/\btn\(\s*'([\w.]+)'/g)) { used.add(`${m[1] ?? ''}.one`); used.add(`${m[1] ?? ''}.other`) }
  // Keys built at run time: custody actions and forms, case moves.
  for (const type of ['transferred', 'stored', 'checked_out', 'checked_in', 'examined', 'resealed', 'dispose']) used.add(`custody.do.${type}`)
  for (const type of ['received', 'transferred', 'stored', 'checked_out', 'checked_in', 'examined', 'resealed', 'dispose']) {
    used.add(`custody.form.${type}`)
    used.add(`custody.submit.${type}`)
  }
  for (const to of ['investigate', 'return', 'reopen', 'referred', 'in_court', 'closed']) used.add(`case.to.${to}`)
  const missing = [...used].filter((k) => !(k in en.messages))
  t.same(missing, [], 'every key used in web/src has an English text (and so an Albanian one)')
  t.ok(used.size > 300, `the client's texts were found (${used.size})`)
})
