// Where an append's time goes (issue #17), beside the raw single-row INSERT it is compared with:
//   node --import tsx bench/profile-append.ts [--writers 1,8] [--seconds 4] [--statements]
// For each writer count, the command handler and the raw INSERT each run alone for `seconds` (handler first), and
// each window reports per command: Node CPU (inspector profile, by bucket), the database backends' CPU (/proc),
// commits and WAL flushes (pg_stat_wal.wal_sync: one per transaction without group commit) and WAL bytes.
// --statements: one more short window per contender with auto_explain (session_preload_libraries on the bench
// database only, dropped with it) logging every statement, nested ones included, to the server log, which is read
// back: calls and ms per statement. Not part of `npm run bench`; the figures it prints go to bench/RESULTS.md.
import { parseArgs } from 'node:util'
import type { Database } from '../commands/platform/database.js'
import { createCommandHandler } from '../commands/command-handler.js'
import { createPostgresEventStore, type PostgresEventStoreOptions } from '../commands/event-store/postgres-event-store.js'
import { decide } from '../domain/report/decide.js'
import { evolve, initialState } from '../domain/report/state.js'
import { generateCases, type GeneratedCase } from '../test/support/data-generator.js'
import { handleCase, queue, rawInsertCase, timed } from './append.js'
import { trackDatabaseCpu } from './lib/cpu.js'
import { benchDatabase } from './lib/env.js'
import { counterDelta, logOffset, pgCounters, startCpuProfile, statementTimings } from './lib/profile.js'
import { sleep } from './lib/result.js'

const { values } = parseArgs({
  options: {
    writers: { type: 'string', default: '1,8' },
    seconds: { type: 'string', default: '4' },
    seed: { type: 'string', default: '20240301' },
    statements: { type: 'boolean', default: false },
    // experiment: the store without its post-commit NOTIFY (what the wake-up of other processes costs per command)
    'no-notify': { type: 'boolean', default: false },
    // experiment: one more handler window per writer count on a store with these options (JSON), e.g.
    // '{"maxGroupCommands":1,"concurrentGroups":8}' = no group commit, PostgreSQL's own commit grouping only
    alt: { type: 'string' },
  },
})
const writers = values.writers.split(',').map(Number)
const seconds = Number(values.seconds)
const log = (s: string) => process.stdout.write(`${s}\n`)
const us = (ms: number, n: number) => ((ms * 1000) / Math.max(1, n)).toFixed(0)

const env = await benchDatabase('profile_append')
const dbName = env.name
try {
  const maxW = Math.max(...writers)
  const pool = env.pool(maxW + 4, 'bench-profile-append')
  await pool.exec(`CREATE TABLE raw_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
  const gen = generateCases({ seed: Number(values.seed), cases: 200_000 })
  const take = (n: number) => Array.from({ length: n }, () => gen.next().value as GeneratedCase)
  const sampleEvents = take(200).flatMap((c) => c.commands.flatMap((x) => x.events))
  let i = 0
  const sample = () => sampleEvents[i++ % sampleEvents.length]!
  const perWindow = Math.max(400, seconds * 1000)
  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')
  log(`profile-append: ${seconds} s per window, writers ${writers.join(', ')}, load average ${load}`)

  const window = async (label: string, w: number, work: (c: GeneratedCase) => Promise<number>, s = seconds) => {
    const q = queue(take(perWindow))
    await sleep(2000) // backends report their WAL and commit counters when idle, at most once a second
    const c0 = await pgCounters(env.db)
    const dbCpu = await trackDatabaseCpu(pool)
    const cpu0 = process.cpuUsage()
    const prof = await startCpuProfile()
    const r = await timed(q, w, s, work)
    const p = await prof.stop()
    const cpu1 = process.cpuUsage(cpu0)
    const backend = await dbCpu.stop()
    await sleep(2000)
    const d = counterDelta(c0, await pgCounters(env.db))
    const n = r.done
    log(`\n${label}, ${w} writer${w > 1 ? 's' : ''}: ${n} commands in ${(r.ms / 1000).toFixed(1)} s = ${r.rate.toFixed(0)}/s`)
    log(`  per command: Node CPU ${us((cpu1.user + cpu1.system) / 1000, n)} µs (profiled ${us(p.totalMs, n)} µs), PostgreSQL backends ${backend === null ? '?' : us(backend * 1000, n)} µs`)
    log(`  per command: commits ${(d.commits / n).toFixed(3)}, WAL flushes (wal_sync, cluster-wide) ${(d.walSync / n).toFixed(3)}, WAL writes ${(d.walWrite / n).toFixed(3)}, WAL records ${(d.walRecords / n).toFixed(1)}, WAL bytes ${(d.walBytes / n).toFixed(0)}`)
    const buckets = Object.entries(p.buckets).filter(([k]) => k !== 'idle').sort((a, b) => b[1] - a[1])
    log(`  Node CPU by bucket (µs per command): ${buckets.map(([k, v]) => `${k} ${us(v, n)}`).join('; ')}`)
    log(`  top functions (self µs per command): ${p.top.slice(0, 8).map((f) => `${f.fn} [${f.url.split('/').slice(-2).join('/')}] ${us(f.ms, n)}`).join('; ')}`)
  }

  const quiet: Database = { ...pool, exec: (script) => (script.includes('pg_notify') ? Promise.resolve() : pool.exec(script)) }
  for (const w of writers) {
    const store = createPostgresEventStore(values['no-notify'] ? quiet : pool)
    const handler = createCommandHandler(store, { initialState, evolve, decide })
    await window('command handler', w, (c) => handleCase(handler, c))
    await window('raw single-row INSERT', w, (c) => rawInsertCase(pool, c, sample))
    if (values.alt) {
      const alt = createPostgresEventStore(pool, JSON.parse(values.alt) as PostgresEventStoreOptions)
      const altHandler = createCommandHandler(alt, { initialState, evolve, decide })
      await window(`command handler, store ${values.alt}`, w, (c) => handleCase(altHandler, c))
    }
  }

  if (values.statements) {
    // auto_explain in the sessions of this database only (new connections); the database is dropped at the end
    await env.db.exec(`ALTER DATABASE ${dbName} SET session_preload_libraries = 'auto_explain';
      ALTER DATABASE ${dbName} SET auto_explain.log_min_duration = 0;
      ALTER DATABASE ${dbName} SET auto_explain.log_nested_statements = on;
      ALTER DATABASE ${dbName} SET auto_explain.log_format = 'json'`)
    for (const w of writers) {
      const p2 = env.pool(w + 2, 'bench-profile-statements')
      const store = createPostgresEventStore(p2)
      const handler = createCommandHandler(store, { initialState, evolve, decide })
      for (const [label, work] of [
        ['command handler', (c: GeneratedCase) => handleCase(handler, c)],
        ['raw single-row INSERT', (c: GeneratedCase) => rawInsertCase(p2, c, sample)],
      ] as const) {
        const from = logOffset()
        const r = await timed(queue(take(4000)), w, 1.5, work)
        await sleep(300)
        const t = statementTimings(from, dbName)
        log(`\nstatements (auto_explain), ${label}, ${w} writer${w > 1 ? 's' : ''}: ${r.done} commands`)
        for (const s of t.slice(0, 12)) log(`  ${(s.calls / r.done).toFixed(2)} calls, ${us(s.ms, r.done)} µs per command  ${s.statement}`)
      }
      await p2.close()
    }
    await env.db.exec(`ALTER DATABASE ${dbName} RESET ALL`)
  }
} finally {
  await env.drop()
}
process.exit(0)
