import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { agencies, users } from '../db/schema/index.js'
import { Problem } from '../errors.js'
import { newId } from '../lib/ids.js'
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../lib/pagination.js'
import { hashPassword, MIN_PASSWORD_LENGTH } from '../lib/password.js'
import { authorize, sameAgency, type AuthUser, type Role } from './access.js'
import type { AgencyRecord, UserRecord } from './audit-events.js'
import { SYSTEM_ACTOR, type WritePath } from './write-path.js'

type AgencyRow = typeof agencies.$inferSelect
type UserRow = typeof users.$inferSelect

export const agencyRecord = (row: AgencyRow): AgencyRecord => ({
  id: row.id, code: row.code, name: row.name, country: row.country, createdAt: row.createdAt
})

export const userRecord = (row: UserRow): UserRecord => ({
  id: row.id,
  agencyId: row.agencyId,
  username: row.username,
  displayName: row.displayName,
  role: row.role,
  disabled: row.disabled,
  passwordChangedAt: row.passwordChangedAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt
})

/** The user object of the HTTP contract (login's `user`, `GET /api/auth/me`, user lists). */
export interface UserView {
  id: string
  username: string
  displayName: string
  role: Role
  disabled: boolean
  agency: { code: string, name: string, country: string }
  createdAt: string
  updatedAt: string
}

export const userView = (row: UserRow, agency: AgencyRow): UserView => ({
  id: row.id,
  username: row.username,
  displayName: row.displayName,
  role: row.role,
  disabled: row.disabled,
  agency: { code: agency.code, name: agency.name, country: agency.country },
  createdAt: row.createdAt,
  updatedAt: row.updatedAt
})

export interface NewAgency { code: string, name: string, country: string }
export interface NewUser { username: string, password: string, displayName: string, role: Role, agencyCode?: string | undefined }
export interface UserPatch { displayName?: string, role?: Role, disabled?: boolean, password?: string }

function checkPassword (password: string, field = 'body/password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw Problem.badRequest(`The password must be at least ${MIN_PASSWORD_LENGTH} characters`, [{ field, message: `must be at least ${MIN_PASSWORD_LENGTH} characters` }])
  }
}

export function createAccountsService (db: Db, writes: WritePath) {
  const agencyById = (id: string): AgencyRow => {
    const row = db.select().from(agencies).where(eq(agencies.id, id)).get()
    if (row === undefined) throw new Error(`agency ${id} is missing`)
    return row
  }

  function insertUser (input: NewUser & { passwordHash: string, agencyId: string, bootstrap?: boolean }, actor: string): UserView {
    return writes.commit(actor, (tx, time) => {
      const username = input.username.toLowerCase()
      const taken = tx.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = ${username}`).get()
      if (taken !== undefined) throw Problem.conflict(`The username "${username}" is already taken`, { field: 'body/username' })
      const row = tx.insert(users).values({
        id: newId(),
        agencyId: input.agencyId,
        username,
        displayName: input.displayName,
        role: input.role,
        passwordHash: input.passwordHash,
        disabled: false,
        bootstrap: input.bootstrap ?? false,
        passwordChangedAt: time,
        createdAt: time,
        updatedAt: time
      }).returning().get()
      return {
        result: userView(row, agencyById(row.agencyId)),
        audit: { action: 'user.create', entityType: 'user', entityId: row.id, agencyId: row.agencyId, data: userRecord(row) }
      }
    })
  }

  function insertAgency (input: NewAgency, actor: string): AgencyRecord {
    return writes.commit(actor, (tx, time) => {
      const existing = tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, input.code)).get()
      if (existing !== undefined) throw Problem.conflict(`An agency with code ${input.code} already exists`, { field: 'body/code' })
      const row = tx.insert(agencies).values({ id: newId(), ...input, createdAt: time }).returning().get()
      const record = agencyRecord(row)
      return { result: record, audit: { action: 'agency.create', entityType: 'agency', entityId: row.id, agencyId: row.id, data: record } }
    })
  }

  return {
    /** Reads the caller fresh on every request, so a disabled user or changed role takes effect at once. */
    authUser (id: string): (AuthUser & { disabled: boolean, passwordChangedAt: string }) | undefined {
      const row = db.select().from(users).innerJoin(agencies, eq(users.agencyId, agencies.id)).where(eq(users.id, id)).get()
      if (row === undefined) return undefined
      const { users: u, agencies: a } = row
      return {
        id: u.id,
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        bootstrap: u.bootstrap,
        disabled: u.disabled,
        passwordChangedAt: u.passwordChangedAt,
        agency: { id: a.id, code: a.code, name: a.name, country: a.country }
      }
    },

    view (id: string): UserView {
      const row = db.select().from(users).where(eq(users.id, id)).get()
      if (row === undefined) throw Problem.notFound('user')
      return userView(row, agencyById(row.agencyId))
    },

    isEmpty (): boolean {
      return db.select({ id: users.id }).from(users).limit(1).get() === undefined
    },

    findAgency (code: string): AgencyRecord | undefined {
      const row = db.select().from(agencies).where(eq(agencies.code, code)).get()
      return row === undefined ? undefined : agencyRecord(row)
    },

    /** First start: the agency and its admin, created by the system actor. */
    async bootstrap (agency: NewAgency, password: string): Promise<UserView> {
      const passwordHash = await hashPassword(password)
      const record = this.findAgency(agency.code) ?? insertAgency(agency, SYSTEM_ACTOR)
      return insertUser({ username: 'admin', password, displayName: 'Administrator', role: 'admin', passwordHash, agencyId: record.id, bootstrap: true }, SYSTEM_ACTOR)
    },

    /** Only the bootstrap admin creates agencies (PRODUCT.md "Running it"). */
    createAgency (user: AuthUser, input: NewAgency): AgencyRecord {
      authorize(user, 'agency.create')
      if (!user.bootstrap) throw Problem.forbidden('Only the bootstrap administrator may create agencies')
      return insertAgency(input, user.id)
    },

    listAgencies (user: AuthUser): AgencyRecord[] {
      authorize(user, 'agency.list')
      const rows = user.bootstrap
        ? db.select().from(agencies).orderBy(asc(agencies.code)).all()
        : db.select().from(agencies).where(eq(agencies.id, user.agency.id)).all()
      return rows.map(agencyRecord)
    },

    /** An admin creates users of their own agency; the bootstrap admin of any agency. */
    async createUser (user: AuthUser, input: NewUser): Promise<UserView> {
      authorize(user, 'user.manage')
      checkPassword(input.password)
      const code = input.agencyCode ?? user.agency.code
      const agency = db.select().from(agencies).where(eq(agencies.code, code)).get()
      if (agency === undefined || (agency.id !== user.agency.id && !user.bootstrap)) {
        throw Problem.badRequest(`There is no agency ${code} you may add users to`, [{ field: 'body/agencyCode', message: 'unknown agency' }])
      }
      const passwordHash = await hashPassword(input.password)
      return insertUser({ ...input, passwordHash, agencyId: agency.id }, user.id)
    },

    listUsers (user: AuthUser, query: { limit?: number | undefined, cursor?: string | undefined, role?: Role | undefined }): Page<UserView> {
      authorize(user, 'user.manage')
      const limit = query.limit ?? DEFAULT_LIMIT
      const after = decodeCursor<string>(query.cursor, 'string')
      const rows = db.select().from(users).innerJoin(agencies, eq(users.agencyId, agencies.id))
        .where(and(
          user.bootstrap ? undefined : eq(users.agencyId, user.agency.id),
          query.role === undefined ? undefined : eq(users.role, query.role),
          after === undefined ? undefined : gt(users.id, after)
        ))
        .orderBy(asc(users.id)).limit(limit + 1).all()
      return toPage(rows, limit, (r) => r.users.id, (r) => userView(r.users, r.agencies))
    },

    /**
     * Colleagues to pick as recipient, witness or case member: names and roles
     * only, of the caller's agency, or (for sharing a joint case) of another.
     */
    directory (user: AuthUser, agencyCode: string | undefined): Array<{ id: string, displayName: string, role: Role, agency: string }> {
      const agency = agencyCode === undefined ? user.agency : db.select().from(agencies).where(eq(agencies.code, agencyCode)).get()
      if (agency === undefined) throw Problem.notFound('agency')
      if (agency.id !== user.agency.id && user.role !== 'investigator') throw Problem.forbidden('Only investigators look up users of another agency (to share a joint case)')
      return db.select().from(users).where(and(eq(users.agencyId, agency.id), eq(users.disabled, false))).orderBy(asc(users.displayName)).all()
        .map((u) => ({ id: u.id, displayName: u.displayName, role: u.role, agency: agency.code }))
    },

    getUser (user: AuthUser, id: string): UserView {
      authorize(user, 'user.manage')
      const row = db.select().from(users).where(eq(users.id, id)).get()
      if (row === undefined || (!user.bootstrap && row.agencyId !== user.agency.id)) throw Problem.notFound('user')
      return userView(row, agencyById(row.agencyId))
    },

    async updateUser (user: AuthUser, id: string, patch: UserPatch): Promise<UserView> {
      authorize(user, 'user.manage')
      if (Object.keys(patch).length === 0) throw Problem.badRequest('Nothing to change: send displayName, role, disabled or password')
      if (patch.password !== undefined) checkPassword(patch.password)
      if (id === user.id && (patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin'))) {
        throw Problem.conflict('You cannot disable yourself or give up your own admin role; ask another admin')
      }
      const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password)
      return writes.commit(user.id, (tx, time) => {
        const row = tx.select().from(users).where(eq(users.id, id)).get()
        if (row === undefined) throw Problem.notFound('user')
        if (!user.bootstrap) sameAgency(user, row.agencyId, 'user')
        const updated = tx.update(users).set({
          ...(patch.displayName === undefined ? {} : { displayName: patch.displayName }),
          ...(patch.role === undefined ? {} : { role: patch.role }),
          ...(patch.disabled === undefined ? {} : { disabled: patch.disabled }),
          ...(passwordHash === undefined ? {} : { passwordHash, passwordChangedAt: time }),
          updatedAt: time
        }).where(eq(users.id, id)).returning().get()
        return {
          result: userView(updated, agencyById(updated.agencyId)),
          audit: { action: 'user.update', entityType: 'user', entityId: id, agencyId: updated.agencyId, data: userRecord(updated) }
        }
      })
    }
  }
}

export type AccountsService = ReturnType<typeof createAccountsService>
