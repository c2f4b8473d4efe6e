import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { agencies, users } from './accounts.js'

/**
 * Gapless reference numbers per agency, kind and year: the counter is bumped in
 * the same transaction that uses the number, so a rollback gives it back.
 */
export const referenceCounters = sqliteTable('reference_counters', {
  agencyId: text('agency_id').notNull().references(() => agencies.id),
  /** `seizure` or `case`. */
  kind: text('kind').notNull(),
  year: integer('year').notNull(),
  last: integer('last').notNull()
}, (t) => [uniqueIndex('reference_counters_key').on(t.agencyId, t.kind, t.year)])

/**
 * A seizure's current version. Corrections never overwrite silently: each
 * version is kept whole in seizure_versions, and this row mirrors the latest
 * one (with its parties and goods lines) so that lists and searches use SQL.
 */
export const seizures = sqliteTable('seizures', {
  id: text('id').primaryKey(),
  agencyId: text('agency_id').notNull().references(() => agencies.id),
  /** `AL-2026-000123`: unique, gapless per agency and year of recording. */
  reference: text('reference').notNull().unique(),
  version: integer('version').notNull(),
  occurredAt: text('occurred_at').notNull(),
  recordedAt: text('recorded_at').notNull(),
  recordedBy: text('recorded_by').notNull().references(() => users.id),
  updatedAt: text('updated_at').notNull(),
  placeName: text('place_name').notNull(),
  placeType: text('place_type'),
  /** UN/LOCODE without the space, e.g. ALMOR. */
  locode: text('locode'),
  lat: real('lat'),
  lon: real('lon'),
  direction: text('direction').notNull(),
  transportMode: text('transport_mode').notNull(),
  conveyance: text('conveyance'),
  routeOrigin: text('route_origin'),
  routeDestination: text('route_destination'),
  /** JSON array of ISO 3166-1 alpha-2 codes. */
  routeTransit: text('route_transit').notNull(),
  detectionMethod: text('detection_method').notNull(),
  concealment: text('concealment'),
  legalBasis: text('legal_basis'),
  narrative: text('narrative')
}, (t) => [
  // Covers the supervisors' figures and the list order (occurred_at, id) without reading
  // the rows, which are wide (narrative): bench/stats.bench.ts, issue 5.
  index('seizures_agency_occurred_idx').on(t.agencyId, t.occurredAt, t.id, t.detectionMethod, t.transportMode, t.direction),
  index('seizures_locode_idx').on(t.locode)
])

/** Every version of every seizure, whole, with the reason for a correction. Append-only. */
export const seizureVersions = sqliteTable('seizure_versions', {
  id: text('id').primaryKey(),
  seizureId: text('seizure_id').notNull().references(() => seizures.id),
  version: integer('version').notNull(),
  /** Null for the first version; required for every correction. */
  reason: text('reason'),
  recordedBy: text('recorded_by').notNull().references(() => users.id),
  recordedAt: text('recorded_at').notNull(),
  /** RFC 8785 JSON of the seizure record at this version (the audit entry's data). */
  snapshot: text('snapshot').notNull()
}, (t) => [uniqueIndex('seizure_versions_key').on(t.seizureId, t.version)])

/** Parties of the current version (replaced on correction; history is in seizure_versions). */
export const parties = sqliteTable('parties', {
  id: text('id').primaryKey(),
  seizureId: text('seizure_id').notNull().references(() => seizures.id),
  position: integer('position').notNull(),
  role: text('role').notNull(),
  kind: text('kind').notNull(),
  name: text('name').notNull(),
  country: text('country'),
  identifier: text('identifier'),
  address: text('address'),
  nationality: text('nationality'),
  sex: text('sex'),
  birthDate: text('birth_date')
}, (t) => [index('parties_seizure_idx').on(t.seizureId), index('parties_name_idx').on(t.name)])

/** Goods lines of the current version; items point at them by position (goodsIndex). */
export const goodsLines = sqliteTable('goods_lines', {
  id: text('id').primaryKey(),
  seizureId: text('seizure_id').notNull().references(() => seizures.id),
  position: integer('position').notNull(),
  description: text('description').notNull(),
  hsCode: text('hs_code').notNull(),
  quantity: real('quantity').notNull(),
  unit: text('unit').notNull(),
  valueAmount: text('value_amount'),
  valueCurrency: text('value_currency'),
  controlled: integer('controlled', { mode: 'boolean' }).notNull(),
  regime: text('regime'),
  controlEntry: text('control_entry'),
  licenceNumber: text('licence_number'),
  licenceStatus: text('licence_status').notNull()
}, (t) => [
  index('goods_seizure_idx').on(t.seizureId),
  // LIKE is case-insensitive, so SQLite uses an index for a prefix search only if it is NOCASE.
  index('goods_hs_idx').on(sql`${t.hsCode} COLLATE NOCASE`, t.seizureId),
  index('goods_entry_idx').on(sql`${t.controlEntry} COLLATE NOCASE`, t.seizureId),
  // The controlled lines only, for the figures by regime and list category.
  index('goods_controlled_idx').on(t.seizureId, t.regime, t.controlEntry).where(sql`${t.controlled} = 1`)
])

/** Registered storage places, as a hierarchy site > room > cabinet > shelf. */
export const locations = sqliteTable('locations', {
  id: text('id').primaryKey(),
  agencyId: text('agency_id').notNull().references(() => agencies.id),
  /** `TIR-EVD/R1/C3/S2`: the parent's code, a slash, one more segment. */
  code: text('code').notNull(),
  name: text('name').notNull(),
  parentId: text('parent_id'),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull().references(() => users.id)
}, (t) => [uniqueIndex('locations_agency_code').on(t.agencyId, t.code)])

/**
 * Evidence items (exhibits). The custody columns (custodian, location, status,
 * seal) are derived from the custody events by one fold (custody-rules.ts) and
 * updated in the same transaction as each event, so they always agree.
 */
export const items = sqliteTable('items', {
  id: text('id').primaryKey(),
  agencyId: text('agency_id').notNull().references(() => agencies.id),
  seizureId: text('seizure_id').notNull().references(() => seizures.id),
  /** `<seizure reference>-E01`. */
  label: text('label').notNull().unique(),
  number: integer('number').notNull(),
  goodsIndex: integer('goods_index'),
  category: text('category').notNull(),
  description: text('description').notNull(),
  quantity: real('quantity').notNull(),
  unit: text('unit').notNull(),
  condition: text('condition'),
  createdAt: text('created_at').notNull(),
  createdBy: text('created_by').notNull().references(() => users.id),
  // Derived from custody events:
  status: text('status').notNull(),
  custodianId: text('custodian_id').notNull().references(() => users.id),
  pendingToId: text('pending_to_id'),
  locationCode: text('location_code'),
  sealNumber: text('seal_number'),
  sealBroken: integer('seal_broken', { mode: 'boolean' }).notNull(),
  lastSeq: integer('last_seq').notNull(),
  lastOccurredAt: text('last_occurred_at').notNull()
}, (t) => [
  // With status, the figures of items by custody status read only the index.
  index('items_seizure_idx').on(t.seizureId, t.status),
  index('items_location_idx').on(t.agencyId, t.locationCode)
])

/** The chain of custody: append-only, never edited (triggers refuse UPDATE and DELETE). */
export const custodyEvents = sqliteTable('custody_events', {
  id: text('id').primaryKey(),
  itemId: text('item_id').notNull().references(() => items.id),
  seq: integer('seq').notNull(),
  type: text('type').notNull(),
  occurredAt: text('occurred_at').notNull(),
  recordedAt: text('recorded_at').notNull(),
  actorId: text('actor_id').notNull().references(() => users.id),
  fromUserId: text('from_user_id'),
  toUserId: text('to_user_id'),
  locationCode: text('location_code'),
  sealNumber: text('seal_number'),
  sealIntact: integer('seal_intact', { mode: 'boolean' }),
  purpose: text('purpose'),
  notes: text('notes'),
  authority: text('authority'),
  witnessUserId: text('witness_user_id')
}, (t) => [uniqueIndex('custody_item_seq').on(t.itemId, t.seq)])

/**
 * Files attached to a seizure, item, custody event or case. The bytes live once
 * per content in the store (objects/ab/cdef...); rows are never deleted.
 */
export const attachments = sqliteTable('attachments', {
  id: text('id').primaryKey(),
  agencyId: text('agency_id').notNull().references(() => agencies.id),
  ownerType: text('owner_type').notNull(),
  ownerId: text('owner_id').notNull(),
  /** Lower-case hex SHA-256, computed while the upload streamed in. */
  sha256: text('sha256').notNull(),
  size: integer('size').notNull(),
  /** Sniffed from the bytes; the client's claim is not trusted. */
  mediaType: text('media_type').notNull(),
  /** The client's file name, as data only: never used as a path. */
  filename: text('filename').notNull(),
  description: text('description'),
  capturedAt: text('captured_at'),
  /** JSON: EXIF capture time and GPS position of photos, when present. */
  exif: text('exif'),
  uploadedBy: text('uploaded_by').notNull().references(() => users.id),
  uploadedAt: text('uploaded_at').notNull()
}, (t) => [index('attachments_owner_idx').on(t.ownerType, t.ownerId), index('attachments_sha_idx').on(t.sha256)])


/**
 * Print copies of photos: the reduced, upright, opaque copy the case file
 * embeds (server/documents/printable.ts), made once from the original and
 * kept in the object store under its own SHA-256, which is re-checked on
 * every use. Derived data, reproducible from the audited original: a cache,
 * not evidence, so not in the audit log. `version` names the recipe; a new
 * recipe is a new version. A null sha256 records an original that could not
 * be decoded, so that it is not tried again on every case file.
 */
export const printCopies = sqliteTable('print_copies', {
  sourceSha256: text('source_sha256').notNull(),
  version: integer('version').notNull(),
  sha256: text('sha256'),
  size: integer('size'),
  mediaType: text('media_type'),
  width: integer('width'),
  height: integer('height'),
  createdAt: text('created_at').notNull(),
  /** The library that made it (printable.ts PRINT_TOOL): `npm run verify` makes it again with the same one and compares. */
  madeWith: text('made_with')
}, (t) => [primaryKey({ columns: [t.sourceSha256, t.version] })])
