import type { goodsLines, parties, seizures } from '../db/schema/index.js'

type SeizureRow = typeof seizures.$inferSelect
type PartyRow = typeof parties.$inferSelect
type GoodsRow = typeof goodsLines.$inferSelect

export interface PartyRecord {
  role: string
  kind: string
  name: string
  country: string | null
  identifier: string | null
  address: string | null
  nationality: string | null
  sex: string | null
  birthDate: string | null
}

export interface GoodsRecord {
  description: string
  hsCode: string
  quantity: number
  unit: string
  value: { amount: string, currency: string } | null
  strategic: { controlled: boolean, regime: string | null, entry: string | null }
  licence: { number: string | null, status: string }
}

/** A seizure as the API returns it and the audit log records it (every key present). */
export interface SeizureRecord {
  id: string
  agencyId: string
  reference: string
  version: number
  occurredAt: string
  recordedAt: string
  recordedBy: string
  updatedAt: string
  place: { name: string, type: string | null, locode: string | null, lat: number | null, lon: number | null }
  direction: string
  transportMode: string
  conveyance: string | null
  route: { origin: string | null, destination: string | null, transit: string[] }
  detectionMethod: string
  concealment: string | null
  legalBasis: string | null
  narrative: string | null
  parties: PartyRecord[]
  goods: GoodsRecord[]
}

export const partyRecord = (p: PartyRow): PartyRecord => ({
  role: p.role,
  kind: p.kind,
  name: p.name,
  country: p.country,
  identifier: p.identifier,
  address: p.address,
  nationality: p.nationality,
  sex: p.sex,
  birthDate: p.birthDate
})

export const goodsRecord = (g: GoodsRow): GoodsRecord => ({
  description: g.description,
  hsCode: g.hsCode,
  quantity: g.quantity,
  unit: g.unit,
  value: g.valueAmount === null || g.valueCurrency === null ? null : { amount: g.valueAmount, currency: g.valueCurrency },
  strategic: { controlled: g.controlled, regime: g.regime, entry: g.controlEntry },
  licence: { number: g.licenceNumber, status: g.licenceStatus }
})

export function seizureRecord (s: SeizureRow, partyRows: PartyRow[], goodsRows: GoodsRow[]): SeizureRecord {
  return {
    id: s.id,
    agencyId: s.agencyId,
    reference: s.reference,
    version: s.version,
    occurredAt: s.occurredAt,
    recordedAt: s.recordedAt,
    recordedBy: s.recordedBy,
    updatedAt: s.updatedAt,
    place: { name: s.placeName, type: s.placeType, locode: s.locode, lat: s.lat, lon: s.lon },
    direction: s.direction,
    transportMode: s.transportMode,
    conveyance: s.conveyance,
    route: { origin: s.routeOrigin, destination: s.routeDestination, transit: JSON.parse(s.routeTransit) as string[] },
    detectionMethod: s.detectionMethod,
    concealment: s.concealment,
    legalBasis: s.legalBasis,
    narrative: s.narrative,
    parties: [...partyRows].sort((a, b) => a.position - b.position).map(partyRecord),
    goods: [...goodsRows].sort((a, b) => a.position - b.position).map(goodsRecord)
  }
}
