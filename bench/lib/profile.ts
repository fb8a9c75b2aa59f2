// Profiling helpers for the append and lag benchmarks (issue #17: "a miss is explained with the profile that shows
// where the time goes"): a Node CPU profile of this process bucketed by what the code does, PostgreSQL's WAL and
// transaction counters of a window, and the statement timings that auto_explain writes to the server log.
import { Session } from 'node:inspector/promises'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import type { Sql } from '../../commands/platform/database.js'

/** Where a CPU sample's own (self) time is counted; first matching rule wins. */
const BUCKETS: Array<[string, (url: string, fn: string) => boolean]> = [
  ['idle', (_u, f) => f === '(idle)'],
  ['garbage collection', (_u, f) => f === '(garbage collector)'],
  ['domain: decide / fold', (u) => u.includes('/domain/')],
  ['command handler', (u) => u.includes('/commands/command-handler')],
  ['event store (group, parameters)', (u) => u.includes('/commands/event-store/')],
  ['projections (runner, handlers)', (u) => u.includes('/projections/')],
  ['pg protocol (parse/serialize)', (u) => u.includes('node_modules/pg-protocol/')],
  ['pg client (query, types, pool)', (u) => /node_modules\/(pg|pg-pool|pg-types|postgres-[a-z]+)\//.test(u)],
  ['JSON stringify/parse', (u, f) => u === '' && /^(stringify|parse|JSONStringify|JSONParse)$/.test(f)],
  ['load generator (bench, test data)', (u) => u.includes('/bench/') || u.includes('/test/support/')],
  ['http routes and views (ours)', (u) => u.includes('/http/') || u.includes('/views/')],
  ['query builder (kysely)', (u) => u.includes('node_modules/kysely/')],
  ['templates (eta)', (u) => u.includes('node_modules/eta/')],
  ['web framework (fastify, light-my-request)', (u) => /node_modules\/(@fastify|fastify|light-my-request|find-my-way|avvio)/.test(u)],
  ['node: sockets, streams, timers, promises', (u) => u.startsWith('node:') || u === ''],
]

export interface CpuProfileSummary {
  /** CPU ms of the process per bucket (self time), idle excluded from the total. */
  buckets: Record<string, number>
  totalMs: number
  top: Array<{ fn: string; url: string; ms: number }>
}

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

/** Starts the inspector's sampling profiler on this process; stop() summarises what it saw. */
export async function startCpuProfile(intervalUs = 200, topCount = 12): Promise<{ stop(): Promise<CpuProfileSummary> }> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs })
  await session.post('Profiler.start')
  return {
    async stop() {
      const { profile } = (await session.post('Profiler.stop')) as {
        profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }
      }
      session.disconnect()
      const byId = new Map(profile.nodes.map((n) => [n.id, n]))
      const buckets: Record<string, number> = {}
      const fns = new Map<string, { fn: string; url: string; ms: number }>()
      let totalMs = 0
      profile.samples.forEach((id, i) => {
        const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000
        const n = byId.get(id)!
        const url = n.callFrame.url.replace(/^file:\/\//, '')
        const fn = `${n.callFrame.functionName || '(anonymous)'}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`
        const bucket = BUCKETS.find(([, test]) => test(url, fn))?.[0] ?? 'other'
        buckets[bucket] = (buckets[bucket] ?? 0) + ms
        if (bucket === 'idle') return
        totalMs += ms
        const key = `${fn} ${url}`
        const f = fns.get(key) ?? { fn, url: url.replace(/^.*\/(node_modules|commands|domain|projections|bench)\//, '$1/'), ms: 0 }
        f.ms += ms
        fns.set(key, f)
      })
      const top = [...fns.values()].sort((a, b) => b.ms - a.ms).slice(0, topCount)
      return { buckets, totalMs, top }
    },
  }
}

export interface PgCounters {
  walRecords: number
  walBytes: number
  walWrite: number
  walSync: number
  commits: number
}

/**
 * WAL counters of the cluster (pg_stat_wal: wal_sync = WAL flushes to disk, the number group commit is about) and
 * the commits of this database. Backends report their counters when idle, at most once a second: read after a pause.
 */
export async function pgCounters(db: Sql): Promise<PgCounters> {
  await db.query('SELECT pg_stat_clear_snapshot()')
  const r = await db.query<{ wal_records: string; wal_bytes: string; wal_write: string; wal_sync: string; commits: string }>(
    `SELECT w.wal_records::text, w.wal_bytes::text, w.wal_write::text, w.wal_sync::text, d.xact_commit::text AS commits
     FROM pg_stat_wal w, pg_stat_database d WHERE d.datname = current_database()`,
  )
  const x = r.rows[0]!
  return { walRecords: Number(x.wal_records), walBytes: Number(x.wal_bytes), walWrite: Number(x.wal_write), walSync: Number(x.wal_sync), commits: Number(x.commits) }
}

export const counterDelta = (a: PgCounters, b: PgCounters): PgCounters => ({
  walRecords: b.walRecords - a.walRecords,
  walBytes: b.walBytes - a.walBytes,
  walWrite: b.walWrite - a.walWrite,
  walSync: b.walSync - a.walSync,
  commits: b.commits - a.commits,
})

export const SERVER_LOG = process.env.BAOBEI_PG_LOG ?? '/var/log/postgresql/postgresql-15-main.log'

/** Current end of the server log (to read what a window added), or -1 when it cannot be read. */
export function logOffset(file = SERVER_LOG): number {
  try {
    return statSync(file).size
  } catch {
    return -1
  }
}

/**
 * Statement timings that auto_explain (log_nested_statements, JSON) wrote to the server log since `from`, by
 * statement (its first line, whitespace folded): calls and total ms. Nested statements of a function are listed
 * apart from the call that ran them (whose time includes theirs).
 */
export function statementTimings(from: number, database: string, file = SERVER_LOG): Array<{ statement: string; calls: number; ms: number }> {
  if (from < 0) return []
  const size = statSync(file).size
  const buf = Buffer.alloc(size - from)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, buf, 0, buf.length, from)
  } finally {
    closeSync(fd)
  }
  const text = buf.toString('utf8')
  const out = new Map<string, { statement: string; calls: number; ms: number }>()
  // "... LOG:  duration: 0.123 ms  plan:\n\t{ ... "Query Text": "..." ... }" entries, one per statement
  const re = /\[\d+\] (\S+)@(\S+) LOG:\s+duration: ([\d.]+) ms\s+plan:\s*\n([\s\S]*?)(?=\n\S|$)/g
  for (const m of text.matchAll(re)) {
    if (m[2] !== database) continue
    const q = /"Query Text": "((?:[^"\\]|\\.)*)"/.exec(m[4]!)?.[1] ?? '?'
    const statement = q.replace(/\\n|\\t/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 90)
    const s = out.get(statement) ?? { statement, calls: 0, ms: 0 }
    s.calls++
    s.ms += Number(m[3])
    out.set(statement, s)
  }
  return [...out.values()].sort((a, b) => b.ms - a.ms)
}
