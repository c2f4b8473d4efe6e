import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as fontkit from 'fontkit'

const require = createRequire(import.meta.url)

/**
 * Noto Sans (SIL Open Font License) from the npm registry: full Latin Extended
 * coverage (ë, ç, š, ž, ć, đ), embedded (subset) into every PDF so documents
 * render the same everywhere and qualify for PDF/A. Nothing is downloaded.
 */
function font (pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file)
}

export const FONTS = {
  regular: font('@expo-google-fonts/noto-sans', '400Regular/NotoSans_400Regular.ttf'),
  bold: font('@expo-google-fonts/noto-sans', '700Bold/NotoSans_700Bold.ttf'),
  italic: font('@expo-google-fonts/noto-sans', '400Regular_Italic/NotoSans_400Regular_Italic.ttf'),
  mono: font('@expo-google-fonts/noto-sans-mono', '400Regular/NotoSansMono_400Regular.ttf')
} as const

let parsed: Record<keyof typeof FONTS, fontkit.Font> | undefined

/**
 * OpenType layout tables left out: the text is set glyph for character, with
 * the fonts' advance widths, without ligatures or kerning, as word processors
 * set documents by default. Every glyph in the PDF then stands for exactly
 * the character it shows ("fi" stays two letters for search and copy), and
 * laying out a case file of thousands of rows is a third faster: fontkit's
 * shaping (the GSUB and GPOS lookups) was its largest single cost. Latin,
 * Albanian and the other Latin Extended letters are precomposed characters
 * with glyphs of their own, so nothing they need is lost.
 */
const LAYOUT_TABLES = ['GSUB', 'GPOS', 'GDEF', 'morx', 'kern'] as const

/**
 * The fonts, parsed once per thread and shared by every document: fontkit
 * decodes a font's OpenType tables on first use, which took a fifth of a
 * second per case file when each document parsed its own copy. Every
 * document still embeds its own subset.
 */
function parsedFonts (): Record<keyof typeof FONTS, fontkit.Font> {
  parsed ??= Object.fromEntries(Object.entries(FONTS).map(([name, file]) => {
    const font = fontkit.create(fs.readFileSync(file)) as fontkit.Font
    // fontkit decodes a table on first use and keeps it in _tables; one already there as null
    // is never read, and reads as absent (no shaping, no kerning).
    const tables = (font as unknown as { _tables: Record<string, unknown> })._tables
    for (const tag of LAYOUT_TABLES) tables[tag] = null
    return [name, font]
  })) as Record<keyof typeof FONTS, fontkit.Font>
  return parsed
}

/**
 * Registers the fonts on a pdfkit document under the names regular, bold,
 * italic, mono. Each document starts with an empty glyph cache: fontkit keeps
 * a glyph with the characters it was first made from, and pdfkit writes those
 * into the PDF's text map; in a font where two characters share a glyph (or
 * with ligatures: "fi" made from "f", "i" or from U+FB01) a cache kept from
 * an earlier document would make the bytes of this one depend on what the
 * thread printed before. A document must therefore be laid
 * out and ended before the next one starts (case-file-worker.ts renders one
 * at a time; a label is drawn without a pause).
 */
export function registerFonts (doc: PDFKit.PDFDocument): void {
  for (const [name, font] of Object.entries(parsedFonts())) {
    (font as unknown as { _glyphs: Record<number, unknown> })._glyphs = {}
    // pdfkit takes a fontkit font as it is (anything with a `layout`); its types only name paths and buffers.
    doc.registerFont(name, font as unknown as string)
  }
  doc.font('regular')
}
