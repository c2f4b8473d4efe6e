export interface BuildSizes { raw: number, gzip: number, brotli: number }
export interface BuildResult { script: string, style: string, sizes: Record<string, BuildSizes>, firstLoad: BuildSizes }
/** Builds web/dist (see build.mjs). */
export function buildWeb (options?: { quiet?: boolean }): Promise<BuildResult>
