import { blob, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * Every Ed25519 key that has signed checkpoints, oldest first (VERIFIABILITY.md "Keys"):
 * rotation adds a row, nothing is ever removed, so old checkpoints and bundles still verify
 * against GET /.well-known/jwks.json. The active key is the last row. Triggers refuse UPDATE
 * and DELETE. The private key is a file in the data directory, never in the database.
 */
export const logKeys = sqliteTable('log_keys', {
  /** Activation order: the highest is the key that signs now. */
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  /** RFC 7638 JWK thumbprint (SHA-256, base64url): the JWKS `kid`. */
  kid: text('kid').notNull().unique(),
  /**
   * The signed-note key name, which is also the checkpoints' origin line (C2SP
   * tlog-checkpoint). Chosen at the first key and kept by every rotation.
   */
  origin: text('origin').notNull(),
  /** The 32-byte RFC 8032 public key, base64url (the JWK `x`). */
  publicKey: text('public_key').notNull(),
  /** The PKCS#8 PEM file, relative to the data directory (`keys/log/<kid>.pem`, mode 0600). */
  file: text('file').notNull(),
  createdAt: text('created_at').notNull()
})

/**
 * Every signed checkpoint the log has issued (C2SP tlog-checkpoint inside a signed-note), one per
 * tree size. Append-only: triggers refuse UPDATE and DELETE, so a checkpoint a court was once
 * given can always be checked against the log again.
 */
export const checkpoints = sqliteTable('checkpoints', {
  /** Tree size: the number of audit entries the checkpoint covers. */
  size: integer('size').primaryKey(),
  /** RFC 9162 root hash of the first `size` entries (32 bytes). */
  rootHash: blob('root_hash', { mode: 'buffer' }).notNull(),
  /** The signed note, verbatim, as served by GET /api/audit/checkpoint. */
  note: text('note').notNull(),
  createdAt: text('created_at').notNull(),
  /** `kid` of the log key that signed it. */
  keyId: text('key_id').notNull().references(() => logKeys.kid)
})
