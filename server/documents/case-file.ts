import PDFDocument from 'pdfkit'
import type { AttachmentRecord, CaseActionRecord, CaseRecord, CustodyEventRecord } from '../services/audit-events.js'
import type { SeizureRecord } from '../services/seizure-records.js'
import { registerFonts } from './fonts.js'
import type { Printable } from './printable.js'
import { drawQr } from './qr.js'
import type { CaseFileTemplate, Texts } from './template.js'

/** Everything the case file shows, gathered by the bundle service; the renderer reads nothing else. */
export interface CaseFileModel {
  generatedAt: string
  agency: { code: string, name: string, country: string }
  case: CaseRecord
  members: Array<{ name: string, role: string }>
  statusHistory: Array<{ from: string | null, to: string, outcome: string | null, reason: string | null, at: string, by: string }>
  actions: Array<CaseActionRecord & { authorName: string }>
  seizures: Array<SeizureRecord & { recordedByName: string, corrections: number }>
  exhibits: Exhibit[]
  /**
   * Photos in exhibit order. `image` gives the print copy (reduced, upright,
   * opaque: printable.ts), loaded one at a time while the page is laid out;
   * null when the original cannot be decoded, and a notice is printed instead.
   */
  photos: Array<{ label: string, attachment: AttachmentRecord, image: () => Promise<Printable | null> }>
  checkpoint: { note: string, origin: string, size: number, rootHash: string }
  keyThumbprint: string
  /**
   * The manifest the PDF carries as its PDF/A-3 associated file, and its
   * SHA-256 (the cover's QR code). It may arrive while the pages are laid
   * out: the bundle hashes its records and proofs meanwhile.
   */
  manifest: Promise<{ bytes: Buffer, sha256: string }>
}

export interface Exhibit {
  label: string
  description: string
  category: string
  status: string
  sealNumber: string | null
  sealBroken: boolean
  custodianName: string
  location: string | null
  seizureReference: string
  events: Array<CustodyEventRecord & { actorName: string, fromName: string | null, toName: string | null, witnessName: string | null }>
  files: AttachmentRecord[]
}

const A4 = { width: 595.28, height: 841.89 }
const MARGIN = { top: 72, bottom: 64, left: 56, right: 56 }
const WIDTH = A4.width - MARGIN.left - MARGIN.right
const INK = '#111111'
const MUTED = '#555555'
const RULE = '#b8b8b8'
/** RULE as pdfkit writes a colour into a content stream (components 0 to 1). */
const RULE_RGB = [0xb8, 0xb8, 0xb8].map((c) => c / 255).join(' ')
const ALERT = '#b00020'
const SHADE = '#f0f0ec'
/**
 * Whatever pdfkit's line wrapper breaks a line at, besides running out of
 * width; and the soft hyphen, after which it wants room for a hyphen too.
 * A line with one of these is left to the wrapper.
 */
const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029\u00ad]/
/** The width of the label column of facts(). */
const FACT_LABEL = 130

interface Column { header: string, width: number, mono?: boolean, align?: 'left' | 'right' }
interface TocEntry { title: string, page: number, level: number }
interface Cell { lines: string[] | null, h: number }

/** Bytes in a human unit, in the reader's number format. */
function size (x: Texts, bytes: number): string {
  if (bytes < 1024) return `${x.number(bytes)} B`
  if (bytes < 1024 ** 2) return `${x.number(bytes / 1024, 1)} KiB`
  if (bytes < 1024 ** 3) return `${x.number(bytes / 1024 ** 2, 1)} MiB`
  return `${x.number(bytes / 1024 ** 3, 2)} GiB`
}

/**
 * The anomalies of one chain of custody, as VERIFIABILITY.md asks them called
 * out. A hand-over not received is an anomaly once it has waited longer than the
 * gap allowed between a hand-over and its receipt, at the file's generation
 * time `at`; before that the exhibit is simply in transit.
 */
export function custodyAnomalies (events: Exhibit['events'], limits: CaseFileTemplate['anomalies'], at: string): Array<{ seq: number, key: string, vars: Record<string, string | number> }> {
  const found: Array<{ seq: number, key: string, vars: Record<string, string | number> }> = []
  const hours = (a: string, b: string): number => (Date.parse(b) - Date.parse(a)) / 3600000
  events.forEach((e, i) => {
    if (e.sealIntact === false) found.push({ seq: e.seq, key: 'anomaly.brokenSeal', vars: { seq: e.seq, seal: e.sealNumber ?? '—' } })
    if (e.type === 'transferred') {
      const receipt = events.slice(i + 1).find((r) => r.type === 'received')
      if (receipt === undefined) {
        if (hours(e.occurredAt, at) > limits.handoverGapHours) found.push({ seq: e.seq, key: 'anomaly.pendingHandover', vars: { seq: e.seq, hours: Math.round(hours(e.occurredAt, at)) } })
      }
      else if (hours(e.occurredAt, receipt.occurredAt) > limits.handoverGapHours) {
        found.push({ seq: e.seq, key: 'anomaly.handoverGap', vars: { from: e.seq, to: receipt.seq, hours: Math.round(hours(e.occurredAt, receipt.occurredAt)) } })
      }
    }
    const late = hours(e.occurredAt, e.recordedAt)
    if (late > limits.lateRecordingHours) found.push({ seq: e.seq, key: 'anomaly.lateRecording', vars: { seq: e.seq, hours: Math.round(late) } })
  })
  return found
}

/** What Writer.line uses of a pdfkit document beyond its published types (pdfkit 0.20). */
interface GlyphPosition { xAdvance: number, advanceWidth: number, xOffset: number, yOffset: number }
interface PdfkitInternals {
  _font: { id: string, ascender: number, ref: () => unknown, encode: (text: string) => [string[], GlyphPosition[]] }
  _initOptions: (options: object) => object
  _text: (text: string, x: number, y: number, options: object, line: (text: string) => void) => void
  _fontSize: number
  page: { height: number, margins: { bottom: number }, fonts: Record<string, unknown> }
  _lineGap?: number
  addContent: (data: string | Uint8Array) => void
  x: number
  y: number
}

/**
 * Operators into the current page's content stream, as doc.addContent(ops)
 * writes them (the text and a newline, one byte a character) but converted
 * natively instead of character by character.
 */
function writeContent (doc: PdfkitInternals, ops: string): void {
  doc.addContent(Buffer.from(`${ops}\n`, 'latin1'))
}

/**
 * pdfkit copies the document information (title, author, subject, keywords)
 * into the XMP metadata as it is: a case title with "<" or "&" would make
 * the XMP ill-formed XML (PDF/A) or put elements of its own into it (a
 * second Keywords, say). The XMP gets them escaped; the document information
 * dictionary, a PDF string, keeps them as written.
 */
function escapeXmpInfo (pdf: PDFKit.PDFDocument): void {
  const doc = pdf as unknown as { _addInfo: () => void, info: Record<string, unknown> }
  const addInfo = doc._addInfo
  doc._addInfo = function (this: typeof doc): void {
    const written = { ...this.info }
    for (const [key, value] of Object.entries(written)) {
      if (typeof value === 'string') this.info[key] = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    }
    try {
      addInfo.call(this)
    } finally {
      Object.assign(this.info, written)
    }
  }
}

/** A number in a content stream as pdfkit writes it (PDFObject.number). */
function num (n: number): number {
  return Math.round(n * 1e6) / 1e6
}

/** A line as drawLine writes it in one font: its TJ operand (glyph ids and kerning) and its advance in font units; null when pdfkit must draw it. */
type Encoded = { tj: string, advances: number[] } | null

/**
 * What drawLine and the width of a line come to, per font object of one
 * document (each document has its own fonts and glyph subsets) and text: a
 * case file draws the same names, dates, places and statuses thousands of
 * times (on the reference case, 17,000 lines of 1,800 different texts, and
 * 29,000 widths of 1,600), and laying each out again was a fifth of the render
 * and much of its garbage. Only pdfkit's own answers are kept, so the bytes
 * are the same (test/case-file-text.test.ts); the first encoding of a text
 * puts its glyphs in the font's subset, as pdfkit needs.
 */
const encodings = new WeakMap<object, Map<string, Encoded>>()
const widths = new WeakMap<object, Map<string, number>>()
const wrappings = new WeakMap<object, Map<string, Wrapped>>()

/** The entries of `cache` kept for `font`, made empty on first use. */
function kept<T> (cache: WeakMap<object, Map<string, T>>, font: object): Map<string, T> {
  let known = cache.get(font)
  if (known === undefined) cache.set(font, known = new Map())
  return known
}

/** A text as pdfkit's line wrapper breaks it: the lines it draws, and the height heightOfString gives. */
interface Wrapped { lines: string[], height: number }

function encoded (font: PdfkitInternals['_font'], text: string): Encoded {
  const known = kept(encodings, font)
  const hit = known.get(text)
  if (hit !== undefined) return hit
  const [glyphs, positions] = font.encode(text)
  const segments: string[] = []
  const advances: number[] = []
  let last = 0
  let result: Encoded = null
  const segment = (end: number): void => {
    if (last < end) {
      const p = positions[end - 1] as GlyphPosition
      segments.push(`<${glyphs.slice(last, end).join('')}> ${num(-(p.xAdvance - p.advanceWidth))}`)
    }
    last = end
  }
  // Glyphs moved off the line (marks placed by the font) take pdfkit's own path.
  if (positions.every((p) => p.xOffset === 0 && p.yOffset === 0)) {
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i] as GlyphPosition
      if (p.xAdvance !== p.advanceWidth) segment(i + 1)
      advances.push(p.xAdvance)
    }
    segment(positions.length)
    result = { tj: `[${segments.join(' ')}] TJ`, advances }
  }
  known.set(text, result)
  return result
}

/** pdfkit's doc.widthOfString(text) in the current font and size, each text measured once per font and size. */
export function widthOf (pdf: PDFKit.PDFDocument, text: string): number {
  const doc = pdf as unknown as PdfkitInternals
  const known = kept(widths, doc._font)
  const key = `${doc._fontSize}\u0000${text}`
  let width = known.get(key)
  if (width === undefined) known.set(key, width = pdf.widthOfString(text))
  return width
}

/**
 * One line of text with its top left at (x, y), in the current font, size
 * and colour: the operators `doc.text(line, x, y, { lineBreak: false })`
 * writes (the same bytes; test/case-file-text.test.ts compares them), as one
 * write instead of eight, without that call's option handling and second
 * measuring. Tens of thousands of table cells and facts go through here.
 */
export function drawLine (pdf: PDFKit.PDFDocument, text: string, x: number, y: number): void {
  const doc = pdf as unknown as PdfkitInternals
  // pdfkit writes nothing for no text, and only moves to (x, y).
  if (text === '') { doc.x = x; doc.y = y; return }
  const font = doc._font
  const size = doc._fontSize
  if (doc.page.fonts[font.id] == null) doc.page.fonts[font.id] = font.ref()
  const line = encoded(font, text)
  if (line === null) { pdf.text(text, x, y, { lineBreak: false }); return }
  const scale = size / 1000
  const baseline = doc.page.height - y - (font.ascender / 1000) * size
  writeContent(doc, `q\n1 0 0 -1 0 ${num(doc.page.height)} cm\nBT\n1 0 0 1 ${num(x)} ${num(baseline)} Tm\n/${font.id} ${num(size)} Tf\n${line.tj}\nET\nQ`)
  // Added glyph by glyph, as pdfkit does: the same rounding.
  let width = 0
  for (const advance of line.advances) width += advance * scale
  doc.x = x + width
  doc.y = y
}

/**
 * The lines pdfkit's wrapper breaks `text` into at `width` in the current font
 * and size, and their height with `lineGap` (or the document's) between them:
 * heightOfString's pass over the text, keeping the lines it finds. Drawn with
 * placeLines, they are what doc.text would draw after wrapping the text once
 * more (test/case-file-text.test.ts compares them). Kept per font, size,
 * width and text: a custody table repeats its purposes and notes.
 */
export function wrappedLines (pdf: PDFKit.PDFDocument, text: string, width: number, lineGap?: number): Wrapped {
  const doc = pdf as unknown as PdfkitInternals
  const known = kept(wrappings, doc._font)
  const key = `${doc._fontSize}\u0000${width}\u0000${lineGap ?? ''}\u0000${text}`
  const hit = known.get(key)
  if (hit !== undefined) return hit
  // As heightOfString does it (pdfkit 0.20): no height limit, each line moves the position down.
  const { x, y } = doc
  const options = doc._initOptions({ width, lineGap }) as { height: number, lineGap?: number }
  options.height = Infinity
  const gap = options.lineGap || doc._lineGap || 0
  const lines: string[] = []
  doc._text(text, doc.x, doc.y, options, (line) => {
    lines.push(`${line}`.replace(/\n/g, '')) // as _fragment draws it
    doc.y += pdf.currentLineHeight(true) + gap
  })
  const wrapped = { lines, height: doc.y - y }
  doc.x = x
  doc.y = y
  known.set(key, wrapped)
  return wrapped
}

/**
 * The lines of `text` when each of its lines (split at "\n") fits `width` in
 * the document's current font, with half a point to spare so that pdfkit's
 * line wrapper would agree; null when one must be wrapped. Most table cells
 * and facts are such short lines, and drawing them line by line without the
 * wrapper is most of the saving on a case file of thousands of rows.
 */
function shortLines (doc: PDFKit.PDFDocument, text: string, width: number): string[] | null {
  const lines = text.split('\n')
  for (const line of lines) {
    if (LINE_BREAK.test(line) || (line === '' && lines.length > 1) || widthOf(doc, line) >= width - 0.5) return null
  }
  return lines
}

export interface BlockOptions { width: number, align?: 'left' | 'right' | 'center', lineGap?: number }

/**
 * doc.text(text, x, y, { width, align, lineGap }) for a text that stays on
 * this page: its lines when they fit `width` (shortLines), else as the wrapper
 * breaks them (wrappedLines), drawn line by line: the same operators, and the
 * same position after it (test/case-file-text.test.ts compares them). A page
 * break the wrapper would make, an empty line and centred text are left to
 * doc.text.
 */
export function drawBlock (pdf: PDFKit.PDFDocument, text: string, x: number, y: number, options: BlockOptions): void {
  const doc = pdf as unknown as PdfkitInternals
  const lines = options.align === 'center' ? null : shortLines(pdf, text, options.width) ?? wrappedLines(pdf, text, options.width, options.lineGap).lines
  const height = pdf.currentLineHeight(true)
  const step = height + (options.lineGap || doc._lineGap || 0) // as pdfkit's _line reads it
  // The wrapper starts a new page when a line would pass the bottom margin; a point to spare.
  if (lines === null || lines.includes('') || y + (lines.length - 1) * step + height > doc.page.height - doc.page.margins.bottom - 1) {
    pdf.text(text, x, y, options)
    return
  }
  doc.y = placeLines(pdf, lines, x, y, step, options.width, options.align)
  doc.x = x
}

/**
 * Short lines (shortLines) drawn from (x, y), `step` apart, left- or
 * right-aligned in `width` as pdfkit's wrapper places them (trailing spaces
 * do not count); empty lines are skipped. Answers the y below the last line.
 */
function placeLines (pdf: PDFKit.PDFDocument, lines: string[], x: number, y: number, step: number, width: number, align?: 'left' | 'right' | 'center'): number {
  let at = y
  for (const line of lines) {
    if (line !== '') drawLine(pdf, line, align === 'right' ? x + width - widthOf(pdf, line.replace(/\s+$/, '')) : x, at)
    at += step // line by line, as the wrapper moves down (the same rounding)
  }
  return at
}

class Writer {
  readonly toc: TocEntry[] = []
  constructor (readonly doc: PDFKit.PDFDocument, readonly x: Texts) {}

  get bottom (): number { return A4.height - MARGIN.bottom }

  ensure (height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage()
  }

  section (key: string): void {
    this.doc.addPage()
    this.heading(this.x.t(key), 1)
  }

  /**
   * A heading; sections, seizures and exhibits (`inContents`) are listed in
   * the contents. A sub-heading keeps on its page the start of what follows
   * it: `next` points (paragraphStart, factsStart, tableStart measure it).
   */
  heading (title: string, level: 1 | 2 | 3, inContents = level < 3, next = 48): void {
    const sizes = { 1: 17, 2: 13, 3: 10.5 }
    this.ensure(sizes[level] * 3.2 + (level > 1 ? next : 0))
    if (level > 1) this.doc.moveDown(0.6)
    if (inContents) this.toc.push({ title, page: this.doc.bufferedPageRange().count, level })
    this.doc.font('bold').fontSize(sizes[level]).fillColor(INK)
    this.block(title, MARGIN.left, this.doc.y, { width: WIDTH })
    if (level === 1) {
      const y = this.doc.y + 3
      this.doc.moveTo(MARGIN.left, y).lineTo(MARGIN.left + WIDTH, y).lineWidth(1).strokeColor(INK).stroke()
      this.doc.y = y + 10
    } else {
      this.doc.moveDown(0.3)
    }
  }

  paragraph (text: string, options: { size?: number, color?: string, font?: string } = {}): void {
    this.doc.font(options.font ?? 'regular').fontSize(options.size ?? 9.5).fillColor(options.color ?? INK)
    this.ensure(this.paragraphStart(text, options))
    this.block(text, MARGIN.left, this.doc.y, { width: WIDTH, lineGap: 1.5 })
    this.doc.moveDown(0.4)
  }

  /**
   * The room a paragraph needs on the page it starts on: all of a short one
   * (up to six lines), which moves to the next page whole; three lines of a
   * longer one, which runs on over the page break (moved whole, it could
   * leave its heading alone at the foot of a page).
   */
  paragraphStart (text: string, options: { size?: number, font?: string } = {}): number {
    this.doc.font(options.font ?? 'regular').fontSize(options.size ?? 9.5)
    // Measured as paragraph() draws it (the line gap, the lines kept for drawBlock).
    const h = wrappedLines(this.doc, text, WIDTH, 1.5).height
    const line = this.doc.currentLineHeight(true) + 1.5
    return h <= 6 * line ? h : 3 * line
  }

  /** The lines of `text` when they are short (shortLines), in the current font. */
  shortLines (text: string, width: number): string[] | null {
    return shortLines(this.doc, text, width)
  }

  /** Draws short lines (shortLines) from (x, y), one line height apart, as pdfkit's wrapper would. */
  drawLines (lines: string[], x: number, y: number, width: number, align: 'left' | 'right' = 'left'): void {
    placeLines(this.doc, lines, x, y, this.doc.currentLineHeight(true), width, align)
  }

  /** doc.text(text, x, y, { width, align, lineGap }), without the wrapper when it can (drawBlock). */
  block (text: string, x: number, y: number, options: BlockOptions): void {
    drawBlock(this.doc, text, x, y, options)
  }

  /** One line of text at (x, y) without the wrapper (drawLine). */
  line (text: string, x: number, y: number): void {
    drawLine(this.doc, text, x, y)
  }

  /** The height of one label / value row of facts(), and its value's lines when they are short. */
  private factRow (label: string, value: string): { h: number, lines: string[] | null } {
    this.doc.font('regular').fontSize(9)
    const lines = this.shortLines(label, FACT_LABEL - 8)?.length === 1 ? this.shortLines(value, WIDTH - FACT_LABEL) : null
    if (lines !== null) return { h: Math.max(lines.length * this.doc.currentLineHeight(true), 11), lines }
    // A label that wraps in its column may be the taller of the two.
    return { h: Math.max(wrappedLines(this.doc, value, WIDTH - FACT_LABEL).height, wrappedLines(this.doc, label, FACT_LABEL - 8).height, 11), lines }
  }

  /** The room facts() needs on the page it starts on: its first row. */
  factsStart (rows: Array<[string, string | null | undefined]>): number {
    const first = rows.find(([, value]) => value != null && value !== '')
    return first === undefined ? 0 : this.factRow(first[0], first[1] ?? '').h + 3
  }

  /** Label / value rows; long values wrap in their column. */
  facts (rows: Array<[string, string | null | undefined]>): void {
    const labelWidth = FACT_LABEL
    for (const [label, value] of rows) {
      if (value == null || value === '') continue
      const { h, lines } = this.factRow(label, value)
      this.ensure(h + 3)
      const y = this.doc.y
      if (lines !== null) {
        this.doc.fillColor(MUTED)
        this.line(label, MARGIN.left, y)
        this.doc.fillColor(INK)
        this.drawLines(lines, MARGIN.left + labelWidth, y, WIDTH - labelWidth)
        this.doc.y = y + h + 3
      } else {
        this.doc.fillColor(MUTED).text(label, MARGIN.left, y, { width: labelWidth - 8 })
        this.doc.fillColor(INK).text(value, MARGIN.left + labelWidth, y, { width: WIDTH - labelWidth })
        this.doc.y = Math.max(this.doc.y, y + h) + 3
      }
    }
    this.doc.moveDown(0.3)
  }

  /** How a table's cells are measured: column widths, fonts, lines and heights of cells and rows. */
  private tableMetrics (columns: Column[], options: { size?: number }) {
    const fontSize = options.size ?? 8
    const pad = 3
    const total = columns.reduce((s, c) => s + c.width, 0)
    const widths = columns.map((c) => (c.width / total) * WIDTH)
    const lineHeights = new Map<string, number>()
    const lineHeight = (font: string): number => {
      let h = lineHeights.get(font)
      if (h === undefined) lineHeights.set(font, h = this.doc.font(font).fontSize(fontSize).currentLineHeight(true))
      return h
    }
    const fontOf = (i: number): string => (columns[i]?.mono === true ? 'mono' : 'regular')
    /** A cell in column i: its lines when they are short (drawn without the wrapper, see shortLines), and its height. */
    const cell = (text: string, i: number, font: string): Cell => {
      const width = (widths[i] ?? 0) - 2 * pad
      this.doc.font(font).fontSize(fontSize)
      const lines = this.shortLines(text, width)
      if (lines !== null) return { lines, h: lines.length * lineHeight(font) }
      const wrapped = wrappedLines(this.doc, text === '' ? ' ' : text, width)
      return { lines: wrapped.lines.includes('') ? null : wrapped.lines, h: wrapped.height }
    }
    const cellHeight = (text: string, i: number, font: string): number => cell(text, i, font).h
    const headerHeight = (): number => Math.max(...columns.map((c, i) => cellHeight(c.header, i, 'bold'))) + 2 * pad
    /** A row's cells, measured once for its height and its drawing. */
    const measure = (row: string[]): { cells: Cell[], h: number } => {
      const cells = row.map((text, i) => cell(text, i, fontOf(i)))
      return { cells, h: Math.max(...cells.map((c) => c.h)) + 2 * pad }
    }
    // The header never stands alone at the foot of a page: it needs room for the first row too
    // (up to 120 pt: a taller row breaks across pages anyway).
    const start = (rows: string[][]): number => headerHeight() + Math.min(rows[0] === undefined ? 0 : measure(rows[0]).h, 120)
    return { fontSize, pad, widths, cellHeight, fontOf, headerHeight, measure, start }
  }

  /** The room table() needs on the page it starts on: its header and (the start of) its first row. */
  tableStart (columns: Column[], rows: string[][], options: { size?: number } = {}): number {
    return this.tableMetrics(columns, options).start(rows)
  }

  /** A sub-heading and the table under it, kept together at a page foot. */
  headedTable (title: string, columns: Column[], rows: string[][], options: { size?: number, marks?: boolean[], inContents?: boolean } = {}): void {
    this.heading(title, 3, options.inContents ?? false, this.tableStart(columns, rows, options))
    this.table(columns, rows, { ...options, title })
  }

  /** A sub-heading and the paragraph under it, kept together at a page foot. */
  headedParagraph (title: string, text: string): void {
    this.heading(title, 3, false, this.paragraphStart(text))
    this.paragraph(text)
  }

  /**
   * A table that breaks across pages with its header repeated, under its
   * `title` marked as continued (a reader who opens the file at that page
   * sees whose table it is); `marks` flags rows (anomalies) in red.
   */
  table (columns: Column[], rows: string[][], options: { size?: number, marks?: boolean[], title?: string } = {}): void {
    const { fontSize, pad, widths, cellHeight, fontOf, headerHeight, measure, start } = this.tableMetrics(columns, options)
    const header = (): void => {
      const h = headerHeight()
      const y = this.doc.y
      this.doc.rect(MARGIN.left, y, WIDTH, h).fill(SHADE)
      let x = MARGIN.left
      columns.forEach((c, i) => {
        this.doc.font('bold').fontSize(fontSize).fillColor(INK)
        this.block(c.header, x + pad, y + pad, { width: (widths[i] ?? 0) - 2 * pad, align: c.align ?? 'left' })
        x += widths[i] ?? 0
      })
      this.doc.y = y + h
    }
    this.ensure(start(rows))
    header()
    // On each page the table runs on to: "<title> (continued)" over the header.
    const caption = options.title === undefined ? undefined : this.x.t('table.continued', { title: options.title })
    const captionFont = (): PDFKit.PDFDocument => this.doc.font('italic').fontSize(fontSize + 0.5)
    const captionHeight = (): number => caption === undefined ? 0 : captionFont().heightOfString(caption, { width: WIDTH }) + this.doc.currentLineHeight(true) * 0.3
    const nextPage = (): void => {
      this.doc.addPage()
      if (caption !== undefined) {
        captionFont().fillColor(MUTED)
        this.block(caption, MARGIN.left, this.doc.y, { width: WIDTH })
        this.doc.moveDown(0.3)
      }
      header()
    }
    const drawRow = (row: string[], cells: Cell[], h: number, marked: boolean): void => {
      const y = this.doc.y
      if (marked) this.doc.rect(MARGIN.left, y, 2.5, h).fill(ALERT)
      let x = MARGIN.left
      let color: string | undefined
      row.forEach((text, i) => {
        const column = columns[i]
        const width = (widths[i] ?? 0) - 2 * pad
        const lines = cells[i]?.lines ?? null
        if (text !== '') {
          const wanted = marked && i === 0 ? ALERT : INK
          if (wanted !== color) this.doc.fillColor(color = wanted)
          this.doc.font(fontOf(i)).fontSize(fontSize)
          if (lines !== null) this.drawLines(lines, x + pad, y + pad, width, column?.align)
          else this.doc.text(text, x + pad, y + pad, { width, align: column?.align ?? 'left', height: h - 2 * pad })
        }
        x += widths[i] ?? 0
      })
      this.rule(y + h)
      this.doc.y = y + h
    }
    /** The longest word-boundary prefix of `text` that fits `height` in column i (binary search). */
    const fitting = (text: string, i: number, height: number): number => {
      if (cellHeight(text, i, fontOf(i)) <= height) return text.length
      let lo = 0
      let hi = text.length
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1
        if (cellHeight(text.slice(0, mid), i, fontOf(i)) <= height) lo = mid; else hi = mid
      }
      const space = text.lastIndexOf(' ', lo)
      return space > lo / 2 ? space + 1 : lo
    }
    // A new page's room for rows: below the header, and the continued caption over it.
    const pageBody = this.bottom - MARGIN.top - 40 - captionHeight()
    rows.forEach((row, r) => {
      const marked = options.marks?.[r] === true
      let rest = row
      let m = measure(rest)
      // A row taller than a page is split across pages, the header repeated on each.
      while (m.h > this.bottom - this.doc.y && m.h > pageBody) {
        const room = this.bottom - this.doc.y - 2 * pad
        if (room < 40) { nextPage(); continue }
        const cut = rest.map((cell, i) => fitting(cell, i, room))
        const part = rest.map((cell, i) => cell.slice(0, cut[i]))
        drawRow(part, measure(part).cells, room + 2 * pad, marked)
        rest = rest.map((cell, i) => cell.slice(cut[i]))
        m = measure(rest)
        nextPage()
      }
      if (this.doc.y + m.h > this.bottom) nextPage()
      drawRow(rest, m.cells, m.h, marked)
    })
    // The space after the table in the last column's font, whether or not its last cell was empty.
    this.doc.font(fontOf(columns.length - 1)).fontSize(fontSize).moveDown(0.8)
  }

  /** The thin rule under a table row, across the text width: one write of the operators pdfkit's moveTo, lineTo, lineWidth, strokeColor and stroke would make. */
  private rule (y: number): void {
    writeContent(this.doc as unknown as PdfkitInternals, `${num(MARGIN.left)} ${num(y)} m\n${num(MARGIN.left + WIDTH)} ${num(y)} l\n0.4 w\n/DeviceRGB CS\n${RULE_RGB} SCN\nS`)
  }
}

/** The cover; answers where the manifest block goes (drawManifestBlock). */
function cover (w: Writer, m: CaseFileModel): { page: number, y: number } {
  const { doc, x } = w
  doc.font('regular').fontSize(11).fillColor(MUTED).text(m.agency.name, MARGIN.left, MARGIN.top + 10, { width: WIDTH, align: 'center' })
  doc.moveDown(1.5).font('bold').fontSize(12).fillColor(INK).text(x.t('cover.kind'), { width: WIDTH, align: 'center', characterSpacing: 2 })
  doc.moveDown(0.6).fontSize(26).text(m.case.reference, { width: WIDTH, align: 'center' })
  doc.moveDown(0.3).font('regular').fontSize(13).text(m.case.title, { width: WIDTH, align: 'center' })
  doc.moveDown(1.5)
  w.facts([
    [x.t('cover.status'), x.e('status', m.case.status)],
    [x.t('cover.outcome'), m.case.outcome === null ? null : x.e('outcome', m.case.outcome)],
    [x.t('cover.offences'), m.case.offences.map((o) => `${o.law}, ${o.article}${o.description === null ? '' : ` — ${o.description}`}`).join('\n')],
    [x.t('cover.members'), m.members.map((p) => `${p.name} (${x.e('role', p.role)})`).join('\n')],
    [x.t('cover.generated'), x.date(m.generatedAt)],
    [x.t('cover.checkpoint'), `${m.checkpoint.origin}, ${x.t('cover.treeSize', { size: m.checkpoint.size })}\n${x.t('cover.rootHash')} ${m.checkpoint.rootHash}`],
    [x.t('cover.key'), m.keyThumbprint]
  ])
  // The QR code, its caption, the hash and the notice take QR + 90 points: at the foot of the
  // cover, or at the top of the next page when the facts (many offences) leave no room for them.
  const block = QR + 90
  const overflows = doc.y + 10 + block > A4.height - MARGIN.bottom
  if (overflows) doc.addPage()
  const y = overflows ? doc.y + 10 : Math.max(doc.y + 10, A4.height - MARGIN.bottom - block)
  doc.y = y + block
  return { page: doc.bufferedPageRange().count - 1, y }
}

const QR = 120

/** The cover's manifest block, drawn where cover() left room once the manifest's hash is known. */
function drawManifestBlock (w: Writer, m: CaseFileModel, at: { page: number, y: number }, manifestSha256: string): void {
  const { doc, x } = w
  doc.switchToPage(at.page)
  drawQr(doc, manifestSha256, MARGIN.left + (WIDTH - QR) / 2, at.y, QR)
  doc.font('regular').fontSize(8).fillColor(MUTED).text(x.t('cover.manifest'), MARGIN.left, at.y + QR + 4, { width: WIDTH, align: 'center' })
  doc.font('mono').fontSize(7.5).fillColor(INK).text(manifestSha256, { width: WIDTH, align: 'center' })
  doc.moveDown(0.8).font('italic').fontSize(8).fillColor(MUTED).text(x.t('cover.notice', { agency: m.agency.name }), { width: WIDTH, align: 'center' })
}

function caseSection (w: Writer, m: CaseFileModel): void {
  const { x } = w
  w.section('case')
  if (m.case.summary !== null) w.headedParagraph(x.t('case.summary'), m.case.summary)
  w.headedTable(x.t('case.history'), [{ header: x.t('seizure.occurredAt'), width: 22 }, { header: x.t('cover.status'), width: 26 }, { header: x.t('custody.details'), width: 52 }],
    m.statusHistory.map((s) => [x.date(s.at), `${x.e('status', s.to)}${s.outcome === null ? '' : ` (${x.e('outcome', s.outcome)})`}`, `${s.reason ?? ''} — ${s.by}`]))
  w.heading(x.t('case.actions'), 3)
  if (m.actions.length === 0) w.paragraph(x.t('case.noActions'), { color: MUTED })
  for (const a of m.actions) {
    w.paragraph(`${x.date(a.occurredAt)} · ${a.authorName}`, { size: 8, color: MUTED })
    w.paragraph(a.title, { font: 'bold' })
    if (a.text !== null) w.paragraph(a.text)
  }
}

function seizuresSection (w: Writer, m: CaseFileModel): void {
  const { x } = w
  w.section('seizures')
  m.seizures.forEach((s, i) => {
    if (i > 0) w.doc.addPage()
    w.heading(`${s.reference} — ${s.place.name}`, 2)
    if (s.corrections > 0) w.paragraph(x.t('seizure.version', { version: s.version, count: s.corrections }), { size: 8, color: MUTED })
    const ends = [s.route.origin, s.route.destination].filter((c) => c !== null).join(' – ')
    const route = s.route.transit.length === 0 ? ends : `${ends}, ${x.t('route.via', { countries: s.route.transit.join(', ') })}`
    w.facts([
      [x.t('seizure.occurredAt'), x.date(s.occurredAt)],
      [x.t('seizure.recordedAt'), `${x.date(s.recordedAt)} — ${s.recordedByName}`],
      [x.t('seizure.place'), `${s.place.name}${s.place.locode === null ? '' : ` (UN/LOCODE ${s.place.locode})`}`],
      [x.t('seizure.placeType'), s.place.type === null ? null : x.e('placeType', s.place.type)],
      [x.t('seizure.coordinates'), s.place.lat === null || s.place.lon === null ? null : `${s.place.lat.toFixed(5)}, ${s.place.lon.toFixed(5)}`],
      [x.t('seizure.direction'), x.e('direction', s.direction)],
      [x.t('seizure.transportMode'), x.e('mode', s.transportMode)],
      [x.t('seizure.conveyance'), s.conveyance],
      [x.t('seizure.route'), route === '' ? null : route],
      [x.t('seizure.detection'), x.e('detection', s.detectionMethod)],
      [x.t('seizure.concealment'), s.concealment],
      [x.t('seizure.legalBasis'), s.legalBasis]
    ])
    if (s.narrative !== null) w.headedParagraph(x.t('seizure.narrative'), s.narrative)
    if (s.parties.length > 0) {
      w.headedTable(x.t('seizure.parties'), [{ header: x.t('party.role'), width: 14 }, { header: x.t('party.name'), width: 26 }, { header: x.t('party.country'), width: 9 }, { header: x.t('party.identifier'), width: 19 }, { header: x.t('party.address'), width: 32 }],
        s.parties.map((p) => [x.e('partyRole', p.role), p.name, p.country ?? '', p.identifier ?? '', p.address ?? '']))
    }
    if (s.goods.length > 0) {
      w.headedTable(x.t('seizure.goods'), [{ header: x.t('goods.description'), width: 30 }, { header: x.t('goods.hs'), width: 15, mono: true }, { header: x.t('goods.quantity'), width: 11, align: 'right' }, { header: x.t('goods.value'), width: 14, align: 'right' }, { header: x.t('goods.control'), width: 18 }, { header: x.t('goods.licence'), width: 12 }],
        s.goods.map((g) => [
          g.description, g.hsCode, `${x.number(g.quantity, 3)} ${g.unit}`,
          g.value === null ? '' : `${x.money(g.value.amount)} ${g.value.currency}`,
          g.strategic.controlled ? `${g.strategic.regime ?? ''} ${g.strategic.entry ?? ''}` : x.t('goods.notControlled'),
          `${x.e('licence', g.licence.status)}${g.licence.number === null ? '' : ` ${g.licence.number}`}`
        ]))
    }
  })
}

function exhibitsSection (w: Writer, m: CaseFileModel): void {
  const { x } = w
  w.section('exhibits')
  for (const e of m.exhibits) {
    const seals = e.events.filter((ev) => ev.sealNumber !== null)
      .map((ev) => `${ev.seq}. ${x.e('event', ev.type)} ${ev.sealNumber ?? ''}${ev.sealIntact === false ? ` (${x.t('custody.broken')})` : ev.sealIntact === true ? ` (${x.t('custody.intact')})` : ''}`)
    const facts: Array<[string, string | null]> = [
      [x.t('exhibit.description'), e.description],
      [x.t('exhibit.seal'), `${e.sealNumber ?? '—'}${e.sealBroken ? ` — ${x.t('exhibit.sealBroken')}` : ''}`],
      [x.t('exhibit.sealHistory'), seals.join('\n')],
      [x.t('exhibit.status'), x.e('itemStatus', e.status)],
      [x.t('exhibit.custodian'), e.custodianName],
      [x.t('exhibit.location'), e.location]
    ]
    w.heading(`${e.label} — ${x.e('category', e.category)}`, 3, true, w.factsStart(facts))
    w.facts(facts)
    if (e.sealBroken) w.paragraph(x.t('exhibit.sealBroken'), { font: 'bold', color: ALERT, size: 9 })
    if (e.files.length === 0) {
      w.paragraph(x.t('exhibit.noFiles'), { size: 8.5, color: MUTED })
    } else {
      // The SHA-256 column fits the 64 hex digits on one line (7 pt mono: 268.8 pt), so that the
      // hash can be read, copied and found by pdftotext whole.
      w.table([{ header: x.t('file.name'), width: 21 }, { header: x.t('file.size'), width: 10, align: 'right' }, { header: x.t('file.type'), width: 11 }, { header: x.t('file.sha256'), width: 58, mono: true }],
        e.files.map((f) => [f.filename, size(x, f.size), f.mediaType, f.sha256]), { size: 7 })
    }
  }
}

function custodySection (w: Writer, m: CaseFileModel, limits: CaseFileTemplate['anomalies']): void {
  const { x } = w
  w.section('custody')
  for (const e of m.exhibits) {
    const anomalies = custodyAnomalies(e.events, limits, m.generatedAt)
    const flagged = new Set(anomalies.map((a) => a.seq))
    w.headedTable(e.label, [
      { header: x.t('custody.seq'), width: 4 }, { header: x.t('custody.when'), width: 17 }, { header: x.t('custody.event'), width: 12 },
      { header: x.t('custody.who'), width: 20 }, { header: x.t('custody.where'), width: 13 }, { header: x.t('custody.seal'), width: 13 }, { header: x.t('custody.details'), width: 21 }
    ], e.events.map((ev) => [
      String(ev.seq),
      `${x.time(ev.occurredAt)}\n${x.time(ev.recordedAt)}`,
      x.e('event', ev.type),
      [ev.actorName, ev.type === 'transferred' && ev.toName !== null ? x.t('custody.to', { name: ev.toName }) : '', ev.type === 'received' && ev.fromName !== null ? x.t('custody.from', { name: ev.fromName }) : ''].filter((s) => s !== '').join('\n'),
      ev.location ?? '',
      ev.sealNumber === null ? '' : `${ev.sealNumber}${ev.sealIntact === false ? `\n${x.t('custody.broken')}` : ev.sealIntact === true ? `\n${x.t('custody.intact')}` : ''}`,
      [ev.purpose, ev.authority, ev.witnessName === null ? null : x.t('custody.witness', { name: ev.witnessName }), ev.notes].filter((s) => s != null && s !== '').join('\n')
    ]), { size: 7, marks: e.events.map((ev) => flagged.has(ev.seq)), inContents: true })
    if (anomalies.length === 0) {
      w.paragraph(x.t('custody.noAnomaly'), { size: 8, color: MUTED })
    } else {
      w.paragraph(x.t('custody.anomalies'), { font: 'bold', size: 8.5, color: ALERT })
      for (const a of anomalies) w.paragraph(`• ${x.t(a.key, a.vars)}`, { size: 8.5, color: ALERT })
    }
  }
}

async function photosSection (w: Writer, m: CaseFileModel): Promise<void> {
  const { doc, x } = w
  w.section('photos')
  if (m.photos.length === 0) { w.paragraph(x.t('photo.noPhotos'), { color: MUTED }); return }
  w.paragraph(x.t('photo.note'), { size: 8.5, color: MUTED })
  const maxHeight = 300
  for (const p of m.photos) {
    const image = await p.image()
    w.ensure(maxHeight + 50)
    const y = doc.y
    if (image === null) {
      doc.save().rect(MARGIN.left, y, WIDTH, 60).lineWidth(0.75).strokeColor(ALERT).stroke().restore()
      doc.font('regular').fontSize(9).fillColor(ALERT).text(x.t('photo.unreadable'), MARGIN.left + 12, y + 12, { width: WIDTH - 24, align: 'center' })
      doc.y = y + 64
    } else {
      doc.image(image.bytes, MARGIN.left, y, { fit: [WIDTH, maxHeight], align: 'center' })
      doc.y = y + maxHeight + 4
    }
    doc.font('regular').fontSize(8.5).fillColor(INK)
      .text(x.t('photo.caption', { label: p.label, file: p.attachment.filename, time: x.date(p.attachment.capturedAt ?? p.attachment.uploadedAt) }), MARGIN.left, doc.y, { width: WIDTH, align: 'center' })
    doc.font('mono').fontSize(7).fillColor(MUTED).text(`SHA-256 ${p.attachment.sha256}`, { width: WIDTH, align: 'center' })
    doc.moveDown(1.2)
  }
}

async function certificateSection (w: Writer, m: CaseFileModel): Promise<void> {
  const { doc, x } = w
  const { sha256: manifestSha256 } = await m.manifest
  w.section('certificate')
  w.paragraph(x.t('certificate.statement', { agency: m.agency.name, time: x.date(m.generatedAt), reference: m.case.reference }), { size: 10 })
  w.paragraph(x.t('certificate.bundle'))
  w.paragraph(x.t('certificate.howto', { thumbprint: m.keyThumbprint }))
  w.facts([[x.t('certificate.manifest'), manifestSha256], [x.t('certificate.key'), m.keyThumbprint]])
  doc.font('mono').fontSize(7.5)
  const h = doc.heightOfString(m.checkpoint.note, { width: WIDTH - 16 })
  w.heading(x.t('certificate.checkpoint'), 3, false, h + 16)
  doc.font('mono').fontSize(7.5)
  w.ensure(h + 16)
  const y = doc.y
  doc.rect(MARGIN.left, y, WIDTH, h + 12).fill(SHADE)
  doc.fillColor(INK).text(m.checkpoint.note, MARGIN.left + 8, y + 6, { width: WIDTH - 16 })
  doc.y = y + h + 18
}

/** Contents, drawn on the pages reserved after the cover once every section's page is known. */
function drawContents (w: Writer, first: number, count: number, entries: TocEntry[]): void {
  const { doc, x } = w
  const perPage = Math.ceil(entries.length / count)
  for (let p = 0; p < count; p++) {
    doc.switchToPage(first + p)
    doc.font('bold').fontSize(17).fillColor(INK).text(x.t('contents'), MARGIN.left, MARGIN.top, { width: WIDTH })
    let y = doc.y + 14
    for (const entry of entries.slice(p * perPage, (p + 1) * perPage)) {
      const indent = (entry.level - 1) * 14
      doc.font(entry.level === 1 ? 'bold' : 'regular').fontSize(entry.level === 1 ? 10.5 : 9).fillColor(INK)
      doc.text(entry.title, MARGIN.left + indent, y, { width: WIDTH - indent - 40, lineBreak: false, ellipsis: true, height: 14 })
      doc.text(String(entry.page), MARGIN.left + WIDTH - 40, y, { width: 40, align: 'right', lineBreak: false })
      y += entry.level === 1 ? 18 : 14
    }
  }
}

/** Header and footer on every page: agency and case reference; page X of Y and the Bates number. */
function drawFurniture (w: Writer, m: CaseFileModel): void {
  const { doc, x } = w
  const range = doc.bufferedPageRange()
  const generated = x.date(m.generatedAt)
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i)
    const saved = doc.page.margins
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 }
    doc.font('regular').fontSize(8).fillColor(MUTED)
    w.block(m.agency.name, MARGIN.left, 32, { width: WIDTH / 2 })
    doc.font('bold')
    w.block(m.case.reference, MARGIN.left + WIDTH / 2, 32, { width: WIDTH / 2, align: 'right' })
    doc.moveTo(MARGIN.left, 46).lineTo(MARGIN.left + WIDTH, 46).lineWidth(0.5).strokeColor(RULE).stroke()
    const fy = A4.height - 40
    doc.moveTo(MARGIN.left, fy - 8).lineTo(MARGIN.left + WIDTH, fy - 8).lineWidth(0.5).strokeColor(RULE).stroke()
    doc.font('regular').fontSize(8).fillColor(MUTED)
    w.block(x.t('footer.page', { page: i + 1, pages: range.count }), MARGIN.left, fy, { width: WIDTH / 3 })
    doc.font('mono').fontSize(8).fillColor(INK).text(`${m.case.reference}-${String(i + 1).padStart(6, '0')}`, MARGIN.left + WIDTH / 3, fy, { width: WIDTH / 3, align: 'center', lineBreak: false })
    doc.font('regular').fontSize(8).fillColor(MUTED)
    w.block(generated, MARGIN.left + (2 * WIDTH) / 3, fy, { width: WIDTH / 3, align: 'right' })
    doc.page.margins = saved
  }
}

/** How many contents pages the entries need (sections, seizures, exhibits). */
function contentsPages (m: CaseFileModel): number {
  const entries = 6 + m.seizures.length + 2 * m.exhibits.length
  return Math.max(1, Math.ceil(entries / 38))
}

/** What pdfkit keeps of a page until the document ends (bufferPages): its content stream's pieces. */
interface BufferedPage { content: { buffer: Uint8Array[] } }

/**
 * pdfkit (0.20) keeps every drawing operation of a buffered page as its own
 * small Uint8Array until the document ends: a case file of 2,000 custody rows
 * held 230,000 of them, 80 MiB of heap. When a page is finished, its pieces
 * are joined into one, as pdfkit itself does when it writes the page; what is
 * drawn on it later (header, footer) is added after them as before. The bytes
 * written do not change.
 */
function compactFinishedPages (doc: PDFKit.PDFDocument): void {
  const pageOf = (): BufferedPage => (doc as unknown as { page: BufferedPage }).page
  let previous = pageOf()
  doc.on('pageAdded', () => {
    const pieces = previous.content.buffer
    if (pieces.length > 1) {
      const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0))
      let at = 0
      for (const p of pieces) { joined.set(p, at); at += p.length }
      previous.content.buffer = [joined]
    }
    previous = pageOf()
  })
}

/**
 * Renders the court-ready case file: PDF/A-3b, every font embedded, the
 * manifest attached as an associated file. Deterministic: the same model
 * gives the same bytes (dates come from the model, never from the clock).
 * Its bytes go to `write` as pdfkit makes them (many small chunks).
 * `checkpoint` is awaited between sections: the worker lets messages in
 * there and stops a job that was cancelled.
 */
export async function renderCaseFile (m: CaseFileModel, template: CaseFileTemplate, x: Texts, write: (chunk: Buffer) => void, checkpoint: () => Promise<void> = async () => {}): Promise<void> {
  const when = new Date(m.generatedAt)
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    pdfVersion: '1.7',
    subset: 'PDF/A-3b',
    lang: x.lang,
    displayTitle: true,
    // No default font: with one, pdfkit caches it under its path and re-parses the TTF on every
    // doc.font('regular') (its alias is never cached), which made large case files take minutes.
    font: null as unknown as string,
    info: {
      Title: `${x.t('documentTitle')} ${m.case.reference}`,
      Author: m.agency.name,
      Subject: m.case.title,
      Creator: 'Strongroom',
      Producer: 'Strongroom (pdfkit)',
      // No ModDate: pdfkit's XMP carries the creation date only, and PDF/A wants each date of the
      // document information repeated in the XMP.
      CreationDate: when
    }
  })
  registerFonts(doc)
  escapeXmpInfo(doc)
  compactFinishedPages(doc)
  doc.on('data', write)
  const done = new Promise<void>((resolve, reject) => { doc.on('end', resolve); doc.on('error', reject) })

  const w = new Writer(doc, x)
  const manifestBlock = cover(w, m)
  const tocPages = contentsPages(m)
  const tocFirst = doc.bufferedPageRange().count
  for (let i = 0; i < tocPages; i++) doc.addPage()
  const renderers: Record<string, () => void | Promise<void>> = {
    case: () => caseSection(w, m),
    seizures: () => seizuresSection(w, m),
    exhibits: () => exhibitsSection(w, m),
    custody: () => custodySection(w, m, template.anomalies),
    photos: () => photosSection(w, m),
    certificate: () => certificateSection(w, m)
  }
  for (const section of template.sections) {
    await checkpoint()
    await renderers[section]?.()
  }
  await checkpoint()
  const manifest = await m.manifest
  drawManifestBlock(w, m, manifestBlock, manifest.sha256)
  doc.info.Keywords = `${m.case.reference}; ${manifest.sha256}`
  doc.file(manifest.bytes, { name: 'manifest.json', type: 'application/json', description: 'Case bundle manifest (the QR code on the cover carries its SHA-256)', relationship: 'Source', creationDate: when, modifiedDate: when } as unknown as Parameters<PDFKit.PDFDocument['file']>[1])
  drawContents(w, tocFirst, tocPages, w.toc)
  drawFurniture(w, m)
  doc.end()
  await done
}
