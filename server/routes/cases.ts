import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CasePatchSchema, CaseQuerySchema, LinkSchema, NewActionSchema, NewCaseSchema, NewMemberSchema, ShareSchema, UnlinkSchema } from '../schemas/cases.js'
import { LANGUAGES } from '../documents/template.js'
import { IdParams, Page, problems, StringEnum } from '../schemas/common.js'
import { AnyObject } from '../schemas/evidence.js'
import { sendWritten } from '../lib/send.js'

const CaseUserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), userId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })
const CaseSeizureParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), seizureId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })

const DocumentQuery = Type.Object({
  lang: Type.Optional(StringEnum(LANGUAGES, { default: 'en' })),
  generatedAt: Type.Optional(Type.String({ format: 'date-time', description: 'make an earlier file again: the same case state and generation time give the same bytes. Not before the case\'s last recorded change, not in the future (400)' }))
}, { additionalProperties: false })

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { cases, bundles } = app.services

  // No automatic HEAD routes for the downloads: a HEAD would make (and audit) a download nobody receives.
  app.get('/api/cases/:id/case-file.pdf', {
    exposeHeadRoute: false,
    config: { permission: 'case.read' },
    schema: { tags: ['cases'], summary: 'The court-ready case file (PDF/A-3b), in English or Albanian; audited', params: IdParams, querystring: DocumentQuery, response: { ...problems(400, 401, 403, 404, 409) } }
  }, async (request, reply) => {
    // A client that goes away while the case file is laid out cancels it (and it is not audited).
    const gone = new AbortController()
    const onClose = (): void => { gone.abort(new Error('the client went away')) }
    reply.raw.once('close', onClose)
    // Gone already, while the request was authenticated: 'close' has fired and will not again.
    if (reply.raw.destroyed || request.raw.destroyed) onClose()
    let made: Awaited<ReturnType<typeof bundles.caseFile>>
    try {
      made = await bundles.caseFile(request.user, request.params.id, request.query.lang ?? 'en', request.query.generatedAt, gone.signal, request.log)
    } finally {
      reply.raw.off('close', onClose)
    }
    const { pdf, size, reference, written } = made
    reply.type('application/pdf').header('content-length', size).header('content-disposition', `attachment; filename="${reference}-case-file-${request.query.lang ?? 'en'}.pdf"`).header('cache-control', 'private, no-store')
    sendWritten(reply, pdf, written)
    return reply
  })

  app.get('/api/cases/:id/bundle.zip', {
    exposeHeadRoute: false,
    config: { permission: 'case.read' },
    schema: { tags: ['cases'], summary: 'The case bundle: case file, evidence, records, audit entries with proofs, signed manifest; streamed; audited', params: IdParams, querystring: DocumentQuery, response: { ...problems(400, 401, 403, 404, 409) } }
  }, async (request, reply) => {
    const { stream, reference, written } = await bundles.bundle(request.user, request.params.id, request.query.lang ?? 'en', request.query.generatedAt, request.log)
    stream.on('error', (err: Error) => { request.log.error({ err }, 'bundle stream broken off') })
    reply.type('application/zip').header('content-disposition', `attachment; filename="${reference}-bundle.zip"`).header('cache-control', 'private, no-store')
    sendWritten(reply, stream, written)
    return reply
  })

  app.post('/api/cases', {
    config: { permission: 'case.create' },
    schema: { tags: ['cases'], summary: 'Open a case from one or more seizures; the creator leads it', body: NewCaseSchema, response: { 201: AnyObject, ...problems(400, 401, 403) } }
  }, async (request, reply) => reply.code(201).send(cases.create(request.user, request.body)))

  app.get('/api/cases', {
    config: { permission: 'case.read' },
    schema: { tags: ['cases'], summary: 'Cases the caller may read, newest first', querystring: CaseQuerySchema, response: { 200: Page(AnyObject), ...problems(400, 401, 403) } }
  }, async (request) => cases.list(request.user, request.query))

  app.get('/api/cases/:id', {
    config: { permission: 'case.read' },
    schema: { tags: ['cases'], summary: 'A case with its seizures, exhibits and their custody state, members, actions and timeline', params: IdParams, response: { 200: AnyObject, ...problems(401, 403, 404) } }
  }, async (request) => cases.detail(request.user, request.params.id))

  app.patch('/api/cases/:id', {
    config: { permission: 'case.update' },
    schema: { tags: ['cases'], summary: 'Edit a case or move its status (with a reason; closing needs an outcome)', params: IdParams, body: CasePatchSchema, response: { 200: AnyObject, ...problems(400, 401, 403, 404, 409) } }
  }, async (request) => cases.patch(request.user, request.params.id, request.body))

  app.post('/api/cases/:id/members', {
    config: { permission: 'case.update' },
    schema: { tags: ['cases'], summary: 'Add a member (lead only)', params: IdParams, body: NewMemberSchema, response: { 201: AnyObject, ...problems(400, 401, 403, 404, 409) } }
  }, async (request, reply) => reply.code(201).send(cases.addMember(request.user, request.params.id, request.body)))

  app.delete('/api/cases/:id/members/:userId', {
    config: { permission: 'case.update' },
    schema: { tags: ['cases'], summary: 'Remove a member (lead only)', params: CaseUserParams, response: { 200: AnyObject, ...problems(401, 403, 404, 409) } }
  }, async (request) => cases.removeMember(request.user, request.params.id, request.params.userId))

  app.post('/api/cases/:id/seizures', {
    config: { permission: 'case.update' },
    schema: { tags: ['cases'], summary: 'Link a seizure, with a reason', params: IdParams, body: LinkSchema, response: { 201: AnyObject, ...problems(400, 401, 403, 404, 409) } }
  }, async (request, reply) => reply.code(201).send(cases.link(request.user, request.params.id, request.body)))

  app.post('/api/cases/:id/seizures/:seizureId/unlink', {
    config: { permission: 'case.update' },
    schema: { tags: ['cases'], summary: 'Unlink a seizure, with a reason', params: CaseSeizureParams, body: UnlinkSchema, response: { 200: AnyObject, ...problems(400, 401, 403, 404, 409) } }
  }, async (request) => cases.unlink(request.user, request.params.id, request.params.seizureId, request.body.reason))

  app.post('/api/cases/:id/shares', {
    config: { permission: 'case.share' },
    schema: { tags: ['cases'], summary: 'Share read-only with a named user of another agency (lead only)', params: IdParams, body: ShareSchema, response: { 201: AnyObject, ...problems(400, 401, 403, 404, 409) } }
  }, async (request, reply) => reply.code(201).send(cases.share(request.user, request.params.id, request.body.userId)))

  app.delete('/api/cases/:id/shares/:userId', {
    config: { permission: 'case.share' },
    schema: { tags: ['cases'], summary: 'Revoke a share (lead only)', params: CaseUserParams, response: { 200: AnyObject, ...problems(401, 403, 404) } }
  }, async (request) => cases.unshare(request.user, request.params.id, request.params.userId))

  app.post('/api/cases/:id/actions', {
    config: { permission: 'case.update' },
    schema: { tags: ['cases'], summary: 'Record an investigative action (members)', params: IdParams, body: NewActionSchema, response: { 201: AnyObject, ...problems(400, 401, 403, 404, 409) } }
  }, async (request, reply) => reply.code(201).send(cases.addAction(request.user, request.params.id, request.body)))
}

export default routes
