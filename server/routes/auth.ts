import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { TOKEN_COOKIE } from '../plugins/auth.js'
import { LoginResultSchema, LoginSchema, UserSchema } from '../schemas/accounts.js'
import { problems } from '../schemas/common.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/api/auth/login', {
    config: { public: true },
    schema: {
      tags: ['auth'],
      summary: 'Log in and receive a short-lived bearer token',
      body: LoginSchema,
      response: { 200: LoginResultSchema, ...problems(400, 401, 429) }
    }
  }, async (request, reply) => {
    const result = await app.services.auth.login(request.body.username, request.body.password, request.ip)
    reply.setCookie(TOKEN_COOKIE, result.token, {
      httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https', expires: new Date(result.expiresAt)
    })
    return result
  })

  app.post('/api/auth/logout', {
    config: { public: true },
    schema: { tags: ['auth'], summary: 'Forget the session cookie', response: { 204: Type.Null() } }
  }, async (_request, reply) => {
    reply.clearCookie(TOKEN_COOKIE, { path: '/' })
    return reply.code(204).send(null)
  })

  app.get('/api/auth/me', {
    config: { permission: 'session' },
    schema: { tags: ['auth'], summary: 'The caller', response: { 200: UserSchema, ...problems(401) } }
  }, async (request) => app.services.accounts.view(request.user.id))
}

export default routes
