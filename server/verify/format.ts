import type { VerifyProgress, VerifyReport } from './verify-log.js'

const count = (n: number): string => n.toLocaleString('en-US')

/** The human summary of a report: what was checked, each mismatch named, and the verdict. */
export function formatReport (report: VerifyReport): string {
  const records = Object.entries(report.checked.records).map(([table, n]) => `${table} ${count(n)}`).join(', ')
  const hashOnly = Object.entries(report.hashOnly).map(([action, n]) => `${action} ${count(n)}`).join(', ')
  const lines = [
    `  entries       ${count(report.checked.entries)} (root ${report.rootHash})`,
    `  merkle nodes  ${count(report.checked.merkleNodes)}`,
    `  checkpoints   ${count(report.checked.checkpoints)} (published keys: ${report.checked.keys})`,
    `  records       ${records === '' ? 'not checked' : records}`,
    `  attachments   ${count(report.checked.attachments)} files re-hashed`,
    `  print copies  ${count(report.checked.printCopies.remade)} made again from their originals and compared` +
      (report.checked.printCopies.hashOnly > 0 ? `, ${count(report.checked.printCopies.hashOnly)} by hash only (made by another image library version, or before the version was recorded)` : '')
  ]
  if (hashOnly !== '') lines.push(`  hash only     ${hashOnly} (no table to re-derive them from)`)
  for (const m of report.mismatches) lines.push(`MISMATCH ${m.place}: ${m.reason}`)
  for (const c of report.consequences) lines.push(`  and so: ${c.place}: ${c.reason} (follows from ${c.followsFrom ?? '?'})`)
  if (report.truncated) lines.push('  (more mismatches were found than are listed)')
  const seconds = (report.durationMs / 1000).toFixed(1)
  if (report.ok) {
    lines.push(`OK: every entry, Merkle node, checkpoint, record and file matches (${seconds} s)`)
  } else {
    const first = report.mismatches[0]
    lines.push(`FAILED: ${report.mismatches.length}${report.truncated ? '+' : ''} mismatch${report.mismatches.length === 1 ? '' : 'es'}; the first is ${first?.place ?? '?'} (${seconds} s)`)
  }
  return `${lines.join('\n')}\n`
}

export function formatProgress (p: VerifyProgress): string {
  if (p.stage === 'entries') {
    const percent = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100)
    return `verify: entries ${count(p.done)}/${count(p.total)} (${percent}%)`
  }
  if (p.stage === 'records') return `verify: records ${p.table ?? ''} ${count(p.done)}`
  return `verify: ${p.stage} ${count(p.done)}/${count(p.total)}`
}
