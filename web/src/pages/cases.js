// Cases: the list, opening a case from seizures, and a case's page: status moves by case role,
// members, offences, seizures, exhibits and their custody, investigative actions, downloads
// (case file in English or Albanian, the bundle), integrity, and the timeline.
import { useState } from 'preact/hooks'
import { get, id as enc, patch, post, query } from '../api.js'
import { can, CASE_OUTCOMES, CASE_STATUSES, CASE_TRANSITIONS } from '../domain.js'
import { label, t, timelineText } from '../i18n.js'
import { Person, remember, UserField } from '../people.js'
import { navigate } from '../store.js'
import {
  Badge, Empty, enumOptions, ErrorSummary, Facts, Field, Form, html, Link, LoadError, Loading, Notice, PageTitle, Section, useForm, useLoad, When
} from '../ui.js'
import { IntegrityPanel } from './audit.js'
import { ItemTable } from './seizures.js'

// ---------------------------------------------------------------- list

export function CaseList ({ user }) {
  const [filters, setFilters] = useState({ q: '', status: '' })
  const [applied, setApplied] = useState(filters)
  const [pages, setPages] = useState([])
  const list = useLoad(async (signal) => {
    const page = await get(`/api/cases${query({ ...applied, limit: 25 })}`, { signal })
    setPages([page])
    return page
  }, [JSON.stringify(applied)])
  const more = async () => {
    const page = await get(`/api/cases${query({ ...applied, limit: 25, cursor: pages[pages.length - 1].nextCursor })}`)
    setPages([...pages, page])
  }
  const rows = pages.flatMap((p) => p.items)
  const title = user.role === 'prosecutor' ? t('nav.myCases') : t('cases.title')
  return html`
    <${PageTitle} text=${title} sub=${user.role === 'prosecutor' ? t('cases.prosecutorSub') : undefined} />
    ${can(user, 'case.create') && html`<p><${Link} to="/cases/new" class="button primary">${t('nav.newCase')}<//></p>`}
    <${Form} form=${useForm()} class="filters" label=${t('common.search')} onSubmit=${() => setApplied(filters)}>
      <${Field} label=${t('cases.search')} name="q" type="search" value=${filters.q} onValue=${(v) => setFilters({ ...filters, q: v })} span />
      <${Field} label=${t('cases.status')} name="status" type="select" value=${filters.status} onValue=${(v) => setFilters({ ...filters, status: v })}
        options=${enumOptions('caseStatus', CASE_STATUSES, t('cases.anyStatus'))} />
      <div class="filter-actions"><button type="submit" class="primary">${t('common.search')}</button></div>
    <//>
    ${list.error !== null && html`<${LoadError} error=${list.error} retry=${list.reload} />`}
    ${list.loading && rows.length === 0 && html`<${Loading} />`}
    ${!list.loading && list.error === null && rows.length === 0 && html`<${Empty}>${t(Object.values(applied).some((v) => v !== '') ? 'cases.none' : 'cases.noneYet')}<//>`}
    ${rows.length > 0 && html`<table class="rows">
      <caption class="visually-hidden">${title}</caption>
      <thead><tr><th scope="col">${t('cases.reference')}</th><th scope="col">${t('cases.caseTitle')}</th><th scope="col">${t('cases.status')}</th><th scope="col">${t('cases.updated')}</th></tr></thead>
      <tbody>${rows.map((c) => html`<tr key=${c.id}>
        <td data-label=${t('cases.reference')} class="nowrap"><${Link} to=${`/cases/${c.id}`} class="mono">${c.reference}<//></td>
        <td data-label=${t('cases.caseTitle')}>${c.title}</td>
        <td data-label=${t('cases.status')}><${Badge} kind="caseStatus" value=${c.status} />${c.outcome !== null && html` <span class="muted">${label('outcome', c.outcome)}</span>`}</td>
        <td data-label=${t('cases.updated')}><${When} iso=${c.updatedAt} /></td>
      </tr>`)}</tbody>
    </table>`}
    ${pages.length > 0 && pages[pages.length - 1].nextCursor !== null && html`<p><button type="button" class="secondary" onClick=${more}>${t('common.more')}</button></p>`}`
}

// ---------------------------------------------------------------- new case

const blankOffence = () => ({ law: '', article: '', description: '' })
const offenceBody = (o) => ({ law: o.law.trim(), article: o.article.trim(), description: o.description.trim() === '' ? null : o.description.trim() })

export function CaseNew () {
  const form = useForm()
  const [f, setF] = useState({ title: '', summary: '', seizureIds: [], offences: [] })
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const seizures = useLoad((signal) => get(`/api/seizures${query({ q: search, limit: 50 })}`, { signal }), [search])
  const toggle = (id) => setF({ ...f, seizureIds: f.seizureIds.includes(id) ? f.seizureIds.filter((x) => x !== id) : [...f.seizureIds, id] })
  const setOffence = (i, k) => (v) => setF({ ...f, offences: f.offences.map((o, j) => j === i ? { ...o, [k]: v } : o) })
  const submit = () => {
    const e = {}
    if (f.title.trim() === '') e.title = t('form.required')
    if (f.seizureIds.length === 0) e.seizureIds = t('cases.pickSeizure')
    f.offences.forEach((o, i) => {
      if (o.law.trim() === '') e[`offences/${i}/law`] = t('form.required')
      if (o.article.trim() === '') e[`offences/${i}/article`] = t('form.required')
    })
    if (!form.valid(e)) return
    return form.run(async () => {
      const created = await post('/api/cases', {
        title: f.title.trim(),
        summary: f.summary.trim() === '' ? null : f.summary.trim(),
        seizureIds: f.seizureIds,
        offences: f.offences.map(offenceBody)
      })
      navigate(`/cases/${created.id}`, { notice: { kind: 'ok', text: t('cases.opened', { reference: created.reference }) } })
    })
  }
  const seizureError = form.errors.seizureIds ?? Object.entries(form.errors).find(([k]) => k.startsWith('seizureIds/'))?.[1]
  if (seizureError !== undefined) { form.seen.add('seizureIds'); for (const k of Object.keys(form.errors)) if (k.startsWith('seizureIds/')) form.seen.add(k) }
  return html`
    <${PageTitle} text=${t('nav.newCase')} sub=${t('cases.newSub')} />
    <${Form} form=${form} onSubmit=${submit} label=${t('nav.newCase')}>
      <fieldset class="card">
        <legend>${t('cases.about')}</legend>
        <div class="grid">
          <${Field} label=${t('cases.caseTitle')} name="title" value=${f.title} onValue=${(v) => setF({ ...f, title: v })} required wide maxlength="300" />
          <${Field} label=${t('cases.summary')} name="summary" type="textarea" rows="4" value=${f.summary} onValue=${(v) => setF({ ...f, summary: v })} wide maxlength="20000" />
        </div>
      </fieldset>
      <fieldset class="card" aria-invalid=${seizureError !== undefined ? 'true' : undefined}>
        <legend>${t('cases.seizures')}</legend>
        <div class="inline-search">
          <label for="case-seizure-search">${t('cases.findSeizure')}</label>
          <input id="case-seizure-search" type="search" value=${q} onInput=${(e) => setQ(e.currentTarget.value)}
            onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); setSearch(q) } }} />
          <button type="button" class="secondary" onClick=${() => setSearch(q)}>${t('common.search')}</button>
        </div>
        ${seizures.error !== null && html`<${LoadError} error=${seizures.error} retry=${seizures.reload} />`}
        ${seizures.data === undefined && seizures.error === null && html`<${Loading} />`}
        ${seizures.data !== undefined && (seizures.data.items.length === 0 ? html`<${Empty}>${t('seizures.none')}<//>` : html`<ul class="checks">
          ${seizures.data.items.map((s) => html`<li key=${s.id}><label class="check-row">
            <input type="checkbox" checked=${f.seizureIds.includes(s.id)} onChange=${() => toggle(s.id)} />
            <span><span class="mono">${s.reference}</span> · ${s.place.name} · <${When} iso=${s.occurredAt} date /></span>
          </label></li>`)}
        </ul>`)}
        ${seizureError !== undefined && html`<small class="error">${seizureError}</small>`}
      </fieldset>
      <fieldset class="card">
        <legend>${t('cases.offences')}</legend>
        ${f.offences.map((o, i) => html`<fieldset class="sub" key=${i}>
          <legend>${t('cases.offence', { n: i + 1 })}</legend>
          <div class="grid">
            <${Field} label=${t('cases.law')} name=${`offences/${i}/law`} value=${o.law} onValue=${setOffence(i, 'law')} required maxlength="300" />
            <${Field} label=${t('cases.article')} name=${`offences/${i}/article`} value=${o.article} onValue=${setOffence(i, 'article')} required maxlength="100" />
            <${Field} label=${t('cases.offenceDescription')} name=${`offences/${i}/description`} value=${o.description} onValue=${setOffence(i, 'description')} wide maxlength="2000" />
          </div>
          <button type="button" class="link link-danger" onClick=${() => setF({ ...f, offences: f.offences.filter((_, j) => j !== i) })}>${t('cases.removeOffence', { n: i + 1 })}</button>
        </fieldset>`)}
        <button type="button" class="secondary" onClick=${() => setF({ ...f, offences: [...f.offences, blankOffence()] })}>${t('cases.addOffence')}</button>
      </fieldset>
      <${ErrorSummary} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled=${form.busy}>${t('cases.create')}</button>
        <${Link} to="/cases" class="button secondary">${t('common.cancel')}<//>
      </div>
    <//>`
}

// ---------------------------------------------------------------- one case

const INVESTIGATORS = ['lead_investigator', 'investigator']

export function CaseDetail ({ id, user }) {
  const [notice, setNotice] = useState(null)
  const data = useLoad(async (signal) => {
    const c = await get(`/api/cases/${enc(id)}`, { signal })
    remember(c.members.map((m) => ({ id: m.userId, displayName: m.displayName, role: m.role === 'prosecutor' ? 'prosecutor' : 'investigator' })))
    return c
  }, [id])
  if (data.error !== null) return html`<${PageTitle} text=${t('cases.one')} /><${LoadError} error=${data.error} retry=${data.reload} />`
  if (data.data === undefined) return html`<${Loading} />`
  const c = data.data
  const myRole = c.access?.myRole ?? null
  const closed = c.status === 'closed'
  const writable = c.access?.readOnly !== true
  const changed = (text) => { setNotice({ kind: 'ok', text }); data.reload() }
  return html`
    <${PageTitle} text=${c.reference} sub=${c.title} />
    <${Notice} notice=${notice} />
    <div class="status-line">
      <${Badge} kind="caseStatus" value=${c.status} />
      ${c.outcome !== null && html`<span>${label('outcome', c.outcome)}</span>`}
      ${myRole !== null && html`<span class="muted">${t('cases.yourRole')}: ${label('caseRole', myRole)}</span>`}
    </div>
    ${writable && myRole !== null && html`<${StatusMoves} c=${c} myRole=${myRole} onDone=${changed} />`}

    <div class="columns">
      <${Section} title=${t('cases.summary')}>
        ${c.summary === null ? html`<${Empty}>${t('cases.noSummary')}<//>` : html`<p class="prose">${c.summary}</p>`}
        <${Facts} rows=${[
          [t('cases.opened_at'), html`<${When} iso=${c.createdAt} />`],
          [t('cases.referred_at'), c.referredAt === null ? null : html`<${When} iso=${c.referredAt} />`],
          [t('cases.closed_at'), c.closedAt === null ? null : html`<${When} iso=${c.closedAt} />`]
        ]} />
      <//>
      <${Section} title=${t('cases.downloads')}>
        <${Downloads} c=${c} />
      <//>
    </div>

    <div class="columns">
      <${Section} title=${t('cases.offences')}>
        ${c.offences.length === 0 ? html`<${Empty}>${t('cases.noOffences')}<//>` : html`<ul class="plain">
          ${c.offences.map((o, i) => html`<li key=${i}><strong>${o.law}</strong>, ${o.article}${o.description !== null ? html`<br /><span class="muted">${o.description}</span>` : ''}</li>`)}
        </ul>`}
        ${writable && !closed && INVESTIGATORS.includes(myRole) && html`<${AddOffence} c=${c} onDone=${changed} />`}
      <//>
      <${Section} title=${t('cases.members')}>
        <ul class="plain">${c.members.map((m) => html`<li key=${m.userId}>${m.displayName} <span class="muted">· ${label('caseRole', m.role)}</span></li>`)}</ul>
        ${writable && !closed && myRole === 'lead_investigator' && html`<${AddMember} c=${c} onDone=${changed} />`}
      <//>
    </div>

    <${Section} title=${t('cases.seizures')}>
      <ul class="plain">${c.seizures.map((s) => html`<li key=${s.id}><${Link} to=${`/seizures/${s.id}`} class="mono">${s.reference}<//> · ${s.place.name} · <${When} iso=${s.occurredAt} /></li>`)}</ul>
      ${writable && !closed && INVESTIGATORS.includes(myRole) && html`<${LinkSeizure} c=${c} onDone=${changed} />`}
    <//>

    <${Section} title=${t('cases.exhibits')}>
      <p class="muted">${t('cases.exhibitsHint')}</p>
      <${ItemTable} items=${c.items} showCustodian />
    <//>

    <${Section} title=${t('cases.actions')}>
      ${c.actions.length === 0 ? html`<${Empty}>${t('cases.noActions')}<//>` : html`<ol class="timeline">
        ${c.actions.map((a) => html`<li key=${a.id} class="event">
          <div class="event-head"><strong>${a.title}</strong> <${When} iso=${a.occurredAt} /> <span class="muted">· <${Person} id=${a.authorId} /></span></div>
          ${a.text !== null && html`<p class="prose">${a.text}</p>`}
        </li>`)}
      </ol>`}
      ${writable && !closed && myRole !== null && html`<${AddAction} c=${c} onDone=${changed} />`}
    <//>

    <${Section} title=${t('integrity.title')}>
      <${IntegrityPanel} user=${user} />
    <//>

    <${Section} title=${t('cases.timeline')}>
      <${Timeline} entries=${c.timeline} />
    <//>`
}

const TIMELINE_SHOWN = 12

/** The case's history from the audit log, newest first; the older part on request. */
function Timeline ({ entries }) {
  const [all, setAll] = useState(false)
  const newest = entries.slice().reverse()
  const shown = all ? newest : newest.slice(0, TIMELINE_SHOWN)
  return html`<ol class="timeline compact">
      ${shown.map((e) => html`<li key=${e.index} class="event">
        <div class="event-head"><strong>${label('action', e.action)}</strong> <${When} iso=${e.occurredAt ?? e.time} /> <span class="muted">· ${e.actorName ?? e.actorId}</span></div>
        <p>${timelineText(e)}</p>
      </li>`)}
    </ol>
    ${newest.length > TIMELINE_SHOWN && html`<button type="button" class="secondary" aria-expanded=${all ? 'true' : 'false'} onClick=${() => setAll(!all)}>
      ${all ? t('cases.timelineLess') : t('cases.timelineAll', { n: newest.length })}</button>`}`
}

function Downloads ({ c }) {
  const base = `/api/cases/${enc(c.id)}`
  return html`<ul class="downloads">
    <li><a class="button secondary" href=${`${base}/case-file.pdf?lang=en`} download=${`${c.reference}-case-file-en.pdf`}>${t('cases.caseFileEn')}</a></li>
    <li><a class="button secondary" href=${`${base}/case-file.pdf?lang=sq`} download=${`${c.reference}-case-file-sq.pdf`}>${t('cases.caseFileSq')}</a></li>
    <li><a class="button secondary" href=${`${base}/bundle.zip`} download=${`${c.reference}-bundle.zip`}>${t('cases.bundle')}</a></li>
  </ul>
  <p class="hint">${t('cases.downloadsHint')}</p>`
}

function moveLabel (from, to) {
  if (to === 'investigation') return t(from === 'open' ? 'case.to.investigate' : from === 'closed' ? 'case.to.reopen' : 'case.to.return')
  return t(`case.to.${to}`)
}

function StatusMoves ({ c, myRole, onDone }) {
  const [open, setOpen] = useState(null)
  const moves = Object.entries(CASE_TRANSITIONS[c.status] ?? {}).filter(([, roles]) => roles.includes(myRole)).map(([to]) => to)
  if (moves.length === 0) return null
  return html`<div class="card status-moves">
    <div class="action-buttons" role="group" aria-label=${t('cases.moves')}>
      ${moves.map((to) => html`<button key=${to} type="button" class=${open === to ? 'primary' : to === 'referred' ? 'primary' : 'secondary'}
        aria-expanded=${open === to ? 'true' : 'false'} onClick=${() => setOpen(open === to ? null : to)}>${moveLabel(c.status, to)}</button>`)}
    </div>
    ${open !== null && html`<${StatusForm} key=${open} c=${c} to=${open} onDone=${(text) => { setOpen(null); onDone(text) }} onCancel=${() => setOpen(null)} />`}
  </div>`
}

function StatusForm ({ c, to, onDone, onCancel }) {
  const form = useForm()
  const [reason, setReason] = useState('')
  const [outcome, setOutcome] = useState('')
  const needsProsecutor = to === 'referred' && !c.members.some((m) => m.role === 'prosecutor')
  const submit = () => {
    const e = {}
    if (reason.trim() === '') e.reason = t('form.required')
    if (to === 'closed' && outcome === '') e.outcome = t('form.required')
    if (!form.valid(e)) return
    return form.run(async () => {
      await patch(`/api/cases/${enc(c.id)}`, { status: to, reason: reason.trim(), ...(to === 'closed' ? { outcome } : {}) })
      onDone(t('cases.moved', { status: label('caseStatus', to) }))
    })
  }
  return html`<${Form} form=${form} onSubmit=${submit} class="form inset" label=${moveLabel(c.status, to)}>
    <h3>${moveLabel(c.status, to)}</h3>
    ${needsProsecutor && html`<p class="notice error">${t('cases.needsProsecutor')}</p>`}
    <${Field} label=${t('cases.reason')} name="reason" type="textarea" rows="2" value=${reason} onValue=${setReason} required maxlength="2000" />
    ${to === 'closed' && html`<${Field} label=${t('cases.outcome')} name="outcome" type="select" value=${outcome} onValue=${setOutcome} options=${enumOptions('outcome', CASE_OUTCOMES, t('form.choose'))} required />`}
    <${ErrorSummary} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${form.busy}>${t('common.confirm')}</button>
      <button type="button" class="secondary" onClick=${onCancel}>${t('common.cancel')}</button>
    </div>
  <//>`
}

function AddMember ({ c, onDone }) {
  const form = useForm()
  const [open, setOpen] = useState(false)
  const [userId, setUserId] = useState('')
  const [role, setRole] = useState('prosecutor')
  if (!open) return html`<button type="button" class="secondary" onClick=${() => setOpen(true)}>${t('cases.addMember')}</button>`
  const submit = () => {
    if (!form.valid(userId.trim() === '' ? { userId: t('form.required') } : {})) return
    return form.run(async () => {
      await post(`/api/cases/${enc(c.id)}/members`, { userId: userId.trim(), role })
      setUserId('')
      setOpen(false)
      onDone(t('cases.memberAdded'))
    })
  }
  return html`<${Form} form=${form} onSubmit=${submit} class="form inset" label=${t('cases.addMember')}>
    <h3>${t('cases.addMember')}</h3>
    <${Field} label=${t('cases.memberRole')} name="role" type="select" value=${role} onValue=${setRole} options=${enumOptions('caseRole', ['prosecutor', 'investigator'])} />
    <${UserField} label=${t('cases.memberId')} name="userId" value=${userId} onValue=${setUserId} roles=${[role]} required />
    <${ErrorSummary} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${form.busy}>${t('cases.addMember')}</button>
      <button type="button" class="secondary" onClick=${() => setOpen(false)}>${t('common.cancel')}</button>
    </div>
  <//>`
}

function AddOffence ({ c, onDone }) {
  const form = useForm()
  const [open, setOpen] = useState(false)
  const [o, setO] = useState(blankOffence())
  if (!open) return html`<button type="button" class="secondary" onClick=${() => setOpen(true)}>${t('cases.addOffence')}</button>`
  const i = c.offences.length
  const submit = () => {
    const e = {}
    if (o.law.trim() === '') e[`offences/${i}/law`] = t('form.required')
    if (o.article.trim() === '') e[`offences/${i}/article`] = t('form.required')
    if (!form.valid(e)) return
    return form.run(async () => {
      await patch(`/api/cases/${enc(c.id)}`, { offences: [...c.offences.map((x) => ({ law: x.law, article: x.article, description: x.description })), offenceBody(o)] })
      setO(blankOffence())
      setOpen(false)
      onDone(t('cases.offenceAdded'))
    })
  }
  return html`<${Form} form=${form} onSubmit=${submit} class="form inset" label=${t('cases.addOffence')}>
    <h3>${t('cases.addOffence')}</h3>
    <${Field} label=${t('cases.law')} name=${`offences/${i}/law`} value=${o.law} onValue=${(v) => setO({ ...o, law: v })} required maxlength="300" />
    <${Field} label=${t('cases.article')} name=${`offences/${i}/article`} value=${o.article} onValue=${(v) => setO({ ...o, article: v })} required maxlength="100" />
    <${Field} label=${t('cases.offenceDescription')} name=${`offences/${i}/description`} value=${o.description} onValue=${(v) => setO({ ...o, description: v })} maxlength="2000" />
    <${ErrorSummary} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${form.busy}>${t('common.save')}</button>
      <button type="button" class="secondary" onClick=${() => setOpen(false)}>${t('common.cancel')}</button>
    </div>
  <//>`
}

function LinkSeizure ({ c, onDone }) {
  const form = useForm()
  const [open, setOpen] = useState(false)
  const [seizureId, setSeizureId] = useState('')
  const [reason, setReason] = useState('')
  const seizures = useLoad(async (signal) => open ? get('/api/seizures?limit=100', { signal }) : null, [open])
  if (!open) return html`<button type="button" class="secondary" onClick=${() => setOpen(true)}>${t('cases.linkSeizure')}</button>`
  const options = (seizures.data?.items ?? []).filter((s) => !c.seizureIds.includes(s.id)).map((s) => [s.id, `${s.reference} · ${s.place.name}`])
  const submit = () => {
    const e = {}
    if (seizureId === '') e.seizureId = t('form.required')
    if (reason.trim() === '') e.reason = t('form.required')
    if (!form.valid(e)) return
    return form.run(async () => {
      await post(`/api/cases/${enc(c.id)}/seizures`, { seizureId, reason: reason.trim() })
      setOpen(false)
      onDone(t('cases.seizureLinked'))
    })
  }
  return html`<${Form} form=${form} onSubmit=${submit} class="form inset" label=${t('cases.linkSeizure')}>
    <h3>${t('cases.linkSeizure')}</h3>
    <${Field} label=${t('cases.seizure')} name="seizureId" type="select" value=${seizureId} onValue=${setSeizureId} options=${[['', t('form.choose')], ...options]} required />
    <${Field} label=${t('cases.reason')} name="reason" value=${reason} onValue=${setReason} required maxlength="2000" />
    <${ErrorSummary} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${form.busy}>${t('cases.linkSeizure')}</button>
      <button type="button" class="secondary" onClick=${() => setOpen(false)}>${t('common.cancel')}</button>
    </div>
  <//>`
}

const localNow = () => {
  const d = new Date()
  d.setSeconds(0, 0)
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16)
}

function AddAction ({ c, onDone }) {
  const form = useForm()
  const [open, setOpen] = useState(false)
  const [f, setF] = useState({ occurredAt: localNow(), title: '', text: '' })
  if (!open) return html`<button type="button" class="secondary" onClick=${() => setOpen(true)}>${t('cases.addAction')}</button>`
  const submit = () => {
    const e = {}
    if (f.occurredAt === '') e.occurredAt = t('form.required')
    if (f.title.trim() === '') e.title = t('form.required')
    if (!form.valid(e)) return
    return form.run(async () => {
      await post(`/api/cases/${enc(c.id)}/actions`, { occurredAt: new Date(f.occurredAt).toISOString(), title: f.title.trim(), text: f.text.trim() === '' ? null : f.text.trim() })
      setF({ occurredAt: localNow(), title: '', text: '' })
      setOpen(false)
      onDone(t('cases.actionAdded'))
    })
  }
  return html`<${Form} form=${form} onSubmit=${submit} class="form inset" label=${t('cases.addAction')}>
    <h3>${t('cases.addAction')}</h3>
    <div class="grid">
      <${Field} label=${t('cases.actionWhen')} name="occurredAt" type="datetime-local" value=${f.occurredAt} onValue=${(v) => setF({ ...f, occurredAt: v })} required />
      <${Field} label=${t('cases.actionTitle')} name="title" value=${f.title} onValue=${(v) => setF({ ...f, title: v })} required maxlength="300" />
      <${Field} label=${t('cases.actionText')} name="text" type="textarea" rows="3" value=${f.text} onValue=${(v) => setF({ ...f, text: v })} wide maxlength="20000" />
    </div>
    <${ErrorSummary} />
    <div class="form-actions">
      <button type="submit" class="primary" disabled=${form.busy}>${t('common.save')}</button>
      <button type="button" class="secondary" onClick=${() => setOpen(false)}>${t('common.cancel')}</button>
    </div>
  <//>`
}
