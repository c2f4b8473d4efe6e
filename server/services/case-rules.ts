import type { CaseRole } from './object-access.js'

export const CASE_STATUSES = ['open', 'investigation', 'referred', 'in_court', 'closed'] as const
export type CaseStatus = typeof CASE_STATUSES[number]
export const CASE_OUTCOMES = ['convicted', 'acquitted', 'dismissed', 'administrative_penalty', 'goods_released'] as const
export type CaseOutcome = typeof CASE_OUTCOMES[number]

/**
 * The case workflow: open → investigation → referred → in_court → closed. Each
 * allowed move names the case roles that may make it. A prosecutor may send a
 * referred case back for more investigation; a closed case is reopened only
 * with a reason (every move needs one).
 */
export const CASE_TRANSITIONS: Record<CaseStatus, Partial<Record<CaseStatus, readonly CaseRole[]>>> = {
  open: { investigation: ['lead_investigator', 'investigator'], closed: ['lead_investigator'] },
  investigation: { referred: ['lead_investigator'], closed: ['lead_investigator'] },
  referred: { in_court: ['prosecutor'], investigation: ['prosecutor'], closed: ['prosecutor'] },
  in_court: { closed: ['prosecutor'] },
  closed: { investigation: ['lead_investigator', 'prosecutor'] }
}
