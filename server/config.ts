import path from 'node:path'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

export interface Config {
  readonly dataDir: string
  readonly port: number
  readonly host: string
  readonly agencyCode: string
  readonly adminPassword: string | undefined
  readonly logLevel: LogLevel
  /** Largest attachment accepted, in bytes (PRODUCT.md: 2 GiB by default). */
  readonly uploadLimit: number
  /** Lifetime of an access token in seconds: short, so a stolen token is soon worthless. */
  readonly tokenTtl: number
  /** Seconds between automatic checkpoints while entries arrive (VERIFIABILITY.md: at least every minute). */
  readonly checkpointInterval: number
  /** Seed demo agencies, users and records into an empty database. */
  readonly demo: boolean
  /** Trust X-Forwarded-For from a reverse proxy (affects the per-address login limit). */
  readonly trustProxy: boolean
}

export class ConfigError extends Error {
  constructor (readonly variable: string, message: string) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

function integer (env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got ${JSON.stringify(raw)}`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`)
  return value
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/** A byte size such as `2147483648`, `512M` or `2G` (binary units). */
function byteSize (env: Env, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const match = /^(\d+)\s*([kmg]?)i?b?$/i.exec(raw.trim())
  if (match === null) throw new ConfigError(name, `expected a size such as 2G, 512M or a number of bytes, got ${JSON.stringify(raw)}`)
  const value = Number(match[1]) * (SIZE_UNITS[(match[2] ?? '').toLowerCase()] ?? 1)
  if (value < 1024 || value > 64 * 1024 ** 3) throw new ConfigError(name, 'must be between 1 KiB and 64 GiB')
  return value
}

function flag (env: Env, name: string): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false
  if (raw === '1' || raw === 'true') return true
  throw new ConfigError(name, `expected 1, 0, true or false, got ${JSON.stringify(raw)}`)
}

/**
 * The only reader of the environment. A wrong value stops the start with a
 * message that names the variable.
 */
export function loadConfig (env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const logLevel = (env.STRONGROOM_LOG_LEVEL ?? env.LOG_LEVEL ?? 'info') as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('STRONGROOM_LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`)
  }
  const host = env.HOST ?? '127.0.0.1'
  if (host.trim() === '') throw new ConfigError('HOST', 'must not be empty')
  const agencyCode = env.STRONGROOM_AGENCY ?? 'AL-CUSTOMS'
  if (!AGENCY_CODE.test(agencyCode)) throw new ConfigError('STRONGROOM_AGENCY', `expected an agency code such as AL-CUSTOMS, got ${JSON.stringify(agencyCode)}`)
  const adminPassword = env.STRONGROOM_ADMIN_PASSWORD === '' ? undefined : env.STRONGROOM_ADMIN_PASSWORD
  if (adminPassword !== undefined && adminPassword.length < 12) {
    throw new ConfigError('STRONGROOM_ADMIN_PASSWORD', 'must be at least 12 characters')
  }
  const config: Config = {
    dataDir: path.resolve(env.STRONGROOM_DATA_DIR ?? './data'),
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    agencyCode,
    adminPassword,
    logLevel,
    uploadLimit: byteSize(env, 'STRONGROOM_UPLOAD_LIMIT', 2 * 1024 ** 3),
    tokenTtl: integer(env, 'STRONGROOM_TOKEN_TTL', 900, 60, 24 * 3600),
    checkpointInterval: integer(env, 'STRONGROOM_CHECKPOINT_INTERVAL', 60, 1, 3600),
    demo: flag(env, 'STRONGROOM_DEMO'),
    trustProxy: flag(env, 'STRONGROOM_TRUST_PROXY'),
    ...overrides
  }
  return Object.freeze(config)
}

export const AGENCY_CODE = /^[A-Z]{2}-[A-Z0-9]{2,16}$/
