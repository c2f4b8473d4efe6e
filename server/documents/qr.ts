import QRCode from 'qrcode'

/**
 * Draws a QR code as vector squares (sharp at any print size, and byte-for-byte
 * reproducible, unlike an embedded raster). The `qrcode` package encodes.
 */
export function drawQr (doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const count = qr.modules.size
  const quiet = 2
  const cell = size / (count + 2 * quiet)
  doc.save().rect(x, y, size, size).fill('#ffffff').fillColor('#000000')
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.modules.get(row, col) === 1 || (qr.modules.get(row, col) as unknown) === true) {
        doc.rect(x + (col + quiet) * cell, y + (row + quiet) * cell, cell, cell)
      }
    }
  }
  doc.fill('#000000').restore()
}
