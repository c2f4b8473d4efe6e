import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Page, problems } from '../schemas/common.js'
import {
  CheckpointListQuerySchema, CheckpointQuerySchema, CheckpointViewSchema, ConsistencyProofSchema, ConsistencyQuerySchema,
  EntryIndexParams, InclusionProofSchema, InclusionQuerySchema, JwksSchema, NoteText, VerificationIdParams, VerificationSchema
} from '../schemas/log.js'

const TEXT = 'text/plain; charset=utf-8'
const text = (description: string) => ({ description, content: { 'text/plain': { schema: NoteText } } })

/**
 * The verifiable audit log (VERIFIABILITY.md): public keys, signed checkpoints, RFC 9162 proofs,
 * tlog-proof files, and the verify command as a background job. GET /api/audit is in audit.ts.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  const log = app.services.auditLog

  app.get('/.well-known/jwks.json', {
    config: { public: true },
    schema: {
      tags: ['audit'],
      summary: 'Every public key that signs or ever signed checkpoints; kid is the RFC 7638 thumbprint',
      security: [],
      response: { 200: JwksSchema }
    }
  }, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(log.jwks()))

  app.get('/api/audit/checkpoint', {
    config: { permission: 'audit.proof' },
    schema: {
      tags: ['audit'],
      summary: 'The latest signed checkpoint (C2SP tlog-checkpoint in a signed note), or the one of ?size=',
      querystring: CheckpointQuerySchema,
      response: { 200: text('the signed note'), ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => {
    const { size } = request.query
    const checkpoint = size === undefined ? log.latest(request.user) : log.at(request.user, size)
    return reply.type(TEXT).send(checkpoint.note)
  })

  app.post('/api/audit/checkpoint', {
    config: { permission: 'audit.checkpoint' },
    schema: {
      tags: ['audit'],
      summary: 'Sign a checkpoint of the log now (the stored one if the log has not grown since)',
      response: { 201: text('the signed note'), ...problems(401, 403, 503) }
    }
  }, async (request, reply) => {
    const checkpoint = log.create(request.user)
    return reply.code(201).type(TEXT).header('location', `/api/audit/checkpoint?size=${checkpoint.size}`).send(checkpoint.note)
  })

  app.get('/api/audit/checkpoints', {
    config: { permission: 'audit.proof' },
    schema: {
      tags: ['audit'],
      summary: 'Every checkpoint issued, smallest tree first',
      querystring: CheckpointListQuerySchema,
      response: { 200: Page(CheckpointViewSchema), ...problems(400, 401, 403) }
    }
  }, async (request) => log.list(request.user, request.query))

  app.get('/api/audit/proof/inclusion', {
    config: { permission: 'audit.proof' },
    schema: {
      tags: ['audit'],
      summary: 'RFC 9162 inclusion proof of entry `index` in the tree of `size` entries',
      querystring: InclusionQuerySchema,
      response: { 200: InclusionProofSchema, ...problems(400, 401, 403, 404) }
    }
  }, async (request) => log.inclusion(request.user, request.query.index, request.query.size))

  app.get('/api/audit/proof/consistency', {
    config: { permission: 'audit.proof' },
    schema: {
      tags: ['audit'],
      summary: 'RFC 9162 consistency proof between the trees of `from` and `to` entries',
      querystring: ConsistencyQuerySchema,
      response: { 200: ConsistencyProofSchema, ...problems(400, 401, 403, 404) }
    }
  }, async (request) => log.consistency(request.user, request.query.from, request.query.to))

  app.get('/api/audit/entries/:index/proof', {
    config: { permission: 'audit.proof' },
    schema: {
      tags: ['audit'],
      summary: 'One entry\'s C2SP tlog-proof@v1 against the latest checkpoint (the file a case bundle carries)',
      params: EntryIndexParams,
      response: { 200: { description: 'the tlog-proof file', content: { 'text/plain': { schema: Type.String() } } }, ...problems(400, 401, 403, 404) }
    }
  }, async (request, reply) => reply.type(TEXT).send(log.entryProof(request.user, request.params.index)))

  app.post('/api/audit/verifications', {
    config: { permission: 'audit.verify' },
    schema: {
      tags: ['audit'],
      summary: 'Run the verify command in the background (or answer the run in progress)',
      response: { 202: VerificationSchema, ...problems(401, 403) }
    }
  }, async (request, reply) => {
    const job = log.verifications.start(request.user)
    return reply.code(202).header('location', `/api/audit/verifications/${job.id}`).send(job)
  })

  app.get('/api/audit/verifications/:id', {
    config: { permission: 'audit.verify' },
    schema: {
      tags: ['audit'],
      summary: 'A verification run: its progress, then its result',
      params: VerificationIdParams,
      response: { 200: VerificationSchema, ...problems(400, 401, 403, 404) }
    }
  }, async (request) => log.verifications.get(request.user, request.params.id))
}

export default routes
