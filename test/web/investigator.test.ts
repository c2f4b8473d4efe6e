import t from 'tap'
import { WEB_TIMEOUT, apiAs, launch, login, open, skipReason, startWebApp } from './browser.js'

const skip = skipReason()
t.setTimeout(WEB_TIMEOUT)

t.test('the investigator\'s flow in the browser', { skip }, async (t) => {
  const web = await startWebApp(t)
  const browser = await launch(t)

  t.test('an investigator opens a case from a seizure, adds the prosecutor, and refers the case', async (t) => {
    const prosecutor = await apiAs(web.app, 'al.prosecutor')
    const investigator = await apiAs(web.app, 'al.investigator')
    const seizure = (await investigator.call('GET', `/api/seizures?place=${encodeURIComponent('Durrës')}`)).json<{ items: Array<{ id: string, reference: string }> }>().items[0]
    const { page, errors } = await open(t, browser)
    await login(page, web.base, 'al.investigator')
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Open a case' }).click()

    await page.getByLabel('Title').fill('Triethanolamine imports by Kimik Albania, 2025 to 2026')
    await page.getByLabel('Summary').fill('Second look at the importer after the administrative case: earlier shipments.')
    await page.getByRole('checkbox', { name: new RegExp(seizure?.reference ?? 'none') }).check()
    await page.getByRole('button', { name: 'Add an offence' }).click()
    const offence = page.getByRole('group', { name: 'Offence 1' })
    await offence.getByLabel('Law').fill('Law No. 9707/2007 on the control of strategic goods')
    await offence.getByLabel('Article').fill('Art. 33')
    await page.getByRole('button', { name: 'Open the case' }).click()

    const heading = page.getByRole('heading', { level: 1 })
    await heading.filter({ hasText: /^AL-C-\d{4}-\d{4}$/ }).waitFor()
    const reference = (await heading.textContent()) ?? ''
    await t.resolves(page.getByText(`Case ${reference} opened.`).waitFor(), 'the case is opened under its reference')
    await t.resolves(page.getByText('Your role: Lead investigator').waitFor(), 'the investigator leads it')
    t.equal(await page.getByRole('button', { name: 'Refer to the prosecutor' }).count(), 0, 'an open case cannot be referred yet')

    const members = page.getByRole('region', { name: 'Members' })
    await members.getByRole('button', { name: 'Add a member' }).click()
    await members.getByLabel('Role on the case').selectOption('prosecutor')
    await members.getByLabel('Member', { exact: true }).selectOption(prosecutor.me.id)
    await members.getByRole('button', { name: 'Add a member' }).click()
    await t.resolves(page.getByText('Member added.').waitFor(), 'the prosecutor is added')
    await t.resolves(members.getByRole('listitem').filter({ hasText: prosecutor.me.displayName }).getByText('Prosecutor').waitFor(), 'and listed among the members by name, as prosecutor')

    await page.getByRole('button', { name: 'Start the investigation' }).click()
    const start = page.getByRole('form', { name: 'Start the investigation' })
    await start.getByLabel('Reason').fill('Customs records of earlier shipments requested')
    await start.getByRole('button', { name: 'Confirm' }).click()
    await t.resolves(page.getByText('The case is now: Under investigation.').waitFor(), 'the investigation starts')

    await page.getByRole('button', { name: 'Refer to the prosecutor' }).click()
    const refer = page.getByRole('form', { name: 'Refer to the prosecutor' })
    await refer.getByRole('button', { name: 'Confirm' }).click()
    await t.resolves(refer.getByText('Required').waitFor(), 'a referral needs a reason, said next to the field')
    await refer.getByLabel('Reason').fill('Evidence complete; referred to the Prosecution Office of Durrës')
    await refer.getByRole('button', { name: 'Confirm' }).click()
    await t.resolves(page.getByText('The case is now: Referred to prosecutor.').waitFor(), 'the case is referred')
    await t.resolves(page.getByRole('region', { name: 'Timeline' }).getByText(/Status Under investigation → Referred to prosecutor/).waitFor(), 'the timeline records the referral')

    const cases = (await prosecutor.call('GET', '/api/cases?status=referred')).json<{ items: Array<{ reference: string }> }>().items
    t.ok(cases.some((c) => c.reference === reference), 'the prosecutor now has the case')
    t.same(errors, [], 'no page error or CSP violation')
  })

  t.test('an investigator reads an exhibit\'s full chain of custody as a timeline', async (t) => {
    const investigator = await apiAs(web.app, 'al.investigator')
    const seizure = (await investigator.call('GET', `/api/seizures?place=${encodeURIComponent('Morinë')}`)).json<{ items: Array<{ id: string }> }>().items[0]
    const items = (await investigator.call('GET', `/api/seizures/${seizure?.id ?? ''}/items`)).json<{ items: Array<{ id: string, label: string }> }>().items
    const sample = items[0]
    const events = (await investigator.call('GET', `/api/items/${sample?.id ?? ''}/custody`)).json<{ items: Array<{ type: string }> }>().items
    const demoCase = (await investigator.call('GET', '/api/cases?status=referred')).json<{ items: Array<{ reference: string, seizureIds: string[] }> }>().items
      .find((c) => c.seizureIds.includes(seizure?.id ?? ''))
    const { page } = await open(t, browser)
    await login(page, web.base, 'al.investigator')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click()
    await page.getByRole('link', { name: demoCase?.reference ?? 'none', exact: true }).click()
    await page.getByRole('region', { name: 'Exhibits and their custody' }).getByRole('link', { name: sample?.label ?? '' }).click()
    const chain = page.getByRole('region', { name: 'Chain of custody' })
    const shown = chain.getByRole('heading', { level: 3 })
    await shown.first().waitFor()
    t.equal(await shown.count(), events.length, 'every custody event of the exhibit is on its timeline')
    t.equal(await shown.first().textContent(), 'Seizure', 'oldest first: the seizure')
    t.equal(await shown.last().textContent(), 'Check-in', 'and the check-in after the laboratory last')
    await t.resolves(chain.getByRole('link', { name: /lab-report-LAB-2026-118\.txt/ }).waitFor(), 'the laboratory report attached to its event is listed there')
  })
})
