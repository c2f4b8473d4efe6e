/**
 * The bundle bench's reference case (issue 7): 200 items, 2,000 custody events
 * and 100 photos of about 2 MiB, built through the services so that every
 * record is in the audit log. BENCH_SCALE scales it; BENCH_PHOTOS=png uses PNG.
 * Shared by bench/bundle.bench.ts and anyone profiling the case file.
 */
import type { FastifyInstance } from 'fastify'
import type { AuthUser } from '../server/services/access.js'
import { seconds } from './common.js'
import { jpeg, png, withComment, withPngText } from './photo.js'

export const scale = Number(process.env.BENCH_SCALE ?? 1)
if (!(scale > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE ?? ''}`)
export const photoType = process.env.BENCH_PHOTOS === 'png' ? 'png' : 'jpeg'
const SEIZURES = 10
export const ITEMS = Math.max(SEIZURES, Math.round(200 * scale))
export const PHOTOS = Math.max(1, Math.round(100 * scale))
export const password = 'bench password long enough'

/**
 * Distinct photos of about 2 MiB: four pictures, each file made unique by a
 * comment (JPEG) or text chunk (PNG), so the store keeps every one.
 */
function photos (): Buffer[] {
  const bases = [1, 2, 3, 4].map((seed) => (photoType === 'jpeg' ? jpeg(1472, 1104, seed, 92) : png(832, 832, seed)))
  return Array.from({ length: PHOTOS }, (_, i) => {
    const base = bases[i % bases.length] as Buffer
    const text = `Strongroom bench photo ${i + 1}`
    return photoType === 'jpeg' ? withComment(base, text) : withPngText(base, text)
  })
}

export interface Reference { caseId: string, warmCaseId: string, photoBytes: number, evidence: string[] }

/** The reference case, built through the services as an agency would: every step audited. */
export async function buildReferenceCase (app: FastifyInstance): Promise<Reference> {
  const { accounts, seizures, items, attachments, objects, cases, db } = app.services
  const adminRow = db.$client.prepare<[], { id: string }>('SELECT id FROM users WHERE bootstrap = 1').get()
  const admin = accounts.authUser(adminRow?.id ?? '')
  if (admin === undefined) throw new Error('no bootstrap admin')
  const user = async (username: string, role: 'officer' | 'custodian' | 'investigator' | 'prosecutor'): Promise<AuthUser> => {
    const view = await accounts.createUser(admin, { username, password, displayName: username.replace('.', ' '), role })
    const u = accounts.authUser(view.id)
    if (u === undefined) throw new Error(`no user ${username}`)
    return u
  }
  const officer = await user('al.officer', 'officer')
  const custodian = await user('al.custodian', 'custodian')
  const investigator = await user('al.investigator', 'investigator')
  const prosecutor = await user('al.prosecutor', 'prosecutor')
  for (const code of ['EVD', 'EVD/R1', 'EVD/R2']) items.createLocation(custodian, { code, name: `Evidence room ${code}`, parentCode: code.includes('/') ? 'EVD' : null })

  const newSeizure = (n: number) => seizures.create(officer, {
    occurredAt: new Date(Date.now() - 86400000 * (30 - n)).toISOString(),
    place: { name: 'Morinë border crossing', type: 'road_border_crossing', locode: 'ALMOR' },
    direction: 'export',
    transportMode: 'road',
    conveyance: `Truck AA ${100 + n} BB`,
    detectionMethod: 'xray_scanner',
    narrative: 'The X-ray image of the trailer did not match the declared goods; the load was examined and seized.',
    parties: [{ role: 'driver', kind: 'person', name: `Driver ${n}`, country: 'AL' }],
    goods: [{ description: 'Frequency changers', hsCode: '850440', quantity: 12, unit: 'NAR', strategic: { controlled: true, regime: 'EU-2021/821', entry: '3A225' } }]
  })
  const attach = async (itemId: string, bytes: Buffer, filename: string): Promise<void> => {
    attachments.checkUpload(officer, 'item', itemId)
    const received = await objects.receive((async function * () { yield bytes })())
    await attachments.commitUpload(officer, 'item', itemId, received, filename, { description: `Photo of ${filename}` })
  }

  // A small case, fetched first to warm the server up.
  const warm = newSeizure(0)
  const warmItem = items.createItem(officer, warm.id, { description: 'Warm-up exhibit', category: 'goods_sample', sealNumber: 'SB-0' })
  const pictures = photos()
  await attach(warmItem.id, photoType === 'jpeg' ? withComment(pictures[0] as Buffer, 'warm-up') : withPngText(pictures[0] as Buffer, 'warm-up'), `warm.${photoType === 'jpeg' ? 'jpg' : 'png'}`)
  const warmCase = cases.create(investigator, { title: 'Warm-up case', seizureIds: [warm.id] })

  const seizureIds: string[] = []
  const itemIds: string[] = []
  for (let s = 1; s <= SEIZURES; s++) {
    const seizure = newSeizure(s)
    seizureIds.push(seizure.id)
    for (let i = 0; i < ITEMS / SEIZURES; i++) {
      itemIds.push(items.createItem(officer, seizure.id, { description: `Frequency changer, serial FC-${s}-${i}`, category: 'electronic_device', sealNumber: `SB-${s}-${i}`, goodsIndex: 0 }).id)
    }
  }
  // Ten custody events per item (the first, `seized`, came with the item).
  const chain = [
    { by: officer, e: { type: 'transferred' as const, toUserId: custodian.id, purpose: 'Transport to the evidence room' } },
    { by: custodian, e: { type: 'received' as const, sealIntact: true } },
    { by: custodian, e: { type: 'stored' as const, location: 'EVD/R1' } },
    { by: custodian, e: { type: 'checked_out' as const, purpose: 'Technical examination at the customs laboratory' } },
    { by: custodian, e: { type: 'examined' as const, notes: 'Output frequency measured; rating plate photographed.' } },
    { by: custodian, e: { type: 'checked_in' as const, sealIntact: true } },
    { by: custodian, e: { type: 'resealed' as const, sealNumber: 'SB-R' } },
    { by: custodian, e: { type: 'examined' as const, notes: 'Seal and packaging checked before the hearing.' } },
    { by: custodian, e: { type: 'stored' as const, location: 'EVD/R2' } }
  ]
  const t = process.hrtime.bigint()
  for (const [n, itemId] of itemIds.entries()) {
    for (const step of chain) items.recordEvent(step.by, itemId, step.e.type === 'resealed' ? { ...step.e, sealNumber: `SB-R-${n}` } : step.e)
  }
  console.log(`  ${itemIds.length * (chain.length + 1)} custody events recorded in ${seconds(t).toFixed(1)} s`)
  for (const [i, bytes] of pictures.entries()) await attach(itemIds[(i * 2) % itemIds.length] as string, bytes, `exhibit-photo-${i + 1}.${photoType === 'jpeg' ? 'jpg' : 'png'}`)

  const c = cases.create(investigator, {
    title: 'Reference case for the bundle bench',
    summary: 'Ten seizures of frequency changers (EU 2021/821 3A225) at the Morinë crossing.',
    seizureIds,
    offences: [{ law: 'Law No. 9707/2007 on the control of strategic goods', article: 'Art. 32', description: 'Export of dual-use goods without a licence' }]
  })
  cases.addMember(investigator, c.id, { userId: prosecutor.id, role: 'prosecutor' })
  const evidence = db.$client.prepare<string[], { sha256: string }>(`SELECT DISTINCT sha256 FROM attachments WHERE owner_type = 'item' AND owner_id IN (SELECT id FROM items WHERE seizure_id IN (${seizureIds.map(() => '?').join(', ')}))`)
    .all(...seizureIds).map((r) => objects.pathOf(r.sha256))
  return { caseId: c.id, warmCaseId: warmCase.id, photoBytes: pictures.reduce((n, b) => n + b.length, 0), evidence }
}
