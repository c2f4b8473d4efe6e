export * from './accounts.js'
export * from './audit.js'
