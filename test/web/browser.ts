// Shared set-up of the browser tests: the real app on a temp data directory with the demo
// data, listening on a free port, and Debian's Chromium driven by playwright-core.
import { existsSync, readdirSync, statSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { Test } from 'tap'
import { WEB_ROOT } from '../../server/routes/web.js'
import { buildWeb } from '../../web/build.mjs'
import { as, login as apiLogin, makeApp, type TestApp } from '../helpers/app.js'

export const CHROMIUM = '/usr/bin/chromium'
/** A browser file (demo seed, a browser, several flows) needs more than the suite's 120 s on a busy machine. */
export const WEB_TIMEOUT = 240_000
export const DEMO_PASSWORD = 'strongroom-demo'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Why the browser tests cannot run here, or false. In CI they always run: a missing browser fails them. */
export function skipReason (): string | false {
  if (existsSync(CHROMIUM) || process.env.CI !== undefined) return false
  return `${CHROMIUM} is not installed (apt-get install chromium); the browser tests run in CI`
}

const WEB_SOURCES = fileURLToPath(new URL('../../web/', import.meta.url))

function newest (dir: string): number {
  let latest = 0
  for (const name of readdirSync(dir)) {
    if (name === 'dist' || name.startsWith('dist.')) continue
    const file = path.join(dir, name)
    const s = statSync(file)
    latest = Math.max(latest, s.isDirectory() ? newest(file) : s.mtimeMs)
  }
  return latest
}

/** web/dist as `npm ci` builds it; rebuilt here only when missing or older than its sources. */
async function ensureBuilt (): Promise<void> {
  const index = path.join(WEB_ROOT, 'index.html')
  if (existsSync(index) && statSync(index).mtimeMs >= newest(WEB_SOURCES)) return
  await buildWeb({ quiet: true })
}

export interface WebApp extends TestApp { base: string }

/** The app with the demo data (STRONGROOM_DEMO=1) on a socket, closed when `t` ends. */
export async function startWebApp (t: Test): Promise<WebApp> {
  await ensureBuilt()
  const test = await makeApp(t, { STRONGROOM_DEMO: '1' })
  await test.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = test.app.server.address() as AddressInfo
  return { ...test, base: `http://127.0.0.1:${port}` }
}

/** One browser per test file; playwright gives it a fresh temporary profile. */
export async function launch (t: Test): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  t.teardown(() => browser.close())
  return browser
}

export interface Tab {
  context: BrowserContext
  page: Page
  /** Messages of any alert/confirm/prompt the page opened (an injected script would). */
  dialogs: string[]
  /** Uncaught page errors and Content-Security-Policy violations. */
  errors: string[]
}

/** A new browser context (cookies, storage) and page per test. */
export async function open (t: Test, browser: Browser, viewport = { width: 1024, height: 768 }): Promise<Tab> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', acceptDownloads: true })
  const page = await context.newPage()
  t.teardown(async () => {
    // A failing test leaves a screenshot of what the browser showed, to read its failure by.
    if (!t.passing()) {
      t.comment(`browser log:\n${log.join('\n')}`)
      const file = path.join(tmpdir(), `strongroom-web-${t.name.replace(/[^\w]+/g, '-').slice(0, 80)}.png`)
      await page.screenshot({ path: file, fullPage: true }).then(() => t.comment(`screenshot: ${file}`), () => {})
    }
    await context.close()
  })
  page.setDefaultTimeout(15_000)
  const dialogs: string[] = []
  const errors: string[] = []
  const log: string[] = []
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`))
  page.on('requestfailed', (r) => log.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`))
  page.on('response', (r) => { if (r.status() >= 400) log.push(`${r.status()} ${r.request().method()} ${r.url()}`) })
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}) })
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) errors.push(m.text()) })
  return { context, page, dialogs, errors }
}

/** Logs in through the login page and waits for the app's navigation. */
export async function login (page: Page, base: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${base}/login`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.getByRole('button', { name: 'Log out' }).waitFor()
}

/** An API caller for set-up and cross-checks, as a demo user. */
export async function apiAs (app: TestApp['app'], username: string) {
  const token = await apiLogin(app, username, DEMO_PASSWORD)
  const call = as(app, token)
  const me = (await call('GET', '/api/auth/me')).json<{ id: string, displayName: string }>()
  return { call, me, token }
}
