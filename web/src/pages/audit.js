// The audit log with filters, the integrity status (signed checkpoint, key thumbprints) and
// the verification of the whole log, as an auditor reads them.
import { useEffect, useRef, useState } from 'preact/hooks'
import { get, id as enc, post, query } from '../api.js'
import { can } from '../domain.js'
import { errorText, fmtNumber, label, t, tn } from '../i18n.js'
import { people, Person } from '../people.js'
import { Empty, Facts, Field, Form, html, LoadError, Loading, PageTitle, Section, ShortId, useForm, useId, useLoad, When } from '../ui.js'

export const AUDIT_ACTIONS = [
  'seizure.create', 'seizure.correct', 'item.create', 'custody.seized', 'custody.sealed', 'custody.transferred', 'custody.received', 'custody.stored',
  'custody.checked_out', 'custody.checked_in', 'custody.examined', 'custody.resealed', 'custody.released', 'custody.returned', 'custody.destroyed',
  'attachment.create', 'attachment.integrity_failure', 'location.create', 'case.create', 'case.update', 'case.status', 'case.link', 'case.unlink',
  'case.member_add', 'case.member_remove', 'case.share', 'case.unshare', 'case.action', 'case.bundle', 'export.cen', 'agency.create', 'user.create',
  'user.update', 'auth.login_limited'
]
const ENTITY_TYPES = ['seizure', 'item', 'custody_event', 'attachment', 'location', 'case', 'case_action', 'user', 'agency', 'export', 'address']

const toIso = (local) => local === '' ? '' : new Date(local).toISOString()

export function AuditPage () {
  const blank = { action: '', entityType: '', entityId: '', actor: '', from: '', to: '' }
  const [f, setF] = useState(blank)
  const [applied, setApplied] = useState(blank)
  const [pages, setPages] = useState([])
  const form = useForm()
  const q = (cursor) => query({ ...applied, from: toIso(applied.from), to: toIso(applied.to), limit: 50, cursor })
  const list = useLoad(async (signal) => {
    const page = await get(`/api/audit${q()}`, { signal })
    setPages([page])
    return page
  }, [JSON.stringify(applied)])
  const more = async () => {
    const page = await get(`/api/audit${q(pages[pages.length - 1].nextCursor)}`)
    setPages([...pages, page])
  }
  const set = (k) => (v) => setF({ ...f, [k]: v })
  const rows = pages.flatMap((p) => p.items)
  const actionsList = useId('actions')
  return html`
    <${PageTitle} text=${t('nav.audit')} sub=${t('audit.sub')} />
    <${Form} form=${form} class="filters" label=${t('audit.filters')} onSubmit=${() => setApplied(f)}>
      <${Field} label=${t('audit.action')} name="action" value=${f.action} onValue=${set('action')} list=${actionsList} spellcheck=${false} autocomplete="off">
        <datalist id=${actionsList}>${AUDIT_ACTIONS.map((a) => html`<option key=${a} value=${a}>${label('action', a)}</option>`)}</datalist>
      <//>
      <${Field} label=${t('audit.entityType')} name="entityType" type="select" value=${f.entityType} onValue=${set('entityType')}
        options=${[['', t('audit.any')], ...ENTITY_TYPES.map((e) => [e, label('entity', e)])]} />
      <${Field} label=${t('audit.entityId')} name="entityId" value=${f.entityId} onValue=${set('entityId')} class="mono" spellcheck=${false} />
      <${Field} label=${t('audit.actor')} name="actor" type="select" value=${f.actor} onValue=${set('actor')}
        options=${[['', t('audit.anyone')], ['system', t('people.system')], ...people().map((p) => [p.id, p.displayName])]} />
      <${Field} label=${t('common.from')} name="from" type="datetime-local" value=${f.from} onValue=${set('from')} />
      <${Field} label=${t('common.to')} name="to" type="datetime-local" value=${f.to} onValue=${set('to')} />
      <div class="filter-actions">
        <button type="submit" class="primary">${t('audit.filter')}</button>
        <button type="button" class="secondary" onClick=${() => { setF(blank); setApplied(blank) }}>${t('audit.clear')}</button>
      </div>
    <//>
    ${list.error !== null && html`<${LoadError} error=${list.error} retry=${list.reload} />`}
    ${list.loading && rows.length === 0 && html`<${Loading} />`}
    ${!list.loading && list.error === null && rows.length === 0 && html`<${Empty}>${t('audit.none')}<//>`}
    ${rows.length > 0 && html`<table class="rows audit">
      <caption class="visually-hidden">${t('audit.entries')}</caption>
      <thead><tr><th scope="col">#</th><th scope="col">${t('audit.time')}</th><th scope="col">${t('audit.action')}</th><th scope="col">${t('audit.entity')}</th><th scope="col">${t('audit.actor')}</th><th scope="col"><span class="visually-hidden">${t('audit.details')}</span></th></tr></thead>
      <tbody>${rows.map((e) => html`<${AuditRow} key=${e.index} e=${e} />`)}</tbody>
    </table>`}
    ${pages.length > 0 && pages[pages.length - 1].nextCursor !== null && html`<p><button type="button" class="secondary" onClick=${more}>${t('common.more')}</button></p>`}`
}

function AuditRow ({ e }) {
  const [open, setOpen] = useState(false)
  const detailId = useId('ad')
  return html`<tr>
      <td data-label="#" class="mono">${e.index}</td>
      <td data-label=${t('audit.time')}><${When} iso=${e.time} /></td>
      <td data-label=${t('audit.action')}>${label('action', e.action)}<br /><code class="mono muted">${e.action}</code></td>
      <td data-label=${t('audit.entity')}>${label('entity', e.entityType)} <${ShortId} value=${e.entityId} /></td>
      <td data-label=${t('audit.actor')}><${Person} id=${e.actor} /></td>
      <td><button type="button" class="link" aria-expanded=${open ? 'true' : 'false'} aria-controls=${detailId} onClick=${() => setOpen(!open)}>
        ${open ? t('audit.hide') : t('audit.details')}<span class="visually-hidden"> #${e.index}</span></button></td>
    </tr>
    ${open && html`<tr class="detail-row" id=${detailId}><td colspan="6"><${EntryDetail} e=${e} /></td></tr>`}`
}

/** The entry's recorded data as a list of fields (the hashed canonical text stays in the bundle). */
function flatten (value, prefix, out, depth = 0) {
  if (value === null || typeof value !== 'object') { out.push([prefix, value === null ? '—' : String(value)]); return out }
  if (depth > 4) { out.push([prefix, '…']); return out }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : Object.entries(value)
  if (entries.length === 0) out.push([prefix, '—'])
  for (const [k, v] of entries) flatten(v, prefix === '' ? k : `${prefix} › ${k}`, out, depth + 1)
  return out
}

function EntryDetail ({ e }) {
  let data = null
  try { data = JSON.parse(e.canonical).data } catch { data = null }
  const rows = data === null ? [] : flatten(data, '', []).slice(0, 200)
  return html`<div class="entry-detail">
    <${Facts} rows=${[
      [t('audit.entityId'), html`<code class="mono">${e.entityId}</code>`],
      [t('audit.actor'), html`<${Person} id=${e.actor} /> <code class="mono">${e.actor}</code>`],
      [t('audit.leafHash'), html`<code class="mono">${e.leafHash}</code>`]
    ]} />
    <h4>${t('audit.recorded')}</h4>
    <dl class="facts kv">${rows.map(([k, v], i) => html`<div key=${i}><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
  </div>`
}

// ---------------------------------------------------------------- integrity

/** Parses a C2SP signed note holding a tlog checkpoint: origin, size, root hash, signatures. */
export function parseCheckpoint (text) {
  const [body, sigs = ''] = text.split('\n\n')
  const [origin, size, rootHash] = body.split('\n')
  const signatures = sigs.split('\n').filter((l) => l.startsWith('\u2014 ')).map((l) => {
    const [, name, sig] = l.split(' ')
    return { name, keyHash: sig === undefined ? '' : sig.slice(0, 8) }
  })
  return { origin, size: Number(size), rootHash, signatures }
}

/** The agency's published keys (JWKS, RFC 7638 thumbprints) and the latest signed checkpoint. */
export function IntegrityPanel ({ user }) {
  const jwks = useLoad((signal) => get('/.well-known/jwks.json', { signal }), [])
  const checkpoint = useLoad((signal) => can(user, 'audit.read') ? get('/api/audit/checkpoint', { signal }) : Promise.resolve(null), [user.id])
  const cp = typeof checkpoint.data === 'string' ? parseCheckpoint(checkpoint.data) : null
  const keys = jwks.data?.keys ?? []
  return html`<div class="integrity">
    <h3>${t('integrity.keys')}</h3>
    <p class="hint">${t('integrity.keysHint')}</p>
    ${jwks.error !== null && html`<${LoadError} error=${jwks.error} retry=${jwks.reload} />`}
    ${jwks.data === undefined && jwks.error === null && html`<${Loading} />`}
    ${jwks.data !== undefined && (keys.length === 0 ? html`<${Empty}>${t('integrity.noKeys')}<//>` : html`<ul class="plain keys">
      ${keys.map((k, i) => html`<li key=${k.kid ?? i}>
        <span class="muted">${i === 0 ? t('integrity.currentKey') : t('integrity.olderKey')} · ${k.crv ?? k.kty ?? ''}</span><br />
        <span>${t('integrity.thumbprint')}:</span> <code class="mono thumbprint">${k.kid}</code>
      </li>`)}
    </ul>`)}
    <h3>${t('integrity.checkpoint')}</h3>
    ${!can(user, 'audit.read') && html`<p class="hint">${t('integrity.checkpointInBundle')}</p>`}
    ${checkpoint.error !== null && (checkpoint.error.status === 404
      ? html`<p class="muted">${t('integrity.noCheckpoint')}</p>`
      : html`<${LoadError} error=${checkpoint.error} retry=${checkpoint.reload} />`)}
    ${checkpoint.loading && checkpoint.data === undefined && can(user, 'audit.read') && html`<${Loading} />`}
    ${cp !== null && html`
      <${Facts} rows=${[
        [t('integrity.origin'), html`<code class="mono">${cp.origin}</code>`],
        [t('integrity.treeSize'), tn('integrity.entries', cp.size)],
        [t('integrity.rootHash'), html`<code class="mono">${cp.rootHash}</code>`],
        [t('integrity.signedBy'), cp.signatures.map((s) => s.name).join(', ')]
      ]} />
      <details class="note">
        <summary>${t('integrity.noteText')}</summary>
        <pre class="mono">${checkpoint.data}</pre>
      </details>`}
  </div>`
}

export function IntegrityPage ({ user }) {
  return html`
    <${PageTitle} text=${t('nav.integrity')} sub=${t('integrity.sub')} />
    <div class="columns">
      <${Section} title=${t('integrity.state')}><${IntegrityPanel} user=${user} /><//>
      <${Section} title=${t('verify.title')}><${Verification} /><//>
    </div>`
}

const STAGES = ['entries', 'checkpoints', 'keys', 'records', 'attachments', 'printCopies']

function Verification () {
  const [job, setJob] = useState(null)
  const [error, setError] = useState(null)
  const [busy, setBusy] = useState(false)
  const timer = useRef(null)
  useEffect(() => () => clearTimeout(timer.current), [])

  const poll = (id) => {
    timer.current = setTimeout(async () => {
      try {
        const next = await get(`/api/audit/verifications/${enc(id)}`)
        setJob(next)
        if (next.status === 'running') poll(id)
        else setBusy(false)
      } catch (err) { setError(err); setBusy(false) }
    }, 700)
  }
  const start = async () => {
    setBusy(true)
    setError(null)
    setJob(null)
    try {
      const started = await post('/api/audit/verifications')
      setJob({ status: 'running', ...started })
      poll(started.id)
    } catch (err) { setError(err); setBusy(false) }
  }

  const r = job?.result ?? null
  const progress = job?.progress
  return html`<div class="verification">
    <p>${t('verify.explain')}</p>
    <button type="button" class="primary" onClick=${start} disabled=${busy}>${busy ? t('verify.running') : t('verify.run')}</button>
    ${error !== null && html`<div class="form-error" role="alert"><p>${errorText(error)}</p></div>`}
    <div aria-live="polite">
    ${job !== null && job.status === 'running' && html`<div class="verify-progress">
      <label for="verify-bar">${progress === undefined ? t('verify.starting') : t('verify.stage', { stage: label('verifyStage', progress.stage), step: STAGES.indexOf(progress.stage) + 1, steps: STAGES.length })}</label>
      <progress id="verify-bar" max=${progress?.total || 1} value=${progress?.done ?? 0}></progress>
    </div>`}
    ${job !== null && job.status === 'passed' && r !== null && html`<div class="notice ok verdict" role="status">
      <strong>${t('verify.passed')}</strong> ${t('verify.passedText', { entries: fmtNumber(r.treeSize), checkpoints: fmtNumber(r.checked?.checkpoints ?? 0), files: fmtNumber(r.checked?.attachments ?? 0) })}
    </div>`}
    ${job !== null && job.status === 'failed' && html`<div class="notice error verdict" role="alert">
      <strong>${t('verify.failed')}</strong> ${tn('verify.failedText', r?.mismatches?.length ?? 0)}
    </div>`}
    ${job !== null && job.status === 'error' && html`<div class="notice error verdict" role="alert"><strong>${t('verify.error')}</strong> ${job.error ?? ''}</div>`}
    ${r !== null && html`<${Facts} rows=${[
      [t('verify.entries'), fmtNumber(r.treeSize)],
      [t('integrity.rootHash'), html`<code class="mono">${r.rootHash}</code>`],
      [t('verify.checkpoints'), fmtNumber(r.checked?.checkpoints ?? 0)],
      [t('verify.keys'), fmtNumber(r.checked?.keys ?? 0)],
      [t('verify.files'), fmtNumber(r.checked?.attachments ?? 0)],
      [t('verify.printCopies'), t('verify.printCopiesText', { remade: fmtNumber(r.checked?.printCopies?.remade ?? 0), hashOnly: fmtNumber(r.checked?.printCopies?.hashOnly ?? 0) })],
      [t('verify.records'), Object.entries(r.checked?.records ?? {}).map(([k, n]) => `${label('table', k)} ${fmtNumber(n)}`).join(', ')],
      [t('verify.duration'), r.durationMs === undefined ? null : t('verify.seconds', { s: fmtNumber(r.durationMs / 1000, 1) })],
      [t('verify.finished'), job.finishedAt == null ? null : html`<${When} iso=${job.finishedAt} />`],
      [t('verify.by'), job.startedBy == null ? null : html`<${Person} id=${job.startedBy} />`]
    ]} />`}
    ${r !== null && r.mismatches?.length > 0 && html`<h3>${t('verify.mismatches')}</h3>
      <ol class="findings">${r.mismatches.map((m, i) => html`<li key=${i}><code class="mono">${m.place}</code>: ${m.reason}</li>`)}</ol>`}
    ${r !== null && r.consequences?.length > 0 && html`<h3>${t('verify.consequences')}</h3>
      <ol class="findings muted">${r.consequences.map((m, i) => html`<li key=${i}><code class="mono">${m.place}</code>: ${m.reason}${m.followsFrom ? ` (${t('verify.followsFrom')} ${m.followsFrom})` : ''}</li>`)}</ol>`}
    ${r?.truncated === true && html`<p class="muted">${t('verify.truncated')}</p>`}
    </div>
  </div>`
}
