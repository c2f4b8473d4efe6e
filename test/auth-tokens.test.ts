import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { decodeJwt, decodeProtectedHeader, exportJWK, SignJWT, type JWTPayload } from 'jose'
import t, { type Test } from 'tap'
import { ADMIN_PASSWORD, assertProblem, login, makeApp } from './helpers/app.js'

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')

/** A fresh app, a real admin token, the claims in it and the server's signing key read from the data directory. */
async function setup (t: Test) {
  const { app, dir } = await makeApp(t)
  const token = await login(app, 'admin', ADMIN_PASSWORD)
  const claims = decodeJwt(token)
  const privateKey = createPrivateKey(fs.readFileSync(path.join(dir, 'keys', 'token-signing.pem')))
  const publicKey = createPublicKey(privateKey)
  const now = Math.floor(Date.now() / 1000)
  /** Signs `payload` with `key` under `header` (EdDSA with the server's own key unless told otherwise). */
  const sign = async (payload: JWTPayload, header: Record<string, unknown> = {}, key: KeyObject | Uint8Array = privateKey): Promise<string> =>
    new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header } as { alg: string }).sign(key)
  const me = async (bearerToken: string) => app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${bearerToken}` } })
  return { app, token, claims, privateKey, publicKey, now, sign, me }
}

t.test('the server issues EdDSA tokens of type at+jwt with issuer, audience, expiry and not-before', async (t) => {
  const { token, claims } = await setup(t)
  t.match(decodeProtectedHeader(token), { alg: 'EdDSA', typ: 'at+jwt' }, 'the header names EdDSA and at+jwt')
  t.match(claims, { iss: String, aud: String, sub: String, exp: Number, nbf: Number, iat: Number, jti: String }, 'the token carries iss, aud, sub, exp, nbf, iat and jti')
})

t.test('a token re-signed with the server\'s own key and unchanged claims is accepted (control for the refusals below)', async (t) => {
  const { claims, sign, me } = await setup(t)
  const res = await me(await sign(claims))
  t.equal(res.statusCode, 200, 'the re-signed token is accepted, so each refusal below is caused by the one thing it changes')
})

t.test('tokens that must be refused answer 401 problem+json with code invalid-token', async (t) => {
  const { token, claims, privateKey, publicKey, now, sign, me } = await setup(t)
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const publicDer = publicKey.export({ type: 'spki', format: 'der' })
  const publicJwk = await exportJWK(publicKey)
  const rawPublic = Buffer.from(publicJwk.x ?? '', 'base64url')
  const otherKey = generateKeyPairSync('ed25519')
  const [realHeader = '', realPayload = '', realSignature = ''] = token.split('.')

  const cases: Array<[string, () => Promise<string> | string]> = [
    ['garbage', () => 'not-a-token'],
    ['three segments of garbage', () => 'abc.def.ghi'],
    ['alg "none" with no signature', () => `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(claims)}.`],
    ['alg "none" keeping the real signature', () => `${b64url({ alg: 'none', typ: 'at+jwt' })}.${realPayload}.${realSignature}`],
    ['HS256 signed with the server\'s public key PEM as the HMAC secret', async () => sign(claims, { alg: 'HS256' }, new TextEncoder().encode(publicPem))],
    ['HS256 signed with the server\'s public key DER as the HMAC secret', async () => sign(claims, { alg: 'HS256' }, new Uint8Array(publicDer))],
    ['HS256 signed with the server\'s raw 32-byte public key as the HMAC secret', async () => sign(claims, { alg: 'HS256' }, new Uint8Array(rawPublic))],
    ['the typ "JWT" instead of "at+jwt"', async () => sign(claims, { typ: 'JWT' })],
    ['no typ at all', async () => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).sign(privateKey)],
    ['a wrong issuer', async () => sign({ ...claims, iss: 'https://attacker.example' })],
    ['a wrong audience', async () => sign({ ...claims, aud: 'some-other-api' })],
    ['an expiry in the past', async () => sign({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 })],
    ['a not-before in the future', async () => sign({ ...claims, iat: now, nbf: now + 3600, exp: now + 7200 })],
    ['no expiry', async () => { const { exp: _e, ...rest } = claims; return sign(rest) }],
    ['a jku header (otherwise validly signed)', async () => sign(claims, { jku: 'https://attacker.example/jwks.json' })],
    ['a jwk header holding the server\'s own public key (otherwise validly signed)', async () => sign(claims, { jwk: publicJwk })],
    ['a signature by another Ed25519 key', async () => sign(claims, {}, otherKey.privateKey)],
    ['a signature by another Ed25519 key that it names in a jwk header', async () => sign(claims, { jwk: await exportJWK(otherKey.publicKey) }, otherKey.privateKey)],
    ['a payload changed after signing', () => `${realHeader}.${b64url({ ...claims, sub: randomUUID() })}.${realSignature}`],
    ['a subject that is no user', async () => sign({ ...claims, sub: randomUUID() })],
    ['a password version that is not the user\'s', async () => sign({ ...claims, pwv: '2000-01-01T00:00:00.000Z' })]
  ]
  for (const [what, make] of cases) {
    assertProblem(t, await me(await make()), 401, { code: 'invalid-token' }, `a token with ${what}`)
  }
  t.equal((await me(token)).statusCode, 200, 'the genuine token still works after all that')
  t.ok(privateKey.asymmetricKeyType === 'ed25519', 'the key in the data directory is an Ed25519 key')
})

t.test('a request without a token answers 401 with code unauthenticated', async (t) => {
  const { app } = await setup(t)
  const res = await app.inject({ method: 'GET', url: '/api/auth/me' })
  assertProblem(t, res, 401, { code: 'unauthenticated' }, 'no Authorization header and no cookie')
  const users = await app.inject({ method: 'GET', url: '/api/users' })
  assertProblem(t, users, 401, { code: 'unauthenticated' }, 'an admin route without a token')
})

t.test('an Authorization header that is not a bearer token answers 401', async (t) => {
  const { app, token } = await setup(t)
  const basic = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` } })
  assertProblem(t, basic, 401, { code: /^(invalid-token|unauthenticated)$/ }, 'Authorization: Basic with the right credentials')
  const empty = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Bearer ' } })
  assertProblem(t, empty, 401, { code: /^(invalid-token|unauthenticated)$/ }, 'an empty bearer token')
  const lower = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Token ${token}` } })
  assertProblem(t, lower, 401, { code: /^(invalid-token|unauthenticated)$/ }, 'a real token under another scheme name')
})

t.test('a forged cookie is refused like a forged header', async (t) => {
  const { app, claims, sign } = await setup(t)
  const forged = await sign(claims, { jku: 'https://attacker.example/jwks.json' })
  const res = await app.inject({ method: 'GET', url: '/api/auth/me', cookies: { strongroom_token: forged } })
  assertProblem(t, res, 401, { code: 'invalid-token' }, 'a cookie holding a token with a jku header')
})
