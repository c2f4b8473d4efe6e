import { finished, type Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'

/**
 * Sends `source` as the body of `reply`, with the status and headers set on
 * it, calling `written(chunk)` for each chunk once the socket has written it
 * (the response's write callback), so that the buffer under it can be read
 * into again (lib/chunk-pool.ts). Fastify's own stream sending gives no such
 * signal, so the reply is hijacked once the headers are known: a failure
 * before then is still a problem+json answer; one after breaks the response
 * off, as a broken stream did before. A client that goes away, even before
 * this is called (while the request was authenticated), destroys `source`.
 */
export function sendWritten (reply: FastifyReply, source: Readable, written: (chunk: Buffer) => void): void {
  const res = reply.raw
  // finished() also reports a response already closed, which a 'close' listener would miss.
  finished(res, () => { if (!source.readableEnded) source.destroy() })
  try {
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value)
  } catch (err) {
    source.destroy()
    throw err // before the hijack: Fastify answers it
  }
  reply.hijack()
  res.writeHead(reply.statusCode)
  source.on('data', (chunk: Buffer) => {
    if (!res.write(chunk, () => { written(chunk) })) source.pause()
  })
  res.on('drain', () => { source.resume() })
  source.once('end', () => { res.end() })
  source.once('error', (err) => { res.destroy(err) })
}
