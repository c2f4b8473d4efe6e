import bwipjs from 'bwip-js'
import PDFDocument from 'pdfkit'
import { registerFonts } from './fonts.js'
import { drawQr } from './qr.js'
import type { LabelFormat } from './label-formats.js'

export interface LabelData {
  label: string
  seizureReference: string
  agencyName: string
  description: string
  category: string
  sealNumber: string | null
  seizedAt: string
  seizedBy: string
  place: string
}

const MM = 72 / 25.4
/** 100 × 150 mm: the common 4 × 6 inch thermal label. */
const LABEL_SIZE: [number, number] = [100 * MM, 150 * MM]

const day = (iso: string): string => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} ${iso.slice(11, 16)} UTC`

/** Draws the label's content in a box: bilingual captions, as both customs services read them. */
function drawLabel (doc: PDFKit.PDFDocument, data: LabelData, barcode: Buffer, x: number, y: number, w: number, h: number): void {
  const pad = 5 * MM
  const inner = w - 2 * pad
  doc.lineWidth(1.5).rect(x, y, w, h).stroke('#000000')
  doc.font('bold').fontSize(11).fillColor('#000000').text('EVIDENCE · PROVË', x + pad, y + pad, { width: inner, align: 'center' })
  doc.font('regular').fontSize(8).text(data.agencyName, { width: inner, align: 'center' })
  doc.moveDown(0.4).font('bold').fontSize(17).text(data.label, { width: inner, align: 'center' })
  const qrSize = 34 * MM
  const qrY = doc.y + 2 * MM
  drawQr(doc, data.label, x + (w - qrSize) / 2, qrY, qrSize)
  doc.y = qrY + qrSize + 2 * MM
  const rows: Array<[string, string]> = [
    ['Seizure / Sekuestrimi', data.seizureReference],
    ['Seal / Vula', data.sealNumber ?? '—'],
    ['Category / Kategoria', data.category.replace(/_/g, ' ')],
    ['Seized / Sekuestruar', day(data.seizedAt)],
    ['By / Nga', data.seizedBy],
    ['Place / Vendi', data.place]
  ]
  for (const [caption, value] of rows) {
    const rowY = doc.y
    doc.font('regular').fontSize(7).fillColor('#444444').text(caption, x + pad, rowY, { width: 30 * MM })
    doc.font('bold').fontSize(8.5).fillColor('#000000').text(value, x + pad + 31 * MM, rowY, { width: inner - 31 * MM })
    doc.y = Math.max(doc.y, rowY + 11)
  }
  doc.moveDown(0.3).font('regular').fontSize(8).text(data.description, x + pad, doc.y, { width: inner, height: 22, ellipsis: true })
  const barH = 14 * MM
  doc.image(barcode, x + pad, y + h - pad - barH - 9, { width: inner, height: barH })
  doc.font('mono').fontSize(8).text(data.label, x + pad, y + h - pad - 8, { width: inner, align: 'center' })
}

/** A printable evidence-bag label with the label as QR code and Code 128 barcode. */
export async function renderLabel (data: LabelData, format: LabelFormat): Promise<Buffer> {
  const barcode = await bwipjs.toBuffer({ bcid: 'code128', text: data.label, scale: 4, height: 12, includetext: false })
  const size = format === 'label' ? LABEL_SIZE : 'A4'
  const doc = new PDFDocument({ size, margin: 0, font: null as unknown as string, info: { Title: `Evidence label ${data.label}`, Subject: data.seizureReference, Creator: 'Strongroom' } })
  registerFonts(doc)
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<void>((resolve, reject) => { doc.on('end', resolve); doc.on('error', reject) })
  if (format === 'label') {
    drawLabel(doc, data, barcode, 2 * MM, 2 * MM, LABEL_SIZE[0] - 4 * MM, LABEL_SIZE[1] - 4 * MM)
  } else {
    drawLabel(doc, data, barcode, 20 * MM, 20 * MM, LABEL_SIZE[0], LABEL_SIZE[1])
    doc.font('regular').fontSize(8).fillColor('#444444')
      .text('Cut along the border and attach to the sealed evidence bag. · Prijeni përgjatë kufirit dhe ngjiteni në qesen e vulosur të provës.', 20 * MM, 20 * MM + LABEL_SIZE[1] + 4 * MM, { width: 170 * MM })
  }
  doc.end()
  await done
  return Buffer.concat(chunks)
}
