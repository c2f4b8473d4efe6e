// Names for user ids. The API gives ids (custodians, actors, members); names come from what
// the client has seen (the caller, case members) and, for admins, the user list. A user
// directory for every role (GET /api/directory, proposed to the lead) is used when the server
// offers it.
import { get } from './api.js'
import { label, t } from './i18n.js'
import { setState, state } from './store.js'
import { Field, html, useId } from './ui.js'

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

/** Loads the people of the caller's agency once per session, from whichever list the role may read. */
export function loadDirectory () {
  if (directory !== null || state.user == null) return directory
  const user = state.user
  const url = user.role === 'admin' ? '/api/users?limit=200' : '/api/directory'
  directory = get(url).then((page) => {
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
  if (state.user?.id === id) return html`<span>${state.user.displayName} <span class="muted">(${t('people.you')})</span></span>`
  const name = nameOf(id)
  if (name !== null) return html`<span title=${id}>${name}</span>`
  return html`<span class="mono" title=${id}>${t('people.user')} ${id.slice(0, 8)}…</span>`
}

/** What the picker says about the id typed so far. */
function pickerHint (value, roles) {
  const v = (value ?? '').trim()
  if (v === '') return { text: t('people.pickHint'), ok: false }
  const p = known.get(v)
  if (p === undefined) return { text: t('people.unknownId'), ok: false }
  if (roles !== undefined && p.role !== undefined && !roles.includes(p.role)) return { text: `${p.displayName} · ${label('role', p.role)} — ${t('people.wrongRole')}`, ok: false }
  return { text: `${p.displayName}${p.role !== undefined ? ` · ${label('role', p.role)}` : ''}`, ok: true }
}

/**
 * A user-id input with the colleagues the client knows as suggestions. Until the server has a
 * user directory for every role, a user can read their own id from the account menu.
 */
export function UserField ({ label: text, name, value, onValue, roles, required }) {
  const listId = useId('dl')
  const hint = pickerHint(value, roles)
  return html`<${Field} label=${text} name=${name} value=${value} onValue=${onValue} required=${required}
      list=${listId} autocomplete="off" spellcheck=${false} class="mono" hint=${hint.text} ok=${hint.ok}>
    <datalist id=${listId}>${people(roles).filter((p) => p.id !== state.user?.id).map((p) => html`<option key=${p.id} value=${p.id}>${p.displayName}${p.role !== undefined ? ` (${label('role', p.role)})` : ''}</option>`)}</datalist>
  <//>`
}
