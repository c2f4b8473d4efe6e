import { decodeProtectedHeader, jwtVerify, SignJWT, calculateJwkThumbprint, exportJWK } from 'jose'
import type { Ed25519Key } from './keys.js'

/**
 * Access tokens: JWTs signed with EdDSA (Ed25519) by a key generated into the
 * data directory. Verification follows RFC 8725: an explicit algorithm allowlist,
 * an explicit `typ` (RFC 9068 `at+jwt`), issuer, audience, expiry and not-before
 * checks, and refusal of headers that would let the token choose its own key.
 */
export const TOKEN_ISSUER = 'strongroom'
export const TOKEN_AUDIENCE = 'strongroom-api'
export const TOKEN_TYPE = 'at+jwt'
const ALGORITHMS = ['EdDSA']
const KEY_SELECTING_HEADERS = ['jku', 'jwk', 'x5u', 'x5c', 'x5t', 'x5t#S256']

export interface TokenClaims { sub: string, pwv: string }

export interface TokenService {
  issue: (claims: TokenClaims) => Promise<{ token: string, expiresAt: string }>
  verify: (token: string) => Promise<TokenClaims>
}

export class TokenError extends Error {}

export async function createTokenService (key: Ed25519Key, ttlSeconds: number, now: () => Date): Promise<TokenService> {
  const kid = await calculateJwkThumbprint(await exportJWK(key.publicKey))
  return {
    async issue (claims) {
      const issuedAt = Math.floor(now().getTime() / 1000)
      const expires = issuedAt + ttlSeconds
      const token = await new SignJWT({ pwv: claims.pwv })
        .setProtectedHeader({ alg: 'EdDSA', typ: TOKEN_TYPE, kid })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setSubject(claims.sub)
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(expires)
        .setJti(crypto.randomUUID())
        .sign(key.privateKey)
      return { token, expiresAt: new Date(expires * 1000).toISOString() }
    },
    async verify (token) {
      let header
      try {
        header = decodeProtectedHeader(token)
      } catch {
        throw new TokenError('the token is not a JWS')
      }
      for (const name of KEY_SELECTING_HEADERS) {
        if (name in header) throw new TokenError(`the token carries a "${name}" header, which is refused`)
      }
      try {
        const { payload } = await jwtVerify(token, key.publicKey, {
          algorithms: ALGORITHMS,
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          typ: TOKEN_TYPE,
          requiredClaims: ['sub', 'exp', 'nbf', 'iat', 'jti'],
          currentDate: now()
        })
        if (typeof payload.sub !== 'string' || typeof payload.pwv !== 'string') throw new TokenError('the token lacks its subject')
        return { sub: payload.sub, pwv: payload.pwv }
      } catch (err) {
        if (err instanceof TokenError) throw err
        throw new TokenError((err as Error).message)
      }
    }
  }
}
