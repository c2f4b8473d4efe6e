import { createRequire } from 'node:module'
import path from 'node:path'

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

/** Registers the fonts on a pdfkit document under the names regular, bold, italic, mono. */
export function registerFonts (doc: PDFKit.PDFDocument): void {
  for (const [name, file] of Object.entries(FONTS)) doc.registerFont(name, file)
  doc.font('regular')
}
