import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { DEMO_PASSWORD, DEMO_START_DAYS, seedDemo } from '../demo/seed.js'
import { KNOWN_AGENCIES } from './agencies.js'

/**
 * First start with no users: create the configured agency and its `admin`, with
 * STRONGROOM_ADMIN_PASSWORD or a random password printed once. Demo mode seeds
 * its agencies and users instead (and still gets the bootstrap admin).
 */
export async function ensureBootstrap (app: FastifyInstance, announce: (text: string) => void, travel: (to: Date | null) => void = () => {}): Promise<void> {
  const { accounts } = app.services
  const { config } = app
  if (!accounts.isEmpty()) return
  const known = KNOWN_AGENCIES.find((a) => a.code === config.agencyCode)
  const agency = { code: config.agencyCode, name: known?.name ?? config.agencyCode, country: known?.country ?? config.agencyCode.slice(0, 2) }
  const realNow = new Date()
  if (config.demo) travel(new Date(realNow.getTime() - DEMO_START_DAYS * 86400000))
  const password = config.adminPassword ?? (config.demo ? DEMO_PASSWORD : randomBytes(18).toString('base64url'))
  const admin = await accounts.bootstrap(agency, password)
  app.log.info({ agency: agency.code, username: 'admin' }, 'bootstrap administrator created')
  if (config.adminPassword === undefined && !config.demo) {
    announce(`\nStrongroom: created the administrator "admin" of ${agency.code}.\nIts password, shown this once: ${password}\n\n`)
  }
  if (config.demo) await seedDemo(app, admin.id, announce, realNow, travel)
  travel(null)
}
