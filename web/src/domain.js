// @ts-check
// The server's enumerations and rules the forms need, mirrored from server/services/
// (evidence-enums.ts, access.ts, case-rules.ts, custody-rules.ts). The server stays the judge:
// these only let a form check as you type and offer what the role may do.

export const PLACE_TYPES = ['road_border_crossing', 'seaport', 'airport', 'rail_station', 'postal_hub', 'inland_office', 'free_zone']
export const DIRECTIONS = ['import', 'export', 'transit']
export const TRANSPORT_MODES = ['road', 'rail', 'sea', 'air', 'postal', 'pedestrian']
export const DETECTION_METHODS = ['risk_profile', 'xray_scanner', 'documentary_check', 'physical_examination', 'detector_dog', 'intelligence', 'random']
export const PARTY_ROLES = ['consignor', 'consignee', 'carrier', 'declarant', 'driver', 'owner', 'broker']
export const PARTY_KINDS = ['person', 'organisation']
export const SEXES = ['female', 'male', 'unknown']
export const REGIMES = ['EU-2021/821', 'wassenaar', 'mtcr', 'nsg', 'australia_group', 'national']
export const LICENCE_STATUSES = ['none', 'valid', 'invalid', 'suspected_forgery']
export const ITEM_CATEGORIES = ['goods_sample', 'document', 'digital_media', 'electronic_device', 'other']
export const ITEM_STATUSES = ['in_custody', 'in_transit', 'at_examination', 'released', 'returned', 'destroyed']
export const CUSTODY_TYPES = ['seized', 'sealed', 'transferred', 'received', 'stored', 'checked_out', 'checked_in', 'examined', 'resealed', 'released', 'returned', 'destroyed']
export const ROLES = ['admin', 'officer', 'custodian', 'investigator', 'prosecutor', 'auditor']
export const CASE_STATUSES = ['open', 'investigation', 'referred', 'in_court', 'closed']
export const CASE_OUTCOMES = ['convicted', 'acquitted', 'dismissed', 'administrative_penalty', 'goods_released']
export const CASE_ROLES = ['lead_investigator', 'investigator', 'prosecutor']
/** UN/ECE Recommendation 20 codes an officer meets most; others may be typed. */
export const UNITS = ['NAR', 'KGM', 'GRM', 'LTR', 'MTR', 'MTK', 'MTQ', 'PR', 'SET', 'C62']
export const DISPOSALS = ['released', 'returned', 'destroyed']

/** HS code: 6 digits (the Harmonized System) up to 10; dots and spaces are ignored. */
export const HS_CODE = /^\d{6,10}$/
export const normaliseHs = (/** @type {string} */ code) => code.replace(/[.\s]/g, '')

/** Control-list entry formats per regime (server/services/evidence-enums.ts CONTROL_ENTRY). */
/** @type {Record<string, { pattern: RegExp, example: string }>} */
export const CONTROL_ENTRY = {
  'EU-2021/821': { pattern: /^[0-9][A-E][0-9]{3}(\.[a-z]{1,2}(\.[0-9]{1,2}(\.[a-z]{1,2}(\.[0-9]{1,2})?)?)?)?$/, example: '3A001.a.1' },
  wassenaar: { pattern: /^([0-9][A-E][0-9]{3}|ML[0-9]{1,2})(\.[a-z]{1,2}(\.[0-9]{1,2}(\.[a-z]{1,2}(\.[0-9]{1,2})?)?)?)?$/, example: '3A001.a.1, ML8.a' },
  mtcr: { pattern: /^[0-9]{1,2}\.[A-E]\.[0-9]{1,2}(\.[a-z](\.[0-9]{1,2})?)?$/, example: '2.A.1' },
  nsg: { pattern: /^[0-9]\.[A-E]?\.?[0-9]{1,2}(\.[a-z0-9]{1,2})*$/, example: '3.A.1' },
  australia_group: { pattern: /^[A-Za-z0-9][A-Za-z0-9.\-/ ]{0,39}$/, example: 'CW-19, II.1' },
  national: { pattern: /^[A-Za-z0-9][A-Za-z0-9.\-/ ]{0,39}$/, example: 'AL-ML-4.2' }
}

export const COUNTRY = /^[A-Z]{2}$/
export const LOCODE = /^[A-Z]{2} ?[A-Z2-9]{3}$/
export const AMOUNT = /^[0-9]{1,13}(\.[0-9]{1,2})?$/
export const CURRENCY = /^[A-Z]{3}$/
export const UNIT = /^[A-Z0-9]{2,3}$/
export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/
export const LOCATION_CODE = /^[A-Z0-9][A-Z0-9-]{0,31}(\/[A-Z0-9][A-Z0-9-]{0,31}){0,5}$/

/** Who may do what (server/services/access.ts PERMISSIONS). */
/** @type {Record<string, string[]>} */
export const PERMISSIONS = {
  'user.manage': ['admin'],
  'audit.read': ['admin', 'auditor'],
  'seizure.create': ['officer', 'investigator'],
  'seizure.read': ['officer', 'custodian', 'investigator', 'prosecutor', 'auditor'],
  'item.create': ['officer', 'custodian', 'investigator'],
  'custody.record': ['officer', 'custodian', 'investigator'],
  'location.manage': ['custodian', 'admin'],
  'location.read': ['officer', 'custodian', 'investigator', 'auditor'],
  'attachment.upload': ['officer', 'custodian', 'investigator', 'prosecutor'],
  'case.create': ['investigator'],
  'case.read': ['investigator', 'prosecutor', 'auditor'],
  'case.update': ['investigator', 'prosecutor'],
  'stats.read': ['auditor', 'admin']
}

export const can = (/** @type {{ role: string } | null | undefined} */ user, /** @type {string} */ permission) =>
  user != null && (PERMISSIONS[permission] ?? []).includes(user.role)

/** Evidence records change only by these roles of the seizing agency (object-access.ts). */
export const EVIDENCE_WRITERS = ['officer', 'custodian', 'investigator']

/** The case workflow and which case roles may make each move (case-rules.ts). */
/** @type {Record<string, Record<string, string[]>>} */
export const CASE_TRANSITIONS = {
  open: { investigation: ['lead_investigator', 'investigator'], closed: ['lead_investigator'] },
  investigation: { referred: ['lead_investigator'], closed: ['lead_investigator'] },
  referred: { in_court: ['prosecutor'], investigation: ['prosecutor'], closed: ['prosecutor'] },
  in_court: { closed: ['prosecutor'] },
  closed: { investigation: ['lead_investigator', 'prosecutor'] }
}

/**
 * Custody events the current holder may record in each item status (custody-rules.ts
 * ALLOWED_FROM), in the order a custodian reaches for them.
 * @type {Record<string, string[]>}
 */
export const CUSTODY_ACTIONS = {
  in_custody: ['stored', 'transferred', 'checked_out', 'examined', 'resealed', 'dispose'],
  at_examination: ['checked_in', 'examined', 'resealed']
}

export const TERMINAL = ['released', 'returned', 'destroyed']
