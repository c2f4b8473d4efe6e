import t from 'tap'
import { apiAs, launch, login, open, skipReason, startWebApp, type WebApp } from './browser.js'

const skip = skipReason()

/** An item the officer seized and handed over to the custodian, through the API. */
async function handedOver (web: WebApp, description: string, sealNumber: string): Promise<{ id: string, label: string }> {
  const officer = await apiAs(web.app, 'al.officer')
  const custodian = await apiAs(web.app, 'al.custodian')
  const seizure = (await officer.call('GET', `/api/seizures?place=${encodeURIComponent('Morinë')}`)).json<{ items: Array<{ id: string }> }>().items[0]
  const item = (await officer.call('POST', `/api/seizures/${seizure?.id ?? ''}/items`, { description, category: 'goods_sample', sealNumber })).json<{ id: string, label: string }>()
  const res = await officer.call('POST', `/api/items/${item.id}/custody`, { type: 'transferred', toUserId: custodian.me.id, purpose: 'To the central evidence room' })
  if (res.statusCode !== 201) throw new Error(`hand-over failed: ${res.body}`)
  return item
}

t.test('the custodian\'s flow in the browser', { skip }, async (t) => {
  const web = await startWebApp(t)
  const browser = await launch(t)

  t.test('a custodian receives a pending hand-over with the seal intact, then stores the item at a location', async (t) => {
    const item = await handedOver(web, 'Cable harness sample', 'SB-0005001')
    const { page, errors } = await open(t, browser)
    await login(page, web.base, 'al.custodian')
    await page.getByRole('heading', { level: 1, name: 'My evidence' }).waitFor()
    t.match(new URL(page.url()).pathname, '/custody', 'a custodian starts on their evidence')

    const pending = page.getByRole('region', { name: /^Hand-overs waiting for you/ })
    const row = pending.getByRole('listitem').filter({ hasText: item.label })
    await t.resolves(row.waitFor(), 'the hand-over waits in the custodian\'s list')
    await row.getByLabel('Seal number found').fill('SB-0005001')
    await row.getByRole('radio', { name: 'Seal intact' }).check()
    await row.getByRole('button', { name: 'Confirm receipt' }).click()
    await t.resolves(page.getByText(`Receipt of hand-over recorded for ${item.label}.`).waitFor(), 'the receipt is recorded')

    const held = page.getByRole('region', { name: /^Evidence in your custody/ })
    const mine = held.getByRole('listitem').filter({ hasText: item.label })
    await t.resolves(mine.waitFor(), 'the item is now in the custodian\'s custody')
    t.equal(await pending.getByRole('listitem').filter({ hasText: item.label }).count(), 0, 'and no longer waits')
    await mine.getByRole('button', { name: 'Store at a location' }).click()
    await mine.getByLabel('Location', { exact: true }).selectOption('TIR-EVD/R1/C3/S2')
    await mine.getByRole('button', { name: 'Store', exact: true }).click()
    await t.resolves(page.getByText(`Storage recorded for ${item.label}.`).waitFor(), 'the storage is recorded')
    await t.resolves(held.getByRole('listitem').filter({ hasText: item.label }).getByText('TIR-EVD/R1/C3/S2').waitFor(), 'the list shows the location')

    await held.getByRole('link', { name: item.label }).click()
    const chain = page.getByRole('region', { name: 'Chain of custody' })
    await chain.getByRole('heading', { level: 3 }).nth(3).waitFor()
    const events = await chain.getByRole('listitem').allTextContents()
    t.match(events[0], /Seizure/, 'the chain starts with the seizure')
    t.match(events[1], /Hand-over/, 'then the hand-over')
    t.match(events[2], /Receipt of hand-over.*Seal intact/s, 'then the receipt, with the seal found intact')
    t.match(events[3], /Storage.*TIR-EVD\/R1\/C3\/S2/s, 'then the storage at the location')
    t.same(errors, [], 'no page error or CSP violation')
  })

  t.test('a custodian records a broken seal on receipt; the item carries it from then on', async (t) => {
    const item = await handedOver(web, 'Relay board sample', 'SB-0005002')
    const { page } = await open(t, browser)
    await login(page, web.base, 'al.custodian')
    const row = page.getByRole('region', { name: /^Hand-overs waiting for you/ }).getByRole('listitem').filter({ hasText: item.label })
    await row.getByRole('radio', { name: 'Seal broken' }).check()
    await t.resolves(row.getByText('A broken seal is recorded for good').waitFor(), 'the custodian is warned before recording a broken seal')
    await row.getByLabel('Notes').fill('Bag torn at the top seam on arrival')
    await row.getByRole('button', { name: 'Confirm receipt' }).click()
    await page.getByText(`Receipt of hand-over recorded for ${item.label}.`).waitFor()
    const mine = page.getByRole('region', { name: /^Evidence in your custody/ }).getByRole('listitem').filter({ hasText: item.label })
    await t.resolves(mine.getByText('Seal broken').waitFor(), 'the item is marked with the broken seal')

    await page.goto(`${web.base}/items/${item.id}`)
    await t.resolves(page.getByRole('note').getByText('Seal broken').waitFor(), 'the item page says the seal was found broken')
    const receipt = page.getByRole('region', { name: 'Chain of custody' }).getByRole('listitem').filter({ hasText: 'Receipt of hand-over' })
    await t.resolves(receipt.getByText('Seal broken').waitFor(), 'the receipt in the chain shows the broken seal')

    await page.getByRole('button', { name: 'Reseal' }).click()
    await page.getByLabel('New seal number').fill('SB-0006001')
    await page.getByRole('button', { name: 'Record the new seal' }).click()
    await t.resolves(page.getByText(`Resealing recorded for ${item.label}.`).waitFor(), 'the custodian reseals the item')
  })

  t.test('a custodian registers a storage location; a code that does not extend its parent is refused next to the field', async (t) => {
    const { page, errors } = await open(t, browser)
    await login(page, web.base, 'al.custodian')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Storage locations' }).click()
    const form = page.getByRole('form', { name: 'Register a storage location' })
    await form.getByLabel('Inside').selectOption('TIR-EVD/R1')
    t.equal(await form.getByLabel('Code').inputValue(), 'TIR-EVD/R1/', 'the code starts from the parent\'s')
    await form.getByLabel('Code').fill('DRZ-EVD/C1')
    await form.getByLabel('Name').fill('Cabinet 4 (chemicals)')
    await form.getByRole('button', { name: 'Register the location' }).click()
    await t.resolves(form.getByText('must extend the parent code by one segment').waitFor(), 'the server\'s refusal is shown next to the code')
    t.equal(await form.getByLabel('Code').getAttribute('aria-invalid'), 'true', 'the code field is marked invalid')
    await form.getByLabel('Code').fill('TIR-EVD/R1/C4')
    await form.getByRole('button', { name: 'Register the location' }).click()
    await t.resolves(page.getByText('Location TIR-EVD/R1/C4 registered.').waitFor(), 'the location is registered')
    const tree = page.getByRole('region', { name: 'Locations' })
    await t.resolves(tree.getByText('TIR-EVD/R1/C4', { exact: true }).waitFor(), 'and listed')
    await tree.getByRole('button', { name: 'What TIR-EVD/R1/C3/S2 holds' }).click()
    await t.resolves(tree.getByRole('link', { name: /^AL-\d{4}-\d{6}-E01$/ }).first().waitFor(), 'a shelf lists the exhibits stored on it')
    t.same(errors, [], 'no page error or CSP violation')
  })
})
