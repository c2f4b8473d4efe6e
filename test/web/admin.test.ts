import t from 'tap'
import { tryLogin } from '../helpers/app.js'
import { WEB_TIMEOUT, launch, login, open, skipReason, startWebApp } from './browser.js'

const skip = skipReason()
t.setTimeout(WEB_TIMEOUT)
const PASSWORD = 'border post 7 tablet'

t.test('the administrator\'s flow in the browser', { skip }, async (t) => {
  const web = await startWebApp(t)
  const browser = await launch(t)

  t.test('an administrator creates a user, who can then log in, and disables them', async (t) => {
    const { page, errors } = await open(t, browser)
    await login(page, web.base, 'al.admin')
    await page.getByRole('heading', { level: 1, name: 'Users and roles' }).waitFor()
    const create = page.getByRole('form', { name: 'Create a user' })

    await create.getByLabel('Username').fill('al.officer')
    await create.getByLabel('Full name').fill('Ardit Basha')
    await create.getByLabel('Role').selectOption('officer')
    await create.getByLabel('Initial password').fill('short')
    await create.getByRole('button', { name: 'Create the user' }).click()
    await t.resolves(create.getByText('At least 12 characters', { exact: true }).waitFor(), 'a short password is refused next to its field')

    await create.getByLabel('Initial password').fill(PASSWORD)
    await create.getByRole('button', { name: 'Create the user' }).click()
    await t.resolves(create.getByText('The username "al.officer" is already taken').waitFor(), 'the server\'s conflict on the username is shown next to the username')
    t.equal(await create.getByLabel('Username').getAttribute('aria-invalid'), 'true', 'the username field is marked invalid')

    await create.getByLabel('Username').fill('al.officer2')
    await create.getByRole('button', { name: 'Create the user' }).click()
    await t.resolves(page.getByText('User Ardit Basha (al.officer2) created.').waitFor(), 'the user is created')
    const row = page.getByRole('table').getByRole('row').filter({ hasText: 'al.officer2' })
    await t.resolves(row.getByText('Customs officer').waitFor(), 'and listed with their role')
    t.equal((await tryLogin(web.app, 'al.officer2', PASSWORD)).statusCode, 200, 'the new user logs in')

    await row.getByRole('button', { name: 'Change al.officer2' }).click()
    const edit = page.getByRole('form', { name: 'Change al.officer2' })
    await edit.getByLabel('Role').selectOption('custodian')
    await edit.getByRole('button', { name: 'Save' }).click()
    await t.resolves(page.getByText('al.officer2 saved.').waitFor(), 'the role change is saved')
    await t.resolves(row.getByText('Evidence custodian').waitFor(), 'the list shows the new role')

    await row.getByRole('button', { name: 'Change al.officer2' }).click()
    await page.getByRole('form', { name: 'Change al.officer2' }).getByRole('button', { name: 'Disable' }).click()
    await t.resolves(page.getByText('al.officer2 disabled.').waitFor(), 'the user is disabled')
    await t.resolves(row.getByText('Disabled').waitFor(), 'and shown as disabled')
    t.equal((await tryLogin(web.app, 'al.officer2', PASSWORD)).statusCode, 401, 'a disabled user cannot log in')
    t.same(errors, [], 'no page error or CSP violation')
  })
})
