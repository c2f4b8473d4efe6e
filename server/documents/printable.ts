import sharp from 'sharp'

// Each photo is reduced once per case file: libvips' operation cache would only hold memory.
sharp.cache(false)

/**
 * The largest a photo is printed: the case file's photo box (483 × 300 pt)
 * at 200 dpi. A photo is never enlarged.
 */
export const PRINT_BOX = { width: Math.round((483 / 72) * 200), height: Math.round((300 / 72) * 200) }

/** Decompression bombs: a photo of more pixels than a 100-megapixel camera makes is not reproduced. */
const MAX_PIXELS = 100_000_000

/** The recipe's version: print_copies rows of another version are not used. */
export const PRINT_VERSION = 1

export interface Printable { bytes: Buffer, width: number, height: number, mediaType: 'image/jpeg' | 'image/png' }

/**
 * The copy of a photo the case file prints: turned upright as its EXIF says,
 * reduced to fit PRINT_BOX, flattened on white (PDF/A wants no transparency,
 * and pdfkit splits alpha channels asynchronously, which made its output
 * differ between runs), in sRGB. JPEG stays JPEG (quality 85); PNG stays PNG
 * (lossless: scans and screenshots keep their text sharp). The original,
 * whose SHA-256 the caption prints, is the one in the bundle; this copy is
 * only its picture. The same original and library version give the same bytes.
 *
 * Null when the file cannot be decoded as an image (its hash may still be
 * right: a camera can write a broken file); the case file then says so.
 */
export async function printable (original: Buffer, mediaType: 'image/jpeg' | 'image/png'): Promise<Printable | null> {
  try {
    const reduced = sharp(original, { limitInputPixels: MAX_PIXELS, failOn: 'error' })
      .rotate()
      .resize({ width: PRINT_BOX.width, height: PRINT_BOX.height, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
    const out = mediaType === 'image/jpeg'
      ? reduced.jpeg({ quality: 85, chromaSubsampling: '4:2:0', mozjpeg: false })
      : reduced.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    const { data, info } = await out.toBuffer({ resolveWithObject: true })
    return { bytes: data, width: info.width, height: info.height, mediaType }
  } catch {
    return null
  }
}
