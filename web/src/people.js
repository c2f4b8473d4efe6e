// Names for user ids. The API gives ids (custodians, actors, members); names come from the
// agency's directory (GET /api/directory: active users, names and roles), loaded once per
// session, and from what the client has seen (the caller, case members, the admin's user list).
import { get } from './api.js'
import { label, t } from './i18n.js'
import { setState, state } from './store.js'
import { Field, html } from './ui.js'

/** @type {Map<string, { id: string, displayName: string, role?: string }>} */
const known = new Map()
let directory = null

export function remember (people) {
  let added = false
  for (const p of people) {
    if (p?.id === undefined || p.displayName === undefined) continue
    const before = known.get(p.id)
    if (before === undefined || before.displayName !== p.displayName || (p.role !== undefined && before.role !== p.role)) {
      known.set(p.id, { id: p.id, displayName: p.displayName, role: p.role ?? before?.role })
      added = true
    }
  }
  return added
}

export function forget () {
  known.clear()
  directory = null
}

export const nameOf = (id) => known.get(id)?.displayName ?? null

/** Loads the people of the caller's agency once per session. */
export function loadDirectory () {
  if (directory !== null || state.user == null) return directory
  directory = get('/api/directory').then((page) => {
    const items = (page?.items ?? []).filter((u) => u.disabled !== true)
    if (remember(items)) setState({})
    return items
  }, () => [])
  return directory
}

export function people (roles) {
  return [...known.values()].filter((p) => roles === undefined || p.role === undefined || roles.includes(p.role))
    .sort((a, b) => a.displayName.localeCompare(b.displayName))
}

/** A user's name if known, else the start of the id (full id on hover). */
export function Person ({ id }) {
  if (id === null || id === undefined) return html`<span class="muted">—</span>`
  if (id === 'system') return html`<span class="muted">${t('people.system')}</span>`
  if (state.user?.id === id) return html`<span>${state.user.displayName} <span class="muted">(${t('people.you')})</span></span>`
  const name = nameOf(id)
  if (name !== null) return html`<span title=${id}>${name}</span>`
  return html`<span class="mono" title=${id}>${t('people.user')} ${id.slice(0, 8)}…</span>`
}

/**
 * Picks a colleague by name from the directory (only the roles that can take the part); falls
 * back to typing a user ID when the directory could not be read. The value is the user's id.
 */
export function UserField ({ label: text, name, value, onValue, roles, required }) {
  const candidates = people(roles).filter((p) => p.id !== state.user?.id)
  if (candidates.length > 0) {
    return html`<${Field} label=${text} name=${name} type="select" value=${value} onValue=${onValue} required=${required}
      options=${[['', t('form.choose')], ...candidates.map((p) => [p.id, p.role === undefined ? p.displayName : `${p.displayName} (${label('role', p.role)})`])]} />`
  }
  return html`<${Field} label=${text} name=${name} value=${value} onValue=${onValue} required=${required}
    autocomplete="off" spellcheck=${false} class="mono" hint=${t('people.typeId')} />`
}
