/**
 * `npm run rotate-key`: makes a new Ed25519 key the one that signs checkpoints. Every older
 * public key stays in log_keys and in /.well-known/jwks.json, so old checkpoints and bundles
 * still verify; the checkpoints' origin stays the same. A running server signs its next
 * checkpoint with the new key. The private key is written to keys/log/<kid>.pem (mode 0600).
 */
import { ConfigError, loadConfig } from '../config.js'
import { databaseFile, openDb } from '../db/client.js'
import { createLogKey, defaultOrigin, listLogKeys, noteKeyIdHex, jwkOf } from '../services/log-keys.js'

async function main (): Promise<number> {
  if (process.argv.includes('--help')) {
    process.stdout.write('Usage: npm run rotate-key\n\nCreates a new checkpoint signing key in STRONGROOM_DATA_DIR/keys/log/ and makes it the active one;\nolder public keys stay published at /.well-known/jwks.json.\n')
    return 0
  }
  const config = loadConfig()
  const db = openDb(databaseFile(config.dataDir))
  try {
    const key = await createLogKey(db.$client, config.dataDir, defaultOrigin(config.agencyCode), new Date().toISOString())
    const all = listLogKeys(db.$client)
    process.stdout.write([
      `New checkpoint signing key (active from the next checkpoint):`,
      `  kid (RFC 7638)  ${key.kid}`,
      `  file            ${key.file} (mode 0600)`,
      `  verifier key    ${jwkOf(key).note}`,
      `  note key id     ${noteKeyIdHex(key)}`,
      `Published keys (${all.length}), newest first:`,
      ...[...all].reverse().map((k) => `  ${k.kid}  since ${k.createdAt}`),
      ''
    ].join('\n'))
    return 0
  } finally {
    db.$client.close()
  }
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  const message = err instanceof ConfigError ? `configuration error: ${err.message}` : (err instanceof Error ? err.message : String(err))
  process.stderr.write(`strongroom rotate-key: ${message}\n`)
  process.exitCode = 2
})
