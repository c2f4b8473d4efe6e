import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problems, StringEnum } from '../schemas/common.js'
import { AnyObject } from '../schemas/evidence.js'

const Range = {
  from: Type.Optional(Type.String({ format: 'date', description: 'first day, YYYY-MM-DD' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'last day, YYYY-MM-DD' }))
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { stats } = app.services

  app.get('/api/stats', {
    config: { permission: 'stats.read' },
    schema: { tags: ['stats'], summary: 'Supervisors\' figures: seizures by month, method, mode, regime; custody; durations; outcomes', querystring: Type.Object(Range, { additionalProperties: false }), response: { 200: AnyObject, ...problems(400, 401, 403) } }
  }, async (request) => stats.stats(request.user, request.query))

  app.get('/api/exports/cen', {
    config: { permission: 'export.cen' },
    schema: {
      tags: ['stats'],
      summary: 'Non-nominal seizure export for the WCO Customs Enforcement Network (streamed; audited)',
      querystring: Type.Object({ ...Range, format: Type.Optional(StringEnum(['csv', 'json'] as const, { default: 'json' })) }, { additionalProperties: false }),
      response: { ...problems(400, 401, 403) }
    }
  }, async (request, reply) => {
    const format = request.query.format ?? 'json'
    const stream = stats.cen(request.user, request.query, format)
    const name = `cen-${request.query.from ?? 'all'}-${request.query.to ?? 'all'}.${format}`
    return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`).send(stream)
  })
}

export default routes
