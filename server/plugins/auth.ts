import fp from 'fastify-plugin'
import { Problem } from '../errors.js'
import { authorize, type AuthUser, type Permission } from '../services/access.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set for every route not marked public. */
    user: AuthUser
  }
  interface FastifyContextConfig {
    /** The route answers without authentication (login, health, docs). */
    public?: boolean
    /**
     * The role permission the route needs (access.ts PERMISSIONS). Checked here,
     * before the body is read; services then check access to the object itself.
     */
    permission?: Permission
  }
}

export const TOKEN_COOKIE = 'strongroom_token'

/**
 * Authentication runs at onRequest, before the body is read or validated, so an
 * anonymous caller learns nothing about a route's schema. The web client may send
 * its token as an httpOnly SameSite=Strict cookie instead of the header.
 */
export default fp(async (app) => {
  app.decorateRequest('user', null as unknown as AuthUser)
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url === undefined || request.routeOptions.config.public === true) return
    const header = request.headers.authorization
    let token: string | undefined
    if (header !== undefined) {
      const match = /^Bearer ([A-Za-z0-9\-_.]+)$/.exec(header)
      if (match === null) throw new Problem(401, 'invalid-token', 'The Authorization header must be "Bearer <token>"')
      token = match[1]
    } else {
      token = request.cookies[TOKEN_COOKIE]
    }
    if (token === undefined || token === '') throw new Problem(401, 'unauthenticated', 'Log in first: send "Authorization: Bearer <token>"')
    request.user = await app.services.auth.authenticate(token)
    const permission = request.routeOptions.config.permission
    if (permission !== undefined) authorize(request.user, permission)
  })
}, { name: 'auth', dependencies: ['services', '@fastify/cookie'] })
