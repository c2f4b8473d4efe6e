/**
 * The audit events, one shape per action (a discriminated union on `action`).
 * The `data` of an entry is stored JSON that a court relies on: changing a
 * shape here needs a migration note in the README's "Audit record shapes".
 */

export interface AgencyRecord {
  id: string
  code: string
  name: string
  country: string
  createdAt: string
}

/** A user as the audit log sees it: everything but the password hash. */
export interface UserRecord {
  id: string
  agencyId: string
  username: string
  displayName: string
  role: string
  disabled: boolean
  passwordChangedAt: string
  createdAt: string
  updatedAt: string
}

/** Written when failed logins reach the limit for an account or an address. */
export interface LoginLimitedEvent {
  subject: 'account' | 'address'
  username: string
  address: string
  failures: number
  windowSeconds: number
}

export interface AuditEventMap {
  'agency.create': { entityType: 'agency', data: AgencyRecord }
  'user.create': { entityType: 'user', data: UserRecord }
  'user.update': { entityType: 'user', data: UserRecord }
  'auth.login_limited': { entityType: 'user' | 'address', data: LoginLimitedEvent }
}

export type AuditAction = keyof AuditEventMap

export type AuditEvent = {
  [A in AuditAction]: {
    action: A
    entityType: AuditEventMap[A]['entityType']
    entityId: string
    /** The agency whose auditors may read this entry; null for system-wide entries. */
    agencyId: string | null
    data: AuditEventMap[A]['data']
  }
}[AuditAction]
