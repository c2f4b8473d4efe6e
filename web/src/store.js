// @ts-check
// App-wide state: who is logged in, the language, the current path, one-off notices.
// Components read it with useAppState() and re-render when it changes.
import { useEffect, useReducer, useRef } from 'preact/hooks'

const LANG_KEY = 'strongroom.lang'

function initialLang () {
  try {
    const saved = localStorage.getItem(LANG_KEY)
    if (saved === 'en' || saved === 'sq') return saved
  } catch { /* storage may be disabled */ }
  return /^sq\b/i.test(navigator.language ?? '') ? 'sq' : 'en'
}

/**
 * @typedef {{ id: string, username: string, displayName: string, role: string, agency: { code: string, name: string, country: string } }} User
 * @typedef {{ kind: 'ok' | 'error', text: string }} Notice
 */

export const state = {
  /** @type {User | null | undefined} undefined while the session is being checked */
  user: undefined,
  /** @type {'en' | 'sq'} */
  lang: initialLang(),
  path: location.pathname,
  search: location.search,
  /** The session expired mid-work: a login dialog covers the page, which keeps its state. */
  expired: false,
  /** @type {Notice | null} shown once on the next page */
  notice: null,
  /** Counts logins in this page's life: data loaders reload after a new login. */
  session: 0
}

/** @type {Set<() => void>} */
const listeners = new Set()
let version = 0

/** @param {Partial<typeof state>} patch */
export function setState (patch) {
  Object.assign(state, patch)
  version++
  for (const fn of listeners) fn()
}

export function useAppState () {
  const [, force] = useReducer((n) => n + 1, 0)
  const seen = useRef(version)
  seen.current = version
  useEffect(() => {
    const fn = () => force(undefined)
    listeners.add(fn)
    // A change between this render and the subscription (effects run after paint) is not lost.
    if (seen.current !== version) fn()
    return () => { listeners.delete(fn) }
  }, [])
  return state
}

/** @type {(lang: 'en' | 'sq') => Promise<unknown>} set by i18n.js (which imports this module) */
let loader = async () => {}
export const setLangLoader = (/** @type {typeof loader} */ fn) => { loader = fn }

/** Switches the language once its texts are loaded, and remembers it. @param {'en' | 'sq'} lang */
export async function setLang (lang) {
  try { localStorage.setItem(LANG_KEY, lang) } catch { /* not remembered, still applied */ }
  await loader(lang)
  document.documentElement.lang = lang
  setState({ lang })
}

/**
 * Client-side navigation with the History API.
 * @param {string} to path and optional query
 * @param {{ replace?: boolean, notice?: Notice }} [options]
 */
export function navigate (to, options = {}) {
  const url = new URL(to, location.origin)
  if (options.replace === true) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  navigated = true
  setState({ path: url.pathname, search: url.search, notice: options.notice ?? null })
  window.scrollTo(0, 0)
}

/** Whether the user moved within the app (then a new page takes the focus; a fresh load does not). */
let navigated = false
export const hasNavigated = () => navigated

addEventListener('popstate', () => (navigated = true) && setState({ path: location.pathname, search: location.search, notice: null }))

/** Query parameters of the current URL. */
export function params () {
  return new URLSearchParams(state.search)
}
