import type { FastifyInstance } from 'fastify'
import type { AuthUser } from '../services/access.js'
import { DEMO_PHOTOS } from './images.js'

const HOUR = 3600 * 1000

/**
 * The demo's realistic dual-use case: a truck at the Morinë crossing (Albania →
 * Kosovo) carrying frequency changers declared as spare parts (HS 8504.40, EU
 * 2021/821 entry 3A225), three exhibits with photos, and a chain of custody to
 * the evidence room, the customs laboratory and back. Everything goes through
 * the same services, so it is all in the audit log.
 */
export async function seedDemoEvidence (app: FastifyInstance, users: Record<string, AuthUser>, now: Date, travel: (to: Date | null) => void = () => {}): Promise<void> {
  const { seizures, items, attachments, objects, cases } = app.services
  const officer = need(users, 'al.officer')
  const custodian = need(users, 'al.custodian')
  const investigator = need(users, 'al.investigator')
  const prosecutor = need(users, 'al.prosecutor')
  const at = (hoursAgo: number): string => new Date(now.getTime() - hoursAgo * HOUR).toISOString()
  /** Moves the seed's clock to a few minutes after `hoursAgo`: each step is recorded as it happens. */
  const when = (hoursAgo: number): string => { travel(new Date(now.getTime() - hoursAgo * HOUR + 4 * 60 * 1000)); return at(hoursAgo) }

  async function attach (actor: AuthUser, ownerId: string, type: 'seizure' | 'item' | 'custody_event', filename: string, bytes: Buffer, description: string, capturedAt: string): Promise<void> {
    attachments.checkUpload(actor, type, ownerId)
    const received = await objects.receive((async function * () { yield bytes })())
    await attachments.commitUpload(actor, type, ownerId, received, filename, { description, capturedAt })
  }

  when(24 * 155)
  for (const code of ['TIR-EVD', 'TIR-EVD/R1', 'TIR-EVD/R1/C3', 'TIR-EVD/R1/C3/S2']) {
    const parentCode = code.includes('/') ? code.slice(0, code.lastIndexOf('/')) : null
    items.createLocation(custodian, { code, name: LOCATION_NAMES[code] ?? code, parentCode })
  }

  // An older administrative case, closed months ago.
  const older = seizures.create(officer, {
    occurredAt: when(24 * 150),
    place: { name: 'Port of Durrës', type: 'seaport', locode: 'ALDRZ', lat: 41.3127, lon: 19.4469 },
    direction: 'import',
    transportMode: 'sea',
    conveyance: 'Container MSCU 123456-7, vessel Adriatic Star',
    route: { origin: 'TR', destination: 'AL', transit: ['GR'] },
    detectionMethod: 'documentary_check',
    concealment: 'Misdeclared as industrial cleaning agent',
    legalBasis: 'Law No. 102/2014 "Customs Code of the Republic of Albania"',
    narrative: 'Documentary check found the declared cleaning agent to be triethanolamine, a chemical-weapons precursor listed by the Australia Group, imported without the required licence.',
    parties: [
      { role: 'consignee', kind: 'organisation', name: 'Kimik Albania Sh.p.k.', country: 'AL', identifier: 'M01234567B', address: 'Zona Industriale, Durrës' },
      { role: 'declarant', kind: 'person', name: 'Ilir Dervishaj', country: 'AL', nationality: 'AL', sex: 'male', birthDate: '1985-09-02' }
    ],
    goods: [{ description: 'Triethanolamine, 20 drums of 200 l', hsCode: '292215', quantity: 4000, unit: 'LTR', value: { amount: '9600.00', currency: 'EUR' }, strategic: { controlled: true, regime: 'EU-2021/821', entry: '1C350.d.9' }, licence: { number: null, status: 'none' } }]
  })
  items.createItem(officer, older.id, { description: 'Sample of 1 l taken from drum 7', category: 'goods_sample', quantity: 1, unit: 'LTR', sealNumber: 'SB-0000871', occurredAt: when(24 * 150 - 1) })
  when(24 * 149)
  const closed = cases.create(investigator, {
    title: 'Import of triethanolamine (Australia Group precursor) without licence',
    summary: 'Administrative case: the importer paid the penalty and re-exported the goods under customs supervision.',
    seizureIds: [older.id],
    offences: [{ law: 'Law No. 9707/2007 on the control of strategic goods', article: 'Art. 33', description: 'Import of controlled chemicals without a licence' }]
  })
  when(24 * 148)
  cases.patch(investigator, closed.id, { status: 'investigation', reason: 'Importer questioned' })
  cases.addAction(investigator, closed.id, { occurredAt: when(24 * 120), title: 'Penalty decision', text: 'Administrative penalty of 4 800 EUR imposed by decision DP-2026-0033; goods to be re-exported.' })
  when(24 * 119)
  cases.patch(investigator, closed.id, { status: 'closed', outcome: 'administrative_penalty', reason: 'Penalty paid; goods re-exported under supervision' })

  // The dual-use seizure at Morinë, ten days ago.
  const seizure = seizures.create(officer, {
    occurredAt: when(240),
    place: { name: 'Morinë border crossing', type: 'road_border_crossing', locode: 'ALMOR', lat: 42.2376, lon: 20.5497 },
    direction: 'export',
    transportMode: 'road',
    conveyance: 'Truck AA 123 BB with trailer AB 456 CD',
    route: { origin: 'AL', destination: 'XK', transit: [] },
    detectionMethod: 'risk_profile',
    concealment: 'Declared as spare parts for textile machinery (HS 8448.59)',
    legalBasis: 'Law No. 102/2014 "Customs Code of the Republic of Albania"; Law No. 9707/2007 on the control of strategic goods (dual-use, EU 2021/821 Annex I)',
    narrative: 'During the risk-profile selection of the export declaration, the X-ray image of the trailer did not match the declared textile-machine spare parts. A physical examination found 12 frequency changers (variable-frequency drives) rated for multi-phase output above 600 Hz, matching EU 2021/821 entry 3A225. No export licence was presented. The goods, the transport documents and the driver\'s phone were seized and sealed on site.',
    parties: [
      { role: 'consignor', kind: 'organisation', name: 'Teknomek Sh.p.k.', country: 'AL', identifier: 'L81234567A', address: 'Rruga e Durrësit 112, Tiranë' },
      { role: 'consignee', kind: 'organisation', name: 'Dardania Industrial L.L.C.', country: 'XK', identifier: '811234567', address: 'Rr. Agim Ramadani 5, Prishtinë' },
      { role: 'driver', kind: 'person', name: 'Gëzim Përmeti', country: 'AL', identifier: 'BA1234567', nationality: 'AL', sex: 'male', birthDate: '1979-04-12' },
      { role: 'carrier', kind: 'organisation', name: 'Shpejt Transport Sh.p.k.', country: 'AL', identifier: 'K91827364B' }
    ],
    goods: [
      {
        description: 'Frequency changers (variable-frequency drives), 3-phase, output up to 1 200 Hz',
        hsCode: '850440',
        quantity: 12,
        unit: 'NAR',
        value: { amount: '48000.00', currency: 'EUR' },
        strategic: { controlled: true, regime: 'EU-2021/821', entry: '3A225' },
        licence: { number: null, status: 'none' }
      },
      {
        description: 'Spare parts for textile machinery (as declared)',
        hsCode: '844859',
        quantity: 40,
        unit: 'KGM',
        value: { amount: '1200.00', currency: 'EUR' },
        strategic: { controlled: false },
        licence: { number: null, status: 'none' }
      }
    ]
  })
  await attach(officer, seizure.id, 'seizure', 'trailer-load.png', DEMO_PHOTOS.truckLoad(), 'The opened trailer at the examination bay', when(239.8))

  const exhibits = [
    { description: 'One frequency changer, serial FC-2291-07, taken as a sample of the 12 units', category: 'electronic_device' as const, sealNumber: 'SB-0001234', goodsIndex: 0, photo: DEMO_PHOTOS.device(), file: 'frequency-changer.png' },
    { description: 'Commercial invoice INV-2291 and CMR consignment note', category: 'document' as const, sealNumber: 'SB-0001235', goodsIndex: null, photo: DEMO_PHOTOS.document(), file: 'invoice-cmr.png' },
    { description: 'Mobile phone of the driver (switched off, SIM inside)', category: 'digital_media' as const, sealNumber: 'SB-0001236', goodsIndex: null, photo: DEMO_PHOTOS.phone(), file: 'driver-phone.png' }
  ]
  const created = []
  for (const [i, e] of exhibits.entries()) {
    const occurredAt = when(239.5 - i * 0.2)
    const item = items.createItem(officer, seizure.id, {
      description: e.description, category: e.category, quantity: 1, unit: 'NAR', sealNumber: e.sealNumber,
      condition: 'Sealed in tamper-evident bag, undamaged', goodsIndex: e.goodsIndex, occurredAt
    })
    await attach(officer, item.id, 'item', e.file, e.photo, `Exhibit ${item.label} before sealing`, occurredAt)
    created.push(item)
  }

  // Border post to the evidence room in Tirana, overnight.
  for (const [i, item] of created.entries()) items.recordEvent(officer, item.id, { type: 'transferred', toUserId: custodian.id, occurredAt: when(230 - i * 0.05), purpose: 'Transport to the central evidence room' })
  for (const [i, item] of created.entries()) items.recordEvent(custodian, item.id, { type: 'received', occurredAt: when(222 - i * 0.05), sealNumber: exhibits[i]?.sealNumber, sealIntact: true })
  for (const [i, item] of created.entries()) items.recordEvent(custodian, item.id, { type: 'stored', occurredAt: when(221.5 - i * 0.05), location: 'TIR-EVD/R1/C3/S2' })

  when(216)
  const main = cases.create(investigator, {
    title: 'Attempted export of frequency changers (EU 2021/821 3A225) without licence',
    summary: 'Twelve frequency changers able to drive gas centrifuges were declared as textile-machine spare parts and presented for export to Kosovo without a dual-use export licence.',
    seizureIds: [seizure.id],
    offences: [
      { law: 'Law No. 9707/2007 on the control of strategic goods', article: 'Art. 32', description: 'Export of dual-use goods without a licence' },
      { law: 'Criminal Code of the Republic of Albania', article: 'Art. 287', description: 'Smuggling of goods subject to restrictions' }
    ]
  })
  cases.addMember(investigator, main.id, { userId: prosecutor.id, role: 'prosecutor' })
  when(215)
  cases.patch(investigator, main.id, { status: 'investigation', reason: 'Laboratory confirmation requested; consignor questioned' })
  cases.addAction(investigator, main.id, { occurredAt: when(210), title: 'Request to the State Export Control Authority', text: 'Asked whether Teknomek Sh.p.k. ever applied for or held a dual-use export licence. Answer: no application on record.' })

  // The sample goes to the customs laboratory and back, resealed after examination.
  const sample = created[0]
  if (sample !== undefined) {
    items.recordEvent(custodian, sample.id, { type: 'checked_out', occurredAt: when(200), purpose: 'Technical examination at the Customs Laboratory (output frequency, rating plate)' })
    const report = items.recordEvent(custodian, sample.id, { type: 'examined', occurredAt: when(150), sealNumber: 'SB-0001234', sealIntact: true, notes: 'Laboratory report LAB-2026-118: maximum output frequency 1 200 Hz, total harmonic distortion below 10 %; meets EU 2021/821 3A225 parameters.' })
    await attach(custodian, report.event.id, 'custody_event', 'lab-report-LAB-2026-118.txt', Buffer.from(`Customs Laboratory, Tirana\nReport LAB-2026-118\nExhibit ${sample.label}\nFinding: output frequency range 0-1200 Hz; matches EU 2021/821 entry 3A225.\n`), 'Laboratory report', when(149.8))
    items.recordEvent(custodian, sample.id, { type: 'resealed', occurredAt: when(149), sealNumber: 'SB-0002001', notes: 'Opened by the laboratory; resealed in a new bag' })
  }
  cases.addAction(investigator, main.id, { occurredAt: when(140), title: 'Interview of the driver', text: 'The driver states he was told the cargo was textile spare parts; he has no knowledge of the contents. Interview record signed.' })
  if (sample !== undefined) items.recordEvent(custodian, sample.id, { type: 'checked_in', occurredAt: when(120), sealNumber: 'SB-0002001', sealIntact: true, location: 'TIR-EVD/R1/C3/S2' })

  // The phone goes to the investigator for a forensic copy.
  const phone = created[2]
  if (phone !== undefined) {
    items.recordEvent(custodian, phone.id, { type: 'transferred', toUserId: investigator.id, occurredAt: when(100), purpose: 'Forensic extraction' })
    items.recordEvent(investigator, phone.id, { type: 'received', occurredAt: when(99), sealNumber: 'SB-0001236', sealIntact: true })
  }
  cases.addAction(investigator, main.id, { occurredAt: when(96), title: 'Laboratory report received', text: 'Report LAB-2026-118 confirms the 3A225 parameters (see exhibit E01).' })
  when(90)
  cases.patch(investigator, main.id, { status: 'referred', reason: 'Evidence complete; referred to the Prosecution Office of Tirana' })
  // The phone goes back to the evidence room: a hand-over the custodian has yet to receive.
  if (phone !== undefined) items.recordEvent(investigator, phone.id, { type: 'transferred', toUserId: custodian.id, occurredAt: when(2), purpose: 'Forensic copy made (image FX-2026-044); return to the evidence room' })
  travel(null)
}

const LOCATION_NAMES: Record<string, string> = {
  'TIR-EVD': 'Central evidence room, Tirana customs house',
  'TIR-EVD/R1': 'Room 1 (electronics and documents)',
  'TIR-EVD/R1/C3': 'Cabinet 3 (locked)',
  'TIR-EVD/R1/C3/S2': 'Shelf 2'
}

function need (users: Record<string, AuthUser>, name: string): AuthUser {
  const user = users[name]
  if (user === undefined) throw new Error(`demo seed: missing user ${name}`)
  return user
}

