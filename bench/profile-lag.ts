// Where the lag goes (issue #17), at the lag benchmark's rate with the projection runner in-process:
//   node --import tsx bench/profile-lag.ts [--rate 500] [--seconds 15] [--preload 20000] [--per-projection]
// The same load as bench/lag.ts (drive), with the database handle of the store, the runner and the load wrapped to
// count and time every statement by kind and every projection transaction (read-model writes + checkpoint, whole
// BEGIN..COMMIT); each projection's handle() timed apart. Per second: transactions per projection, log reads,
// commits and WAL flushes (pg_stat_wal), Node and backend CPU. Not part of `npm run bench`. The live projections
// run in one group (one transaction per batch for all: `tx live-group`); --per-projection: a worker each (liveGroup
// false, one `tx <name>` per projection and batch), to compare.
import { parseArgs } from 'node:util'
import type { Database, Sql } from '../commands/platform/database.js'
import { currentCorrelationId } from '../commands/platform/logger.js'
import { createPostgresEventStore } from '../commands/event-store/postgres-event-store.js'
import { PROJECTIONS } from '../projections/read-models/all.js'
import { createProjectionRunner } from '../projections/runner.js'
import { generateCases } from '../test/support/data-generator.js'
import { drive, minCommitted } from './lag.js'
import { trackDatabaseCpu } from './lib/cpu.js'
import { benchDatabase } from './lib/env.js'
import { bulkLoad } from './lib/load.js'
import { counterDelta, pgCounters, startCpuProfile } from './lib/profile.js'
import { percentile, sleep } from './lib/result.js'

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '15' },
    preload: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '20240301' },
    // connections of the pool the store, the runner and the load share (default: the bench database's 12)
    pool: { type: 'string' },
    'per-projection': { type: 'boolean', default: false },
  },
})
const rate = Number(values.rate)
const seconds = Number(values.seconds)
const log = (s: string) => process.stdout.write(`${s}\n`)

/** Statement kinds, by their text (first match). */
const KINDS: Array<[string, RegExp]> = [
  ['append (baobei_append / _group)', /baobei_append/],
  ['notify', /pg_notify/],
  ['log read (gap-safe page)', /FROM events WHERE transaction_id </],
  ['hidden-tail check', /SELECT 1 FROM events WHERE/],
  ['stream read', /FROM events WHERE stream_id = \$1/],
  ['checkpoint lock (FOR UPDATE)', /FROM projection_checkpoints\s+WHERE name = \$1 AND version = \$2 FOR UPDATE/],
  ['checkpoint update', /UPDATE projection_checkpoints SET position_commit/],
  ['group: checkpoints lock (FOR UPDATE, all members)', /FROM projection_checkpoints\s+WHERE \(name, version\) IN/],
  ['group: checkpoints update (all members)', /UPDATE projection_checkpoints c SET position_commit/],
  ['group: savepoint', /SAVEPOINT/],
  ['lag poller: read all checkpoints', /FROM projection_checkpoints/],
  ['projection_versions', /projection_versions/],
]
const stats = new Map<string, { n: number; ms: number; all: number[] }>()
function add(kind: string, ms: number) {
  const s = stats.get(kind) ?? { n: 0, ms: 0, all: [] }
  s.n++
  s.ms += ms
  s.all.push(ms)
  stats.set(kind, s)
}
const kindOf = (sql: string, inTx: boolean) => KINDS.find(([, re]) => re.test(sql))?.[0] ?? (inTx ? 'projection statements (in its transaction)' : 'other')
function wrapSql(s: Sql, inTx: boolean): Sql {
  return {
    ...s,
    async query(text, params) {
      const t0 = performance.now()
      try {
        return await s.query(text, params)
      } finally {
        add(kindOf(text, inTx), performance.now() - t0)
      }
    },
    async exec(script) {
      const t0 = performance.now()
      try {
        return await s.exec(script)
      } finally {
        add(kindOf(script, inTx), performance.now() - t0)
      }
    },
  } as Sql
}
function instrument(db: Database): Database {
  // the runner writes on the read-model writers' pool (platform/database.ts): instrumented as well
  let writers: Database | undefined
  return {
    ...db,
    ...wrapSql(db, false),
    ...(db.readModelWriters ? { readModelWriters: () => (writers ??= instrument(db.readModelWriters!())) } : {}),
    async transaction(fn) {
      const who = /^projection:([^:]+):/.exec(currentCorrelationId() ?? '')?.[1] ?? 'other'
      const t0 = performance.now()
      try {
        return await db.transaction((tx) => fn(wrapSql(tx, true)))
      } finally {
        add(`tx ${who}`, performance.now() - t0)
      }
    },
  } as Database
}

const env = await benchDatabase('profile_lag')
try {
  await bulkLoad(env.db, generateCases({ seed: Number(values.seed) + 1, events: Number(values.preload) }))
  const db = instrument(values.pool ? env.pool(Number(values.pool), 'bench-profile-lag') : env.db)
  const store = createPostgresEventStore(db, { pollIntervalMs: 200 })
  const projections = PROJECTIONS.map((p) => ({
    ...p,
    async handle(events: Parameters<typeof p.handle>[0], ctx: Parameters<typeof p.handle>[1]) {
      const t0 = performance.now()
      try {
        return await p.handle(events, ctx)
      } finally {
        add(`handle ${p.name}`, performance.now() - t0)
        add(`events ${p.name}`, events.length)
      }
    },
  }))
  const runner = createProjectionRunner({ db, store, projections, liveGroup: !values['per-projection'] })
  await runner.start()
  await runner.waitFor(await store.headPosition(), undefined, 600_000)
  const cases = generateCases({ seed: Number(values.seed) + 2, cases: Math.ceil(rate * seconds) + 1000 })
  await sleep(2000)
  stats.clear()
  const load0 = (await import('node:os')).loadavg()[0]!.toFixed(1)
  const c0 = await pgCounters(env.db)
  const dbCpu = await trackDatabaseCpu(env.db)
  const cpu0 = process.cpuUsage()
  const prof = await startCpuProfile()
  const t0 = performance.now()
  const run = await drive({ ...env, db, store }, cases, rate, seconds, minCommitted(runner, projections.length))
  const wall = (performance.now() - t0) / 1000
  const p = await prof.stop()
  const cpu1 = process.cpuUsage(cpu0)
  const backend = await dbCpu.stop()
  await runner.stop()
  await sleep(2000)
  const d = counterDelta(c0, await pgCounters(env.db))
  const load1 = (await import('node:os')).loadavg()[0]!.toFixed(1)
  const n = run.appended
  log(`profile-lag (${values['per-projection'] ? 'a worker per projection' : 'live group'}): ${rate}/s requested for ${seconds} s, pool ${values.pool ?? 12}, ${run.achieved.toFixed(0)}/s sustained, ${n} commands, load average ${load0} → ${load1}`)
  log(`lag p50 ${percentile(run.lags, 50).toFixed(1)} ms, p99 ${percentile(run.lags, 99).toFixed(1)} ms, max ${percentile(run.lags, 100).toFixed(0)} ms`)
  log(`CPU per second of run: Node ${((cpu1.user + cpu1.system) / 1e6 / wall).toFixed(2)} s, backends ${backend === null ? '?' : (backend / wall).toFixed(2)} s; per command: Node ${((cpu1.user + cpu1.system) / n).toFixed(0)} µs, backends ${backend === null ? '?' : ((backend * 1e6) / n).toFixed(0)} µs`)
  log(`per second: commits ${(d.commits / wall).toFixed(0)}, WAL flushes (cluster-wide) ${(d.walSync / wall).toFixed(0)}, WAL writes ${(d.walWrite / wall).toFixed(0)}`)
  log(`\nkind | per second | mean ms | p99 ms`)
  for (const [k, s] of [...stats].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (k.startsWith('events ')) continue
    const ev = stats.get(`events ${k.slice(7)}`)
    const extra = k.startsWith('handle ') && ev ? ` | ${(ev.ms / ev.n).toFixed(1)} events/batch` : ''
    log(`${k} | ${(s.n / wall).toFixed(1)} | ${(s.ms / s.n).toFixed(2)} | ${percentile(s.all, 99).toFixed(1)}${extra}`)
  }
  const buckets = Object.entries(p.buckets).filter(([k]) => k !== 'idle').sort((a, b) => b[1] - a[1])
  log(`\nNode CPU by bucket (ms per second of run): ${buckets.map(([k, v]) => `${k} ${(v / wall).toFixed(0)}`).join('; ')}`)
  log(`top functions (self ms per second): ${p.top.slice(0, 10).map((f) => `${f.fn} [${f.url.split('/').slice(-2).join('/')}] ${(f.ms / wall).toFixed(1)}`).join('; ')}`)
} finally {
  await env.drop()
}
process.exit(0)
