import fs from 'node:fs'
import path from 'node:path'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { databaseFile, openDb, type Db } from '../db/client.js'
import { loadOrCreateEd25519 } from '../lib/keys.js'
import { createTokenService } from '../lib/tokens.js'
import { createAccountsService, type AccountsService } from '../services/accounts-service.js'
import { createAuditService, type AuditService } from '../services/audit-service.js'
import { createAuthService, type AuthService } from '../services/auth-service.js'
import { createWritePath, type WritePath } from '../services/write-path.js'
import { ObjectStore } from '../lib/object-store.js'
import { clearSpools } from '../lib/spool.js'
import { createAttachmentService, type AttachmentService } from '../services/attachment-service.js'
import { createItemService, type ItemService } from '../services/item-service.js'
import { createSeizureService, type SeizureService } from '../services/seizure-service.js'
import { createObjectAccess, type ObjectAccess } from '../services/object-access.js'
import { createCaseService, type CaseService } from '../services/case-service.js'
import { createStatsService, type StatsService } from '../services/stats-service.js'
import { createLogService, type LogService } from '../services/log-service.js'
import { createCaseFileRenderer } from '../documents/case-file-renderer.js'
import { createPrintCopies } from '../services/print-copies.js'
import { createBundleService, type BundleService } from '../services/bundle-service.js'

export interface Services {
  db: Db
  writes: WritePath
  accounts: AccountsService
  auth: AuthService
  audit: AuditService
  objects: ObjectStore
  access: ObjectAccess
  seizures: SeizureService
  items: ItemService
  attachments: AttachmentService
  cases: CaseService
  stats: StatsService
  auditLog: LogService
  bundles: BundleService
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    services: Services
  }
}

export interface ServicesOptions { config: Config, now: () => Date }

/**
 * Opens the data directory (database, keys) and builds the domain services
 * with explicit dependencies. Closes the database when the app closes.
 */
export default fp<ServicesOptions>(async (app, { config, now }) => {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const db = openDb(databaseFile(config.dataDir))
  app.addHook('onClose', async () => { db.$client.close() })

  const tokenKey = loadOrCreateEd25519(path.join(config.dataDir, 'keys', 'token-signing.pem'))
  const tokens = await createTokenService(tokenKey, config.tokenTtl, now)
  const writes = createWritePath(db, now)
  const accounts = createAccountsService(db, writes)
  const auth = await createAuthService(db, writes, accounts, tokens, now)
  const audit = createAuditService(db)
  const objects = new ObjectStore(config.dataDir)
  const leftOver = { caseFiles: clearSpools(objects.tmpDir), uploads: objects.removeUnfinished() }
  if (leftOver.caseFiles + leftOver.uploads > 0) app.log.info({ removed: leftOver }, 'removed the case files and uploads a previous run left unfinished in tmp/')
  const access = createObjectAccess(db)
  const seizures = createSeizureService(db, writes, access, now)
  const items = createItemService(db, writes, seizures, now)
  const prints = createPrintCopies(db, objects, now, app.log)
  const attachments = createAttachmentService(db, writes, objects, prints, seizures, items, app.log)
  const cases = createCaseService(db, writes, access, seizures, items, now)
  attachments.registerOwner('case', (user, id, mode) => cases.attachmentOwner(user, 'case', id, mode))
  attachments.registerOwner('case_action', (user, id, mode) => cases.attachmentOwner(user, 'case_action', id, mode))

  const auditLog = await createLogService({ db, dataDir: config.dataDir, agencyCode: config.agencyCode, now, log: app.log })
  const stopCheckpoints = auditLog.startCheckpoints(config.checkpointInterval * 1000)
  const renderer = createCaseFileRenderer(app.log)
  app.addHook('onClose', async () => { await renderer.close() })
  const bundles = createBundleService({
    now, db, objects, prints, renderer, cases, seizures, items, writes,
    log: { checkpointCovering: (size) => auditLog.checkpointCovering(size), jwks: () => auditLog.jwks() as unknown as { keys: Array<Record<string, unknown>> }, signer: () => auditLog.signer() }
  })
  // Runs before the database closes (onClose hooks run last-added first).
  app.addHook('onClose', async () => { await auditLog.verifications.settle({ abort: true }); stopCheckpoints() })

  app.decorate('config', config)
  app.decorate('services', { db, writes, accounts, auth, audit, objects, access, seizures, items, attachments, cases, stats: createStatsService(db, writes), auditLog, bundles })
}, { name: 'services' })
