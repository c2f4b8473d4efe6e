// Shared building blocks: labelled fields that show the API's errors next to themselves,
// links for client-side navigation, loading and error states, badges, dates.
// Everything user-supplied goes into the DOM as text: htm/Preact escape it, and nothing here
// sets innerHTML.
import { h, createContext } from 'preact'
import { useContext, useEffect, useReducer, useRef, useState } from 'preact/hooks'
import htm from 'htm'
import { ApiError } from './api.js'
import { errorText, fmtDateTime, label, serverMessage, t } from './i18n.js'
import { hasNavigated, navigate, setLang, state } from './store.js'

export const html = htm.bind(h)

let counter = 0
export const useId = (prefix = 'u') => {
  const ref = useRef(null)
  if (ref.current === null) ref.current = `${prefix}${++counter}`
  return ref.current
}

/** Data for a page: reloads when `deps` change, keeps the previous data while reloading. */
export function useLoad (fn, deps) {
  const [s, set] = useState({ loading: true, data: undefined, error: null })
  const [n, reload] = useReducer((x) => x + 1, 0)
  useEffect(() => {
    const ac = new AbortController()
    set((p) => ({ ...p, loading: true }))
    fn(ac.signal).then(
      (data) => { if (!ac.signal.aborted) set({ loading: false, data, error: null }) },
      (error) => { if (!ac.signal.aborted && error?.name !== 'AbortError') set({ loading: false, data: undefined, error }) }
    )
    return () => ac.abort()
  }, [...deps, n, state.session])
  return { ...s, reload }
}

// ---------------------------------------------------------------- forms

/**
 * A form's error state: field errors by API path (`goods/0/hsCode`), and a general message.
 * `seen` collects the paths that have a field on screen; the rest go to the ErrorSummary.
 */
export function useForm () {
  const [errors, setErrors] = useState({})
  const [general, setGeneral] = useState(null)
  const [busy, setBusy] = useState(false)
  const seen = useRef(new Set()).current
  const form = {
    errors,
    general,
    busy,
    seen,
    clear (path) { if (path in errors) setErrors((e) => { const { [path]: _, ...rest } = e; return rest }) },
    reset () { setErrors({}); setGeneral(null) },
    /** Shows the client's own checks (same paths as the server's); answers true when there are none. */
    valid (found) {
      if (Object.keys(found).length === 0) return true
      setErrors(found)
      setGeneral(t('form.fix'))
      requestAnimationFrame(() => {
        const target = document.querySelector('[aria-invalid="true"]')
        if (target instanceof HTMLElement) target.focus()
      })
      return false
    },
    /** Shows an error from the API (or a thrown Error) on the fields it names. */
    fail (err) {
      if (err instanceof ApiError) {
        setErrors(err.fields)
        setGeneral(Object.keys(err.fields).length > 0 ? t('form.fix') : errorText(err))
      } else {
        setErrors({})
        setGeneral(String(err?.message ?? err))
      }
      requestAnimationFrame(() => {
        const target = document.querySelector('[aria-invalid="true"]') ?? document.querySelector('.form-error')
        if (target instanceof HTMLElement) target.focus()
      })
    },
    /** Runs `fn` with the busy flag set; errors land on the form. Answers fn's result or undefined. */
    async run (fn) {
      setBusy(true)
      setErrors({})
      setGeneral(null)
      try {
        return await fn()
      } catch (err) {
        if (err?.name === 'AbortError') return undefined
        form.fail(err)
        return undefined
      } finally {
        setBusy(false)
      }
    }
  }
  return form
}

export const FormContext = createContext(null)

/** A <form> that provides its error state to the fields inside it. */
export function Form ({ form, onSubmit, children, class: cls, label: ariaLabel }) {
  return html`<form class=${cls ?? 'form'} novalidate aria-label=${ariaLabel} onSubmit=${(e) => { e.preventDefault(); if (!form.busy) onSubmit(e) }}>
    <${FormContext.Provider} value=${form}>${children}<//>
  </form>`
}

/** Errors the server reported for fields not on screen, and the general message. */
export function ErrorSummary () {
  const form = useContext(FormContext)
  if (form === null) return null
  const unseen = Object.entries(form.errors).filter(([path]) => !form.seen.has(path))
  if (form.general === null && unseen.length === 0) return null
  return html`<div class="form-error" role="alert" tabindex="-1">
    ${form.general !== null && html`<p>${form.general}</p>`}
    ${unseen.length > 0 && html`<ul>${unseen.map(([path, message]) => html`<li key=${path}><span class="mono">${path}</span>: ${serverMessage(message)}</li>`)}</ul>`}
  </div>`
}

/**
 * A labelled input. `name` is the API path of the value (`goods/0/hsCode`), so that an error
 * the server reports for that path shows here; `check` is a live check (message or null).
 */
export function Field (props) {
  const { label: text, name, type = 'text', value, onValue, hint, check, ok, options, rows, required, wide, span, children, placeholder, ...rest } = props
  const form = useContext(FormContext)
  const id = useId('f')
  if (form !== null && name !== undefined) form.seen.add(name)
  const serverError = form !== null && name !== undefined ? form.errors[name] : undefined
  const error = check ?? (serverError === undefined ? null : serverMessage(serverError))
  const hintId = `${id}-hint`
  const errId = `${id}-err`
  const described = [hint !== undefined && hint !== null && error === null ? hintId : null, error !== null ? errId : null].filter(Boolean).join(' ') || undefined
  const input = (e) => {
    const v = type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value
    if (form !== null && name !== undefined) form.clear(name)
    onValue?.(v)
  }
  const common = { id, name, 'aria-invalid': error !== null ? 'true' : undefined, 'aria-describedby': described, required, ...rest }
  let control
  if (type === 'select') {
    control = html`<select ...${common} value=${value ?? ''} onChange=${input}>
      ${options.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
    </select>`
  } else if (type === 'textarea') {
    control = html`<textarea ...${common} rows=${rows ?? 3} value=${value ?? ''} onInput=${input} placeholder=${placeholder} />`
  } else if (type === 'checkbox') {
    return html`<div class=${`field check${wide ? ' wide' : ''}`}>
      <input type="checkbox" ...${common} checked=${value === true} onChange=${input} />
      <label for=${id}>${text}</label>
      ${hint !== undefined && hint !== null && html`<small id=${hintId} class="hint">${hint}</small>`}
      ${error !== null && html`<small id=${errId} class="error">${error}</small>`}
    </div>`
  } else {
    control = html`<input type=${type} ...${common} value=${value ?? ''} onInput=${input} placeholder=${placeholder} />`
  }
  return html`<div class=${`field${wide ? ' wide' : ''}${span ? ' span2' : ''}`}>
    <div class="label-row"><label for=${id}>${text}</label>${required ? html`<span class="req" aria-hidden="true">*</span>` : null}</div>
    ${control}
    ${children}
    ${hint !== undefined && hint !== null && error === null && html`<small id=${hintId} class=${`hint${ok === true ? ' ok' : ''}`}>${hint}</small>`}
    ${error !== null && html`<small id=${errId} class="error">${error}</small>`}
  </div>`
}

/** Radio buttons in a fieldset; `name` is the API path as for Field. */
export function Radios ({ legend, name, value, onValue, options }) {
  const form = useContext(FormContext)
  const id = useId('r')
  if (form !== null) form.seen.add(name)
  const error = form?.errors[name]
  return html`<fieldset class="field radios" aria-invalid=${error !== undefined ? 'true' : undefined}>
    <legend>${legend}</legend>
    ${options.map(([v, l]) => html`<label key=${String(v)} class="radio"><input type="radio" name=${id} checked=${value === v}
      onChange=${() => { form?.clear(name); onValue(v) }} /> ${l}</label>`)}
    ${error !== undefined && html`<small class="error">${serverMessage(error)}</small>`}
  </fieldset>`
}

/** Options for a select from an enumeration, with translated labels. */
export const enumOptions = (kind, values, empty) => [
  ...(empty === undefined ? [] : [['', empty]]),
  ...values.map((v) => [v, label(kind, v)])
]

// ---------------------------------------------------------------- page pieces

export function Link ({ to, children, class: cls, ...rest }) {
  return html`<a href=${to} class=${cls} ...${rest} onClick=${(e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(to)
  }}>${children}</a>`
}

export function Loading () {
  return html`<p class="loading" role="status">${t('common.loading')}</p>`
}

/** An API failure while loading a page, in the user's language. */
export function LoadError ({ error, retry }) {
  return html`<div class="form-error" role="alert">
    <p>${errorText(error)}</p>
    ${retry !== undefined && html`<button type="button" class="secondary" onClick=${retry}>${t('common.retry')}</button>`}
  </div>`
}

export function Notice ({ notice }) {
  if (notice === null || notice === undefined) return null
  return html`<div class=${`notice ${notice.kind}`} role="status">${notice.text}</div>`
}

export function Badge ({ kind, value, tone }) {
  return html`<span class=${`badge ${tone ?? `${kind}-${value}`}`}>${label(kind, value)}</span>`
}

export function When ({ iso, date }) {
  if (iso === null || iso === undefined) return html`<span class="muted">—</span>`
  return html`<time datetime=${iso}>${fmtDateTime(iso, date === true)}</time>`
}

/** A definition list of [term, value] rows; empty values are skipped. */
export function Facts ({ rows }) {
  const shown = rows.filter(([, v]) => v !== null && v !== undefined && v !== '' && v !== false)
  return html`<dl class="facts">${shown.map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`
}

export function Section ({ title, children, actions, id }) {
  const hid = useId('s')
  return html`<section class="card" aria-labelledby=${hid} id=${id}>
    <div class="card-head"><h2 id=${hid}>${title}</h2>${actions !== undefined && html`<div class="card-actions">${actions}</div>`}</div>
    ${children}
  </section>`
}

/** The page title: sets document.title and takes the focus after navigation (screen readers). */
export function PageTitle ({ children, text, sub }) {
  const ref = useRef(null)
  const title = text ?? (typeof children === 'string' ? children : '')
  useEffect(() => {
    document.title = title === '' ? 'Strongroom' : `${title} · Strongroom`
  }, [title])
  useEffect(() => { if (hasNavigated()) ref.current?.focus({ preventScroll: true }) }, [])
  return html`<div class="page-title"><h1 ref=${ref} tabindex="-1">${children ?? text}</h1>${sub !== undefined && html`<p class="sub">${sub}</p>`}</div>`
}

/** Short display of an opaque id, with the full id on hover and for copying. */
export function ShortId ({ value }) {
  if (value === null || value === undefined) return html`<span class="muted">—</span>`
  return html`<span class="mono" title=${value}>${value.length > 12 ? `${value.slice(0, 8)}…` : value}</span>`
}

export function Empty ({ children }) {
  return html`<p class="empty">${children}</p>`
}

export function LanguageSwitch () {
  const id = useId('lang')
  return html`<div class="lang">
    <label for=${id}>${t('lang.label')}</label>
    <select id=${id} value=${state.lang} onChange=${(e) => setLang(e.currentTarget.value)}>
      <option value="en" lang="en">English</option>
      <option value="sq" lang="sq">Shqip</option>
    </select>
  </div>`
}

export { ApiError }
