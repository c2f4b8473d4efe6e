/** What the benches that start a server in its own process share. */
import fs from 'node:fs'
import net from 'node:net'

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
