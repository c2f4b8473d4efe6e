import cookie from '@fastify/cookie'
import multipart from '@fastify/multipart'
import helmet from '@fastify/helmet'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { registerErrorHandlers } from './errors.js'
import { newId } from './lib/ids.js'
import authPlugin from './plugins/auth.js'
import docsPlugin from './plugins/docs.js'
import servicesPlugin from './plugins/services.js'
import auditRoutes from './routes/audit.js'
import logRoutes from './routes/log.js'
import authRoutes from './routes/auth.js'
import healthRoutes from './routes/health.js'
import userRoutes from './routes/users.js'
import attachmentRoutes from './routes/attachments.js'
import caseRoutes from './routes/cases.js'
import statsRoutes from './routes/stats.js'
import itemRoutes from './routes/items.js'
import seizureRoutes from './routes/seizures.js'
import webRoutes from './routes/web.js'
import { ensureBootstrap } from './services/bootstrap.js'

export interface AppOptions {
  /** The clock every service reads; tests move it. */
  now?: () => Date
  /** Where the one-time bootstrap and demo passwords are printed (not the log). */
  announce?: (text: string) => void
  /** Where the log goes instead of stdout (tests read it). */
  logStream?: { write: (line: string) => void }
}

/**
 * Bodies are validated strictly: no type coercion and no silent removal of
 * unknown properties, so `"12"` for a number or an unknown field is a 400.
 * Query strings and params arrive as text and are coerced.
 */
function validators () {
  const common = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const
  const strict = addFormats.default(new Ajv.default({ ...common, coerceTypes: false }))
  const coercing = addFormats.default(new Ajv.default({ ...common, coerceTypes: 'array' }))
  return { strict, coercing }
}

/** The only place that creates Fastify: main.ts and every test build the app here. */
export async function buildApp (config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const clock = options.now ?? (() => new Date())
  // The demo seed backdates its story (a seizure ten days ago, a case closed months ago) by
  // moving this offset while it runs; nothing else can reach it, and it is 0 once built.
  let demoOffset = 0
  const now = (): Date => (demoOffset === 0 ? clock() : new Date(clock().getTime() + demoOffset))
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password'], censor: '[redacted]' },
      ...(options.logStream === undefined ? {} : { stream: options.logStream })
    },
    genReqId: () => newId(),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true
  }).withTypeProvider<TypeBoxTypeProvider>()

  const { strict, coercing } = validators()
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema))
  registerErrorHandlers(app)

  // Tier 1: infrastructure.
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:', 'blob:'], objectSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'self'"], formAction: ["'self'"], upgradeInsecureRequests: null }
    },
    crossOriginResourcePolicy: { policy: 'same-origin' }
  })
  await app.register(cookie)
  // Limits are set per request in routes/attachments.ts (one file, few small fields).
  await app.register(multipart, { throwFileSizeLimit: true, limits: { fileSize: config.uploadLimit, files: 1, parts: 8, fields: 6, fieldSize: 16 * 1024, headerPairs: 50 } })
  await app.register(docsPlugin)

  // Tier 2: application services.
  await app.register(servicesPlugin, { config, now })
  await app.register(authPlugin)

  // Tier 3: routes.
  await app.register(healthRoutes)
  await app.register(authRoutes)
  await app.register(userRoutes)
  await app.register(auditRoutes)
  await app.register(logRoutes)
  await app.register(seizureRoutes)
  await app.register(itemRoutes)
  await app.register(attachmentRoutes)
  await app.register(caseRoutes)
  await app.register(statsRoutes)
  // Last: the web client's files and its client-side routes (GET /*).
  await app.register(webRoutes)

  await app.ready()
  const travel = (to: Date | null): void => { demoOffset = to === null ? 0 : to.getTime() - clock().getTime() }
  await ensureBootstrap(app, options.announce ?? ((text) => { process.stdout.write(text) }), travel)
  demoOffset = 0
  return app
}
