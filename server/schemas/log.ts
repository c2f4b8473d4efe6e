import { Type } from 'typebox'
import { PageQuery, Timestamp } from './common.js'

const MAX_SAFE = Number.MAX_SAFE_INTEGER
const Base64Hash = Type.String({ description: 'SHA-256 hash, standard base64 (as in checkpoints)', pattern: '^[A-Za-z0-9+/]{43}=$' })

export const JwkSchema = Type.Object({
  kty: Type.Literal('OKP'),
  crv: Type.Literal('Ed25519'),
  x: Type.String({ description: 'the public key, base64url (RFC 8037)' }),
  kid: Type.String({ description: 'RFC 7638 JWK thumbprint (SHA-256)' }),
  alg: Type.Literal('EdDSA'),
  use: Type.Literal('sig'),
  note: Type.String({ description: 'the same key as a C2SP signed-note verifier key: <origin>+<key id>+<base64>' })
})

export const JwksSchema = Type.Object({ keys: Type.Array(JwkSchema) })

export const CheckpointQuerySchema = Type.Object({
  size: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SAFE, description: 'the stored checkpoint of this tree size (404 if none)' }))
}, { additionalProperties: false })

export const CheckpointListQuerySchema = Type.Object({ ...PageQuery }, { additionalProperties: false })

export const CheckpointViewSchema = Type.Object({
  size: Type.Integer(),
  rootHash: Base64Hash,
  createdAt: Timestamp,
  keyId: Type.String({ description: 'kid of the signing key in /.well-known/jwks.json' })
})

export const InclusionQuerySchema = Type.Object({
  index: Type.Integer({ minimum: 0, maximum: MAX_SAFE, description: 'the entry, counted from 0' }),
  size: Type.Integer({ minimum: 1, maximum: MAX_SAFE, description: 'the tree size (a checkpoint\'s)' })
}, { additionalProperties: false })

export const InclusionProofSchema = Type.Object({
  index: Type.Integer(),
  size: Type.Integer(),
  hashes: Type.Array(Base64Hash, { description: 'RFC 9162 §2.1.3.1 audit path, from the leaf\'s sibling up' })
})

export const ConsistencyQuerySchema = Type.Object({
  from: Type.Integer({ minimum: 1, maximum: MAX_SAFE, description: 'the earlier tree size' }),
  to: Type.Integer({ minimum: 1, maximum: MAX_SAFE, description: 'the later tree size' })
}, { additionalProperties: false })

export const ConsistencyProofSchema = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  hashes: Type.Array(Base64Hash, { description: 'RFC 9162 §2.1.4.1 consistency proof' })
})

export const EntryIndexParams = Type.Object({
  index: Type.Integer({ minimum: 0, maximum: MAX_SAFE })
}, { additionalProperties: false })

export const VerificationIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })

const Finding = Type.Object({ place: Type.String(), reason: Type.String(), followsFrom: Type.Optional(Type.String()) })

export const VerificationSchema = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('passed'), Type.Literal('failed'), Type.Literal('error')]),
  startedAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
  startedBy: Type.String(),
  progress: Type.Object({ stage: Type.String(), done: Type.Integer(), total: Type.Integer(), table: Type.Optional(Type.String()) }),
  result: Type.Union([Type.Null(), Type.Object({
    ok: Type.Boolean(),
    treeSize: Type.Integer(),
    rootHash: Type.String(),
    checked: Type.Object({
      entries: Type.Integer(),
      merkleNodes: Type.Integer(),
      checkpoints: Type.Integer(),
      keys: Type.Integer(),
      records: Type.Record(Type.String(), Type.Integer()),
      attachments: Type.Integer(),
      printCopies: Type.Object({ remade: Type.Integer(), hashOnly: Type.Integer() })
    }),
    hashOnly: Type.Record(Type.String(), Type.Integer()),
    mismatches: Type.Array(Finding),
    consequences: Type.Array(Finding),
    truncated: Type.Boolean(),
    durationMs: Type.Integer()
  })]),
  error: Type.Union([Type.String(), Type.Null()])
})

export const NoteText = Type.String({ description: 'a C2SP signed note (text/plain)' })
