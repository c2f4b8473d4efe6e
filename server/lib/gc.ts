/**
 * A full collection of the main thread's heap, for when it has just let go of
 * a large piece of work (a bundle or case file sent). V8 would otherwise leave
 * that work's tens of MiB of old objects in place until the next one had added
 * as much again, and the process's memory would peak at both together: on the
 * bench's reference case, 238-258 MiB over three bundles in a row, against
 * 202-205 MiB with a collection after each (one takes a few milliseconds).
 *
 * Only where the process was started with --expose-gc, as npm start and npm
 * run demo are (package.json); elsewhere (the tests, tsx) it does nothing.
 * Not in the case file worker: collecting there cost CPU and saved no memory.
 */
export function collectGarbage (): void {
  (globalThis as { gc?: () => void }).gc?.()
}
