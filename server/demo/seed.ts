import type { FastifyInstance } from 'fastify'
import { ROLES, type AuthUser } from '../services/access.js'
import { KNOWN_AGENCIES } from '../services/agencies.js'
import { seedDemoEvidence } from './evidence.js'

/** Shared by every demo account; printed at start. Demo data directories only. */
export const DEMO_PASSWORD = 'strongroom-demo'
/** The demo's story starts this many days before the server's first start. */
export const DEMO_START_DAYS = 160


const DEMO_NAMES: Record<string, Record<string, string>> = {
  al: { admin: 'Arben Hoxha', officer: 'Elira Krasniqi', custodian: 'Besnik Shehu', investigator: 'Dritan Leka', prosecutor: 'Mirela Çela', auditor: 'Genta Dervishi' },
  xk: { admin: 'Valon Berisha', officer: 'Blerta Gashi', custodian: 'Fatos Morina', investigator: 'Arta Rexhepi', prosecutor: 'Luan Kelmendi', auditor: 'Shpresa Hyseni' }
}

/** Two agencies with one user of every role each; later issues add seizures and cases. */
export async function seedDemo (app: FastifyInstance, adminId: string, announce: (text: string) => void, now: Date = new Date(), travel: (to: Date | null) => void = () => {}): Promise<void> {
  const { accounts } = app.services
  const root = accounts.authUser(adminId)
  if (root === undefined) throw new Error('demo seed needs the bootstrap admin')
  const { disabled: _d, passwordChangedAt: _p, ...admin } = root
  const lines: string[] = []
  const created: Record<string, AuthUser> = {}
  for (const agency of KNOWN_AGENCIES) {
    if (accounts.findAgency(agency.code) === undefined) accounts.createAgency(admin, { code: agency.code, name: agency.name, country: agency.country })
    for (const role of ROLES) {
      const username = `${agency.prefix}.${role}`
      const view = await accounts.createUser(admin, { username, password: DEMO_PASSWORD, displayName: DEMO_NAMES[agency.prefix]?.[role] ?? username, role, agencyCode: agency.code })
      const user = accounts.authUser(view.id)
      if (user !== undefined) created[username] = user
      lines.push(`  ${username.padEnd(18)} ${role}`)
    }
  }
  await seedDemoEvidence(app, created, now, travel)
  const adminNote = app.config.adminPassword === undefined ? ' (also the bootstrap "admin")' : ''
  announce(`\nStrongroom demo: every demo user's password is "${DEMO_PASSWORD}"${adminNote}\n${lines.join('\n')}\n\n`)
}
