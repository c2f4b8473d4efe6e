import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { ProblemSchema } from '../schemas/common.js'

/** OpenAPI 3.1 built from the route schemas, at /api/openapi.json, browsable at /docs. */
export default fp(async (app) => {
  app.addSchema(ProblemSchema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Strongroom API',
        version: '0.1.0',
        description: 'Evidence and seizure case management for customs enforcement. Errors are RFC 9457 application/problem+json.'
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }]
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  // The UI's pages and assets (like the document itself) need no login: mark them public
  // for the auth plugin, which otherwise answers 401 to every route under /docs.
  app.addHook('onRoute', (route) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/')) route.config = { ...route.config, public: true }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { docExpansion: 'list' } })
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger())
}, { name: 'docs' })
