// The app shell: session, navigation by role, routes, language, the session-expired dialog.
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { get, post, setUnauthenticatedHandler } from './api.js'
import { can } from './domain.js'
import { label, loadLang, t } from './i18n.js'
import { forget, loadDirectory, remember } from './people.js'
import { navigate, setState, state, useAppState } from './store.js'
import { html, LanguageSwitch, Link, Loading, Notice } from './ui.js'
import { LoginForm, LoginPage } from './pages/login.js'

/** Pages load with the first visit to them: each role downloads only what it uses. */
const MODULES = {
  seizures: () => import('./pages/seizures.js'),
  item: () => import('./pages/item.js'),
  custody: () => import('./pages/custody.js'),
  cases: () => import('./pages/cases.js'),
  audit: () => import('./pages/audit.js'),
  stats: () => import('./pages/stats.js'),
  users: () => import('./pages/users.js')
}

/** Client routes: path pattern, [module, export], the permission the page needs. */
const ROUTES = [
  ['/seizures', ['seizures', 'SeizureList'], 'seizure.read'],
  ['/seizures/new', ['seizures', 'SeizureNew'], 'seizure.create'],
  ['/seizures/:id', ['seizures', 'SeizureDetail'], 'seizure.read'],
  ['/items/:id', ['item', 'ItemPage'], 'seizure.read'],
  ['/custody', ['custody', 'CustodyPage'], 'custody.record'],
  ['/locations', ['custody', 'LocationsPage'], 'location.read'],
  ['/cases', ['cases', 'CaseList'], 'case.read'],
  ['/cases/new', ['cases', 'CaseNew'], 'case.create'],
  ['/cases/:id', ['cases', 'CaseDetail'], 'case.read'],
  ['/audit', ['audit', 'AuditPage'], 'audit.read'],
  ['/integrity', ['audit', 'IntegrityPage'], 'audit.read'],
  ['/stats', ['stats', 'StatsPage'], 'stats.read'],
  ['/users', ['users', 'UsersPage'], 'user.manage']
]

const loaded = {}

/** Renders a page from its module, loading the module first if needed. */
function Page ({ page: [mod, name], ...props }) {
  const [module, setModule] = useState(loaded[mod])
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    if (module !== undefined) return
    MODULES[mod]().then((m) => { loaded[mod] = m; setModule(m) }, () => setFailed(true))
  }, [mod])
  if (failed) return html`<div class="form-error" role="alert"><p>${t('error.network')}</p></div>`
  if (module === undefined) return html`<${Loading} />`
  const Component = module[name]
  return html`<${Component} ...${props} />`
}

/** The navigation of each role, in the order of their daily work; the first is their home. */
const NAV = {
  officer: [['/seizures', 'nav.seizures'], ['/seizures/new', 'nav.newSeizure'], ['/custody', 'nav.custody']],
  custodian: [['/custody', 'nav.custody'], ['/locations', 'nav.locations'], ['/seizures', 'nav.seizures']],
  investigator: [['/cases', 'nav.cases'], ['/cases/new', 'nav.newCase'], ['/seizures', 'nav.seizures'], ['/seizures/new', 'nav.newSeizure'], ['/custody', 'nav.custody']],
  prosecutor: [['/cases', 'nav.myCases']],
  auditor: [['/audit', 'nav.audit'], ['/integrity', 'nav.integrity'], ['/stats', 'nav.stats'], ['/seizures', 'nav.seizures'], ['/cases', 'nav.cases']],
  admin: [['/users', 'nav.users'], ['/stats', 'nav.stats'], ['/audit', 'nav.audit'], ['/integrity', 'nav.integrity']]
}

function match (path) {
  for (const [pattern, page, permission] of ROUTES) {
    const names = []
    const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)' })}/?$`)
    const m = re.exec(path)
    if (m !== null) return { page, permission, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) }
  }
  return null
}

async function logout () {
  try { await post('/api/auth/logout') } catch { /* the cookie is cleared server-side; state goes anyway */ }
  forget()
  setState({ user: null, expired: false })
  navigate('/login', { replace: true, notice: { kind: 'ok', text: t('login.loggedOut') } })
}

function Account ({ user }) {
  return html`<div class="account">
    <${LanguageSwitch} />
    <details class="me">
      <summary><span class="me-name">${user.displayName}</span><span class="visually-hidden"> · ${label('role', user.role)}</span></summary>
      <div class="me-panel">
        <p><strong>${user.displayName}</strong> <span class="muted">(${user.username})</span><br />${label('role', user.role)} · ${user.agency.name}</p>
        <p class="hint">${t('people.yourId')}: <code class="mono">${user.id}</code></p>
      </div>
    </details>
    <button type="button" class="secondary" onClick=${logout}>${t('nav.logout')}</button>
  </div>`
}

function Shell ({ user, children }) {
  const [open, setOpen] = useState(false)
  const items = NAV[user.role] ?? []
  useEffect(() => setOpen(false), [state.path])
  const exact = items.some(([to]) => to === state.path)
  const current = (to) => to === state.path || (!exact && state.path.startsWith(`${to}/`))
  return html`
    <a class="skip" href="#main">${t('nav.skip')}</a>
    <header class="top">
      <div class="bar">
        <${Link} to="/" class="brand"><img src="/favicon.svg" alt="" width="28" height="28" /><span>Strongroom</span><//>
        <span class="agency">${user.agency.name}</span>
        <button type="button" class="menu-toggle secondary" aria-expanded=${open ? 'true' : 'false'} aria-controls="nav" onClick=${() => setOpen(!open)}>${t('nav.menu')}</button>
        <${Account} user=${user} />
      </div>
      <nav id="nav" class=${open ? 'open' : ''} aria-label=${t('nav.main')}>
        <ul>${items.map(([to, key]) => html`<li key=${to}><${Link} to=${to} aria-current=${current(to) ? 'page' : undefined}>${t(key)}<//></li>`)}</ul>
      </nav>
    </header>
    <main id="main" tabindex="-1">
      <${Notice} notice=${state.notice} />
      ${children}
    </main>`
}

function Forbidden () {
  return html`<div class="card"><h1>${t('common.forbiddenTitle')}</h1><p>${t('common.forbidden')}</p><${Link} to="/">${t('nav.home')}<//></div>`
}

function NotFound () {
  return html`<div class="card"><h1>${t('common.notFoundTitle')}</h1><p>${t('common.notFoundPage')}</p><${Link} to="/">${t('nav.home')}<//></div>`
}

function ExpiredDialog () {
  useEffect(() => {
    const input = document.querySelector('.dialog input[type="password"]')
    if (input instanceof HTMLElement) input.focus()
  }, [])
  return html`<div class="overlay">
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="expired-title">
      <h2 id="expired-title">${t('login.expiredTitle')}</h2>
      <p>${t('login.expired')}</p>
      <${LoginForm} username=${state.user?.username} onDone=${(user) => {
        if (user.id !== state.user?.id) { forget(); setState({ user, expired: false }); navigate('/', { replace: true }); return }
        setState({ user, expired: false, session: state.session + 1 })
      }} />
      <button type="button" class="link" onClick=${logout}>${t('nav.logout')}</button>
    </div>
  </div>`
}

function Redirect ({ to }) {
  useEffect(() => navigate(to, { replace: true, notice: state.notice ?? undefined }), [to])
  return null
}

function App () {
  const s = useAppState()
  useEffect(() => { document.documentElement.lang = s.lang }, [s.lang])
  if (s.user === undefined) return html`<${Loading} />`
  if (s.user === null || s.path === '/login') {
    if (s.user !== null) return html`<${Redirect} to="/" />`
    return html`<${LoginPage} onLogin=${(user) => prefetch(user.role)} />`
  }
  const home = (NAV[s.user.role] ?? [['/seizures']])[0][0]
  if (s.path === '/' || s.path === '') return html`<${Redirect} to=${home} />`
  const route = match(s.path)
  let page
  if (route === null) page = html`<${NotFound} />`
  else if (!can(s.user, route.permission)) page = html`<${Forbidden} />`
  else page = html`<${Page} key=${s.path} page=${route.page} ...${route.params} user=${s.user} />`
  return html`<${Shell} user=${s.user}>${page}<//>${s.expired && html`<${ExpiredDialog} />`}`
}

setUnauthenticatedHandler(() => {
  if (state.user != null) setState({ expired: true })
})

/** Loads the pages of the role's navigation in the background, so the next click is instant. */
function prefetch (role) {
  const modules = new Set((NAV[role] ?? []).map(([to]) => match(to)?.page[0]).filter((m) => m !== undefined))
  setTimeout(() => { for (const m of modules) MODULES[m]().then((x) => { loaded[m] = x }, () => {}) }, 300)
}

/** Who is logged in (the cookie decides); asked while the language loads. */
const session = get('/api/auth/me', { quiet401: true }).catch(() => null)

async function start () {
  document.documentElement.lang = state.lang
  const user = await session
  if (user !== null) { remember([user]); setState({ user }); loadDirectory(); prefetch(user.role) } else {
    const next = state.path === '/' || state.path === '/login' ? '' : `?next=${encodeURIComponent(state.path + state.search)}`
    if (state.path !== '/login') history.replaceState(null, '', `/login${next}`)
    setState({ user: null, path: '/login', search: next })
  }
}


loadLang(state.lang).then(() => {
  render(html`<${App} />`, document.getElementById('app'))
  start()
}, () => {
  document.getElementById('app').textContent = 'Strongroom could not load: reload the page. / Strongroom nuk u ngarkua: ringarkoni faqen.'
})
