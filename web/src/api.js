// @ts-check
// The one place that talks to the server. The session is the httpOnly cookie the server sets
// at login: no token is ever read, stored or put in a URL here. Problem answers (RFC 9457)
// become ApiError, whose `fields` name the form inputs they concern.

/** @typedef {{ field: string, message: string }} FieldError */
/** @typedef {{ type?: string, title?: string, status?: number, detail?: string, code?: string, errors?: FieldError[], [k: string]: unknown }} Problem */

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the network failed
   * @param {Problem | null} problem
   * @param {string | null} [retryAfter]
   */
  constructor (status, problem, retryAfter = null) {
    super(problem?.detail ?? problem?.title ?? (status === 0 ? 'network' : `HTTP ${status}`))
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.code = problem?.code ?? (status === 0 ? 'network' : undefined)
    this.retryAfter = retryAfter === null ? null : Number(retryAfter)
    /** @type {Record<string, string>} form path (`goods/0/hsCode`) → server message */
    this.fields = {}
    for (const e of problem?.errors ?? []) {
      const path = fieldPath(e.field)
      if (!(path in this.fields)) this.fields[path] = e.message
    }
    // A conflict may name its one field beside the detail (`{"field": "body/username"}`).
    if (typeof problem?.field === 'string' && typeof problem.detail === 'string') this.fields[fieldPath(problem.field)] ??= problem.detail
  }
}

/** `body/goods/0/hsCode` → `goods/0/hsCode`; `querystring/from` → `from`. */
export function fieldPath (field) {
  return String(field).replace(/^(body|querystring|params)\/?/, '')
}

/** @type {() => void} */
let onUnauthenticated = () => {}
/** Called when a request answers 401 (the session cookie expired or was cleared). */
export function setUnauthenticatedHandler (/** @type {() => void} */ fn) { onUnauthenticated = fn }

/**
 * @param {string} method
 * @param {string} url
 * @param {unknown} [body]
 * @param {{ signal?: AbortSignal, quiet401?: boolean }} [options]
 */
export async function api (method, url, body, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  let res
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, null)
  }
  const type = res.headers.get('content-type') ?? ''
  if (!res.ok) {
    /** @type {Problem | null} */
    let problem = null
    if (type.includes('json')) problem = await res.json().catch(() => null)
    if (res.status === 401 && options.quiet401 !== true) onUnauthenticated()
    throw new ApiError(res.status, problem, res.headers.get('retry-after'))
  }
  if (res.status === 204) return null
  if (type.includes('json')) return res.json()
  return res.text()
}

export const get = (/** @type {string} */ url, /** @type {{ signal?: AbortSignal }} */ options = {}) => api('GET', url, undefined, options)
export const post = (/** @type {string} */ url, /** @type {unknown} */ body) => api('POST', url, body ?? {})
export const patch = (/** @type {string} */ url, /** @type {unknown} */ body) => api('PATCH', url, body)

/** A query string from the non-empty values of `params`. */
export function query (/** @type {Record<string, unknown>} */ params) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

export const id = (/** @type {string} */ value) => encodeURIComponent(value)

/**
 * Uploads one file as multipart/form-data with XMLHttpRequest, whose upload progress events
 * fetch() does not offer. Resolves with the server's record ({id, sha256, size, mediaType, filename}).
 * @param {string} url
 * @param {File} file
 * @param {Record<string, string>} fields optional form fields, sent before the file
 * @param {(fraction: number) => void} onProgress
 * @returns {{ promise: Promise<any>, abort: () => void }}
 */
export function upload (url, file, fields, onProgress) {
  const xhr = new XMLHttpRequest()
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', url)
    xhr.setRequestHeader('accept', 'application/json')
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total) }
    xhr.onload = () => {
      let body = null
      try { body = JSON.parse(xhr.responseText) } catch { body = null }
      if (xhr.status >= 200 && xhr.status < 300) { onProgress(1); resolve(body) } else {
        if (xhr.status === 401) onUnauthenticated()
        reject(new ApiError(xhr.status, body, xhr.getResponseHeader('retry-after')))
      }
    }
    xhr.onerror = () => reject(new ApiError(0, null))
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'))
    const form = new FormData()
    for (const [k, v] of Object.entries(fields)) if (v !== '') form.append(k, v)
    form.append('file', file, file.name)
    xhr.send(form)
  })
  return { promise, abort: () => xhr.abort() }
}
