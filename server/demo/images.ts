import { PNG } from 'pngjs'

/**
 * Demo "photos", drawn here so the demo needs no downloaded images: simple
 * scenes (a truck's load, a device, a document, a phone) with light noise.
 * Deterministic: the same scene gives the same bytes, hence the same SHA-256.
 */
type Rgb = [number, number, number]

class Canvas {
  readonly png: PNG
  private seed: number
  constructor (readonly width: number, readonly height: number, seed: number) {
    this.png = new PNG({ width, height })
    this.seed = seed
  }

  private random (): number {
    // xorshift32: deterministic noise
    this.seed ^= this.seed << 13; this.seed ^= this.seed >>> 17; this.seed ^= this.seed << 5
    return ((this.seed >>> 0) % 1000) / 1000
  }

  set (x: number, y: number, [r, g, b]: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return
    const i = (this.width * Math.floor(y) + Math.floor(x)) << 2
    this.png.data[i] = r; this.png.data[i + 1] = g; this.png.data[i + 2] = b; this.png.data[i + 3] = 255
  }

  gradient (top: Rgb, bottom: Rgb, y0 = 0, y1 = this.height): void {
    for (let y = y0; y < y1; y++) {
      const t = (y - y0) / Math.max(1, y1 - y0 - 1)
      const c: Rgb = [0, 1, 2].map((k) => Math.round(top[k as 0] * (1 - t) + bottom[k as 0] * t)) as Rgb
      for (let x = 0; x < this.width; x++) this.set(x, y, c)
    }
  }

  rect (x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = Math.max(0, y); j < Math.min(this.height, y + h); j++) for (let i = Math.max(0, x); i < Math.min(this.width, x + w); i++) this.set(i, j, c)
  }

  circle (cx: number, cy: number, r: number, c: Rgb, ring = 0): void {
    for (let y = cy - r; y <= cy + r; y++) {
      for (let x = cx - r; x <= cx + r; x++) {
        const d = Math.hypot(x - cx, y - cy)
        if (d <= r && (ring === 0 || d >= r - ring)) this.set(x, y, c)
      }
    }
  }

  noise (amount: number): void {
    for (let i = 0; i < this.png.data.length; i += 4) {
      const n = Math.round((this.random() - 0.5) * amount)
      for (let k = 0; k < 3; k++) this.png.data[i + k] = Math.max(0, Math.min(255, (this.png.data[i + k] ?? 0) + n))
    }
  }

  toBuffer (): Buffer { return PNG.sync.write(this.png) }
}

function truckLoad (): Buffer {
  const c = new Canvas(800, 600, 11)
  c.gradient([150, 185, 220], [215, 228, 240], 0, 330)
  c.gradient([95, 95, 92], [60, 60, 58], 330, 600)
  c.rect(60, 120, 680, 330, [200, 200, 196])        // trailer body
  c.rect(80, 140, 640, 290, [40, 44, 48])           // open interior
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 2; j++) {
      const x = 100 + i * 150; const y = 290 - j * 120
      c.rect(x, y, 135, 110, [176, 132, 82])         // wooden crates
      c.rect(x + 8, y + 8, 119, 6, [140, 100, 60]); c.rect(x + 8, y + 96, 119, 6, [140, 100, 60])
      c.rect(x + 40, y + 40, 55, 30, [236, 236, 228]) // crate label
    }
  }
  c.circle(170, 480, 45, [25, 25, 25]); c.circle(630, 480, 45, [25, 25, 25])
  c.circle(170, 480, 18, [150, 150, 150]); c.circle(630, 480, 18, [150, 150, 150])
  c.noise(14)
  return c.toBuffer()
}

function device (): Buffer {
  const c = new Canvas(800, 600, 23)
  c.gradient([228, 226, 220], [190, 188, 182])
  c.rect(190, 110, 420, 400, [120, 126, 132])        // drive enclosure
  c.rect(200, 120, 400, 380, [150, 156, 162])
  c.rect(250, 160, 190, 90, [20, 40, 30])            // display
  c.rect(262, 185, 120, 22, [90, 220, 140])
  for (let i = 0; i < 9; i++) c.rect(470, 160 + i * 12, 100, 5, [90, 94, 98]) // vents
  for (let i = 0; i < 12; i++) c.rect(230 + i * 28, 420, 18, 50, [40, 90, 170]) // terminal block
  c.rect(240, 290, 330, 60, [245, 245, 240])         // rating plate
  for (let i = 0; i < 4; i++) c.rect(252, 300 + i * 12, 180 + (i % 2) * 60, 5, [70, 70, 70])
  c.noise(10)
  return c.toBuffer()
}

function document (): Buffer {
  const c = new Canvas(600, 800, 37)
  c.gradient([120, 100, 80], [100, 84, 66])
  c.rect(60, 40, 480, 720, [250, 249, 244])
  c.rect(90, 80, 260, 16, [30, 30, 30])
  for (let i = 0; i < 26; i++) c.rect(90, 130 + i * 22, 300 + ((i * 37) % 120), 6, [90, 90, 95])
  c.circle(430, 640, 55, [180, 40, 50], 6); c.circle(430, 640, 34, [180, 40, 50], 3)
  c.rect(100, 700, 160, 3, [20, 20, 120])
  c.noise(8)
  return c.toBuffer()
}

function phone (): Buffer {
  const c = new Canvas(800, 600, 41)
  c.gradient([200, 205, 210], [170, 175, 182])
  c.rect(300, 80, 200, 440, [22, 22, 26])
  c.rect(312, 110, 176, 370, [40, 60, 90])
  c.circle(400, 500, 10, [60, 60, 66])
  c.rect(540, 250, 180, 120, [235, 235, 230])        // evidence bag tag
  c.rect(555, 270, 120, 10, [180, 30, 30]); c.rect(555, 300, 140, 6, [80, 80, 80]); c.rect(555, 320, 100, 6, [80, 80, 80])
  c.noise(10)
  return c.toBuffer()
}

export const DEMO_PHOTOS = { truckLoad, device, document, phone } as const
