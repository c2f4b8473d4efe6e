// English and Albanian. Every text the client shows is here; dates and numbers follow the
// reader's locale (Intl). Server messages (English) are translated where their form is known,
// and shown as the server wrote them otherwise.
import { setLangLoader, state } from './store.js'

/** Loaded languages: { messages, enums } each (web/src/lang/*.js, one bundle chunk each). */
const LANGS = {}

/** Loads a language's texts (once); the app renders only after the chosen one is in. */
export async function loadLang (lang) {
  if (LANGS[lang] === undefined) LANGS[lang] = (lang === 'sq' ? await import('./lang/sq.js') : await import('./lang/en.js')).default
  return LANGS[lang]
}

setLangLoader(loadLang)

const dict = () => LANGS[state.lang] ?? LANGS.en ?? { messages: {}, enums: {} }

/** The text for `key` in the current language, with `{name}` placeholders filled. */
export function t (key, vars) {
  const text = dict().messages[key] ?? key
  if (vars === undefined) return text
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m))
}

/** A text that depends on a count: `key.one` for one, `key.other` otherwise (`{n}` filled). */
export function tn (key, n, vars = {}) {
  const form = new Intl.PluralRules(state.lang === 'sq' ? 'sq' : 'en').select(n) === 'one' ? 'one' : 'other'
  return t(`${key}.${form}`, { n: fmtNumber(n), ...vars })
}

/** The label of an enumeration value (`label('direction', 'export')`), or the value itself. */
export function label (kind, value) {
  if (value === null || value === undefined) return '—'
  return dict().enums[kind]?.[value] ?? String(value).replace(/_/g, ' ')
}

function locale () {
  if (state.lang === 'sq') return 'sq-AL'
  const english = (navigator.languages ?? []).find((l) => /^en\b/i.test(l))
  return english ?? 'en-GB'
}

/**
 * Chromium ships without Albanian locale data (Intl falls back to English there), so Albanian
 * dates, numbers and country names are formatted here when the browser lacks them, as CLDR's
 * `sq` does: `18 nën 2026, 15:03`, `48 000,5`.
 */
const SQ_INTL = (() => { try { return Intl.DateTimeFormat.supportedLocalesOf(['sq']).length > 0 } catch { return false } })()
const ownSq = () => state.lang === 'sq' && !SQ_INTL
const SQ_MONTHS = ['jan', 'shk', 'mar', 'pri', 'maj', 'qer', 'korr', 'gush', 'sht', 'tet', 'nën', 'dhj']
const pad = (n) => String(n).padStart(2, '0')
const sqDate = (d) => `${d.getDate()} ${SQ_MONTHS[d.getMonth()]} ${d.getFullYear()}`

const cache = new Map()
function format (kind, options) {
  const key = `${locale()}|${kind}`
  let f = cache.get(key)
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale(), { ...options, ...(state.lang === 'sq' && options.timeStyle !== undefined ? { hourCycle: 'h23' } : {}) })
    cache.set(key, f)
  }
  return f
}

/** A time in the reader's locale and time zone; a bare date (`1979-04-12`) as a date. */
export function fmtDateTime (iso, dateOnly = false) {
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(iso)
  const d = new Date(bare ? `${iso}T00:00:00` : iso)
  if (Number.isNaN(d.getTime())) return iso
  if (ownSq()) return bare || dateOnly ? sqDate(d) : `${sqDate(d)}, ${pad(d.getHours())}:${pad(d.getMinutes())}`
  return bare || dateOnly ? format('date', { dateStyle: 'medium' }).format(d) : format('datetime', { dateStyle: 'medium', timeStyle: 'short' }).format(d)
}

export function fmtMonth (yyyyMm) {
  const [y, m] = yyyyMm.split('-').map(Number)
  if (ownSq()) return `${SQ_MONTHS[m - 1]} ${y}`
  return format('month', { month: 'short', year: 'numeric' }).format(new Date(y, m - 1, 1))
}

export function fmtNumber (n, digits) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '—'
  const options = digits === undefined ? {} : { minimumFractionDigits: 0, maximumFractionDigits: digits }
  if (!ownSq()) return new Intl.NumberFormat(locale(), options).format(Number(n))
  // CLDR sq: a narrow no-break space groups thousands, a comma marks the decimals.
  return new Intl.NumberFormat('en', options).formatToParts(Number(n))
    .map((p) => p.type === 'group' ? '\u202f' : p.type === 'decimal' ? ',' : p.value).join('')
}

export function fmtBytes (n) {
  if (n < 1024) return `${fmtNumber(n)} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${fmtNumber(v, v < 10 ? 1 : 0)} ${units[i]}`
}

let regionNames = null
let regionLang = null
/** The country's name in the reader's language (ISO 3166-1 alpha-2; XK is Kosovo). */
export function countryName (code) {
  if (code === null || code === undefined) return '—'
  try {
    if (ownSq() && dict().countries?.[code] !== undefined) return dict().countries[code]
    if (regionLang !== state.lang) { regionNames = new Intl.DisplayNames([locale()], { type: 'region' }); regionLang = state.lang }
    return regionNames.of(code) ?? code
  } catch {
    return code
  }
}

// ---------------------------------------------------------------- server messages

/** Server message forms (English) and their Albanian; `$1`... are the captured parts. */
const SERVER_SQ = [
  [/^is required( for this event type| when closing| for a status change)?$/, 'është e detyrueshme'],
  [/^must NOT have fewer than 1 characters$/, 'nuk mund të jetë bosh'],
  [/^must NOT have more than (\d+) characters$/, 'jo më shumë se $1 shenja'],
  [/^must NOT have fewer than (\d+) items$/, 'zgjidhni të paktën $1'],
  [/^must match pattern .*$/, 'nuk ka formatin e duhur'],
  [/^must match format "date-time"$/, 'duhet të jetë datë dhe orë e vlefshme'],
  [/^must match format "date"$/, 'duhet të jetë datë e vlefshme'],
  [/^must be equal to one of the allowed values$/, 'duhet të jetë një nga vlerat e lejuara'],
  [/^must be (integer|number)$/, 'duhet të jetë numër'],
  [/^must be (string|boolean|object|array|null)$/, 'ka llojin e gabuar'],
  [/^must be (>|<|>=|<=) (.+)$/, 'duhet të jetë $1 $2'],
  [/^unknown field "(.+)"$/, 'fushë e panjohur "$1"'],
  [/^unknown or disabled user$/, 'përdorues i panjohur ose i çaktivizuar'],
  [/^unknown location code$/, 'kod vendruajtjeje i panjohur'],
  [/^unknown seizure$/, 'sekuestrim i panjohur'],
  [/^unknown agency$/, 'agjenci e panjohur'],
  [/^is in the future$/, 'është në të ardhmen'],
  [/^no such goods line$/, 'nuk ka rresht malli të tillë'],
  [/^must extend the parent code by one segment$/, 'duhet të zgjasë kodin e vendruajtjes mëmë me një segment'],
  [/^is required for a nested code$/, 'kërkohet për një kod të brendshëm'],
  [/^needs status "closed"$/, 'jepet vetëm kur çështja mbyllet'],
  [/^must be at least (\d+) characters$/, 'duhet të ketë të paktën $1 shenja'],
  [/^the seizure cannot have happened in the future$/, 'sekuestrimi nuk mund të ketë ndodhur në të ardhmen'],
  [/^give both latitude and longitude, or neither$/, 'jepni edhe gjerësinë edhe gjatësinë gjeografike, ose asnjërën'],
  [/^"(.*)" is not an HS code: .*$/, '"$1" nuk është kod HS: përdorni 6 deri në 10 shifra, p.sh. 850440'],
  [/^controlled goods need the control regime .*$/, 'mallrat e kontrolluara kërkojnë regjimin e kontrollit (p.sh. EU-2021/821)'],
  [/^controlled goods need the control-list entry .*$/, 'mallrat e kontrolluara kërkojnë zërin në listën e kontrollit (p.sh. 3A225)'],
  [/^"(.*)" is not a (.+) control-list entry; expected the form (.+)$/, '"$1" nuk është zë i listës së kontrollit $2; forma e pritur: $3'],
  [/^a control-list entry or regime is given, so mark the goods as controlled$/, 'është dhënë zë ose regjim kontrolli: shënojini mallrat si të kontrolluara'],
  [/^a licence with status "(.+)" needs its number$/, 'licenca me status "$1" kërkon numrin e saj'],
  [/^Only the current custodian of the item can record this event$/, 'Vetëm ruajtësi aktual i provës mund ta regjistrojë këtë ngjarje'],
  [/^The item is in transit: the hand-over must be received before anything else is recorded$/, 'Prova është në dorëzim: dorëzimi duhet marrë përpara se të regjistrohet gjë tjetër'],
  [/^Only the recipient named in the hand-over can receive the item$/, 'Vetëm marrësi i emëruar në dorëzim mund ta marrë provën'],
  [/^There is no pending hand-over to receive$/, 'Nuk ka dorëzim në pritje për t\'u marrë'],
  [/^A "(.+)" event is not allowed while the item is (.+?)(: check the item in first)?$/, 'Ngjarja "$1" nuk lejohet ndërsa prova është $2'],
  [/^The item was (.+); no further custody event can be recorded$/, 'Prova është $1; nuk mund të regjistrohet asnjë ngjarje tjetër ruajtjeje'],
  [/^The event's time \((.+)\) is before the previous custody event \((.+)\)$/, 'Koha e ngjarjes ($1) është përpara ngjarjes së mëparshme të ruajtjes ($2)'],
  [/^The seal found \((.+)\) is not the recorded seal \((.+)\): .*$/, 'Vula e gjetur ($1) nuk është vula e regjistruar ($2): regjistrojeni vulën si të prishur, pastaj rivuloseni'],
  [/^You already hold the item: a hand-over needs another recipient$/, 'Prova është tashmë te ju: dorëzimi kërkon një marrës tjetër'],
  [/^The witness of a disposal must be someone other than the custodian$/, 'Dëshmitari duhet të jetë dikush tjetër nga ruajtësi'],
  [/^A "(.+)" event needs (.+) \((.+)\)$/, 'Ngjarja "$1" kërkon fushën $3'],
  [/^An event cannot happen in the future$/, 'Një ngjarje nuk mund të ndodhë në të ardhmen'],
  [/^Add a prosecutor to the case before referring it$/, 'Shtoni një prokuror në çështje përpara se ta referoni'],
  [/^A case cannot move from "(.+)" to "(.+)"$/, 'Çështja nuk mund të kalojë nga "$1" në "$2"'],
  [/^A user with the role (.+) cannot be the case's (.+)$/, 'Një përdorues me rolin $1 nuk mund të jetë $2 i çështjes'],
  [/^That user is already a member of the case$/, 'Ky përdorues është tashmë anëtar i çështjes'],
  [/^The case is closed: reopen it .*$/, 'Çështja është e mbyllur: rihapeni (me arsye) përpara se ta ndryshoni'],
  [/^The case already has its lead investigator$/, 'Çështja e ka tashmë hetuesin kryesues'],
  [/^The username "(.+)" is already taken$/, 'Emri i përdoruesit "$1" është i zënë'],
  [/^There is no active user (.+) in your agency$/, 'Nuk ka përdorues aktiv $1 në agjencinë tuaj'],
  [/^There is no seizure (.+) in your agency$/, 'Nuk ka sekuestrim $1 në agjencinë tuaj'],
  [/^Say why the status changes$/, 'Shkruani arsyen e ndryshimit të statusit'],
  [/^Closing a case needs its outcome$/, 'Mbyllja e çështjes kërkon rezultatin'],
  [/^This needs a case member with the role (.+)$/, 'Kjo kërkon një anëtar të çështjes me rolin $1'],
  [/^The seizure is already linked to this case$/, 'Sekuestrimi është tashmë i lidhur me këtë çështje'],
  [/^The location (.+) already exists$/, 'Vendruajtja $1 ekziston tashmë'],
  [/^The seizure was corrected meanwhile; .*$/, 'Sekuestrimi u korrigjua ndërkohë; ringarkojeni dhe provoni sërish']
]

/** A server message in the user's language where its form is known. */
export function serverMessage (message) {
  if (state.lang === 'en') return message
  for (const [re, sq] of SERVER_SQ) {
    const m = re.exec(message)
    if (m !== null) return sq.replace(/\$(\d)/g, (_, i) => m[Number(i)] ?? '')
  }
  return message
}

/** What went wrong with a request, for the user. */
export function errorText (err) {
  const status = err?.status
  const code = err?.code
  const detail = err?.problem?.detail
  switch (code) {
    case 'network': return t('error.network')
    case 'invalid-credentials': return t('error.credentials')
    case 'too-many-requests': return err.retryAfter ? t('error.tooManyWait', { minutes: Math.max(1, Math.ceil(err.retryAfter / 60)) }) : t('error.tooMany')
    case 'unauthenticated':
    case 'invalid-token': return t('error.session')
    case 'forbidden': return t('error.forbidden')
    case 'not-found': return t('error.notFound')
    case 'payload-too-large': return t('error.tooLarge')
    case 'unsupported-media-type': return t('error.mediaType')
    case 'digest-mismatch': return t('error.digest')
    case 'integrity-failure': return t('error.integrity')
    case 'unavailable': return detail !== undefined && state.lang === 'en' ? detail : t('error.unavailable')
    case 'internal-error': return t('error.internal', { id: err.problem?.requestId ?? '' })
    default: break
  }
  if (detail !== undefined) return serverMessage(detail)
  if (status === 404) return t('error.notFound')
  if (status !== undefined && status >= 500) return t('error.internal', { id: '' })
  return err?.message ?? String(err)
}

// ---------------------------------------------------------------- timeline

/** A case timeline entry in the user's language, from its action and the server's summary. */
export function timelineText (e) {
  const s = e.summary ?? ''
  let m
  if (e.action.startsWith('custody.')) {
    m = /\(event (\d+)\)$/.exec(s)
    return t('tl.custody', { type: label('custody', e.action.slice(8)), n: m?.[1] ?? '?' })
  }
  switch (e.action) {
    case 'seizure.create':
      m = /^Seizure (\S+) recorded at (.*)$/.exec(s)
      return m === null ? s : t('tl.seizureCreate', { ref: m[1], place: m[2] })
    case 'seizure.correct':
      m = /^Seizure (\S+) corrected: (.*)$/s.exec(s)
      return m === null ? s : t('tl.seizureCorrect', { ref: m[1], reason: m[2] })
    case 'item.create':
      m = /^Exhibit (\S+) created$/.exec(s)
      return m === null ? s : t('tl.itemCreate', { label: m[1] })
    case 'attachment.create':
      m = /^File (.*) attached \(SHA-256 (\S+)\)$/s.exec(s)
      return m === null ? s : t('tl.attachment', { name: m[1], hash: m[2] })
    case 'case.create':
      m = /^Case (\S+) opened$/.exec(s)
      return m === null ? s : t('tl.caseCreate', { ref: m[1] })
    case 'case.status':
      m = /^Status (\S+) → (\S+)(?: \((\S+)\))?: (.*)$/s.exec(s)
      return m === null ? s : t('tl.status', { from: label('caseStatus', m[1]), to: label('caseStatus', m[2]), outcome: m[3] === undefined ? '' : ` (${label('outcome', m[3])})`, reason: m[4] })
    case 'case.link': return t('tl.link', { reason: s.replace(/^Seizure linked: /, '') })
    case 'case.unlink': return t('tl.unlink', { reason: s.replace(/^Seizure unlinked: /, '') })
    case 'case.member_add':
      m = /^Member added as (.+)$/.exec(s)
      return t('tl.memberAdd', { role: m === null ? '' : label('caseRole', m[1].replace(/ /g, '_')) })
    case 'case.member_remove': return t('tl.memberRemove')
    case 'case.share': return t('tl.share')
    case 'case.unshare': return t('tl.unshare')
    case 'case.update': return t('tl.update')
    case 'case.action': return t('tl.action', { title: s.replace(/^Action: /, '') })
    case 'case.bundle': return t(/bundle/.test(s) ? 'tl.bundle' : 'tl.caseFile')
    default: return s
  }
}
