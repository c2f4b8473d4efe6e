import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Problem } from '../errors.js'
import { problems } from '../schemas/common.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', {
    config: { public: true },
    schema: {
      tags: ['health'],
      summary: 'Liveness and database reachability',
      response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok'), auditEntries: Type.Integer() }), ...problems(503) }
    }
  }, async () => {
    try {
      const row = app.services.db.$client.prepare<[], { n: number }>('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM audit_entries').get()
      return { status: 'ok' as const, database: 'ok' as const, auditEntries: row?.n ?? 0 }
    } catch (err) {
      app.log.error({ err }, 'health check: database unreachable')
      throw new Problem(503, 'unavailable', 'The database is not reachable')
    }
  })
}

export default routes
