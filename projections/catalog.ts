// Bookkeeping tables of the projections: which version of each is live, and one checkpoint per (name, version).
import { createHash } from 'node:crypto'
import type { Database, Sql } from '../commands/platform/database.js'
import { runMigrations, type Migration } from '../commands/platform/migrations.js'
import { START, type LogPosition } from '../commands/event-store/port.js'
import { physicalTable, type Projection } from './projection.js'

export const VERSIONS_CHANNEL = 'baobei_projection_versions'

export const PROJECTION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'projections/001-versions-checkpoints',
    sql: `
      CREATE TABLE IF NOT EXISTS projection_versions (
        name text PRIMARY KEY,
        live_version integer NOT NULL,
        switched_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS projection_checkpoints (
        name text NOT NULL,
        version integer NOT NULL,
        position_commit bigint NOT NULL,
        position_prepare bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL CHECK (status IN ('live', 'building')),
        PRIMARY KEY (name, version)
      );
    `,
  },
  {
    // fingerprint of the DDL a version was built with: a changed projection is rebuilt instead of writing into
    // tables of the old shape
    id: 'projections/002-checkpoint-ddl-hash',
    sql: `ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS ddl_hash text;`,
  },
  {
    // the quota read model is gone (the ledger is summed from the occurrences): its tables of every version, and
    // its versions and checkpoints
    id: 'projections/003-retire-quota',
    sql: `
      DO $$
      DECLARE t text;
      BEGIN
        FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ '^rm_quota(_state)?_v[0-9]+$' LOOP
          EXECUTE format('DROP TABLE IF EXISTS %I', t);
        END LOOP;
      END $$;
      DELETE FROM projection_checkpoints WHERE name = 'quota';
      DELETE FROM projection_versions WHERE name = 'quota';
    `,
  },
]

/** Fingerprint of a projection's table definitions and its revision (version-independent). */
export const ddlHash = (p: Projection) =>
  createHash('sha256')
    .update(p.ddl(0))
    .update(p.revision && p.revision > 1 ? `\n-- revision ${p.revision}` : '')
    .digest('hex')
    .slice(0, 16)

export const migrateProjections = (db: Database) => runMigrations(db, PROJECTION_MIGRATIONS)

const LOCK_KEY = `SELECT pg_advisory_xact_lock(hashtext('baobei-projection:' || $1))`
export const lockProjection = (tx: Sql, name: string) => tx.query(LOCK_KEY, [name])

export interface CheckpointRow {
  name: string
  version: number
  position: LogPosition
  status: 'live' | 'building'
  updatedAt: Date
}

interface RawCheckpoint {
  name: string
  version: number
  position_commit: string
  position_prepare: string
  status: 'live' | 'building'
  updated_at: Date
}
const toCheckpoint = (r: RawCheckpoint): CheckpointRow => ({
  name: r.name,
  version: Number(r.version),
  position: { commit: BigInt(r.position_commit), prepare: BigInt(r.position_prepare) },
  status: r.status,
  updatedAt: r.updated_at,
})

/**
 * Creates the live version's tables and checkpoint if the projection is new; returns its live checkpoint, with
 * `stale` true when the live version was built from other table definitions than the code's (rebuild it).
 */
export async function ensureProjection(db: Database, p: Projection): Promise<CheckpointRow & { stale: boolean }> {
  return db.transaction(async (tx) => {
    await lockProjection(tx, p.name)
    await tx.query(`INSERT INTO projection_versions (name, live_version) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING`, [p.name])
    const live = await liveVersion(tx, p.name)
    await tx.exec(p.ddl(live))
    await tx.query(
      `INSERT INTO projection_checkpoints (name, version, position_commit, position_prepare, status, ddl_hash) VALUES ($1, $2, $3, $4, 'live', $5)
       ON CONFLICT (name, version) DO NOTHING`,
      [p.name, live, START.commit.toString(), START.prepare.toString(), ddlHash(p)],
    )
    const cp = await readCheckpoint(tx, p.name, live)
    if (!cp) throw new Error(`projection ${p.name}: no checkpoint for live version ${live}`)
    const h = await tx.query<{ ddl_hash: string | null }>(`SELECT ddl_hash FROM projection_checkpoints WHERE name = $1 AND version = $2`, [p.name, live])
    const built = h.rows[0]?.ddl_hash ?? null
    return { ...cp, stale: built !== null && built !== ddlHash(p) }
  })
}

export async function liveVersion(sql: Sql, name: string): Promise<number> {
  const r = await sql.query<{ live_version: number }>(`SELECT live_version FROM projection_versions WHERE name = $1`, [name])
  const v = r.rows[0]?.live_version
  if (v === undefined) throw new Error(`projection ${name} is not set up (run the projection runner or migrate)`)
  return Number(v)
}

export async function readCheckpoint(sql: Sql, name: string, version: number, forUpdate = false): Promise<CheckpointRow | undefined> {
  const r = await sql.query<RawCheckpoint>(
    `SELECT name, version, position_commit::text, position_prepare::text, status, updated_at FROM projection_checkpoints
     WHERE name = $1 AND version = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [name, version],
  )
  return r.rows[0] ? toCheckpoint(r.rows[0]) : undefined
}

/** Checkpoints of the live versions (and of versions being built, with all = true). */
export async function readCheckpoints(sql: Sql, all = false): Promise<CheckpointRow[]> {
  const r = await sql.query<RawCheckpoint>(
    `SELECT c.name, c.version, c.position_commit::text, c.position_prepare::text, c.status, c.updated_at
     FROM projection_checkpoints c JOIN projection_versions v ON v.name = c.name
     ${all ? '' : 'WHERE c.version = v.live_version'} ORDER BY c.name, c.version`,
  )
  return r.rows.map(toCheckpoint)
}

export const dropTablesSql = (p: Projection, version: number) =>
  [...p.tables, ...(p.formerTables ?? [])].map((b) => `DROP TABLE IF EXISTS ${physicalTable(b, version)};`).join('\n')
