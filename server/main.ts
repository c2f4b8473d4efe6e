import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

async function main (): Promise<void> {
  let config
  try {
    // `npm run demo` keeps its own data directory unless told otherwise.
    const demo = process.argv.includes('--demo')
    const env = demo ? { STRONGROOM_DATA_DIR: './data/demo', ...process.env, STRONGROOM_DEMO: '1' } : process.env
    config = loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`strongroom: configuration error: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  const app = await buildApp(config)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down')
      app.close().then(() => process.exit(0), (err: unknown) => { app.log.error({ err }, 'close failed'); process.exit(1) })
    })
  }
  await app.listen({ port: config.port, host: config.host })
}

main().catch((err: unknown) => {
  process.stderr.write(`strongroom: failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
