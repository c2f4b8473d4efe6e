import { Type } from 'typebox'
import {
  CUSTODY_TYPES, DETECTION_METHODS, DIRECTIONS, ITEM_CATEGORIES, ITEM_STATUSES, LICENCE_STATUSES, PARTY_KINDS,
  PARTY_ROLES, PLACE_TYPES, REGIMES, SEXES, TRANSPORT_MODES
} from '../services/evidence-enums.js'
import { CountryCode, PageQuery, StringEnum, Timestamp } from './common.js'

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

export const PlaceSchema = Type.Object({
  name: Text(200),
  type: Type.Optional(StringEnum(PLACE_TYPES)),
  locode: Type.Optional(Nullable(Type.String({ pattern: '^[A-Z]{2} ?[A-Z2-9]{3}$', description: 'UN/LOCODE, e.g. ALMOR' }))),
  lat: Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()])),
  lon: Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()]))
}, { additionalProperties: false })

export const RouteSchema = Type.Object({
  origin: Type.Optional(Nullable(CountryCode)),
  destination: Type.Optional(Nullable(CountryCode)),
  transit: Type.Optional(Type.Array(CountryCode, { maxItems: 20 }))
}, { additionalProperties: false })

export const PartySchema = Type.Object({
  role: StringEnum(PARTY_ROLES),
  kind: StringEnum(PARTY_KINDS),
  name: Text(200),
  country: Type.Optional(Nullable(CountryCode)),
  identifier: Type.Optional(Nullable(Text(100))),
  address: Type.Optional(Nullable(Text(500))),
  nationality: Type.Optional(Nullable(CountryCode)),
  sex: Type.Optional(Type.Union([StringEnum(SEXES), Type.Null()])),
  birthDate: Type.Optional(Nullable(Type.String({ format: 'date' })))
}, { additionalProperties: false })

export const GoodsSchema = Type.Object({
  description: Text(1000),
  hsCode: Type.String({ description: 'HS code, 6 to 10 digits (dots and spaces are ignored)', maxLength: 16 }),
  quantity: Type.Number({ exclusiveMinimum: 0 }),
  unit: Type.String({ pattern: '^[A-Z0-9]{2,3}$', description: 'UN/ECE Recommendation 20 code: KGM, NAR, LTR...' }),
  value: Type.Optional(Type.Union([Type.Object({
    amount: Type.String({ pattern: '^[0-9]{1,13}(\\.[0-9]{1,2})?$', description: 'decimal as text, e.g. "48000.00"' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' })
  }, { additionalProperties: false }), Type.Null()])),
  strategic: Type.Optional(Type.Object({
    controlled: Type.Boolean(),
    regime: Type.Optional(Type.Union([StringEnum(REGIMES), Type.Null()])),
    entry: Type.Optional(Nullable(Text(40)))
  }, { additionalProperties: false })),
  licence: Type.Optional(Type.Object({
    number: Type.Optional(Nullable(Text(100))),
    status: StringEnum(LICENCE_STATUSES)
  }, { additionalProperties: false }))
}, { additionalProperties: false })

const seizureFields = {
  occurredAt: Timestamp,
  place: PlaceSchema,
  direction: StringEnum(DIRECTIONS),
  transportMode: StringEnum(TRANSPORT_MODES),
  conveyance: Type.Optional(Nullable(Text(200))),
  route: Type.Optional(RouteSchema),
  detectionMethod: StringEnum(DETECTION_METHODS),
  concealment: Type.Optional(Nullable(Text(1000))),
  legalBasis: Type.Optional(Nullable(Text(1000))),
  narrative: Type.Optional(Nullable(Text(20000))),
  parties: Type.Optional(Type.Array(PartySchema, { maxItems: 100 })),
  goods: Type.Optional(Type.Array(GoodsSchema, { maxItems: 200 }))
}

export const NewSeizureSchema = Type.Object(seizureFields, { additionalProperties: false })

export const SeizureCorrectionSchema = Type.Object({
  reason: Text(2000),
  ...Object.fromEntries(Object.entries(seizureFields).map(([k, v]) => [k, Type.Optional(v)]))
}, { additionalProperties: false })

export const SeizureQuerySchema = Type.Object({
  ...PageQuery,
  from: Type.Optional(Type.String({ format: 'date' })),
  to: Type.Optional(Type.String({ format: 'date' })),
  place: Type.Optional(Type.String({ maxLength: 200, description: 'place name (substring) or UN/LOCODE' })),
  hsCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,10}$', description: 'HS code prefix' })),
  controlEntry: Type.Optional(Type.String({ maxLength: 40, description: 'control-list entry or its prefix' })),
  party: Type.Optional(Type.String({ maxLength: 200, description: 'party name (substring)' })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'free text' }))
}, { additionalProperties: false })

export const NewItemSchema = Type.Object({
  description: Text(1000),
  category: StringEnum(ITEM_CATEGORIES),
  quantity: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 1 })),
  unit: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2,3}$', default: 'NAR' })),
  sealNumber: Type.Optional(Nullable(Text(60))),
  condition: Type.Optional(Nullable(Text(1000))),
  goodsIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  occurredAt: Type.Optional(Timestamp),
  location: Type.Optional(Nullable(Text(120)))
}, { additionalProperties: false })

export const NewCustodyEventSchema = Type.Object({
  type: StringEnum(CUSTODY_TYPES),
  occurredAt: Type.Optional(Timestamp),
  toUserId: Type.Optional(Nullable(Text(64))),
  location: Type.Optional(Nullable(Text(120))),
  purpose: Type.Optional(Nullable(Text(1000))),
  sealNumber: Type.Optional(Nullable(Text(60))),
  sealIntact: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  notes: Type.Optional(Nullable(Text(5000))),
  authority: Type.Optional(Nullable(Text(200))),
  witnessUserId: Type.Optional(Nullable(Text(64)))
}, { additionalProperties: false })

export const NewLocationSchema = Type.Object({
  code: Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{0,31}(/[A-Z0-9][A-Z0-9-]{0,31}){0,5}$', description: 'e.g. TIR-EVD/R1/C3/S2' }),
  name: Text(200),
  parentCode: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()]))
}, { additionalProperties: false })

export const ItemStatusEnum = StringEnum(ITEM_STATUSES)

export const ItemQuerySchema = Type.Object({
  ...PageQuery,
  status: Type.Optional(ItemStatusEnum),
  custodian: Type.Optional(Type.String({ maxLength: 64, description: 'user id, or "me"' })),
  pendingTo: Type.Optional(Type.String({ maxLength: 64, description: 'recipient of a hand-over not yet received: user id, or "me"' })),
  label: Type.Optional(Type.String({ maxLength: 40, description: 'label prefix, e.g. AL-2026-000123' }))
}, { additionalProperties: false })

/** Responses are described loosely (objects with any properties) but documented. */
export const AnyObject = Type.Object({}, { additionalProperties: true })
