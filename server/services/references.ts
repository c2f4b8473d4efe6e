import { sql } from 'drizzle-orm'
import type { Tx } from '../db/client.js'
import { referenceCounters } from '../db/schema/index.js'

/**
 * The next number of a gapless series (per agency, kind and year). It runs
 * inside the caller's write transaction: a rolled-back change gives its number
 * back, and IMMEDIATE transactions serialise concurrent creations.
 */
export function nextNumber (tx: Tx, agencyId: string, kind: 'seizure' | 'case', year: number): number {
  const row = tx.insert(referenceCounters).values({ agencyId, kind, year, last: 1 })
    .onConflictDoUpdate({ target: [referenceCounters.agencyId, referenceCounters.kind, referenceCounters.year], set: { last: sql`${referenceCounters.last} + 1` } })
    .returning({ last: referenceCounters.last }).get()
  return row.last
}

/** `AL-CUSTOMS` → `AL`: references start with the agency's country prefix. */
export const agencyPrefix = (agencyCode: string): string => agencyCode.split('-')[0] ?? agencyCode

