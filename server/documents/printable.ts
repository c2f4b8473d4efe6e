import sharp from 'sharp'

// Each photo is reduced once per case file: libvips' operation cache would only hold memory.
sharp.cache(false)

/**
 * The largest a photo is printed: the case file's photo box (483 × 300 pt)
 * at 200 dpi. A photo is never enlarged.
 */
export const PRINT_BOX = { width: Math.round((483 / 72) * 200), height: Math.round((300 / 72) * 200) }

/**
 * Decompression bombs: larger photos are not reproduced. A JPEG is decoded at
 * a fraction of its size when it is reduced a lot (libvips shrink-on-load), so
 * a 100-megapixel camera's photo is cheap; a PNG is decoded whole (4 bytes a
 * pixel), so it is held to 40 megapixels, 160 MB at most.
 */
const MAX_PIXELS = { 'image/jpeg': 100_000_000, 'image/png': 40_000_000 }

/** libvips' words for a file it cannot read as an image (as opposed to running out of memory, say). */
const UNDECODABLE = /unsupported image format|corrupt|premature end|bad (?:seek|huffman|adaptive|png|jpeg)|invalid|not a (?:png|jpeg)|exceeds pixel limit|read error|out of data|jpegload|pngload|libspng|VipsJpeg|VipsForeignLoad/i

/** The recipe's version: print_copies rows of another version are not used. */
export const PRINT_VERSION = 1

/**
 * The library that makes the copies: the same recipe gives the same bytes
 * only with the same libvips, so each copy records it and `npm run verify`
 * makes a copy again only when it runs the same one.
 */
export const PRINT_TOOL = `sharp ${sharp.versions.sharp ?? 'unknown'}, libvips ${sharp.versions.vips}`

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
 * Null when the file cannot be decoded as an image, or is larger than
 * MAX_PIXELS (its hash may still be right: a camera can write a broken
 * file); the case file then says so. Other failures are thrown.
 */
export async function printable (original: Buffer, mediaType: 'image/jpeg' | 'image/png'): Promise<Printable | null> {
  try {
    const reduced = sharp(original, { limitInputPixels: MAX_PIXELS[mediaType], failOn: 'error' })
      .rotate()
      .resize({ width: PRINT_BOX.width, height: PRINT_BOX.height, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
    const out = mediaType === 'image/jpeg'
      ? reduced.jpeg({ quality: 85, chromaSubsampling: '4:2:0', mozjpeg: false })
      : reduced.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    const { data, info } = await out.toBuffer({ resolveWithObject: true })
    return { bytes: data, width: info.width, height: info.height, mediaType }
  } catch (err) {
    // A file that is no image is recorded as such for good; anything else may pass: thrown.
    if (err instanceof Error && UNDECODABLE.test(err.message)) return null
    throw err
  }
}
