/**
 * `npx strongroom-verify bundle.zip [--key <thumbprint>] [--json]`
 * Verifies a case bundle offline; exit status 0 only when every check holds.
 */
import { formatReport, verifyBundle } from '../verify/verify-bundle.js'

const args = process.argv.slice(2)
const json = args.includes('--json')
const keyAt = args.indexOf('--key')
const expectedThumbprint = keyAt >= 0 ? args[keyAt + 1] : undefined
const file = args.find((a, i) => !a.startsWith('--') && (keyAt < 0 || i !== keyAt + 1))

if (file === undefined || args.includes('--help')) {
  process.stderr.write('usage: strongroom-verify <bundle.zip> [--key <RFC 7638 thumbprint of the agency key>] [--json]\n')
  process.exit(2)
}

const report = await verifyBundle(file, {
  ...(expectedThumbprint === undefined ? {} : { expectedThumbprint }),
  onProgress: json ? undefined : (m) => { if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${m.slice(0, 100)}`) }
})
if (!json && process.stderr.isTTY) process.stderr.write('\r\x1b[K')
process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`)
process.exit(report.ok ? 0 : 1)
