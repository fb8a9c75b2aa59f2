// Each test file gets its own fresh database on the real PostgreSQL (no mocks). Fails loudly if PostgreSQL is down.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createPostgresDatabase } from '../../commands/platform/postgres-database.js'
import type { Database } from '../../commands/platform/database.js'

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestDatabase {
  db: Database
  url: string
  name: string
  /** Closes every pool handed out and drops the database. */
  drop(): Promise<void>
}

function urlFor(name: string): string {
  const u = new URL(ADMIN_URL)
  u.pathname = `/${name}`
  return u.toString()
}

export async function adminQuery(sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: ADMIN_URL })
  try {
    await c.connect()
  } catch (e) {
    throw new Error(`PostgreSQL is required for this test and is not reachable at ${ADMIN_URL}: ${(e as Error).message}`)
  }
  try {
    return await c.query(sql, params)
  } finally {
    await c.end()
  }
}

export async function freshDatabase(prefix = 'bb'): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE template0`)
  const url = urlFor(name)
  const db = createPostgresDatabase(url, { max: 12, applicationName: `test-${name}` })
  return {
    db,
    url,
    name,
    async drop() {
      await db.close().catch(() => {})
      await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name])
      await adminQuery(`DROP DATABASE IF EXISTS ${name}`)
    },
  }
}
