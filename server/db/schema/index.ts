export * from './accounts.js'
export * from './audit.js'
export * from './evidence.js'
