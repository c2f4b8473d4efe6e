import t from 'tap'
import { WEB_TIMEOUT, apiAs, launch, login, open, skipReason, startWebApp } from './browser.js'

const skip = skipReason()
t.setTimeout(WEB_TIMEOUT)

t.test('the auditor\'s flow in the browser', { skip }, async (t) => {
  const web = await startWebApp(t)
  const browser = await launch(t)
  const auditor = await apiAs(web.app, 'al.auditor')

  t.test('an auditor filters the audit log by action and by record type, and reads an entry', async (t) => {
    const received = (await auditor.call('GET', '/api/audit?action=custody.received&limit=200')).json<{ items: Array<{ index: number, leafHash: string }> }>().items
    t.ok(received.length > 0, 'the demo data has receipts in the log')
    const { page, errors } = await open(t, browser)
    await login(page, web.base, 'al.auditor')
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor()

    await page.getByLabel('Action').fill('custody.received')
    await page.getByRole('button', { name: 'Filter', exact: true }).click()
    const table = page.getByRole('table', { name: 'Audit entries' })
    const rows = table.getByRole('row').filter({ has: page.getByRole('cell') })
    await rows.nth(received.length - 1).waitFor()
    await page.waitForTimeout(200)
    t.equal(await rows.count(), received.length, 'exactly the receipts are listed')
    for (const text of await rows.allTextContents()) t.match(text, /Custody: receipt\s*custody\.received/, 'each row is a receipt, named in words and by its action code')

    await rows.first().getByRole('button', { name: /^Details/ }).click()
    await t.resolves(page.getByRole('heading', { name: 'What was recorded' }).waitFor(), 'an entry opens to what it recorded')
    await t.resolves(page.getByText(received[0]?.leafHash ?? 'none', { exact: true }).waitFor(), 'with its leaf hash')
    t.equal(await page.getByText(/^\{"/).count(), 0, 'no raw JSON is shown')

    await page.getByRole('button', { name: 'Clear filters' }).click()
    await page.getByLabel('Record type').selectOption('case')
    await page.getByRole('button', { name: 'Filter', exact: true }).click()
    const caseEntries = (await auditor.call('GET', '/api/audit?entityType=case&limit=200')).json<{ items: unknown[] }>().items
    await rows.nth(caseEntries.length - 1).waitFor()
    await page.waitForTimeout(200)
    t.equal(await rows.count(), caseEntries.length, 'filtering by record type lists the case entries')
    t.same(errors, [], 'no page error or CSP violation')
  })

  t.test('an auditor runs the verification of the whole log and reads the result', async (t) => {
    const { page } = await open(t, browser)
    await login(page, web.base, 'al.auditor')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrity' }).click()
    await t.resolves(page.getByText('Root hash').first().waitFor(), 'the latest signed checkpoint is shown')
    await page.getByRole('button', { name: 'Verify the whole log now' }).click()
    const verdict = page.getByText(/^(Verified\.|Verification failed\.|The verification could not run\.)$/)
    await verdict.waitFor({ timeout: 60_000 })
    t.equal(await verdict.textContent(), 'Verified.', 'the untouched demo log verifies')
    await t.resolves(page.getByText(/Everything matches\. Entries: \d+, checkpoints: \d+, files: \d+\./).waitFor(), 'the result says what was checked')
  })

  t.test('supervisor figures are charts, not tables', async (t) => {
    const { page, errors } = await open(t, browser)
    await login(page, web.base, 'al.auditor')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Figures' }).click()
    const method = page.getByRole('figure', { name: 'Seizures by detection method' })
    await method.waitFor()
    t.ok(await method.locator('svg rect').count() > 0, 'the detection methods are drawn as bars')
    await t.resolves(method.getByText('Risk profile').waitFor(), 'labelled in words')
    await t.resolves(page.getByRole('img', { name: /^Seizures per month/ }).waitFor(), 'the monthly seizures are a chart with a text alternative')
    t.equal(await page.getByRole('table').count(), 0, 'no table of numbers')
    t.same(errors, [], 'no page error or CSP violation')
  })
})
