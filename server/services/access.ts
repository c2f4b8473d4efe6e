import { Problem } from '../errors.js'

export const ROLES = ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor'] as const
export type Role = typeof ROLES[number]

/** The caller, as every service sees it: role and agency are read fresh from the database. */
export interface AuthUser {
  id: string
  username: string
  displayName: string
  role: Role
  bootstrap: boolean
  agency: { id: string, code: string, name: string, country: string }
}

/**
 * Who may do what, in one place (the README's role × action table is generated
 * from the same list). Each action names the roles allowed; a service asks
 * `authorize(user, action)` before it acts.
 */
export const PERMISSIONS = {
  session: ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor'],
  'agency.create': ['admin'],
  'agency.list': ['admin'],
  'user.manage': ['admin'],
  'audit.read': ['admin', 'auditor'],
  'audit.proof': ['admin', 'auditor'],
  'audit.checkpoint': ['admin', 'auditor'],
  'audit.verify': ['admin', 'auditor'],
  'seizure.create': ['officer', 'investigator'],
  'seizure.correct': ['officer', 'investigator'],
  // Prosecutors read only what belongs to cases they are members of (checked per object).
  'seizure.read': ['officer', 'custodian', 'investigator', 'prosecutor', 'auditor'],
  'item.create': ['officer', 'custodian', 'investigator'],
  'custody.record': ['officer', 'custodian', 'investigator'],
  'location.manage': ['custodian', 'admin'],
  'location.read': ['officer', 'custodian', 'investigator', 'auditor'],
  'attachment.upload': ['officer', 'custodian', 'investigator', 'prosecutor'],
  'attachment.read': ['officer', 'custodian', 'investigator', 'prosecutor', 'auditor'],
  'case.create': ['investigator'],
  // PRODUCT.md: cases are read by their members; investigators (who build them) and auditors read the agency's.
  'case.read': ['investigator', 'prosecutor', 'auditor'],
  'case.update': ['investigator', 'prosecutor'],
  'case.share': ['investigator'],
  'stats.read': ['auditor', 'admin'],
  'export.cen': ['auditor', 'admin']
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

export function can (user: AuthUser, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(user.role)
}

export function authorize (user: AuthUser, permission: Permission): void {
  if (!can(user, permission)) throw Problem.forbidden(`Your role (${user.role}) does not allow ${permission}`)
}

/** Records of another agency answer 404 (PRODUCT.md): their existence must not leak. */
export function sameAgency (user: AuthUser, agencyId: string, what: string): void {
  if (user.agency.id !== agencyId) throw Problem.notFound(what)
}
