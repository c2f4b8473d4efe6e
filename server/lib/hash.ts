import { createHash } from 'node:crypto'
import fs from 'node:fs'

/** Lower-case hex SHA-256 of bytes in memory. */
export const sha256Hex = (bytes: Buffer | Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/**
 * A stored file read whole, when its bytes still have the SHA-256 they were
 * stored under; null when it is gone, unreadable or changed.
 */
export async function readVerified (file: string, sha256: string): Promise<Buffer | null> {
  const bytes = await fs.promises.readFile(file).catch(() => null)
  return bytes === null || sha256Hex(bytes) !== sha256 ? null : bytes
}
