import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { buildApp } from '../server/app.js'
import { loadConfig } from '../server/config.js'

const src = process.env.SRC ?? '/tmp/sr-exp'
const sqlExtra = process.env.EXP_SQL ?? ''
const url = process.env.URL ?? '/api/stats'
const who = process.env.WHO ?? 'al.auditor'
const password = 'bench password long enough'
const ms = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? 0 }

const sets = []
for (const size of ['10000', '100000']) {
  const dir = `/tmp/sr-var/${size}`
  fs.rmSync(dir, { recursive: true, force: true })
  fs.cpSync(path.join(src, size), dir, { recursive: true })
  const app = await buildApp(loadConfig({ STRONGROOM_DATA_DIR: dir, STRONGROOM_LOG_LEVEL: 'silent', STRONGROOM_ADMIN_PASSWORD: password, STRONGROOM_TOKEN_TTL: '3600' }), { announce: () => {} })
  const sqlite = app.services.db.$client
  if (sqlExtra !== '') { const t = process.hrtime.bigint(); sqlite.exec(sqlExtra); console.log(`${size}: EXP_SQL ${ms(t).toFixed(0)} ms`) }
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: who, password } })
  const token = res.json().token as string
  const captured: Array<{ sql: string, args: unknown[] }> = []
  const original = sqlite.prepare.bind(sqlite)
  sqlite.prepare = ((sql: string) => {
    const stmt = original(sql)
    for (const m of ['all', 'get'] as const) {
      const inner = (stmt[m] as any).bind(stmt)
      ;(stmt as any)[m] = (...args: unknown[]) => { captured.push({ sql, args }); return inner(...args) }
    }
    return stmt
  }) as typeof sqlite.prepare
  await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
  sqlite.prepare = original as typeof sqlite.prepare
  const stmts = captured.filter((c) => !/users|agencies" where|token/i.test(c.sql.slice(0, 60)) || /GROUP BY/.test(c.sql)).map((c) => ({ ...c, stmt: original(c.sql) }))
  sets.push({ size, app, sqlite, token, stmts })
}
const rounds = Number(process.env.ROUNDS ?? 7)
const times = sets.map((s) => ({ total: [] as number[], cpu: [] as number[], each: s.stmts.map(() => [] as number[]) }))
for (let r = 0; r < rounds + 1; r++) {
  for (const [k, s] of sets.entries()) {
    const t = process.hrtime.bigint(); const c = process.cpuUsage()
    await s.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${s.token}` } })
    const wall = ms(t); const cu = process.cpuUsage(c)
    if (r > 0) { times[k]!.total.push(wall); times[k]!.cpu.push((cu.user + cu.system) / 1000) }
    s.stmts.forEach((st, i) => { const t2 = process.hrtime.bigint(); st.stmt.all(...(st.args as any[])); if (r > 0) times[k]!.each[i]!.push(ms(t2)) })
  }
}
const [a, b] = times
console.log(`${url}: total wall ${median(a!.total).toFixed(1)} / ${median(b!.total).toFixed(1)} ms ratio ${(median(b!.total) / median(a!.total)).toFixed(1)};  cpu ${median(a!.cpu).toFixed(1)} / ${median(b!.cpu).toFixed(1)} ratio ${(median(b!.cpu) / median(a!.cpu)).toFixed(1)}`)
sets[1]!.stmts.forEach((st, i) => {
  const x = median(a!.each[i]!); const y = median(b!.each[i]!)
  if (y < 2) return
  console.log(`  ${x.toFixed(1).padStart(7)} ${y.toFixed(1).padStart(8)} ${(y / x).toFixed(1).padStart(6)}  ${st.sql.replace(/\s+/g, ' ').slice(0, 110)}`)
  if (process.env.PLAN) for (const p of original2(sets[1]!.sqlite, st.sql, st.args)) console.log(`         ${p}`)
})
function original2 (db: Database.Database, sql: string, args: unknown[]): string[] { return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(args as any[])) as any[]).map((r) => r.detail) }
for (const s of sets) await s.app.close()
