/**
 * The case file's shortcuts past pdfkit and Intl give what those would:
 * drawLine (a table cell's or fact's line in one content write) writes the
 * same bytes as pdfkit's doc.text(…, { lineBreak: false }), drawBlock (a
 * heading, paragraph or table header whose lines fit) the same as
 * doc.text(…, { width, align, lineGap }) and leaves the same position, and
 * the date formatter fills in the same text as Intl.DateTimeFormat.
 */
import PDFDocument from 'pdfkit'
import t from 'tap'
import { drawBlock, drawLine, wrappedLines, type BlockOptions } from '../server/documents/case-file.js'
import { registerFonts } from '../server/documents/fonts.js'
import { dateFormatter } from '../server/documents/template.js'

const LINES = [
  'Frequency changer, serial FC-1-0',
  'Çështja penale — Dogana e Shqipërisë, Tiranë',
  'Ćevapi Đurđa šž ŽŠ ěř ő ű',
  'office ﬁle ﬃ', // ligature characters pasted from another PDF stay what they are
  'e\u0308 a\u0301', // combining marks after their letter
  'non\u00a0breaking  two spaces\tand a tab',
  'CR_71B5my7YVDE9h4ajIWINi5Ibt1zW7w (RFC 7638)',
  '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'
]

/** One page with every line in every font, drawn by `draw`; the whole PDF, uncompressed. */
async function pdf (draw: (doc: PDFKit.PDFDocument, text: string, x: number, y: number) => void): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', compress: false, font: null as unknown as string, info: { CreationDate: new Date(Date.UTC(2026, 0, 1)) } })
  registerFonts(doc)
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const ended = new Promise((resolve) => doc.on('end', resolve))
  let y = 40
  // Every line twice in each font, the second time at another size: drawLine keeps what a
  // text came to in a font, and must still write it at the size and place asked.
  for (const font of ['regular', 'bold', 'italic', 'mono']) {
    for (const round of [0, 1]) {
      for (const [k, text] of LINES.entries()) {
        doc.font(font).fontSize([7, 8.5, 9.5][(k + round) % 3] as number).fillColor(k % 2 === 0 ? '#111111' : '#b00020')
        draw(doc, text, 56.3 + k * 0.25 + round * 10, y)
        // The position pdfkit leaves behind is part of what the next call sees.
        doc.text('·', { lineBreak: false })
        y += 11.5
        if (y > 800) { doc.addPage(); y = 40 }
      }
    }
  }
  doc.end()
  await ended
  return Buffer.concat(chunks)
}

t.test('drawLine writes the same PDF as doc.text without line breaking', async (t) => {
  const fast = await pdf(drawLine)
  const plain = await pdf((doc, text, x, y) => { doc.text(text, x, y, { lineBreak: false }) })
  t.ok(fast.includes('TJ'), 'the page has text')
  t.equal(fast.length, plain.length, 'the same length')
  t.ok(fast.equals(plain), 'byte for byte the same PDF')
})

/** Blocks of text as the case file draws them, each followed by a dot drawn where the block left the position. */
const BLOCKS: Array<{ text: string, size: number, y: number, options: BlockOptions }> = [
  { text: 'Exhibits', size: 17, y: 60, options: { width: 483 } },
  { text: 'AL-C-2026-0002-I-0001 — Electronic device', size: 10.5, y: 100, options: { width: 483 } },
  { text: 'First line of a note\nsecond line, Çështja ë\nthird', size: 9.5, y: 130, options: { width: 483, lineGap: 1.5 } },
  { text: 'Size  ', size: 7, y: 190, options: { width: 40, align: 'right' } },
  { text: 'Quantity', size: 8, y: 205, options: { width: 60, align: 'right' } },
  { text: 'Quantity', size: 8, y: 212, options: { width: 70, align: 'right' } }, // measured once per font and size
  { text: 'Quantity', size: 9.5, y: 219, options: { width: 70, align: 'right' } },
  { text: 'Seal', size: 8, y: 220, options: { width: 60, align: 'left' } },
  { text: 'A paragraph long enough to be wrapped, which drawBlock breaks into lines where pdfkit does: '.repeat(4), size: 9.5, y: 240, options: { width: 483, lineGap: 1.5 } },
  { text: 'Centred text is left to pdfkit', size: 8.5, y: 330, options: { width: 483, align: 'center' } },
  // A soft hyphen in a line that ends within a hyphen's width of the edge (in the regular font):
  // it fits, but pdfkit wants room for the hyphen too and wraps it.
  { text: `${'a'.repeat(44)}${'i'.repeat(92)} Kon\u00adi`, size: 9.5, y: 350, options: { width: 483 } },
  { text: 'Empty line between\n\nthe two', size: 9.5, y: 395, options: { width: 483 } },
  // Page headers and footers: a reference at the right of its third of the page, and a text too
  // long for its column (pdfkit wraps it, lineBreak: false or not; drawBlock wraps it the same).
  { text: 'AL-C-2026-0002', size: 8, y: 425, options: { width: 160, align: 'right' } },
  { text: 'Drejtoria e Përgjithshme e Doganave, Tiranë', size: 8, y: 440, options: { width: 60 } },
  // Custody table cells wrapped in narrow columns; the same text again (measured once), at
  // another width, right-aligned, with a line break of its own, and a word longer than the column.
  { text: 'Technical examination at the customs laboratory', size: 8, y: 480, options: { width: 95.4888 } },
  { text: 'Technical examination at the customs laboratory', size: 8, y: 520, options: { width: 95.4888 } },
  { text: 'Technical examination at the customs laboratory', size: 8, y: 560, options: { width: 140 } },
  { text: 'Output frequency measured;\nrating plate photographed and the seal checked again', size: 8, y: 590, options: { width: 95.4888, align: 'right' } },
  { text: 'CR_71B5my7YVDE9h4ajIWINi5Ibt1zW7wCR_71B5my7YVDE9h4 (RFC 7638)', size: 8, y: 650, options: { width: 60 } },
  { text: 'Pajisje elektronike e sekuestruar në pikën kufitare të Qafë Thanës, e vulosur', size: 9.5, y: 700, options: { width: 120, lineGap: 1.5 } },
  { text: 'At the foot of the page\nthe second line would pass the margin', size: 9.5, y: 758, options: { width: 483 } }
]

t.test('drawBlock writes the same PDF as doc.text with a width, and leaves the same position', async (t) => {
  const positions: Array<Array<[number, number]>> = [[], []]
  const draw = async (k: 0 | 1, block: (doc: PDFKit.PDFDocument, text: string, x: number, y: number, options: BlockOptions) => void): Promise<Buffer> => {
    const doc = new PDFDocument({ size: 'A4', margins: { top: 72, bottom: 64, left: 56, right: 56 }, compress: false, font: null as unknown as string, info: { CreationDate: new Date(Date.UTC(2026, 0, 1)) } })
    registerFonts(doc)
    const chunks: Buffer[] = []
    doc.on('data', (c: Buffer) => chunks.push(c))
    const ended = new Promise((resolve) => doc.on('end', resolve))
    for (const font of ['regular', 'bold']) {
      for (const b of BLOCKS) {
        doc.font(font).fontSize(b.size)
        block(doc, b.text, 56, b.y, b.options)
        positions[k]?.push([doc.x, doc.y])
        doc.text('·', { lineBreak: false })
      }
      doc.addPage()
    }
    doc.end()
    await ended
    return Buffer.concat(chunks)
  }
  const fast = await draw(0, drawBlock)
  const plain = await draw(1, (doc, text, x, y, options) => { doc.text(text, x, y, options) })
  t.same(positions[0], positions[1], 'the same position after every block')
  t.equal(fast.length, plain.length, 'the same length')
  t.ok(fast.equals(plain), 'byte for byte the same PDF')
})

t.test('wrappedLines breaks a text where pdfkit does, and measures it as heightOfString does', async (t) => {
  const doc = new PDFDocument({ size: 'A4', compress: false, font: null as unknown as string })
  registerFonts(doc)
  for (const font of ['regular', 'mono']) {
    for (const b of BLOCKS) {
      doc.font(font).fontSize(b.size)
      const wrapped = wrappedLines(doc, b.text, b.options.width, b.options.lineGap)
      t.equal(wrapped.height, doc.heightOfString(b.text, { width: b.options.width, lineGap: b.options.lineGap }), `${font} ${b.size}, width ${b.options.width}: ${JSON.stringify(b.text.slice(0, 30))} is ${wrapped.lines.length} line(s) as high as heightOfString says`)
      t.equal(wrappedLines(doc, b.text, b.options.width, b.options.lineGap), wrapped, 'and is measured once')
    }
  }
  doc.font('regular').fontSize(8)
  t.ok(wrappedLines(doc, 'Technical examination at the customs laboratory', 60).lines.length > wrappedLines(doc, 'Technical examination at the customs laboratory', 140).lines.length, 'a narrower column has more lines')
  t.same([doc.x, doc.y], [72, 72], 'the position is left where it was')
})

t.test('the case file writes dates as Intl does, in each language', async (t) => {
  const random = (seed: number): number => { const x = Math.sin(seed) * 10000; return x - Math.floor(x) }
  const dates = [
    Date.UTC(2026, 0, 1, 0, 0), Date.UTC(2026, 11, 31, 23, 59), Date.UTC(2024, 1, 29, 12, 30), Date.UTC(2026, 2, 29, 0, 30),
    ...Array.from({ length: 500 }, (_, i) => Date.UTC(1990, 0, 1) + Math.floor(random(i + 1) * 60 * 365.25 * 86400000))
  ].map((ms) => new Date(ms))
  for (const locale of ['en-GB', 'sq-AL', 'en-US', 'de-DE']) {
    const intl = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' })
    const format = dateFormatter(locale)
    const wrong = dates.filter((d) => format(d) !== intl.format(d))
    t.same(wrong.map((d) => `${d.toISOString()}: ${format(d)} != ${intl.format(d)}`), [], `${locale}: ${dates.length} dates as Intl writes them (e.g. ${format(dates[2] as Date)})`)
  }
  t.equal(dateFormatter('en-GB')(new Date('0800-05-01T10:00:00Z')), new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(new Date('0800-05-01T10:00:00Z')), 'a year before 1000 is left to Intl')
})
