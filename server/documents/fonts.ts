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

/** Words whose layout is kept per font; past this the cache starts again. */
const LAYOUTS_KEPT = 100_000

/**
 * A font whose word layouts (fontkit's OpenType shaping, a third of the time
 * of a case file) are kept for every later document of this thread: the same
 * labels, names, dates and hashes come back each time a case is printed. pdfkit
 * asks fontkit for one word at a time and scales the positions in place, so
 * each answer gets fresh copies of the positions; glyphs are only read.
 */
function withSharedLayouts (font: fontkit.Font): fontkit.Font {
  const kept = new Map<string, { glyphs: fontkit.Glyph[], positions: fontkit.GlyphPosition[] }>()
  const layout = (text: string, features?: Parameters<fontkit.Font['layout']>[1]): unknown => {
    // pdfkit passes features only for text set with OpenType options, which it does not cache either.
    if (features !== undefined) return font.layout(text, features)
    let run = kept.get(text)
    if (run === undefined) {
      const fresh = font.layout(text)
      run = { glyphs: fresh.glyphs, positions: fresh.positions.map((p) => ({ ...p })) }
      if (kept.size >= LAYOUTS_KEPT) kept.clear()
      kept.set(text, run)
    }
    const positions = run.positions.map((p) => ({ ...p }))
    return { glyphs: run.glyphs, positions, get advanceWidth () { return positions.reduce((w, p) => w + p.xAdvance, 0) } }
  }
  return new Proxy(font, { get: (target, prop) => (prop === 'layout' ? layout : Reflect.get(target, prop, target)) })
}

/**
 * The fonts, parsed once per thread and shared by every document: fontkit
 * decodes a font's OpenType tables on first use, which took a fifth of a
 * second per case file when each document parsed its own copy. Every
 * document still embeds its own subset; a parsed font is only read.
 */
function parsedFonts (): Record<keyof typeof FONTS, fontkit.Font> {
  parsed ??= Object.fromEntries(Object.entries(FONTS).map(([name, file]) => [name, withSharedLayouts(fontkit.create(fs.readFileSync(file)) as fontkit.Font)])) as Record<keyof typeof FONTS, fontkit.Font>
  return parsed
}

/** Registers the fonts on a pdfkit document under the names regular, bold, italic, mono. */
export function registerFonts (doc: PDFKit.PDFDocument): void {
  // pdfkit takes a fontkit font as it is (anything with a `layout`); its types only name paths and buffers.
  for (const [name, font] of Object.entries(parsedFonts())) doc.registerFont(name, font as unknown as string)
  doc.font('regular')
}
