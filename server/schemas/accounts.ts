import { Type } from 'typebox'
import { AGENCY_CODE } from '../config.js'
import { CountryCode, Role, Timestamp } from './common.js'

export const AgencySchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  country: Type.String(),
  createdAt: Timestamp
})

export const NewAgencySchema = Type.Object({
  code: Type.String({ pattern: AGENCY_CODE.source, description: 'Country prefix and short name, e.g. XK-CUSTOMS' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  country: CountryCode
}, { additionalProperties: false })

export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  agency: Type.Object({ code: Type.String(), name: Type.String(), country: Type.String() }),
  createdAt: Timestamp,
  updatedAt: Timestamp
})

const Username = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$', description: 'letters, digits, dot, dash, underscore' })
const Password = Type.String({ minLength: 1, maxLength: 1024 })
const DisplayName = Type.String({ minLength: 1, maxLength: 200 })

export const NewUserSchema = Type.Object({
  username: Username,
  password: Password,
  displayName: DisplayName,
  role: Role,
  agencyCode: Type.Optional(Type.String({ pattern: AGENCY_CODE.source }))
}, { additionalProperties: false })

export const UserPatchSchema = Type.Object({
  displayName: Type.Optional(DisplayName),
  role: Type.Optional(Role),
  disabled: Type.Optional(Type.Boolean()),
  password: Type.Optional(Password)
}, { additionalProperties: false })

export const LoginSchema = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Password
}, { additionalProperties: false })

export const LoginResultSchema = Type.Object({
  token: Type.String(),
  expiresAt: Timestamp,
  user: UserSchema
})
