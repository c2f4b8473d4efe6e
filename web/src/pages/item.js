// An evidence item (exhibit): its state, label printing, the custody events its holder may
// record now, its chain of custody as a timeline, and its photos and files.
import { useState } from 'preact/hooks'
import { get, id as enc, post } from '../api.js'
import { can, CUSTODY_ACTIONS, DISPOSALS, EVIDENCE_WRITERS, TERMINAL } from '../domain.js'
import { FileList, Files } from '../files.js'
import { fmtNumber, label, t } from '../i18n.js'
import { Person, UserField } from '../people.js'
import { state } from '../store.js'
import {
  Badge, ErrorSummary, Facts, Field, Form, html, Link, LoadError, Loading, Notice, PageTitle, Radios, Section, useForm, useLoad, When
} from '../ui.js'

export function ItemPage ({ id, user }) {
  const item = useLoad((signal) => get(`/api/items/${enc(id)}`, { signal }), [id])
  const events = useLoad((signal) => get(`/api/items/${enc(id)}/custody`, { signal }), [id])
  const [notice, setNotice] = useState(null)
  if (item.error !== null) return html`<${PageTitle} text=${t('items.one')} /><${LoadError} error=${item.error} retry=${item.reload} />`
  if (item.data === undefined) return html`<${Loading} />`
  const it = item.data
  const done = (result) => {
    setNotice({ kind: 'ok', text: t('custody.recorded', { type: label('custody', result.type), label: it.label }) })
    item.reload()
    events.reload()
  }
  return html`
    <${PageTitle} text=${it.label} sub=${it.description} />
    <${Notice} notice=${notice} />
    ${it.sealBroken && html`<div class="notice error" role="note"><strong>${t('items.sealBroken')}.</strong> ${t('items.sealBrokenNote')}</div>`}
    <div class="columns">
      <${Section} title=${t('items.state')}>
        <${Facts} rows=${[
          [t('items.status'), html`<${Badge} kind="itemStatus" value=${it.status} />`],
          [t('items.seizure'), html`<${Link} to=${`/seizures/${it.seizureId}`}>${it.seizureReference}<//>`],
          [t('items.category'), label('category', it.category)],
          [t('goods.quantity'), `${fmtNumber(it.quantity)} ${label('unit', it.unit)}`],
          [t('items.sealNumber'), it.sealNumber],
          [t('items.condition'), it.condition],
          [t('items.custodian'), html`<${Person} id=${it.custodianId} />`],
          [t('items.pendingTo'), it.pendingToId === null ? null : html`<${Person} id=${it.pendingToId} />`],
          [t('items.location'), it.location],
          [t('items.created'), html`<${When} iso=${it.createdAt} />`]
        ]} />
        <div class="label-print">
          <a class="button secondary" href=${`/api/items/${enc(it.id)}/label.pdf`} target="_blank" rel="noopener">${t('items.printLabel')}</a>
          <a class="button secondary" href=${`/api/items/${enc(it.id)}/label.pdf?format=a4`} target="_blank" rel="noopener">${t('items.printA4')}</a>
        </div>
      <//>
      <${Section} title=${t('custody.actions')}>
        <${CustodyActions} item=${it} user=${user} onDone=${done} />
      <//>
    </div>
    <${Section} title=${t('custody.chain')}>
      ${events.error !== null && html`<${LoadError} error=${events.error} retry=${events.reload} />`}
      ${events.data === undefined && events.error === null ? html`<${Loading} />` : events.data !== undefined && html`<${Chain} events=${events.data.items} />`}
    <//>
    <${Section} title=${t('files.title')}>
      <${Files} owner="item" ownerId=${it.id} canUpload=${can(user, 'attachment.upload') && EVIDENCE_WRITERS.includes(user.role)} />
    <//>`
}

/** What the caller may record on this item now, by the custody state machine. */
export function CustodyActions ({ item, user, onDone, compact }) {
  const [open, setOpen] = useState(null)
  if (!can(user, 'custody.record')) return html`<p class="muted">${t('custody.readOnly')}</p>`
  if (TERMINAL.includes(item.status)) return html`<p class="muted">${t('custody.final', { status: label('itemStatus', item.status).toLocaleLowerCase() })}</p>`
  if (item.status === 'in_transit') {
    if (item.pendingToId !== user.id) return html`<p class="muted">${t('custody.waitingFor')} <${Person} id=${item.pendingToId} />.</p>`
    return html`<${CustodyForm} item=${item} type="received" onDone=${onDone} />`
  }
  if (item.custodianId !== user.id) return html`<p class="muted">${t('custody.onlyHolder')} <${Person} id=${item.custodianId} />.</p>`
  const actions = CUSTODY_ACTIONS[item.status] ?? []
  return html`<div class="custody-actions">
    <div class="action-buttons" role="group" aria-label=${t('custody.actions')}>
      ${actions.map((a) => html`<button key=${a} type="button" class=${`${open === a ? 'primary' : 'secondary'}${compact ? ' small' : ''}`} aria-expanded=${open === a ? 'true' : 'false'}
        onClick=${() => setOpen(open === a ? null : a)}>${t(`custody.do.${a}`)}</button>`)}
    </div>
    ${open !== null && html`<${CustodyForm} key=${open} item=${item} type=${open} compact=${compact}
      onDone=${(r) => { setOpen(null); onDone(r) }} onCancel=${() => setOpen(null)} />`}
  </div>`
}

let locationCache = null
function useLocations (user) {
  return useLoad(async () => {
    if (!can(user, 'location.read')) return []
    locationCache ??= get('/api/locations').then((r) => r.items, (err) => { locationCache = null; throw err })
    return locationCache
  }, [user.id])
}
export const forgetLocations = () => { locationCache = null }

const SEAL_CHECK = new Set(['received', 'checked_in', 'examined'])

export function CustodyForm ({ item, type, onDone, onCancel }) {
  const form = useForm()
  const user = state.user
  const locations = useLocations(user)
  const [f, setF] = useState({
    occurredAt: '', toUserId: '', purpose: '', location: '', sealNumber: type === 'resealed' ? '' : (item.sealNumber ?? ''),
    sealIntact: type === 'examined' ? null : undefined, notes: '', authority: '', witnessUserId: '', disposal: ''
  })
  const set = (k) => (v) => setF({ ...f, [k]: v })
  const clean = (v) => { const s = v.trim(); return s === '' ? undefined : s }

  const submit = () => {
    const e = {}
    const need = (k, v) => { if (v === undefined || v === null || String(v).trim() === '') e[k] = t('form.required') }
    const eventType = type === 'dispose' ? f.disposal : type
    if (type === 'dispose') need('type', f.disposal)
    if (type === 'transferred') need('toUserId', f.toUserId)
    if (type === 'stored') need('location', f.location)
    if (type === 'checked_out') need('purpose', f.purpose)
    if (type === 'resealed') need('sealNumber', f.sealNumber)
    if (type === 'received' || type === 'checked_in') need('sealIntact', f.sealIntact)
    if (type === 'dispose') { need('authority', f.authority); need('witnessUserId', f.witnessUserId) }
    if (f.occurredAt !== '' && Date.parse(f.occurredAt) > Date.now() + 5 * 60000) e.occurredAt = t('custody.future')
    if (!form.valid(e)) return
    const body = {
      type: eventType,
      occurredAt: f.occurredAt === '' ? undefined : new Date(f.occurredAt).toISOString(),
      toUserId: type === 'transferred' ? clean(f.toUserId) : undefined,
      location: ['received', 'stored', 'checked_in'].includes(type) ? clean(f.location) : undefined,
      purpose: ['transferred', 'checked_out'].includes(type) ? clean(f.purpose) : undefined,
      sealNumber: SEAL_CHECK.has(type) || type === 'resealed' ? clean(f.sealNumber) : undefined,
      sealIntact: SEAL_CHECK.has(type) && f.sealIntact !== null ? f.sealIntact : undefined,
      notes: clean(f.notes),
      authority: type === 'dispose' ? clean(f.authority) : undefined,
      witnessUserId: type === 'dispose' ? clean(f.witnessUserId) : undefined
    }
    return form.run(async () => {
      const result = await post(`/api/items/${enc(item.id)}/custody`, body)
      onDone(result)
    })
  }

  const locationOptions = [['', t(type === 'stored' ? 'form.choose' : 'form.optional')], ...(locations.data ?? []).map((l) => [l.code, `${l.code} — ${l.name}`])]
  const title = t(`custody.form.${type}`)
  return html`<${Form} form=${form} onSubmit=${submit} class="form inset" label=${`${title} · ${item.label}`}>
    <h3>${title}</h3>
    <div class="grid">
      ${type === 'dispose' && html`<${Radios} legend=${t('custody.disposal')} name="type" value=${f.disposal} onValue=${set('disposal')}
        options=${DISPOSALS.map((d) => [d, label('custody', d)])} />`}
      ${type === 'transferred' && html`<${UserField} label=${t('custody.recipient')} name="toUserId" value=${f.toUserId} onValue=${set('toUserId')} roles=${EVIDENCE_WRITERS} required />`}
      ${(type === 'transferred' || type === 'checked_out') && html`<${Field} label=${t(type === 'checked_out' ? 'custody.purposeOut' : 'custody.purpose')} name="purpose"
        value=${f.purpose} onValue=${set('purpose')} required=${type === 'checked_out'} maxlength="1000" />`}
      ${SEAL_CHECK.has(type) && html`
        <${Field} label=${t('custody.sealFound')} name="sealNumber" value=${f.sealNumber} onValue=${set('sealNumber')} hint=${item.sealNumber !== null ? t('custody.sealRecorded', { seal: item.sealNumber }) : null} maxlength="60" />
        <${Radios} legend=${t('custody.sealState')} name="sealIntact" value=${f.sealIntact} onValue=${set('sealIntact')}
          options=${[[true, t('custody.sealIntact')], [false, t('custody.sealBroken')], ...(type === 'examined' ? [[null, t('custody.sealNotChecked')]] : [])]} />`}
      ${type === 'resealed' && html`<${Field} label=${t('custody.newSeal')} name="sealNumber" value=${f.sealNumber} onValue=${set('sealNumber')} required maxlength="60" />`}
      ${['received', 'stored', 'checked_in'].includes(type) && html`<${Field} label=${t(type === 'stored' ? 'custody.location' : 'custody.locationOptional')} name="location" type="select"
        value=${f.location} onValue=${set('location')} options=${locationOptions} required=${type === 'stored'} />`}
      ${type === 'dispose' && html`
        <${Field} label=${t('custody.authority')} name="authority" value=${f.authority} onValue=${set('authority')} hint=${t('custody.authorityHint')} required maxlength="200" />
        <${UserField} label=${t('custody.witness')} name="witnessUserId" value=${f.witnessUserId} onValue=${set('witnessUserId')} required />`}
      <${Field} label=${t('custody.when')} name="occurredAt" type="datetime-local" value=${f.occurredAt} onValue=${set('occurredAt')} hint=${t('custody.whenHint')} />
      <${Field} label=${t('custody.notes')} name="notes" type="textarea" rows="2" value=${f.notes} onValue=${set('notes')} wide maxlength="5000" />
    </div>
    ${f.sealIntact === false && html`<p class="notice error">${t('custody.brokenWarning')}</p>`}
    <${ErrorSummary} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${form.busy}>${t(`custody.submit.${type}`)}</button>
      ${onCancel !== undefined && html`<button type="button" class="secondary" onClick=${onCancel}>${t('common.cancel')}</button>`}
    </div>
  <//>`
}

/** The chain of custody, oldest first, each event with who, where, the seal and why. */
export function Chain ({ events }) {
  if (events.length === 0) return html`<p class="empty">${t('custody.none')}</p>`
  return html`<ol class="timeline">
    ${events.map((e, i) => {
      const late = Date.parse(e.recordedAt) - Date.parse(e.occurredAt) > 24 * 3600 * 1000
      const prev = events[i - 1]
      const waited = e.type === 'received' && prev?.type === 'transferred' && Date.parse(e.occurredAt) - Date.parse(prev.occurredAt) > 24 * 3600 * 1000
      return html`<li key=${e.id} class=${`event ev-${e.type}${e.sealIntact === false ? ' alarm' : ''}`}>
        <div class="event-head">
          <span class="seq" aria-label=${t('custody.seq', { n: e.seq })}>${e.seq}</span>
          <h3 class="event-title">${label('custody', e.type)}</h3>
          <${When} iso=${e.occurredAt} />
          ${e.sealIntact === false && html`<span class="badge danger">${t('items.sealBroken')}</span>`}
          ${late && html`<span class="badge warn">${t('custody.recordedLate')}</span>`}
          ${waited && html`<span class="badge warn">${t('custody.slowReceipt')}</span>`}
        </div>
        <${Facts} rows=${[
          [t('custody.by'), html`<${Person} id=${e.actorId} />`],
          [t('custody.from'), e.fromUserId === null ? null : html`<${Person} id=${e.fromUserId} />`],
          [t('custody.to'), e.toUserId === null ? null : html`<${Person} id=${e.toUserId} />`],
          [t('custody.location'), e.location],
          [t('items.sealNumber'), e.sealNumber === null ? null : html`${e.sealNumber}${e.sealIntact === true ? html` <span class="badge ok">${t('custody.sealIntact')}</span>` : ''}`],
          [t('custody.purpose'), e.purpose],
          [t('custody.authority'), e.authority],
          [t('custody.witness'), e.witnessUserId === null ? null : html`<${Person} id=${e.witnessUserId} />`],
          [t('custody.notes'), e.notes],
          [t('custody.recordedAt'), html`<${When} iso=${e.recordedAt} />`]
        ]} />
        <${EventFiles} eventId=${e.id} />
      </li>`
    })}
  </ol>`
}

function EventFiles ({ eventId }) {
  const files = useLoad((signal) => get(`/api/custody-events/${enc(eventId)}/attachments`, { signal }), [eventId])
  if (files.data === undefined || files.data.items.length === 0) return null
  return html`<${FileList} files=${files.data.items} compact />`
}
