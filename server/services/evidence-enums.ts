/** Enumerations of PRODUCT.md's domain, lower snake case on the wire. */
export const PLACE_TYPES = ['road_border_crossing', 'seaport', 'airport', 'rail_station', 'postal_hub', 'inland_office', 'free_zone'] as const
export const DIRECTIONS = ['import', 'export', 'transit'] as const
export const TRANSPORT_MODES = ['road', 'rail', 'sea', 'air', 'postal', 'pedestrian'] as const
export const DETECTION_METHODS = ['risk_profile', 'xray_scanner', 'documentary_check', 'physical_examination', 'detector_dog', 'intelligence', 'random'] as const
export const PARTY_ROLES = ['consignor', 'consignee', 'carrier', 'declarant', 'driver', 'owner', 'broker'] as const
export const PARTY_KINDS = ['person', 'organisation'] as const
export const SEXES = ['female', 'male', 'unknown'] as const
/** Strategic export-control regimes; the EU list is named as PRODUCT.md writes it. */
export const REGIMES = ['EU-2021/821', 'wassenaar', 'mtcr', 'nsg', 'australia_group', 'national'] as const
export const LICENCE_STATUSES = ['none', 'valid', 'invalid', 'suspected_forgery'] as const
export const ITEM_CATEGORIES = ['goods_sample', 'document', 'digital_media', 'electronic_device', 'other'] as const
export const ITEM_STATUSES = ['in_custody', 'in_transit', 'at_examination', 'released', 'returned', 'destroyed'] as const
export const CUSTODY_TYPES = ['seized', 'sealed', 'transferred', 'received', 'stored', 'checked_out', 'checked_in', 'examined', 'resealed', 'released', 'returned', 'destroyed'] as const
export const ATTACHMENT_OWNERS = ['seizure', 'item', 'custody_event', 'case', 'case_action'] as const

export type PlaceType = typeof PLACE_TYPES[number]
export type Direction = typeof DIRECTIONS[number]
export type TransportMode = typeof TRANSPORT_MODES[number]
export type DetectionMethod = typeof DETECTION_METHODS[number]
export type Regime = typeof REGIMES[number]
export type ItemStatus = typeof ITEM_STATUSES[number]
export type CustodyType = typeof CUSTODY_TYPES[number]
export type AttachmentOwner = typeof ATTACHMENT_OWNERS[number]

/** HS code: 6 digits (the Harmonized System) up to 10 (national tariff subdivisions). */
export const HS_CODE = /^\d{6,10}$/

/**
 * Control-list entry formats per regime. EU 2021/821 Annex I and the Wassenaar
 * dual-use list share the form category digit, product group letter A-E, three
 * digits, then dotted sub-items (`3A001.a.1`, `3A225`, `2B350.g.3`).
 */
export const CONTROL_ENTRY: Record<Regime, { pattern: RegExp, example: string }> = {
  'EU-2021/821': { pattern: /^[0-9][A-E][0-9]{3}(\.[a-z]{1,2}(\.[0-9]{1,2}(\.[a-z]{1,2}(\.[0-9]{1,2})?)?)?)?$/, example: '3A001.a.1' },
  wassenaar: { pattern: /^([0-9][A-E][0-9]{3}|ML[0-9]{1,2})(\.[a-z]{1,2}(\.[0-9]{1,2}(\.[a-z]{1,2}(\.[0-9]{1,2})?)?)?)?$/, example: '3A001.a.1 or ML8.a' },
  mtcr: { pattern: /^[0-9]{1,2}\.[A-E]\.[0-9]{1,2}(\.[a-z](\.[0-9]{1,2})?)?$/, example: '2.A.1' },
  nsg: { pattern: /^[0-9]\.[A-E]?\.?[0-9]{1,2}(\.[a-z0-9]{1,2})*$/, example: '3.A.1' },
  australia_group: { pattern: /^[A-Za-z0-9][A-Za-z0-9.\-/ ]{0,39}$/, example: 'CW-19 or II.1' },
  national: { pattern: /^[A-Za-z0-9][A-Za-z0-9.\-/ ]{0,39}$/, example: 'AL-ML-4.2' }
}
