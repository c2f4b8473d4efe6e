import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from '../lib/root.js'

export const LANGUAGES = ['en', 'sq'] as const
export type Language = typeof LANGUAGES[number]

export interface CaseFileTemplate {
  sections: string[]
  anomalies: { handoverGapHours: number, lateRecordingHours: number }
  /** Agencies' names as each language's file prints them, by agency code; the registered name otherwise. */
  agencyNames?: Record<string, Partial<Record<Language, string>>>
  texts: Record<Language, Record<string, string>>
}

const TEMPLATE_FILE = path.join(ROOT, 'templates', 'case-file.json')

/** The agency's wording (templates/case-file.json), read at each generation so an edit applies without a restart. */
export function loadTemplate (file = TEMPLATE_FILE): CaseFileTemplate {
  const template = JSON.parse(fs.readFileSync(file, 'utf8')) as CaseFileTemplate
  for (const lang of LANGUAGES) {
    if (template.texts[lang] === undefined) throw new Error(`${file}: no texts for "${lang}"`)
  }
  return template
}

export interface Texts {
  readonly lang: Language
  readonly locale: string
  /** The text for `key` with `{name}` placeholders filled; a missing key shows as itself, never crashes. */
  t: (key: string, vars?: Record<string, string | number>) => string
  /** Translation of an enumeration value (`status.referred`), falling back to the value with spaces. */
  e: (group: string, value: string | null | undefined) => string
  date: (iso: string | null | undefined) => string
  /** The same without the zone, for table columns whose header says UTC. */
  time: (iso: string | null | undefined) => string
  number: (n: number, digits?: number) => string
  /** A decimal amount kept as text ("48000.00"), shown with two decimals in the reader's format. */
  money: (amount: string) => string
}

/**
 * Day, month, year, hour and minute in UTC, in the locale's order and
 * separators. Intl is asked once for the pattern (formatToParts of a sample
 * date); each date is then filled in from its UTC fields, which is the same
 * text for these all-numeric fields and twenty times faster than formatting
 * each of a case file's thousands of times with Intl (tested against Intl in
 * test/case-file-text.test.ts).
 */
export function dateFormatter (locale: string): (d: Date) => string {
  // hourCycle h23, not hour12: false: with hour12: false a locale whose default cycle is h12
  // (sq-AL) formats 00:30 as 24:30.
  const intl = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' })
  const fields: Record<string, (d: Date) => string> = {
    year: (d) => String(d.getUTCFullYear()),
    month: (d) => String(d.getUTCMonth() + 1).padStart(2, '0'),
    day: (d) => String(d.getUTCDate()).padStart(2, '0'),
    hour: (d) => String(d.getUTCHours()).padStart(2, '0'),
    minute: (d) => String(d.getUTCMinutes()).padStart(2, '0')
  }
  const parts = intl.formatToParts(new Date(Date.UTC(2031, 10, 23, 14, 5)))
  const pattern = parts.map((p) => (p.type === 'literal' ? p.value : fields[p.type]))
  // A locale with other digits or fields than these falls back to Intl for every date.
  const plain = parts.every((p) => p.type === 'literal' || (fields[p.type] !== undefined && /^[0-9]+$/.test(p.value)))
  if (!plain) return (d) => intl.format(d)
  return (d) => {
    // Years before 1000 or after 9999 are left to Intl (padding, signs).
    if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1000 || d.getUTCFullYear() > 9999) return intl.format(d)
    let out = ''
    for (const p of pattern) out += typeof p === 'string' ? p : (p as (d: Date) => string)(d)
    return out
  }
}

export function texts (template: CaseFileTemplate, lang: Language): Texts {
  const table = { ...template.texts.en, ...template.texts[lang] }
  const locale = table.locale ?? 'en-GB'
  const dateFormat = dateFormatter(locale)
  // Formatters are made once: a case file formats thousands of numbers, and making an Intl formatter is slow.
  const numberFormats = new Map<number, Intl.NumberFormat>()
  const numberFormat = (digits: number): Intl.NumberFormat => {
    let format = numberFormats.get(digits)
    if (format === undefined) numberFormats.set(digits, format = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }))
    return format
  }
  const moneyFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  const t = (key: string, vars: Record<string, string | number> = {}): string =>
    (table[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (vars[name] === undefined ? whole : String(vars[name])))
  return {
    lang,
    locale,
    t,
    e: (group, value) => (value == null ? '—' : table[`${group}.${value}`] ?? value.replace(/_/g, ' ')),
    date: (iso) => (iso == null ? '—' : `${dateFormat(new Date(iso))} UTC`),
    time: (iso) => (iso == null ? '—' : dateFormat(new Date(iso))),
    number: (n, digits = 0) => numberFormat(digits).format(n),
    money: (amount) => moneyFormat.format(Number(amount))
  }
}
