import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { t } from '../i18n.js'
import { loadDirectory, remember } from '../people.js'
import { navigate, params, setState, state } from '../store.js'
import { ErrorSummary, Field, Form, html, LanguageSwitch, Notice, useForm } from '../ui.js'

export function LoginForm ({ username: initial, onDone }) {
  const form = useForm()
  const [username, setUsername] = useState(initial ?? '')
  const [password, setPassword] = useState('')
  const submit = () => form.run(async () => {
    const result = await api('POST', '/api/auth/login', { username: username.trim(), password }, { quiet401: true })
    setPassword('')
    remember([result.user])
    onDone(result.user)
  })
  return html`<${Form} form=${form} onSubmit=${submit} label=${t('login.title')}>
    <${Field} label=${t('login.username')} name="username" value=${username} onValue=${setUsername} autocomplete="username" autocapitalize="none" spellcheck=${false} required />
    <${Field} label=${t('login.password')} name="password" type="password" value=${password} onValue=${setPassword} autocomplete="current-password" required />
    <${ErrorSummary} />
    <button type="submit" class="primary" disabled=${form.busy}>${t('login.submit')}</button>
  <//>`
}

export function LoginPage ({ onLogin }) {
  return html`<main id="main" class="login">
    <div class="login-card card">
      <div class="login-head">
        <img src="/favicon.svg" alt="" width="40" height="40" />
        <div><h1>Strongroom</h1><p class="sub">${t('login.tagline')}</p></div>
      </div>
      <${LanguageSwitch} />
      <${Notice} notice=${state.notice} />
      <${LoginForm} onDone=${(user) => {
        const next = params().get('next')
        setState({ user, expired: false })
        loadDirectory()
        onLogin?.(user)
        navigate(next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true })
      }} />
    </div>
  </main>`
}
