/**
 * Bench photos: real, decodable images of a chosen size with no library that
 * the project does not already have. JPEG is a baseline encoder (ITU-T T.81,
 * 4:4:4, the Annex K tables), so that the photos are what a camera gives an
 * agency; PNG goes through pngjs. Both carry noise, so they do not compress
 * below the size asked for.
 */
import { crc32 } from 'node:zlib'
import { PNG } from 'pngjs'

/** xorshift32: the same seed gives the same photo. */
function noise (seed: number): () => number {
  let s = seed | 1
  return () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 4294967296 }
}

/** A scene: a sky-to-ground gradient, a few boxes (cargo), and sensor noise. */
function pixels (width: number, height: number, seed: number, amount: number): Uint8Array {
  const random = noise(seed)
  const rgb = new Uint8Array(width * height * 3)
  const boxes = Array.from({ length: 6 }, () => ({ x: random() * width, y: height * (0.4 + random() * 0.4), w: width * (0.1 + random() * 0.2), h: height * (0.1 + random() * 0.2), c: [random() * 255, random() * 255, random() * 255] }))
  for (let y = 0; y < height; y++) {
    const t = y / height
    for (let x = 0; x < width; x++) {
      let c = t < 0.45 ? [120 + 100 * t, 160 + 60 * t, 220] : [90 + 40 * t, 85 + 30 * t, 70 + 20 * t]
      for (const b of boxes) if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h) c = b.c
      const i = (y * width + x) * 3
      for (let k = 0; k < 3; k++) rgb[i + k] = Math.max(0, Math.min(255, (c[k] ?? 0) + (random() - 0.5) * amount))
    }
  }
  return rgb
}

const ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]
// T.81 Annex K.1, in natural (row) order.
const LUMA_Q = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
const CHROMA_Q = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, ...Array<number>(32).fill(99)]
// T.81 Annex K.3: code counts per length 1..16, then the symbols.
const DC_LUMA = { counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }
const DC_CHROMA = { counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }
const AC_LUMA = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
    0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa]
}
const AC_CHROMA = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: [0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
    0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa]
}

interface Huffman { counts: number[], symbols: number[] }

/** Canonical codes (T.81 Annex C), indexed by symbol: code in the low 16 bits, length above. */
function codes (table: Huffman): Int32Array {
  const out = new Int32Array(256)
  let code = 0
  let k = 0
  table.counts.forEach((n, i) => {
    for (let j = 0; j < n; j++) out[table.symbols[k++] ?? 0] = ((i + 1) << 16) | code++
    code <<= 1
  })
  return out
}

class BitWriter {
  private bytes = Buffer.alloc(1 << 20)
  private length = 0
  private acc = 0
  private n = 0

  private push (byte: number): void {
    if (this.length + 2 > this.bytes.length) {
      const bigger = Buffer.alloc(this.bytes.length * 2)
      this.bytes.copy(bigger)
      this.bytes = bigger
    }
    this.bytes[this.length++] = byte
    if (byte === 0xff) this.bytes[this.length++] = 0 // byte stuffing, T.81 F.1.2.3
  }

  write (value: number, length: number): void {
    this.acc = (this.acc << length) | (value & ((1 << length) - 1))
    this.n += length
    while (this.n >= 8) {
      this.n -= 8
      this.push((this.acc >>> this.n) & 0xff)
    }
    this.acc &= (1 << this.n) - 1
  }

  code (table: Int32Array, symbol: number): void {
    const entry = table[symbol] ?? 0
    this.write(entry & 0xffff, entry >>> 16)
  }

  finish (): Buffer {
    if (this.n > 0) this.write(0x7f, 8 - this.n) // pad with 1-bits
    return this.bytes.subarray(0, this.length)
  }
}

/** DCT basis with its normalisation: M[u][x] = C(u)/2 · cos((2x+1)uπ/16), T.81 A.3.3. */
const BASIS = new Float64Array(64)
for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) BASIS[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos(((2 * x + 1) * u * Math.PI) / 16)

/** Forward DCT of one level-shifted 8×8 block: M · B · Mᵀ. */
function fdct (block: Float64Array, tmp: Float64Array, out: Float64Array): void {
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let s = 0
      for (let x = 0; x < 8; x++) s += block[y * 8 + x]! * BASIS[u * 8 + x]!
      tmp[y * 8 + u] = s
    }
  }
  for (let v = 0; v < 8; v++) {
    for (let u = 0; u < 8; u++) {
      let s = 0
      for (let y = 0; y < 8; y++) s += tmp[y * 8 + u]! * BASIS[v * 8 + y]!
      out[v * 8 + u] = s
    }
  }
}

const bitLength = (v: number): number => (v === 0 ? 0 : 32 - Math.clz32(v < 0 ? -v : v))

/** A baseline JFIF JPEG of `width` × `height` (multiples of 8) at `quality` 1-100. */
export function jpeg (width: number, height: number, seed: number, quality = 92, amount = 90): Buffer {
  const rgb = pixels(width, height, seed, amount)
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality
  const table = (base: number[]): number[] => base.map((q) => Math.max(1, Math.min(255, Math.floor((q * scale + 50) / 100))))
  const qt = [table(LUMA_Q), table(CHROMA_Q)] as const
  const dc = [codes(DC_LUMA), codes(DC_CHROMA)] as const
  const ac = [codes(AC_LUMA), codes(AC_CHROMA)] as const
  const bits = new BitWriter()
  const previous = [0, 0, 0]
  const block = new Float64Array(64)
  const tmp = new Float64Array(64)
  const coefficients = new Float64Array(64)
  const zz = new Int32Array(64)
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let comp = 0; comp < 3; comp++) {
        for (let y = 0; y < 8; y++) {
          for (let x = 0; x < 8; x++) {
            const i = ((by + y) * width + bx + x) * 3
            const r = rgb[i]!
            const g = rgb[i + 1]!
            const b = rgb[i + 2]!
            // JFIF YCbCr, level-shifted by 128.
            block[y * 8 + x] = comp === 0 ? 0.299 * r + 0.587 * g + 0.114 * b - 128 : comp === 1 ? -0.168736 * r - 0.331264 * g + 0.5 * b : 0.5 * r - 0.418688 * g - 0.081312 * b
          }
        }
        fdct(block, tmp, coefficients)
        const t = comp === 0 ? 0 : 1
        const q = qt[t]
        for (let k = 0; k < 64; k++) zz[k] = Math.round(coefficients[ZIGZAG[k]!]! / q[ZIGZAG[k]!]!)
        const diff = zz[0]! - previous[comp]!
        previous[comp] = zz[0]!
        const dcSize = bitLength(diff)
        bits.code(dc[t], dcSize)
        if (dcSize > 0) bits.write(diff < 0 ? diff + (1 << dcSize) - 1 : diff, dcSize)
        let run = 0
        for (let k = 1; k < 64; k++) {
          const v = zz[k]!
          if (v === 0) { run++; continue }
          while (run > 15) { bits.code(ac[t], 0xf0); run -= 16 }
          const size = bitLength(v)
          bits.code(ac[t], (run << 4) | size)
          bits.write(v < 0 ? v + (1 << size) - 1 : v, size)
          run = 0
        }
        if (run > 0) bits.code(ac[t], 0x00)
      }
    }
  }
  const scan = bits.finish()

  const segment = (marker: number, body: number[]): Buffer => Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body])
  const dqt = segment(0xdb, [0x00, ...ZIGZAG.map((k) => qt[0][k] ?? 1), 0x01, ...ZIGZAG.map((k) => qt[1][k] ?? 1)])
  const dht = (id: number, h: Huffman): Buffer => segment(0xc4, [id, ...h.counts, ...h.symbols])
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 72, 0, 72, 0, 0]),
    dqt,
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]),
    dht(0x00, DC_LUMA), dht(0x10, AC_LUMA), dht(0x01, DC_CHROMA), dht(0x11, AC_CHROMA),
    segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]),
    scan,
    Buffer.from([0xff, 0xd9])
  ])
}

/**
 * The same picture as another file: a JPEG comment segment (COM, T.81 B.2.4.5)
 * after SOI, so that each photo has its own SHA-256 without encoding it again.
 */
export function withComment (image: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1')
  const com = Buffer.from([0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 0xff])
  return Buffer.concat([image.subarray(0, 2), com, body, image.subarray(2)])
}

/** An RGB PNG of `width` × `height`; with noise it stays about 3 bytes a pixel. */
export function png (width: number, height: number, seed: number, amount = 90): Buffer {
  const rgb = pixels(width, height, seed, amount)
  const image = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false })
  image.data = Buffer.from(rgb)
  return PNG.sync.write(image, { colorType: 2, inputColorType: 2, inputHasAlpha: false })
}

/** The same PNG as another file: a tEXt chunk after IHDR (PNG §11.3.4.3), with its CRC. */
export function withPngText (image: Buffer, text: string): Buffer {
  const data = Buffer.concat([Buffer.from('tEXt', 'latin1'), Buffer.from('Comment\0', 'latin1'), Buffer.from(text, 'latin1')])
  const chunk = Buffer.alloc(data.length + 8)
  chunk.writeUInt32BE(data.length - 4, 0)
  data.copy(chunk, 4)
  chunk.writeUInt32BE(crc32(data), data.length + 4)
  const ihdrEnd = 8 + 4 + 4 + 13 + 4
  return Buffer.concat([image.subarray(0, ihdrEnd), chunk, image.subarray(ihdrEnd)])
}
