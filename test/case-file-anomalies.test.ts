/**
 * The anomalies the case file calls out in a chain of custody (VERIFIABILITY.md: a gap
 * between a hand-over and its receipt, a broken seal, an event recorded long after it
 * happened), with the limits of templates/case-file.json.
 */
import t from 'tap'
import { custodyAnomalies, type Exhibit } from '../server/documents/case-file.js'
import { loadTemplate } from '../server/documents/template.js'

const limits = loadTemplate().anomalies
type Event = Exhibit['events'][number]

/** An event of type `type` at `occurredAt`, recorded then unless `recordedAt` says otherwise. */
const event = (seq: number, type: string, occurredAt: string, more: Partial<Event> = {}): Event =>
  ({ seq, type, occurredAt, recordedAt: occurredAt, sealIntact: null, sealNumber: null, ...more }) as unknown as Event

t.test('a hand-over not yet received is an anomaly only once it has waited longer than the gap allowed', async (t) => {
  const events = [event(1, 'seized', '2026-05-01T08:00:00Z'), event(2, 'transferred', '2026-05-01T10:00:00Z')]
  t.same(custodyAnomalies(events, limits, '2026-05-01T12:00:00Z'), [], `two hours after the hand-over (the limit is ${limits.handoverGapHours} h): in transit, not an anomaly`)
  t.same(custodyAnomalies(events, limits, '2026-05-03T10:00:00Z'), [{ seq: 2, key: 'anomaly.pendingHandover', vars: { seq: 2, hours: 48 } }], 'two days after it: called out, with the hours it has waited')
})

t.test('a receipt long after its hand-over, a broken seal and a late recording are called out', async (t) => {
  const events = [
    event(1, 'seized', '2026-05-01T08:00:00Z'),
    event(2, 'transferred', '2026-05-01T10:00:00Z'),
    event(3, 'received', '2026-05-02T10:00:00Z', { sealIntact: false, sealNumber: 'AL-S-1' }),
    event(4, 'stored', '2026-05-02T11:00:00Z', { recordedAt: '2026-05-04T11:00:00Z' })
  ]
  t.same(custodyAnomalies(events, limits, '2026-06-01T00:00:00Z').map((a) => [a.seq, a.key]), [
    [2, 'anomaly.handoverGap'], [3, 'anomaly.brokenSeal'], [4, 'anomaly.lateRecording']
  ], 'the 24-hour gap, the broken seal at the receipt and the event recorded two days late')
})
