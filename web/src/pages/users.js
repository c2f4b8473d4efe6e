// Administration: the agency's users and their roles; create, change role, disable, reset password.
import { useState } from 'preact/hooks'
import { get, id as enc, patch, post, query } from '../api.js'
import { ROLES, USERNAME } from '../domain.js'
import { label, t } from '../i18n.js'
import { remember } from '../people.js'
import { setState } from '../store.js'
import { Empty, enumOptions, ErrorSummary, Field, Form, html, LoadError, Loading, Notice, PageTitle, Section, useForm, useLoad, When } from '../ui.js'

const MIN_PASSWORD = 12

export function UsersPage ({ user }) {
  const [role, setRole] = useState('')
  const [notice, setNotice] = useState(null)
  const [pages, setPages] = useState([])
  const list = useLoad(async (signal) => {
    const page = await get(`/api/users${query({ role, limit: 100 })}`, { signal })
    setPages([page])
    if (remember(page.items)) setState({})
    return page
  }, [role])
  const agencies = useLoad((signal) => get('/api/agencies', { signal }).then((r) => r.items, () => []), [])
  const more = async () => {
    const page = await get(`/api/users${query({ role, limit: 100, cursor: pages[pages.length - 1].nextCursor })}`)
    setPages([...pages, page])
  }
  const rows = pages.flatMap((p) => p.items)
  const changed = (text) => { setNotice({ kind: 'ok', text }); list.reload() }
  return html`
    <${PageTitle} text=${t('nav.users')} sub=${user.agency.name} />
    <${Notice} notice=${notice} />
    <${NewUser} user=${user} agencies=${agencies.data ?? []} onDone=${changed} />
    <${Section} title=${t('users.all')}>
      <div class="filters inline">
        <${Field} label=${t('users.role')} name="role" type="select" value=${role} onValue=${setRole} options=${enumOptions('role', ROLES, t('users.anyRole'))} />
      </div>
      ${list.error !== null && html`<${LoadError} error=${list.error} retry=${list.reload} />`}
      ${list.loading && rows.length === 0 && html`<${Loading} />`}
      ${!list.loading && rows.length === 0 && list.error === null && html`<${Empty}>${t('users.none')}<//>`}
      ${rows.length > 0 && html`<table class="rows">
        <caption class="visually-hidden">${t('users.all')}</caption>
        <thead><tr><th scope="col">${t('users.displayName')}</th><th scope="col">${t('users.username')}</th><th scope="col">${t('users.role')}</th><th scope="col">${t('users.agency')}</th><th scope="col">${t('users.state')}</th><th scope="col"><span class="visually-hidden">${t('users.edit')}</span></th></tr></thead>
        <tbody>${rows.map((u) => html`<${UserRow} key=${u.id} u=${u} me=${user} onDone=${changed} />`)}</tbody>
      </table>`}
      ${pages.length > 0 && pages[pages.length - 1].nextCursor !== null && html`<p><button type="button" class="secondary" onClick=${more}>${t('common.more')}</button></p>`}
    <//>`
}

function UserRow ({ u, me, onDone }) {
  const [open, setOpen] = useState(false)
  return html`<tr class=${u.disabled ? 'disabled' : ''}>
      <td data-label=${t('users.displayName')}>${u.displayName}</td>
      <td data-label=${t('users.username')} class="mono">${u.username}</td>
      <td data-label=${t('users.role')}>${label('role', u.role)}</td>
      <td data-label=${t('users.agency')}>${u.agency.code}</td>
      <td data-label=${t('users.state')}>${u.disabled ? html`<span class="badge danger">${t('users.disabled')}</span>` : html`<span class="badge ok">${t('users.active')}</span>`}</td>
      <td><button type="button" class="link" aria-expanded=${open ? 'true' : 'false'} onClick=${() => setOpen(!open)}>${t('users.edit')}<span class="visually-hidden"> ${u.username}</span></button></td>
    </tr>
    ${open && html`<tr class="detail-row"><td colspan="6"><${EditUser} u=${u} me=${me} onDone=${(text) => { setOpen(false); onDone(text) }} /></td></tr>`}`
}

function NewUser ({ user, agencies, onDone }) {
  const form = useForm()
  const blank = { username: '', displayName: '', role: '', password: '', agencyCode: '' }
  const [f, setF] = useState(blank)
  const set = (k) => (v) => setF({ ...f, [k]: v })
  const submit = () => {
    const e = {}
    if (!USERNAME.test(f.username)) e.username = t('users.usernameInvalid')
    if (f.displayName.trim() === '') e.displayName = t('form.required')
    if (f.role === '') e.role = t('form.required')
    if (f.password.length < MIN_PASSWORD) e.password = t('users.passwordShort', { n: MIN_PASSWORD })
    if (!form.valid(e)) return
    return form.run(async () => {
      const created = await post('/api/users', {
        username: f.username, displayName: f.displayName.trim(), role: f.role, password: f.password,
        ...(f.agencyCode === '' ? {} : { agencyCode: f.agencyCode })
      })
      setF(blank)
      onDone(t('users.created', { name: created.displayName, username: created.username }))
    })
  }
  return html`<${Section} title=${t('users.new')}>
    <${Form} form=${form} onSubmit=${submit} label=${t('users.new')}>
      <div class="grid">
        <${Field} label=${t('users.username')} name="username" value=${f.username} onValue=${set('username')} hint=${t('users.usernameHint')} autocomplete="off" autocapitalize="none" spellcheck=${false} required />
        <${Field} label=${t('users.displayName')} name="displayName" value=${f.displayName} onValue=${set('displayName')} required maxlength="200" />
        <${Field} label=${t('users.role')} name="role" type="select" value=${f.role} onValue=${set('role')} options=${enumOptions('role', ROLES, t('form.choose'))} required />
        <${Field} label=${t('users.initialPassword')} name="password" type="password" value=${f.password} onValue=${set('password')} hint=${t('users.passwordHint', { n: MIN_PASSWORD })} autocomplete="new-password" required />
        ${agencies.length > 1 && html`<${Field} label=${t('users.agency')} name="agencyCode" type="select" value=${f.agencyCode} onValue=${set('agencyCode')}
          options=${[['', user.agency.name], ...agencies.filter((a) => a.code !== user.agency.code).map((a) => [a.code, a.name])]} />`}
      </div>
      <${ErrorSummary} />
      <button type="submit" class="primary" disabled=${form.busy}>${t('users.create')}</button>
    <//>
  <//>`
}

function EditUser ({ u, me, onDone }) {
  const form = useForm()
  const pw = useForm()
  const [displayName, setDisplayName] = useState(u.displayName)
  const [role, setRole] = useState(u.role)
  const [password, setPassword] = useState('')
  const self = u.id === me.id
  const save = () => {
    if (!form.valid(displayName.trim() === '' ? { displayName: t('form.required') } : {})) return
    return form.run(async () => {
      await patch(`/api/users/${enc(u.id)}`, { displayName: displayName.trim(), ...(role !== u.role ? { role } : {}) })
      onDone(t('users.saved', { username: u.username }))
    })
  }
  const toggle = () => form.run(async () => {
    await patch(`/api/users/${enc(u.id)}`, { disabled: !u.disabled })
    onDone(t(u.disabled ? 'users.enabled' : 'users.disabledDone', { username: u.username }))
  })
  const reset = () => {
    if (!pw.valid(password.length < MIN_PASSWORD ? { password: t('users.passwordShort', { n: MIN_PASSWORD }) } : {})) return
    return pw.run(async () => {
      await patch(`/api/users/${enc(u.id)}`, { password })
      setPassword('')
      onDone(t('users.passwordReset', { username: u.username }))
    })
  }
  return html`<div class="edit-user">
    <${Form} form=${form} onSubmit=${save} class="form inset" label=${t('users.editOf', { username: u.username })}>
      <h3>${t('users.editOf', { username: u.username })}</h3>
      <p class="muted">${t('users.since')} <${When} iso=${u.createdAt} /></p>
      <div class="grid">
        <${Field} label=${t('users.displayName')} name="displayName" value=${displayName} onValue=${setDisplayName} required maxlength="200" />
        <${Field} label=${t('users.role')} name="role" type="select" value=${role} onValue=${setRole} options=${enumOptions('role', ROLES)} disabled=${self} />
      </div>
      <${ErrorSummary} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled=${form.busy}>${t('common.save')}</button>
        ${!self && html`<button type="button" class=${u.disabled ? 'secondary' : 'danger'} onClick=${toggle} disabled=${form.busy}>${u.disabled ? t('users.enable') : t('users.disable')}</button>`}
      </div>
    <//>
    <${Form} form=${pw} onSubmit=${reset} class="form inset" label=${t('users.resetPassword')}>
      <h3>${t('users.resetPassword')}</h3>
      <${Field} label=${t('users.newPassword')} name="password" type="password" value=${password} onValue=${setPassword} hint=${t('users.passwordHint', { n: MIN_PASSWORD })} autocomplete="new-password" />
      <${ErrorSummary} />
      <button type="submit" class="secondary" disabled=${pw.busy}>${t('users.resetPassword')}</button>
    <//>
  </div>`
}
