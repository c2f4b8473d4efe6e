import type { AttachmentOwner, CustodyType } from './evidence-enums.js'
import type { SeizureRecord } from './seizure-records.js'

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

export interface LocationRecord {
  id: string
  agencyId: string
  code: string
  name: string
  parentId: string | null
  createdAt: string
  createdBy: string
}

/** An evidence item as recorded at creation (its custody state is derived from events). */
export interface ItemRecord {
  id: string
  agencyId: string
  seizureId: string
  label: string
  goodsIndex: number | null
  category: string
  description: string
  quantity: number
  unit: string
  condition: string | null
  createdAt: string
  createdBy: string
}

export interface CustodyEventRecord {
  id: string
  itemId: string
  seq: number
  type: CustodyType
  occurredAt: string
  recordedAt: string
  actorId: string
  fromUserId: string | null
  toUserId: string | null
  location: string | null
  sealNumber: string | null
  sealIntact: boolean | null
  purpose: string | null
  notes: string | null
  authority: string | null
  witnessUserId: string | null
}

export interface AttachmentRecord {
  id: string
  agencyId: string
  ownerType: AttachmentOwner
  ownerId: string
  sha256: string
  size: number
  mediaType: string
  filename: string
  description: string | null
  capturedAt: string | null
  exif: { capturedAt: string | null, lat: number | null, lon: number | null } | null
  uploadedBy: string
  uploadedAt: string
}

/** Raised when a stored file no longer hashes to its recorded SHA-256. */
export interface IntegrityAlarm {
  attachmentId: string
  sha256: string
  expectedSize: number
  actualSize: number | null
  actualSha256: string | null
  detectedBy: 'download' | 'verify'
}

export interface CaseRecord {
  id: string
  agencyId: string
  reference: string
  title: string
  summary: string | null
  status: string
  outcome: string | null
  offences: Array<{ law: string, article: string, description: string | null }>
  seizureIds: string[]
  members: Array<{ userId: string, role: string }>
  sharedWith: string[]
  createdAt: string
  createdBy: string
  updatedAt: string
  referredAt: string | null
  closedAt: string | null
}

export interface CaseActionRecord {
  id: string
  caseId: string
  occurredAt: string
  recordedAt: string
  authorId: string
  title: string
  text: string | null
}

/** Every case change records the case's new state and what changed (and why). */
type CaseChange<D> = { entityType: 'case', data: D & { case: CaseRecord } }

type CustodyActions = { [T in CustodyType as `custody.${T}`]: { entityType: 'custody_event', data: CustodyEventRecord } }

export interface AuditEventMap extends CustodyActions {
  'seizure.create': { entityType: 'seizure', data: SeizureRecord }
  'seizure.correct': { entityType: 'seizure', data: { reason: string, seizure: SeizureRecord } }
  'location.create': { entityType: 'location', data: LocationRecord }
  'item.create': { entityType: 'item', data: ItemRecord }
  'attachment.create': { entityType: 'attachment', data: AttachmentRecord }
  'attachment.integrity_failure': { entityType: 'attachment', data: IntegrityAlarm }
  'case.create': CaseChange<Record<never, never>>
  'case.update': CaseChange<{ fields: string[], reason: string | null }>
  'case.status': CaseChange<{ from: string, to: string, outcome: string | null, reason: string, role: string | null }>
  'case.link': CaseChange<{ seizureId: string, reason: string }>
  'case.unlink': CaseChange<{ seizureId: string, reason: string }>
  'case.member_add': CaseChange<{ userId: string, role: string }>
  'case.member_remove': CaseChange<{ userId: string, role: string }>
  'case.share': CaseChange<{ userId: string, agencyId: string }>
  'case.unshare': CaseChange<{ userId: string }>
  'case.action': { entityType: 'case_action', data: CaseActionRecord }
  'case.download': { entityType: 'case_download', data: { caseId: string, reference: string, kind: 'case_file' | 'bundle', language: string, generatedAt: string, manifestSha256: string, checkpointSize: number } }
  'export.cen': { entityType: 'export', data: { from: string | null, to: string | null, format: 'csv' | 'json', seizures: number, agencyScope: string } }
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
