import { Type } from 'typebox'
import { PageQuery, Timestamp } from './common.js'

export const AuditEntrySchema = Type.Object({
  index: Type.Integer(),
  leafHash: Type.String({ description: 'hex SHA-256(0x00 || UTF-8 bytes of canonical)' }),
  canonical: Type.String({ description: 'the RFC 8785 JSON text whose UTF-8 bytes are hashed' }),
  time: Timestamp,
  actor: Type.String(),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.String()
})

export const AuditQuerySchema = Type.Object({
  ...PageQuery,
  action: Type.Optional(Type.String({ maxLength: 64 })),
  entityType: Type.Optional(Type.String({ maxLength: 64 })),
  entityId: Type.Optional(Type.String({ maxLength: 64 })),
  actor: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp)
}, { additionalProperties: false })
