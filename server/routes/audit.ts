import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuditEntrySchema, AuditQuerySchema } from '../schemas/audit.js'
import { Page, problems } from '../schemas/common.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/audit', {
    config: { permission: 'audit.read' },
    schema: {
      tags: ['audit'],
      summary: 'Audit entries, oldest first',
      querystring: AuditQuerySchema,
      response: { 200: Page(AuditEntrySchema), ...problems(400, 401, 403) }
    }
  }, async (request) => app.services.audit.list(request.user, request.query))
}

export default routes
