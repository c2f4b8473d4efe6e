import { fileURLToPath } from 'node:url'
import t from 'tap'
import { WEB_TIMEOUT, apiAs, launch, login, open, skipReason, startWebApp } from './browser.js'

const HOSTILE = '<img src=x onerror=alert(1)>'
const PHOTO = fileURLToPath(new URL('fixtures/sealed-bag.png', import.meta.url))
// sha256sum test/web/fixtures/sealed-bag.png (fixtures/SOURCE.md)
const PHOTO_SHA256 = 'd72f98964c6c87e4ddeedf9de38c4b5bc9cc81b96e67258a2d5b462afc370293'

const skip = skipReason()
t.setTimeout(WEB_TIMEOUT)

t.test('the officer\'s flow in the browser', { skip }, async (t) => {
  const web = await startWebApp(t)
  const browser = await launch(t)

  t.test('an officer records a seizure with a hostile party name, which shows as text and runs nothing', async (t) => {
    const { page, dialogs, errors } = await open(t, browser)
    await login(page, web.base, 'al.officer')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Record a seizure' }).click()
    await page.getByRole('heading', { level: 1, name: 'Record a seizure' }).waitFor()

    await page.getByLabel('Direction').selectOption('export')
    await page.getByLabel('Transport mode').selectOption('road')
    await page.getByLabel('Detection method').selectOption('xray_scanner')
    await page.getByLabel('Place name').fill('Qafë Thanë border crossing')
    await page.getByLabel('Country of origin').fill('al')
    t.equal(await page.getByLabel('Country of origin').inputValue(), 'AL', 'a country code is upper-cased as typed')
    await page.getByLabel('Country of destination').fill('MK')

    await page.getByRole('button', { name: 'Add a party' }).click()
    const party = page.getByRole('group', { name: 'Party 1' })
    await party.getByLabel('Role').selectOption('consignor')
    await party.getByLabel('Name').fill(HOSTILE)
    await party.getByLabel('Country').fill('AL')

    const goods = page.getByRole('group', { name: 'Goods line 1' })
    await goods.getByLabel('Description of the goods').fill('Oscilloscopes, 4 channels, 2 GHz bandwidth')
    const hs = goods.getByLabel('HS code')
    await hs.fill('8530x')
    t.equal(await hs.getAttribute('aria-invalid'), 'true', 'an HS code with a letter is marked invalid as it is typed')
    await t.resolves(goods.getByText('An HS code has 6 to 10 digits').waitFor(), 'the HS code check says why, next to the field')
    await hs.fill('9030.20')
    await t.resolves(goods.getByText('Valid HS code, chapter 90').waitFor(), 'a dotted HS code is accepted as typed')
    await goods.getByLabel('Quantity').fill('4')
    await goods.getByLabel('Strategic goods on a control list').check()
    await goods.getByLabel('Control regime').selectOption('EU-2021/821')
    const entry = goods.getByLabel('Control-list entry')
    await entry.fill('3A2')
    await t.resolves(goods.getByText('expected the form 3A001.a.1').waitFor(), 'an incomplete control-list entry is refused as it is typed')
    await entry.fill('3A002.a.5')
    await t.resolves(goods.getByText('Entry format is valid').waitFor(), 'a well-formed EU 2021/821 entry is accepted')

    await page.getByRole('button', { name: 'Record the seizure' }).click()
    const heading = page.getByRole('heading', { level: 1 })
    await heading.filter({ hasText: /^AL-\d{4}-\d{6}$/ }).waitFor()
    const reference = (await heading.textContent()) ?? ''
    t.match(reference, /^AL-\d{4}-\d{6}$/, 'the new seizure\'s page opens under its reference')
    await t.resolves(page.getByText(`Seizure ${reference} recorded.`).waitFor(), 'the officer is told the seizure was recorded')

    const name = page.getByText(HOSTILE, { exact: true })
    await t.resolves(name.waitFor(), 'the hostile party name is shown, as text')
    t.equal(await name.evaluate((el) => el.children.length), 0, 'the party name made no element')
    t.equal(await page.locator('img[src="x"]').count(), 0, 'no <img src=x> exists in the page')
    await page.waitForTimeout(300)
    t.same(dialogs, [], 'no dialog was opened by the party name')
    t.same(errors, [], 'no page error or CSP violation')

    const { call } = await apiAs(web.app, 'al.officer')
    const list = (await call('GET', `/api/seizures?q=${encodeURIComponent('Thanë')}`)).json<{ items: Array<{ reference: string, parties: Array<{ name: string }>, goods: Array<{ hsCode: string, strategic: { entry: string } }> }> }>()
    t.match(list.items[0], { reference, parties: [{ name: HOSTILE }], goods: [{ hsCode: '903020', strategic: { entry: '3A002.a.5' } }] }, 'the server recorded what the form showed')
  })

  t.test('an officer adds an evidence item, uploads its photo and sees the SHA-256 the server computed', async (t) => {
    const { page, dialogs, errors } = await open(t, browser)
    const officer = await apiAs(web.app, 'al.officer')
    const seizure = (await officer.call('GET', `/api/seizures?place=${encodeURIComponent('Morinë')}`)).json<{ items: Array<{ id: string, reference: string }> }>().items[0]
    const before = (await officer.call('GET', `/api/seizures/${seizure?.id ?? ''}/items`)).json<{ items: unknown[] }>().items.length
    const expected = `${seizure?.reference ?? ''}-E${String(before + 1).padStart(2, '0')}`
    await login(page, web.base, 'al.officer')
    await page.getByRole('link', { name: seizure?.reference ?? '', exact: true }).click()
    await page.getByRole('button', { name: 'Add an evidence item' }).click()
    const form = page.getByRole('form', { name: 'Add an evidence item' })
    await form.getByLabel('Description').fill('Second frequency changer, serial FC-2291-08')
    await form.getByLabel('Category').selectOption('electronic_device')
    await form.getByLabel('Goods line').selectOption('0')
    await form.getByLabel('Seal number').fill('SB-0003001')
    await form.getByRole('button', { name: 'Add the item' }).click()

    const heading = page.getByRole('heading', { level: 1 })
    await heading.filter({ hasText: expected }).waitFor()
    t.equal(await heading.textContent(), expected, 'the item page opens under its label')
    const label = page.getByRole('link', { name: 'Print label (100 × 150 mm)' })
    t.match(await label.getAttribute('href'), /^\/api\/items\/[^/]+\/label\.pdf$/, 'the label prints from the label endpoint')
    t.match(await page.getByRole('link', { name: 'Print label on A4' }).getAttribute('href'), /label\.pdf\?format=a4$/, 'and on A4')

    await page.getByLabel('Choose files').setInputFiles(PHOTO)
    const progress = page.getByRole('progressbar', { name: 'Upload of sealed-bag.png' })
    await t.resolves(progress.waitFor(), 'the upload has its own progress bar')
    const upload = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: 'sealed-bag.png' })
    const hash = upload.getByText(/^[0-9a-f]{64}$/)
    await hash.waitFor()
    t.equal(await hash.textContent(), PHOTO_SHA256, 'the SHA-256 shown is the file\'s (sha256sum)')
    t.equal(await progress.getAttribute('value'), '100', 'the progress bar is full')
    const files = page.getByRole('region', { name: 'Photos and files' })
    await t.resolves(files.getByRole('link', { name: 'sealed-bag.png' }).waitFor(), 'the photo is listed with the item\'s files')

    const camera = page.getByLabel('Take a photo')
    t.equal(await camera.getAttribute('capture'), 'environment', 'the camera input asks for the rear camera')
    t.equal(await camera.getAttribute('accept'), 'image/*', 'and takes images')
    t.same(dialogs, [], 'no dialog')
    t.same(errors, [], 'no page error or CSP violation')
  })

  t.test('an officer hands an item over to a custodian picked by name', async (t) => {
    const { page, errors } = await open(t, browser)
    const custodian = await apiAs(web.app, 'al.custodian')
    const officer = await apiAs(web.app, 'al.officer')
    const seizure = (await officer.call('GET', `/api/seizures?place=${encodeURIComponent('Durrës')}`)).json<{ items: Array<{ id: string, reference: string }> }>().items[0]
    t.ok(seizure, 'the demo seizure at the port of Durrës exists')
    const item = (await officer.call('POST', `/api/seizures/${seizure?.id ?? ''}/items`, { description: 'Drum label photographed', category: 'document', sealNumber: 'SB-0004001' })).json<{ id: string, label: string }>()

    await login(page, web.base, 'al.officer')
    await page.goto(`${web.base}/items/${item.id}`)
    await page.getByRole('button', { name: 'Hand over' }).click()
    const form = page.getByRole('form', { name: `Hand-over · ${item.label}` })
    await form.getByRole('button', { name: 'Record the hand-over' }).click()
    await t.resolves(form.getByText('Required').waitFor(), 'a hand-over needs its recipient, said next to the field')
    const recipient = form.getByLabel('Recipient')
    t.same(await recipient.locator('option').allTextContents(), ['Choose…', 'Besnik Shehu (Evidence custodian)', 'Dritan Leka (Investigator)'],
      'the recipients offered are the colleagues who can hold evidence, by name and role')
    await recipient.selectOption({ label: `${custodian.me.displayName} (Evidence custodian)` })
    await form.getByLabel('Purpose').fill('To the evidence room')
    await form.getByRole('button', { name: 'Record the hand-over' }).click()
    await t.resolves(page.getByText(`Hand-over recorded for ${item.label}.`).waitFor(), 'the hand-over is recorded')
    await t.resolves(page.getByText('Hand-over pending').first().waitFor(), 'the item shows the pending hand-over')
    await t.resolves(page.getByText(`Handed over; waiting for receipt by ${custodian.me.displayName}.`).waitFor(), 'naming who must receive it')
    const chain = page.getByRole('region', { name: 'Chain of custody' })
    await t.resolves(chain.getByRole('heading', { level: 3, name: 'Hand-over' }).waitFor(), 'the chain of custody shows the hand-over')
    t.same(errors, [], 'no page error or CSP violation')
  })
})
