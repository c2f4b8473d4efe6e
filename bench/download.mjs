/**
 * The benches' HTTP client, a process of its own (plain JavaScript, started in
 * a few milliseconds): GET http://127.0.0.1:<port><path> with a bearer token
 * from the environment (BENCH_TOKEN), written to <file>. Prints one line of
 * JSON: status, bytes, seconds to the first byte and in all, and the CPU
 * seconds this client used. A separate process, so that the client's work is
 * not mixed with the bench's own heap and garbage collection.
 *
 *   node bench/download.mjs <port> <path> <file>
 */
import fs from 'node:fs'
import http from 'node:http'

const [port, url, file] = process.argv.slice(2)
const start = process.hrtime.bigint()
const seconds = () => Number(process.hrtime.bigint() - start) / 1e9
const cpu = process.cpuUsage()
let reported = false
/** The one line of JSON this client prints, whatever happens first. */
const report = (result) => {
  if (reported) return
  reported = true
  const used = process.cpuUsage(cpu)
  process.stdout.write(`${JSON.stringify({ ...result, cpu: (used.user + used.system) / 1e6 })}\n`)
}

let answered = false
http.get({ host: '127.0.0.1', port: Number(port), path: url, headers: { authorization: `Bearer ${process.env.BENCH_TOKEN ?? ''}` } }, (res) => {
  answered = true
  const fd = fs.openSync(file, 'w')
  let bytes = 0
  let firstByte = 0
  // Written as it arrives, synchronously: one client, one file, nothing else to wait for.
  res.on('data', (chunk) => {
    if (bytes === 0) firstByte = seconds()
    bytes += chunk.length
    fs.writeSync(fd, chunk)
  })
  const done = (error) => {
    if (reported) return
    fs.closeSync(fd)
    report({ status: res.statusCode, complete: res.complete, error, bytes, firstByte, total: seconds() })
  }
  res.on('end', () => done(undefined))
  res.on('error', (err) => done(err.message))
  res.on('close', () => done('connection closed before the end'))
}).on('error', (err) => {
  // Also raised when the connection breaks mid-answer; the answer's own handlers report that.
  if (!answered) report({ status: 0, error: err.message })
})
