/** What the benches that start a server in its own process share. */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { ROOT as root } from '../server/lib/root.js'

export const MIB = 1024 * 1024

export const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9

/** A TCP port nobody listens on now, for a server started next. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** The resident memory of a process, in MiB (VmRSS). */
export function rssMib (pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

let built = false

/**
 * The server as `npm start` runs it (package.json's start script: its
 * environment settings, node's flags, the build in dist/), so that the benches
 * measure what is deployed. The build is brought up to date first, once a process.
 */
export function serverCommand (): { env: Record<string, string>, args: string[] } {
  if (!built) {
    const build = spawnSync(process.execPath, [path.join(root, 'server', 'build.mjs')], { cwd: root, encoding: 'utf8' })
    if (build.status !== 0) throw new Error(`server/build.mjs failed: ${build.stderr}`)
    built = true
  }
  const start = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? ''
  const words = start.split(/\s+/).filter((w) => w !== '')
  const env: Record<string, string> = {}
  while (/^[A-Z_]+=/.test(words[0] ?? '')) {
    const [name, value] = (words.shift() ?? '').split('=')
    env[name ?? ''] = value ?? ''
  }
  if (words.shift() !== 'node') throw new Error(`package.json's start script does not run node: ${start}`)
  return { env, args: words.map((w) => (w.startsWith('-') ? w : path.join(root, w))) }
}
