import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export interface Ed25519Key { privateKey: KeyObject, publicKey: KeyObject }

/**
 * Loads an Ed25519 private key (PKCS#8 PEM) or creates one, readable by its owner
 * only (mode 0600). The key never leaves the data directory.
 */
export function loadOrCreateEd25519 (file: string): Ed25519Key {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    const { privateKey } = generateKeyPairSync('ed25519')
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' })
    // 'wx' fails if another process created it meanwhile; then we read theirs.
    try {
      fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
  const privateKey = createPrivateKey(fs.readFileSync(file))
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 key`)
  return { privateKey, publicKey: createPublicKey(privateKey) }
}
