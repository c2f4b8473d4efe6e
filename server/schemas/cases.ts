import { Type } from 'typebox'
import { CASE_OUTCOMES, CASE_STATUSES } from '../services/case-rules.js'
import { CASE_ROLES } from '../services/object-access.js'
import { PageQuery, StringEnum, Timestamp } from './common.js'

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
const Id = Type.String({ minLength: 1, maxLength: 64 })

export const OffenceSchema = Type.Object({
  law: Text(300),
  article: Text(100),
  description: Type.Optional(Type.Union([Text(2000), Type.Null()]))
}, { additionalProperties: false })

export const NewCaseSchema = Type.Object({
  title: Text(300),
  summary: Type.Optional(Type.Union([Text(20000), Type.Null()])),
  seizureIds: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }),
  offences: Type.Optional(Type.Array(OffenceSchema, { maxItems: 50 }))
}, { additionalProperties: false })

export const CasePatchSchema = Type.Object({
  title: Type.Optional(Text(300)),
  summary: Type.Optional(Type.Union([Text(20000), Type.Null()])),
  offences: Type.Optional(Type.Array(OffenceSchema, { maxItems: 50 })),
  status: Type.Optional(StringEnum(CASE_STATUSES)),
  outcome: Type.Optional(StringEnum(CASE_OUTCOMES)),
  reason: Type.Optional(Text(2000))
}, { additionalProperties: false, minProperties: 1 })

export const NewMemberSchema = Type.Object({ userId: Id, role: StringEnum(CASE_ROLES) }, { additionalProperties: false })
export const ShareSchema = Type.Object({ userId: Id }, { additionalProperties: false })
export const LinkSchema = Type.Object({ seizureId: Id, reason: Text(2000) }, { additionalProperties: false })
export const UnlinkSchema = Type.Object({ reason: Text(2000) }, { additionalProperties: false })

export const NewActionSchema = Type.Object({
  occurredAt: Timestamp,
  title: Text(300),
  text: Type.Optional(Type.Union([Text(20000), Type.Null()]))
}, { additionalProperties: false })

export const CaseQuerySchema = Type.Object({
  ...PageQuery,
  status: Type.Optional(StringEnum(CASE_STATUSES)),
  member: Type.Optional(Type.String({ maxLength: 64, description: 'user id of a member' })),
  offence: Type.Optional(Type.String({ maxLength: 200, description: 'law or article (substring)' })),
  seizureReference: Type.Optional(Type.String({ maxLength: 40 })),
  party: Type.Optional(Type.String({ maxLength: 200, description: 'party name of a linked seizure (substring)' })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'free text' }))
}, { additionalProperties: false })
