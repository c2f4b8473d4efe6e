// Photos and files of a seizure, exhibit, custody event or case: the list, and the uploader
// (camera capture on a tablet, drag and drop or file choice on a desktop), one progress bar
// per file, the SHA-256 the server computed shown when each is stored.
import { useRef, useState } from 'preact/hooks'
import { get, id as enc, upload } from './api.js'
import { errorText, fmtBytes, t } from './i18n.js'
import { Person } from './people.js'
import { Empty, html, LoadError, Loading, useId, useLoad, When } from './ui.js'

const OWNER_PATHS = { seizure: 'seizures', item: 'items', custody_event: 'custody-events', case: 'cases', case_action: 'case-actions' }

/** Running uploads' abort functions, by key (kept outside render state). */
const jobs = new Map()
let uploadSeq = 0

export const contentUrl = (attachmentId) => `/api/attachments/${enc(attachmentId)}/content`

export function Files ({ owner, ownerId, canUpload, compact }) {
  const url = `/api/${OWNER_PATHS[owner]}/${enc(ownerId)}/attachments`
  const list = useLoad((signal) => get(url, { signal }), [url])
  return html`<div class="files">
    ${list.loading && list.data === undefined && html`<${Loading} />`}
    ${list.error !== null && html`<${LoadError} error=${list.error} retry=${list.reload} />`}
    ${list.data !== undefined && html`<${FileList} files=${list.data.items} compact=${compact} />`}
    ${canUpload && html`<${Uploader} url=${url} onStored=${list.reload} />`}
  </div>`
}

export function FileList ({ files, compact }) {
  if (files.length === 0) return html`<${Empty}>${t('files.none')}<//>`
  return html`<ul class=${`file-list${compact ? ' compact' : ''}`}>
    ${files.map((f) => html`<li key=${f.id} class="file">
      ${f.mediaType.startsWith('image/') && !compact
        ? html`<a href=${contentUrl(f.id)} target="_blank" rel="noopener" class="thumb" aria-hidden="true" tabindex="-1"><img src=${contentUrl(f.id)} alt="" /></a>`
        : null}
      <div class="file-meta">
        <a href=${contentUrl(f.id)} download=${f.filename} class="file-name">${f.filename}</a>
        ${f.description !== null && html`<span class="file-desc">${f.description}</span>`}
        <span class="muted">${f.mediaType} · ${fmtBytes(f.size)} · ${t('files.uploaded')} <${When} iso=${f.uploadedAt} /> · <${Person} id=${f.uploadedBy} /></span>
        ${(f.capturedAt ?? f.exif?.capturedAt) != null && html`<span class="muted">${t('files.captured')} <${When} iso=${f.capturedAt ?? f.exif?.capturedAt} /></span>`}
        <span class="hash"><abbr title="SHA-256">SHA-256</abbr> <code class="mono">${f.sha256}</code></span>
      </div>
    </li>`)}
  </ul>`
}

/**
 * Uploads each chosen or dropped file with its own progress bar, two at a time (a poor
 * network gets each file through sooner than five crawling at once).
 */
export function Uploader ({ url, onStored }) {
  const [uploads, setUploads] = useState([])
  const [over, setOver] = useState(false)
  const [description, setDescription] = useState('')
  const queue = useRef([])
  const active = useRef(0)
  const camId = useId('cam')
  const pickId = useId('pick')
  const descId = useId('desc')
  const groupId = useId('up')

  const update = (key, patch) => setUploads((list) => list.map((u) => u.key === key ? { ...u, ...patch } : u))

  const pump = () => {
    while (active.current < 2 && queue.current.length > 0) {
      const next = queue.current.shift()
      active.current++
      update(next.key, { state: 'sending' })
      const fields = description.trim() === '' ? {} : { description: description.trim() }
      const job = upload(url, next.file, fields, (fraction) => update(next.key, { progress: fraction }))
      jobs.set(next.key, job.abort)
      job.promise.then(
        (record) => { update(next.key, { state: 'done', progress: 1, record }); onStored?.() },
        (err) => update(next.key, { state: err?.name === 'AbortError' ? 'cancelled' : 'failed', error: err?.name === 'AbortError' ? null : errorText(err) })
      ).finally(() => { jobs.delete(next.key); active.current--; pump() })
    }
  }

  const add = (fileList) => {
    const files = [...(fileList ?? [])]
    if (files.length === 0) return
    const items = files.map((file) => ({ key: `u${++uploadSeq}`, file, name: file.name, size: file.size, progress: 0, state: 'waiting', record: null, error: null }))
    setUploads((list) => [...items, ...list])
    queue.current.push(...items)
    pump()
  }

  return html`<div class=${`uploader${over ? ' over' : ''}`} role="group" aria-labelledby=${groupId}
      onDragOver=${(e) => { e.preventDefault(); setOver(true) }}
      onDragLeave=${() => setOver(false)}
      onDrop=${(e) => { e.preventDefault(); setOver(false); add(e.dataTransfer?.files) }}>
    <p id=${groupId} class="uploader-title">${t('files.add')}</p>
    <div class="field">
      <label for=${descId}>${t('files.description')}</label>
      <input id=${descId} type="text" maxlength="2000" value=${description} onInput=${(e) => setDescription(e.currentTarget.value)} />
    </div>
    <div class="uploader-buttons">
      <input id=${camId} class="visually-hidden" type="file" accept="image/*" capture="environment" onChange=${(e) => { add(e.currentTarget.files); e.currentTarget.value = '' }} />
      <label for=${camId} class="button secondary">${t('files.camera')}</label>
      <input id=${pickId} class="visually-hidden" type="file" multiple onChange=${(e) => { add(e.currentTarget.files); e.currentTarget.value = '' }} />
      <label for=${pickId} class="button secondary">${t('files.choose')}</label>
      <span class="muted drop-hint">${t('files.drop')}</span>
    </div>
    ${uploads.length > 0 && html`<ul class="uploads" aria-label=${t('files.uploads')} aria-live="polite">
      ${uploads.map((u) => html`<${UploadRow} key=${u.key} u=${u} onCancel=${() => cancelUpload(u.key)} />`)}
    </ul>`}
  </div>`

  function cancelUpload (key) {
    const queued = queue.current.findIndex((q) => q.key === key)
    if (queued >= 0) { queue.current.splice(queued, 1); update(key, { state: 'cancelled' }); return }
    jobs.get(key)?.()
  }
}


function UploadRow ({ u, onCancel }) {
  const barId = useId('bar')
  const percent = Math.round(u.progress * 100)
  return html`<li class=${`upload ${u.state}`}>
    <div class="upload-head">
      <span class="file-name">${u.name}</span>
      <span class="muted">${fmtBytes(u.size)}</span>
    </div>
    <label class="visually-hidden" for=${barId}>${t('files.progressOf', { name: u.name })}</label>
    <progress id=${barId} max="100" value=${percent}>${percent} %</progress>
    <div class="upload-status">
      ${u.state === 'waiting' && html`<span>${t('files.waiting')}</span>`}
      ${u.state === 'sending' && html`<span>${t('files.sending', { percent })}</span>`}
      ${(u.state === 'waiting' || u.state === 'sending') && html`<button type="button" class="link" onClick=${onCancel}>${t('common.cancel')}</button>`}
      ${u.state === 'cancelled' && html`<span class="muted">${t('files.cancelled')}</span>`}
      ${u.state === 'failed' && html`<span class="error" role="alert">${u.error}</span>`}
      ${u.state === 'done' && html`<span class="ok">${t('files.stored')}</span>
        <span class="hash">SHA-256 <code class="mono">${u.record?.sha256}</code></span>`}
    </div>
  </li>`
}
