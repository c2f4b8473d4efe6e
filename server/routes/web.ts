import { stat } from 'node:fs/promises'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Problem } from '../errors.js'
import { ROOT } from '../lib/root.js'

/** web/dist, built by `npm run build:web` (run by `npm ci`, `npm start` and `npm run demo`). */
export const WEB_ROOT = path.join(ROOT, 'web', 'dist') + path.sep

/** Plain relative asset paths only: no dot segments, no encoded separators. */
const ASSET_PATH = /^\/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/
const SERVER_PATH = /^\/(?:api|docs)(?:\/|$)/
/** Bundles carry their content hash in the name (`app-3FZK2QXA.js`), so they never change. */
const HASHED = /-[A-Z0-9]{8}\.(?:js|css)$/

/** The app's problem+json 404, as for any unknown route. */
function notFound (reply: FastifyReply): FastifyReply {
  reply.callNotFound()
  return reply
}

async function isFile (file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

/**
 * The web client: its files from web/dist, and index.html for any other page a browser asks
 * for (client-side routes such as /cases/123), so a reload or a bookmark lands in the app.
 * /api and /docs keep their problem+json 404.
 */
const routes: FastifyPluginAsync = async (app) => {
  await app.register(fastifyStatic, { root: WEB_ROOT, serve: false, preCompressed: true, cacheControl: false, suppressWarning: true })

  async function serve (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const pathname = request.url.split('?')[0] ?? '/'
    if (SERVER_PATH.test(pathname)) return notFound(reply)
    if (ASSET_PATH.test(pathname) && pathname !== '/index.html' && await isFile(path.join(WEB_ROOT, pathname))) {
      reply.header('cache-control', HASHED.test(pathname) ? 'public, max-age=31536000, immutable' : 'no-cache')
      return reply.sendFile(pathname.slice(1))
    }
    // The root is the app for any client; other unknown paths only for a browser asking for a page.
    if (pathname !== '/' && !/\btext\/html\b/.test(request.headers.accept ?? '')) return notFound(reply)
    if (!await isFile(path.join(WEB_ROOT, 'index.html'))) {
      throw new Problem(503, 'unavailable', 'The web client is not built: run "npm run build:web"')
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html')
  }

  app.route({ method: ['GET', 'HEAD'], url: '/*', config: { public: true }, schema: { hide: true }, handler: serve })
}

export default routes
