import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The project's directory (where package.json is), whether this runs from the
 * TypeScript sources (tests, scripts) or from their build in dist/ (npm start,
 * npm run demo): the migrations, the templates and the web client are found
 * from here.
 */
export const ROOT = ((): string => {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
  }
})()
