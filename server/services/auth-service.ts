import { and, eq, gte, lt, sql, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { loginFailures, users } from '../db/schema/index.js'
import { Problem } from '../errors.js'
import { hashPassword, needsRehash, verifyPassword } from '../lib/password.js'
import { TokenError, type TokenService } from '../lib/tokens.js'
import type { AccountsService, UserView } from './accounts-service.js'
import type { AuthUser } from './access.js'
import type { WritePath } from './write-path.js'

/** PRODUCT.md: 429 with Retry-After from the 10th failure in 15 minutes, per account and per address. */
export const LOGIN_LIMIT = 10
export const LOGIN_WINDOW_SECONDS = 15 * 60

export interface LoginResult { token: string, expiresAt: string, user: UserView }

export async function createAuthService (db: Db, writes: WritePath, accounts: AccountsService, tokens: TokenService, now: () => Date) {
  // Unknown users are checked against this hash so that they cost the same time as known ones.
  const dummyHash = await hashPassword(`no such user ${crypto.randomUUID()}`)

  const keysOf = (username: string, address: string): string[] => [`user:${username}`, `addr:${address}`]

  /** The failures in the window per key, and when the oldest of them leaves it. */
  function failures (keys: string[], at: number): Map<string, { count: number, oldest: number }> {
    const rows = db.select({ key: loginFailures.key, count: sql<number>`count(*)`, oldest: sql<number>`min(${loginFailures.at})` })
      .from(loginFailures)
      .where(and(inArray(loginFailures.key, keys), gte(loginFailures.at, at - LOGIN_WINDOW_SECONDS * 1000)))
      .groupBy(loginFailures.key).all()
    return new Map(rows.map((r) => [r.key, { count: r.count, oldest: r.oldest }]))
  }

  function limited (keys: string[], at: number): Problem | undefined {
    for (const [, f] of failures(keys, at)) {
      if (f.count >= LOGIN_LIMIT) {
        const retryAfter = Math.max(1, Math.ceil((f.oldest + LOGIN_WINDOW_SECONDS * 1000 - at) / 1000))
        return new Problem(429, 'too-many-requests', `Too many failed logins; try again in ${Math.ceil(retryAfter / 60)} minute(s)`, { retryAfter })
      }
    }
    return undefined
  }

  /** Records one failure; the failure that reaches the limit is audited and answered with 429. */
  function recordFailure (username: string, address: string, userId: string | undefined, agencyId: string | null, at: number): Problem {
    const keys = keysOf(username, address)
    // Failure counters are operational data, not records: they bypass the audit log,
    // except for the failure that reaches the limit, which is audited below.
    db.transaction((tx) => {
      tx.delete(loginFailures).where(lt(loginFailures.at, at - LOGIN_WINDOW_SECONDS * 1000)).run()
      for (const key of keys) tx.insert(loginFailures).values({ key, at }).run()
    })
    const counts = failures(keys, at)
    const subject = (counts.get(keys[0] ?? '')?.count ?? 0) === LOGIN_LIMIT
      ? 'account'
      : (counts.get(keys[1] ?? '')?.count ?? 0) === LOGIN_LIMIT ? 'address' : undefined
    const reached = subject !== undefined
    if (subject !== undefined) {
      const onAccount = subject === 'account' && userId !== undefined
      writes.commit(userId ?? 'anonymous', () => ({
        result: undefined,
        audit: {
          action: 'auth.login_limited',
          entityType: onAccount ? 'user' : 'address',
          entityId: onAccount ? userId : address,
          agencyId,
          data: { subject, username, address, failures: LOGIN_LIMIT, windowSeconds: LOGIN_WINDOW_SECONDS }
        }
      }))
    }
    if (reached) return limited(keys, at) ?? new Problem(401, 'invalid-credentials')
    return new Problem(401, 'invalid-credentials', 'The username or password is wrong')
  }

  return {
    async login (usernameInput: string, password: string, address: string): Promise<LoginResult> {
      const username = usernameInput.toLowerCase()
      const at = now().getTime()
      const keys = keysOf(username, address)
      const before = limited(keys, at)
      if (before !== undefined) throw before
      const row = db.select().from(users).where(sql`lower(${users.username}) = ${username}`).get()
      const ok = await verifyPassword(row?.passwordHash ?? dummyHash, password)
      if (row === undefined || !ok || row.disabled) {
        throw recordFailure(username, address, row?.id, row?.agencyId ?? null, at)
      }
      if (needsRehash(row.passwordHash)) {
        // Stronger parameters than when this hash was made: upgrade it now that we know the password.
        // Not audited: the user's recorded state does not change, only the hash's cost.
        const passwordHash = await hashPassword(password)
        db.update(users).set({ passwordHash }).where(eq(users.id, row.id)).run()
      }
      db.delete(loginFailures).where(eq(loginFailures.key, `user:${username}`)).run()
      const issued = await tokens.issue({ sub: row.id, pwv: row.passwordChangedAt })
      return { ...issued, user: accounts.view(row.id) }
    },

    /** A token is good only while its user exists, is enabled and has not changed password since. */
    async authenticate (token: string): Promise<AuthUser> {
      let claims
      try {
        claims = await tokens.verify(token)
      } catch (err) {
        if (err instanceof TokenError) throw new Problem(401, 'invalid-token', `The access token is not valid: ${err.message}`)
        throw err
      }
      const user = accounts.authUser(claims.sub)
      if (user === undefined || user.disabled || user.passwordChangedAt !== claims.pwv) {
        throw new Problem(401, 'invalid-token', 'The access token is no longer valid; log in again')
      }
      const { disabled: _d, passwordChangedAt: _p, ...authUser } = user
      return authUser
    }
  }
}

export type AuthService = Awaited<ReturnType<typeof createAuthService>>
