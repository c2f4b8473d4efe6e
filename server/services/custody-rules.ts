import type { CustodyType, ItemStatus } from './evidence-enums.js'

/** What an item's custody is after its events: derived, never edited by hand. */
export interface CustodyState {
  status: ItemStatus
  custodianId: string
  /** The recipient of a hand-over not yet received. */
  pendingToId: string | null
  location: string | null
  sealNumber: string | null
  /** Once a seal is found broken, the item carries it in every report from then on. */
  sealBroken: boolean
  lastSeq: number
  lastOccurredAt: string
}

export interface CustodyEventInput {
  type: CustodyType
  actorId: string
  occurredAt: string
  toUserId?: string | null | undefined
  location?: string | null | undefined
  sealNumber?: string | null | undefined
  sealIntact?: boolean | null | undefined
  purpose?: string | null | undefined
  authority?: string | null | undefined
  witnessUserId?: string | null | undefined
}

/** A transition the state machine does not allow; the reason is written for a custodian. */
export class CustodyRefusal extends Error {}

/** A field this event type needs is missing (a 400, not a 409: the request itself is incomplete). */
export class CustodyFieldMissing extends Error {
  constructor (readonly field: string, message: string) { super(message) }
}

const TERMINAL: ReadonlySet<ItemStatus> = new Set(['released', 'returned', 'destroyed'])
const DISPOSALS: ReadonlySet<CustodyType> = new Set(['released', 'returned', 'destroyed'])
const SEALING: ReadonlySet<CustodyType> = new Set(['sealed', 'resealed'])

/** Statuses from which each event type may be recorded (besides `received`, handled apart). */
const ALLOWED_FROM: Record<Exclude<CustodyType, 'seized' | 'received'>, readonly ItemStatus[]> = {
  transferred: ['in_custody'],
  stored: ['in_custody'],
  checked_out: ['in_custody'],
  checked_in: ['at_examination'],
  examined: ['in_custody', 'at_examination'],
  sealed: ['in_custody', 'at_examination'],
  resealed: ['in_custody', 'at_examination'],
  released: ['in_custody'],
  returned: ['in_custody'],
  destroyed: ['in_custody']
}

const STATUS_WORDS: Record<ItemStatus, string> = {
  in_custody: 'in custody',
  in_transit: 'in transit',
  at_examination: 'checked out for examination',
  released: 'released',
  returned: 'returned',
  destroyed: 'destroyed'
}

function need (value: unknown, field: string, type: CustodyType, what: string): void {
  if (value === undefined || value === null || value === '') throw new CustodyFieldMissing(field, `A "${type}" event needs ${what} (${field})`)
}

/** Fields each event type requires, checked before the state machine. */
export function checkRequiredFields (e: CustodyEventInput): void {
  switch (e.type) {
    case 'transferred': need(e.toUserId, 'toUserId', e.type, 'the recipient'); break
    case 'received': need(e.sealIntact, 'sealIntact', e.type, 'whether the seal was found intact'); break
    case 'checked_in': need(e.sealIntact, 'sealIntact', e.type, 'whether the seal was found intact'); break
    case 'stored': need(e.location, 'location', e.type, 'a registered location code'); break
    case 'checked_out': need(e.purpose, 'purpose', e.type, 'the purpose (laboratory, court...)'); break
    case 'sealed':
    case 'resealed': need(e.sealNumber, 'sealNumber', e.type, 'the new seal number'); break
    case 'released':
    case 'returned':
    case 'destroyed':
      need(e.authority, 'authority', e.type, 'the court order or decision number')
      need(e.witnessUserId, 'witnessUserId', e.type, 'a witness')
      break
    default: break
  }
}

/**
 * The chain-of-custody state machine (PRODUCT.md "Custody event"), as one fold:
 * the next state after `e`, or a CustodyRefusal saying why not. The service uses
 * it for every new event and the verifier re-runs it over stored events.
 */
export function applyCustodyEvent (state: CustodyState | null, e: CustodyEventInput): CustodyState {
  checkRequiredFields(e)
  if (state === null) {
    if (e.type !== 'seized') throw new CustodyRefusal('The first event of an item is its seizure')
    return {
      status: 'in_custody',
      custodianId: e.actorId,
      pendingToId: null,
      location: e.location ?? null,
      sealNumber: e.sealNumber ?? null,
      sealBroken: e.sealIntact === false,
      lastSeq: 1,
      lastOccurredAt: e.occurredAt
    }
  }
  if (e.type === 'seized') throw new CustodyRefusal('The item was already seized; a seizure is recorded once, when the item is created')
  if (TERMINAL.has(state.status)) throw new CustodyRefusal(`The item was ${STATUS_WORDS[state.status]}; no further custody event can be recorded`)
  if (e.occurredAt < state.lastOccurredAt) {
    throw new CustodyRefusal(`The event's time (${e.occurredAt}) is before the previous custody event (${state.lastOccurredAt})`)
  }
  if (state.status === 'in_transit') {
    if (e.type !== 'received') throw new CustodyRefusal('The item is in transit: the hand-over must be received before anything else is recorded')
    if (e.actorId !== state.pendingToId) throw new CustodyRefusal('Only the recipient named in the hand-over can receive the item')
  } else {
    if (e.type === 'received') throw new CustodyRefusal('There is no pending hand-over to receive')
    if (e.actorId !== state.custodianId) throw new CustodyRefusal('Only the current custodian of the item can record this event')
    if (!ALLOWED_FROM[e.type].includes(state.status)) {
      const hint = state.status === 'at_examination' ? ': check the item in first' : ''
      throw new CustodyRefusal(`A "${e.type}" event is not allowed while the item is ${STATUS_WORDS[state.status]}${hint}`)
    }
  }
  checkSeal(state, e)
  const next: CustodyState = {
    ...state,
    sealBroken: state.sealBroken || e.sealIntact === false,
    lastSeq: state.lastSeq + 1,
    lastOccurredAt: e.occurredAt
  }
  return transition(next, state, e)
}

function checkSeal (state: CustodyState, e: CustodyEventInput): void {
  if (SEALING.has(e.type) || e.sealNumber == null || state.sealNumber === null) return
  if (e.sealNumber !== state.sealNumber && e.sealIntact !== false) {
    throw new CustodyRefusal(`The seal found (${e.sealNumber}) is not the recorded seal (${state.sealNumber}): record the seal as not intact (sealIntact false), then reseal`)
  }
}

function transition (next: CustodyState, state: CustodyState, e: CustodyEventInput): CustodyState {
  switch (e.type) {
    case 'transferred':
      if (e.toUserId === state.custodianId) throw new CustodyRefusal('You already hold the item: a hand-over needs another recipient')
      return { ...next, status: 'in_transit', pendingToId: e.toUserId ?? null, location: null }
    case 'received':
      return { ...next, status: 'in_custody', custodianId: e.actorId, pendingToId: null, location: e.location ?? null }
    case 'stored':
      return { ...next, location: e.location ?? null }
    case 'checked_out':
      return { ...next, status: 'at_examination', location: null }
    case 'checked_in':
      return { ...next, status: 'in_custody', location: e.location ?? null }
    case 'sealed':
    case 'resealed':
      return { ...next, sealNumber: e.sealNumber ?? null }
    case 'released':
    case 'returned':
    case 'destroyed':
      if (e.witnessUserId === e.actorId) throw new CustodyRefusal('The witness of a disposal must be someone other than the custodian')
      return { ...next, status: e.type }
    default:
      return next
  }
}

export const isDisposal = (type: CustodyType): boolean => DISPOSALS.has(type)
