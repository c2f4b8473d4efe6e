import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { AgencySchema, NewAgencySchema, NewUserSchema, UserPatchSchema, UserSchema } from '../schemas/accounts.js'
import { IdParams, Page, PageQuery, problems, Role } from '../schemas/common.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts } = app.services

  app.post('/api/agencies', {
    config: { permission: 'agency.create' },
    schema: { tags: ['admin'], summary: 'Create an agency (bootstrap admin)', body: NewAgencySchema, response: { 201: AgencySchema, ...problems(400, 401, 403, 409) } }
  }, async (request, reply) => reply.code(201).send(accounts.createAgency(request.user, request.body)))

  app.get('/api/agencies', {
    config: { permission: 'agency.list' },
    schema: { tags: ['admin'], summary: 'Agencies the caller administers', response: { 200: Type.Object({ items: Type.Array(AgencySchema), nextCursor: Type.Null() }), ...problems(401, 403) } }
  }, async (request) => ({ items: accounts.listAgencies(request.user), nextCursor: null }))

  app.post('/api/users', {
    config: { permission: 'user.manage' },
    schema: { tags: ['admin'], summary: 'Create a user', body: NewUserSchema, response: { 201: UserSchema, ...problems(400, 401, 403, 409) } }
  }, async (request, reply) => reply.code(201).send(await accounts.createUser(request.user, request.body)))

  app.get('/api/users', {
    config: { permission: 'user.manage' },
    schema: {
      tags: ['admin'],
      summary: 'Users of the caller\'s agency',
      querystring: Type.Object({ ...PageQuery, role: Type.Optional(Role) }, { additionalProperties: false }),
      response: { 200: Page(UserSchema), ...problems(400, 401, 403) }
    }
  }, async (request) => accounts.listUsers(request.user, request.query))

  app.get('/api/directory', {
    config: { permission: 'session' },
    schema: {
      tags: ['users'],
      summary: 'Active users to pick as recipient, witness or case member (names and roles only)',
      querystring: Type.Object({ agencyCode: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), displayName: Type.String(), role: Role, agency: Type.String() })), nextCursor: Type.Null() }), ...problems(401, 403, 404) }
    }
  }, async (request) => ({ items: accounts.directory(request.user, request.query.agencyCode), nextCursor: null }))

  app.get('/api/users/:id', {
    config: { permission: 'user.manage' },
    schema: { tags: ['admin'], summary: 'One user', params: IdParams, response: { 200: UserSchema, ...problems(401, 403, 404) } }
  }, async (request) => accounts.getUser(request.user, request.params.id))

  app.patch('/api/users/:id', {
    config: { permission: 'user.manage' },
    schema: {
      tags: ['admin'],
      summary: 'Change a user: display name, role, disabled, password reset',
      params: IdParams,
      body: UserPatchSchema,
      response: { 200: UserSchema, ...problems(400, 401, 403, 404, 409) }
    }
  }, async (request) => accounts.updateUser(request.user, request.params.id, request.body))
}

export default routes
