// The case file worker's entry: the worker thread loads TypeScript through tsx
// like the main thread (a worker does not inherit the main thread's loader).
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.module)
