import { readFile } from 'node:fs/promises'
import t from 'tap'
import { WEB_TIMEOUT, apiAs, launch, login, open, skipReason, startWebApp } from './browser.js'

const skip = skipReason()
t.setTimeout(WEB_TIMEOUT)

t.test('the prosecutor\'s flow in the browser', { skip }, async (t) => {
  const web = await startWebApp(t)
  const browser = await launch(t)
  const prosecutor = await apiAs(web.app, 'al.prosecutor')
  const mine = (await prosecutor.call('GET', '/api/cases')).json<{ items: Array<{ id: string, reference: string, title: string }> }>().items
  const demoCase = mine[0]

  t.test('a prosecutor opens their case and reads its summary, exhibits, custody and integrity', async (t) => {
    t.ok(demoCase, 'the demo prosecutor is a member of a case')
    const detail = (await prosecutor.call('GET', `/api/cases/${demoCase?.id ?? ''}`)).json<{ summary: string, items: Array<{ label: string }> }>()
    const { page, errors } = await open(t, browser)
    await login(page, web.base, 'al.prosecutor')
    await page.getByRole('heading', { level: 1, name: 'My cases' }).waitFor()
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()
    t.same(nav, ['My cases'], 'a prosecutor\'s navigation holds their cases only')
    t.equal(await page.getByRole('table').getByRole('row').count(), mine.length + 1, 'the list shows exactly their cases')

    await page.getByRole('link', { name: demoCase?.reference ?? 'none', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: demoCase?.reference ?? 'none' }).waitFor()
    await t.resolves(page.getByRole('region', { name: 'Summary' }).getByText(detail.summary).waitFor(), 'the case summary is shown')
    const exhibits = page.getByRole('region', { name: 'Exhibits and their custody' })
    for (const item of detail.items) {
      await t.resolves(exhibits.getByRole('link', { name: item.label }).waitFor(), `exhibit ${item.label} is listed`)
    }
    const downloads = page.getByRole('region', { name: 'Case file and bundle' })
    t.match(await downloads.getByRole('link', { name: 'Case file (PDF, English)' }).getAttribute('href'), /\/case-file\.pdf\?lang=en$/, 'the English case file is offered')
    t.match(await downloads.getByRole('link', { name: 'Case file (PDF, Albanian)' }).getAttribute('href'), /\/case-file\.pdf\?lang=sq$/, 'the Albanian case file is offered')
    t.match(await downloads.getByRole('link', { name: 'Full case bundle (ZIP)' }).getAttribute('href'), /\/bundle\.zip$/, 'the bundle is offered')
    for (const href of await downloads.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))) {
      t.notMatch(href, /token|bearer/i, `${href} carries no token`)
    }

    const jwks = (await web.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Array<{ kid: string }> }>()
    const integrity = page.getByRole('region', { name: 'Integrity' })
    await t.resolves(integrity.getByText(jwks.keys[0]?.kid ?? 'no key', { exact: true }).waitFor(), 'the current key\'s RFC 7638 thumbprint is shown, as the JWKS publishes it')

    await exhibits.getByRole('link', { name: detail.items[0]?.label ?? '' }).click()
    const chain = page.getByRole('region', { name: 'Chain of custody' })
    await t.resolves(chain.getByRole('heading', { level: 3, name: 'Seizure' }).waitFor(), 'the prosecutor reads an exhibit\'s chain of custody')
    t.equal(await page.getByRole('button', { name: 'Hand over' }).count(), 0, 'and records no custody event')
    t.same(errors, [], 'no page error or CSP violation')
  })

  t.test('a prosecutor downloads the case file as a PDF, with the session cookie and no token in the URL', async (t) => {
    const { page } = await open(t, browser)
    const urls: string[] = []
    page.on('request', (r) => urls.push(r.url()))
    await login(page, web.base, 'al.prosecutor')
    await page.getByRole('link', { name: demoCase?.reference ?? 'none', exact: true }).click()
    const link = page.getByRole('region', { name: 'Case file and bundle' }).getByRole('link', { name: 'Case file (PDF, English)' })
    // The server renders the PDF on request: give it time on a busy machine.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90_000 }), link.click()])
    const file = await download.path()
    const bytes = await readFile(file)
    t.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'the download is a PDF')
    t.match(download.suggestedFilename(), /\.pdf$/, 'named as a PDF')
    const token = (await page.context().cookies()).find((c) => c.name === 'strongroom_token')?.value ?? ''
    t.ok(token.length > 0, 'the session is the cookie')
    t.notOk(urls.some((u) => u.includes(token)), 'no request URL carries the token')
  })
})
