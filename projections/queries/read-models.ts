// Query-side access to the read models: physical table names resolved through the live version (cached; the
// cache is dropped on a version-switch notification, after a short TTL, and when a table turns out to be gone).
import type { Database, Sql } from '../../commands/platform/database.js'
import { DomainError } from '../../domain/errors.js'
import { VERSIONS_CHANNEL } from '../catalog.js'
import { physicalTable } from '../projection.js'

export interface ReadModels {
  readonly db: Database
  /** Runs a query against the live tables of `projection`; retried once on a version switch. */
  select<R>(projection: string, build: (table: (base: string) => string) => { text: string; params: unknown[] }): Promise<R[]>
  invalidate(): void
  close(): Promise<void>
}

const UNDEFINED_TABLE = '42P01'

type Build = (table: (base: string) => string) => { text: string; params: unknown[] }

/** Each projection's live version. */
async function liveVersions(db: Sql): Promise<Map<string, number>> {
  const r = await db.query<{ name: string; live_version: number }>(`SELECT name, live_version FROM projection_versions`)
  return new Map(r.rows.map((x) => [x.name, Number(x.live_version)]))
}

/** Resolves the live version of `projection` (by `load`) and runs the query against its tables. */
async function selectLive<R>(db: Sql, load: () => Promise<Map<string, number>>, projection: string, build: Build): Promise<R[]> {
  const versions = await load().catch((e: { code?: string }) => {
    if (e.code === UNDEFINED_TABLE) throw new DomainError('READ_MODEL_NOT_READY', { projection, reason: 'projection tables are not set up yet (run the migrations)' })
    throw e
  })
  const v = versions.get(projection)
  if (v === undefined) throw new DomainError('READ_MODEL_NOT_READY', { projection, reason: 'the read model is not set up yet (start the projection runner)' })
  const q = build((b) => physicalTable(b, v))
  return (await db.query<R>(q.text, q.params)).rows
}

/**
 * The same resolution without a cache, on any connection (a transaction, a one-off command): the live version is
 * read with each query. Long-lived callers (the web server) use createReadModels.
 */
export function readModelsOn(db: Sql): Pick<ReadModels, 'select'> {
  return { select: (projection, build) => selectLive(db, () => liveVersions(db), projection, build) }
}

export async function createReadModels(db: Database, options: { ttlMs?: number; listen?: boolean } = {}): Promise<ReadModels> {
  const ttl = options.ttlMs ?? 2000
  let cache: { versions: Map<string, number>; at: number } | undefined
  const load = async () => {
    if (cache && Date.now() - cache.at < ttl) return cache.versions
    cache = { versions: await liveVersions(db), at: Date.now() }
    return cache.versions
  }
  const unlisten = options.listen === false ? undefined : await db.listen(VERSIONS_CHANNEL, () => (cache = undefined)).catch(() => undefined)
  const run = <R>(projection: string, build: Build) => selectLive<R>(db, load, projection, build)
  return {
    db,
    async select(projection, build) {
      try {
        return await run(projection, build)
      } catch (e) {
        if ((e as { code?: string }).code !== UNDEFINED_TABLE) throw e
        cache = undefined
        return await run(projection, build)
      }
    },
    invalidate() {
      cache = undefined
    },
    async close() {
      await unlisten?.()
    },
  }
}
