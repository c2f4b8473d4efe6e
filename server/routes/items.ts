import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { LABEL_FORMATS } from '../documents/label-formats.js'
import { IdParams, Page, problems, StringEnum } from '../schemas/common.js'
import { AnyObject, ItemQuerySchema, NewCustodyEventSchema, NewLocationSchema } from '../schemas/evidence.js'

const List = Type.Object({ items: Type.Array(AnyObject), nextCursor: Type.Null() })

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { items } = app.services

  app.get('/api/items', {
    config: { permission: 'seizure.read' },
    schema: { tags: ['items'], summary: 'Evidence items: pending hand-overs (pendingTo=me), what a custodian holds, by status or label', querystring: ItemQuerySchema, response: { 200: Page(AnyObject), ...problems(400, 401, 403) } }
  }, async (request) => items.list(request.user, request.query))

  app.get('/api/items/:id', {
    config: { permission: 'seizure.read' },
    schema: { tags: ['items'], summary: 'An evidence item with its current custody state', params: IdParams, response: { 200: AnyObject, ...problems(401, 403, 404) } }
  }, async (request) => items.get(request.user, request.params.id))

  app.get('/api/items/:id/label.pdf', {
    config: { permission: 'seizure.read' },
    schema: {
      tags: ['items'],
      summary: 'Printable evidence label (100 × 150 mm, or on A4) with QR code and Code 128 barcode',
      params: IdParams,
      querystring: Type.Object({ format: Type.Optional(StringEnum(LABEL_FORMATS, { default: 'label' })) }, { additionalProperties: false }),
      response: { ...problems(401, 403, 404) }
    }
  }, async (request, reply) => {
    const data = items.labelData(request.user, request.params.id)
    // Loaded on first use: pdfkit, fontkit and the barcode library are some 10 MiB the main
    // thread needs only for labels (the case file is laid out in its worker).
    const { renderLabel } = await import('../documents/label.js')
    const pdf = await renderLabel(data, request.query.format ?? 'label')
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${data.label}.pdf"`).send(pdf)
  })

  app.post('/api/items/:id/custody', {
    config: { permission: 'custody.record' },
    schema: {
      tags: ['custody'],
      summary: 'Record a custody event; 409 with the reason when the state machine refuses it',
      params: IdParams,
      body: NewCustodyEventSchema,
      response: { 201: AnyObject, ...problems(400, 401, 403, 404, 409) }
    }
  }, async (request, reply) => {
    const { event, item } = items.recordEvent(request.user, request.params.id, request.body)
    return reply.code(201).send({ ...event, item })
  })

  app.get('/api/items/:id/custody', {
    config: { permission: 'seizure.read' },
    schema: { tags: ['custody'], summary: 'The chain of custody, in sequence', params: IdParams, response: { 200: List, ...problems(401, 403, 404) } }
  }, async (request) => ({ items: items.events(request.user, request.params.id), nextCursor: null }))

  app.post('/api/locations', {
    config: { permission: 'location.manage' },
    schema: { tags: ['locations'], summary: 'Register a storage location', body: NewLocationSchema, response: { 201: AnyObject, ...problems(400, 401, 403, 409) } }
  }, async (request, reply) => reply.code(201).send(items.createLocation(request.user, request.body)))

  app.get('/api/locations', {
    config: { permission: 'location.read' },
    schema: { tags: ['locations'], summary: 'Storage locations of the caller\'s agency', response: { 200: List, ...problems(401, 403) } }
  }, async (request) => ({ items: items.listLocations(request.user), nextCursor: null }))

  app.get('/api/locations/:id/items', {
    config: { permission: 'location.read' },
    schema: { tags: ['locations'], summary: 'What a location (and its sub-locations) holds now', params: IdParams, response: { 200: Type.Object({ location: AnyObject, items: Type.Array(AnyObject), nextCursor: Type.Null() }), ...problems(401, 403, 404) } }
  }, async (request) => ({ ...items.locationItems(request.user, request.params.id), nextCursor: null }))
}

export default routes
