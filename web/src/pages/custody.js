// The evidence a user holds or must receive (GET /api/items?pendingTo=me, ?custodian=me), and
// the storage locations.
import { useState } from 'preact/hooks'
import { get, id as enc, post, query } from '../api.js'
import { can, LOCATION_CODE, TERMINAL } from '../domain.js'
import { label, t } from '../i18n.js'
import { Person } from '../people.js'
import {
  Badge, Empty, ErrorSummary, Field, Form, html, Link, LoadError, Loading, Notice, PageTitle, Section, useForm, useLoad
} from '../ui.js'
import { CustodyActions, forgetLocations } from './item.js'
import { ItemTable } from './seizures.js'

/** Every page of an item list. */
async function allItems (filter, signal) {
  const items = []
  let cursor = null
  do {
    const page = await get(`/api/items${query({ ...filter, limit: 200, cursor })}`, { signal })
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor !== null)
  return items
}

export function CustodyPage ({ user }) {
  const data = useLoad(async (signal) => {
    const [pending, mine] = await Promise.all([allItems({ pendingTo: 'me' }, signal), allItems({ custodian: 'me' }, signal)])
    return { pending, mine }
  }, [user.id])
  const [notice, setNotice] = useState(null)
  const pending = data.data?.pending ?? []
  const mine = data.data?.mine ?? []
  const held = mine.filter((i) => i.status !== 'in_transit' && !TERMINAL.includes(i.status))
  const sent = mine.filter((i) => i.status === 'in_transit')
  const done = (r) => {
    setNotice({ kind: 'ok', text: t('custody.recorded', { type: label('custody', r.type), label: r.item?.label ?? '' }) })
    data.reload()
  }
  return html`
    <${PageTitle} text=${t('nav.custody')} sub=${t('custody.pageSub')} />
    <${Notice} notice=${notice} />
    ${data.error !== null && html`<${LoadError} error=${data.error} retry=${data.reload} />`}
    ${data.data === undefined && data.error === null && html`<${Loading} />`}
    ${data.data !== undefined && html`
      <${Section} title=${t('custody.pending', { n: pending.length })}>
        ${pending.length === 0 ? html`<${Empty}>${t('custody.noPending')}<//>` : html`<ul class="work-list">
          ${pending.map((it) => html`<${WorkItem} key=${it.id} item=${it} user=${user} onDone=${done} from />`)}
        </ul>`}
      <//>
      <${Section} title=${t('custody.held', { n: held.length })}>
        ${held.length === 0 ? html`<${Empty}>${t('custody.noneHeld')}<//>` : html`<ul class="work-list">
          ${held.map((it) => html`<${WorkItem} key=${it.id} item=${it} user=${user} onDone=${done} />`)}
        </ul>`}
      <//>
      ${sent.length > 0 && html`<${Section} title=${t('custody.sent', { n: sent.length })}>
        <${ItemTable} items=${sent} />
      <//>`}
    `}`
}

function WorkItem ({ item, user, onDone, from }) {
  return html`<li class="work-item">
    <div class="work-head">
      <${Link} to=${`/items/${item.id}`} class="mono strong">${item.label}<//>
      <${Badge} kind="itemStatus" value=${item.status} />
      ${item.sealBroken && html`<span class="badge danger">${t('items.sealBroken')}</span>`}
    </div>
    <p>${item.description}</p>
    <p class="muted">
      ${from ? html`${t('custody.from')}: <${Person} id=${item.custodianId} />` : html`${t('items.location')}: ${item.location ?? t('custody.notStored')}`}
      ${' · '}${t('items.sealNumber')}: ${item.sealNumber ?? '—'}
    </p>
    <${CustodyActions} item=${item} user=${user} onDone=${onDone} compact />
  </li>`
}

// ---------------------------------------------------------------- locations

export function LocationsPage ({ user }) {
  const list = useLoad((signal) => get('/api/locations', { signal }), [])
  const [shown, setShown] = useState(null)
  const locations = list.data?.items ?? []
  return html`
    <${PageTitle} text=${t('nav.locations')} sub=${t('locations.sub')} />
    ${list.error !== null && html`<${LoadError} error=${list.error} retry=${list.reload} />`}
    ${list.data === undefined && list.error === null && html`<${Loading} />`}
    ${list.data !== undefined && html`<${Section} title=${t('locations.all')}>
      ${locations.length === 0 ? html`<${Empty}>${t('locations.none')}<//>` : html`<ul class="tree">
        ${locations.map((l) => html`<li key=${l.id} class=${`depth-${l.code.split('/').length - 1}`}>
          <span class="mono">${l.code}</span> <span>${l.name}</span>
          <button type="button" class="link" aria-expanded=${shown === l.id ? 'true' : 'false'} onClick=${() => setShown(shown === l.id ? null : l.id)}>
            ${t('locations.contents', { code: l.code })}</button>
          ${shown === l.id && html`<${LocationItems} id=${l.id} />`}
        </li>`)}
      </ul>`}
    <//>`}
    ${can(user, 'location.manage') && html`<${NewLocation} locations=${locations} onDone=${() => { forgetLocations(); list.reload() }} />`}`
}

function LocationItems ({ id }) {
  const data = useLoad((signal) => get(`/api/locations/${enc(id)}/items`, { signal }), [id])
  if (data.error !== null) return html`<${LoadError} error=${data.error} />`
  if (data.data === undefined) return html`<${Loading} />`
  return html`<div class="inset"><${ItemTable} items=${data.data.items} showCustodian /></div>`
}

function NewLocation ({ locations, onDone }) {
  const form = useForm()
  const [f, setF] = useState({ parentCode: '', code: '', name: '' })
  const [notice, setNotice] = useState(null)
  const submit = () => {
    const e = {}
    if (!LOCATION_CODE.test(f.code)) e.code = t('locations.codeInvalid')
    if (f.name.trim() === '') e.name = t('form.required')
    if (!form.valid(e)) return
    return form.run(async () => {
      const created = await post('/api/locations', { code: f.code, name: f.name.trim(), parentCode: f.parentCode === '' ? null : f.parentCode })
      setNotice({ kind: 'ok', text: t('locations.created', { code: created.code }) })
      setF({ parentCode: '', code: '', name: '' })
      onDone()
    })
  }
  return html`<${Section} title=${t('locations.new')}>
    <${Notice} notice=${notice} />
    <${Form} form=${form} onSubmit=${submit} label=${t('locations.new')}>
      <div class="grid">
        <${Field} label=${t('locations.parent')} name="parentCode" type="select" value=${f.parentCode}
          onValue=${(v) => setF({ ...f, parentCode: v, code: v === '' ? '' : `${v}/` })}
          options=${[['', t('locations.noParent')], ...locations.map((l) => [l.code, `${l.code} — ${l.name}`])]} />
        <${Field} label=${t('locations.code')} name="code" value=${f.code} onValue=${(v) => setF({ ...f, code: v.toUpperCase() })} hint=${t('locations.codeHint')} class="mono" required />
        <${Field} label=${t('locations.name')} name="name" value=${f.name} onValue=${(v) => setF({ ...f, name: v })} required maxlength="200" />
      </div>
      <${ErrorSummary} />
      <button type="submit" class="primary" disabled=${form.busy}>${t('locations.create')}</button>
    <//>
  <//>`
}
