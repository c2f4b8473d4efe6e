import { and, eq, exists, or } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { caseMembers, cases, caseSeizures, caseShares } from '../db/schema/index.js'
import { Problem } from '../errors.js'
import { can, type AuthUser, type Role } from './access.js'

/** Who may touch which record: the object-level half of access.ts, in one place. */
export const CASE_ROLES = ['lead_investigator', 'investigator', 'prosecutor'] as const
export type CaseRole = typeof CASE_ROLES[number]

/** Roles that change evidence records of their own agency (never prosecutors or auditors). */
const EVIDENCE_WRITERS: readonly Role[] = ['officer', 'custodian', 'investigator']

interface Owned { id: string, agencyId: string }

export function createObjectAccess (db: Db) {
  const memberRole = (userId: string, caseId: string): CaseRole | undefined =>
    db.select({ role: caseMembers.role }).from(caseMembers).where(and(eq(caseMembers.caseId, caseId), eq(caseMembers.userId, userId))).get()?.role as CaseRole | undefined

  const sharedWith = (userId: string, caseId: string): boolean =>
    db.select({ c: caseShares.caseId }).from(caseShares).where(and(eq(caseShares.caseId, caseId), eq(caseShares.userId, userId))).get() !== undefined

  /** Agency-wide readers: everyone of the agency with the permission, except prosecutors (their cases only). */
  const agencyReader = (user: AuthUser, agencyId: string, permission: 'case.read' | 'seizure.read'): boolean =>
    agencyId === user.agency.id && user.role !== 'prosecutor' && can(user, permission)

  /** A seizure reached through a case the user is a member of or shared with. */
  const viaCase = (user: AuthUser, seizureId: string): boolean => db.select({ one: caseSeizures.caseId }).from(caseSeizures)
    .innerJoin(cases, eq(cases.id, caseSeizures.caseId))
    .where(and(eq(caseSeizures.seizureId, seizureId), or(
      and(eq(cases.agencyId, user.agency.id), exists(db.select().from(caseMembers).where(and(eq(caseMembers.caseId, caseSeizures.caseId), eq(caseMembers.userId, user.id))))),
      exists(db.select().from(caseShares).where(and(eq(caseShares.caseId, caseSeizures.caseId), eq(caseShares.userId, user.id))))
    ))).limit(1).get() !== undefined

  return {
    memberRole,

    caseReadable (user: AuthUser, c: Owned): boolean {
      if (!can(user, 'case.read')) return false
      if (agencyReader(user, c.agencyId, 'case.read')) return true
      if (c.agencyId === user.agency.id && memberRole(user.id, c.id) !== undefined) return true
      return sharedWith(user.id, c.id)
    },

    /** 404 (not 403) when the case must not be known to exist for this user. */
    readCase<T extends Owned> (user: AuthUser, c: T | undefined): T {
      if (c === undefined || !this.caseReadable(user, c)) throw Problem.notFound('case')
      return c
    },

    /** The member's role on a case of their own agency, or 403/404. */
    requireMember (user: AuthUser, c: Owned, roles: readonly CaseRole[]): CaseRole {
      this.readCase(user, c)
      const role = c.agencyId === user.agency.id ? memberRole(user.id, c.id) : undefined
      if (role === undefined || !roles.includes(role)) {
        throw Problem.forbidden(`This needs a case member with the role ${roles.join(' or ')}`)
      }
      return role
    },

    seizureReadable (user: AuthUser, s: Owned): boolean {
      if (!can(user, 'seizure.read')) return false
      return agencyReader(user, s.agencyId, 'seizure.read') || viaCase(user, s.id)
    },

    /** Seizures, items, custody events and their files change only within the agency, by its evidence roles. */
    evidenceWritable (user: AuthUser, s: Owned): boolean {
      return s.agencyId === user.agency.id && EVIDENCE_WRITERS.includes(user.role)
    }
  }
}

export type ObjectAccess = ReturnType<typeof createObjectAccess>
