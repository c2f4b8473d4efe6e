import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdParams, Page, problems } from '../schemas/common.js'
import { AnyObject, NewItemSchema, NewSeizureSchema, SeizureCorrectionSchema, SeizureQuerySchema } from '../schemas/evidence.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { seizures, items } = app.services

  app.post('/api/seizures', {
    config: { permission: 'seizure.create' },
    schema: { tags: ['seizures'], summary: 'Record a seizure with its parties and goods lines', body: NewSeizureSchema, response: { 201: AnyObject, ...problems(400, 401, 403) } }
  }, async (request, reply) => reply.code(201).send(seizures.create(request.user, request.body)))

  app.get('/api/seizures', {
    config: { permission: 'seizure.read' },
    schema: { tags: ['seizures'], summary: 'Seizures of the caller\'s agency, newest first, filtered', querystring: SeizureQuerySchema, response: { 200: Page(AnyObject), ...problems(400, 401, 403) } }
  }, async (request) => seizures.list(request.user, request.query))

  app.get('/api/seizures/:id', {
    config: { permission: 'seizure.read' },
    schema: { tags: ['seizures'], summary: 'A seizure (current version) with its items', params: IdParams, response: { 200: AnyObject, ...problems(401, 403, 404) } }
  }, async (request) => ({ ...seizures.get(request.user, request.params.id), items: items.listForSeizure(request.user, request.params.id) }))

  app.patch('/api/seizures/:id', {
    config: { permission: 'seizure.correct' },
    schema: {
      tags: ['seizures'],
      summary: 'Correct a seizure: a new version with a reason; earlier versions stay readable',
      params: IdParams,
      body: SeizureCorrectionSchema,
      response: { 200: AnyObject, ...problems(400, 401, 403, 404, 409) }
    }
  }, async (request) => seizures.correct(request.user, request.params.id, request.body))

  app.get('/api/seizures/:id/versions', {
    config: { permission: 'seizure.read' },
    schema: { tags: ['seizures'], summary: 'Every recorded version of a seizure, oldest first', params: IdParams, response: { 200: Type.Object({ items: Type.Array(AnyObject), nextCursor: Type.Null() }), ...problems(401, 403, 404) } }
  }, async (request) => ({ items: seizures.versions(request.user, request.params.id), nextCursor: null }))

  app.post('/api/seizures/:id/items', {
    config: { permission: 'item.create' },
    schema: {
      tags: ['items'],
      summary: 'Add an evidence item; records its "seized" custody event',
      params: IdParams,
      body: NewItemSchema,
      response: { 201: AnyObject, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => reply.code(201).send(items.createItem(request.user, request.params.id, request.body)))

  app.get('/api/seizures/:id/items', {
    config: { permission: 'seizure.read' },
    schema: { tags: ['items'], summary: 'Evidence items of a seizure', params: IdParams, response: { 200: Type.Object({ items: Type.Array(AnyObject), nextCursor: Type.Null() }), ...problems(401, 403, 404) } }
  }, async (request) => ({ items: items.listForSeizure(request.user, request.params.id), nextCursor: null }))
}

export default routes
