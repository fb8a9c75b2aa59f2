// Child process of the export benchmark: generates day D's roster file from the log (or, with --raw, only reads the
// day's approvals raw; with --idle, only opens the same modules and pool; with --phases, times the roster's phases one
// after the other, bench/lib/roster-phases.ts) and prints {ms, maxRssBytes, heapUsedPeak, records, cpu} as JSON. Runs
// alone so its peak memory is the exporter's: VmHWM of /proc/self/status, the high-water mark of this process's own
// memory map. Not resourceUsage().maxRSS: Linux carries ru_maxrss across execve, so a child forked from the bench
// (hundreds of MB of generated cases) reported the parent's RSS at the fork (257 MB for a child that read nothing).
// `cpu` is this process's CPU and its database backends' (ms), which a busy machine does not inflate as wall time.
// node --import tsx bench/export-child.ts <database url> <day> <outDir> [--raw | --idle | --phases]
import { readFileSync } from 'node:fs'
import { createPostgresEventStore } from '../commands/event-store/postgres-event-store.js'
import { createPostgresDatabase } from '../commands/platform/postgres-database.js'
import { createLogger } from '../commands/platform/logger.js'
import { taipeiDayBounds } from '../domain/roc-date.js'
import { generateRoster } from '../exporter/generate-roster.js'
import { rosterSourceFor } from '../exporter/roster-source.js'
import { trackDatabaseCpu } from './lib/cpu.js'
import { rosterPhases, type RosterPhase } from './lib/roster-phases.js'

const [url, day, outDir, mode] = process.argv.slice(2)
if (!url || !day || !outDir) throw new Error('usage: export-child.ts <url> <day> <outDir> [--raw | --idle | --phases]')
// --phases: one connection, so that one backend's CPU is the database's share of each phase
const db = createPostgresDatabase(url, { max: mode === '--phases' ? 1 : 4, applicationName: 'bench-export' })
const store = createPostgresEventStore(db)
// the pool's connections opened before the clock starts, so that the CPU snapshots see their backends
await Promise.all(Array.from({ length: mode === '--phases' ? 1 : 4 }, () => db.query('SELECT pg_sleep(0.02)')))
let heapPeak = 0
const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 20)
const dbCpu = await trackDatabaseCpu(db)
const cpu0 = process.cpuUsage()
const t0 = performance.now()
let records = 0
let phases: RosterPhase[] | undefined
if (mode === '--raw') {
  // baseline: page through the day's roster-relevant approvals with plain SQL (no case folding, no file)
  const [from, to] = taipeiDayBounds(day)
  let last = 0n
  for (;;) {
    const r = await db.query<{ p: string }>(
      `SELECT global_position::text AS p, stream_id, data, meta FROM events WHERE type IN ('ReportApproved','ChangeApproved','CancellationApproved')
       AND (meta->>'occurredAt')::timestamptz >= $1 AND (meta->>'occurredAt')::timestamptz < $2 AND global_position > $3 ORDER BY global_position LIMIT 5000`,
      [from, to, last.toString()],
    )
    if (!r.rows.length) break
    records += r.rows.length
    last = BigInt(r.rows[r.rows.length - 1]!.p)
  }
} else if (mode === '--idle') {
  // baseline of memory: the same process with nothing read
  await new Promise((r) => setTimeout(r, 200))
} else if (mode === '--phases') {
  const r = await rosterPhases(db, day)
  phases = r.phases
  records = r.records
} else {
  const res = await generateRoster(
    { store, source: rosterSourceFor(store, db), senderCode: 'BENCH00001', logger: createLogger('silent'), now: () => new Date(Date.parse(taipeiDayBounds(day)[1]) + 3_600_000), actor: { role: 'system', id: 'bench', via: 'system' } },
    day,
    { outDir },
  )
  records = res.counts.total
}
const ms = performance.now() - t0
const node = process.cpuUsage(cpu0)
const dbSeconds = await dbCpu.stop()
clearInterval(sampler)
heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
await db.close()
const cpu = { nodeMs: (node.user + node.system) / 1000, dbMs: dbSeconds === null ? null : dbSeconds * 1000 }
process.stdout.write(`${JSON.stringify({ ms, maxRssBytes: peakRssBytes(), heapUsedPeak: heapPeak, records, cpu, ...(phases ? { phases } : {}) })}\n`)

/** This memory map's peak resident set (VmHWM); where /proc is missing, getrusage's, which may include a forking parent's. */
function peakRssBytes(): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
    if (kb) return Number(kb) * 1024
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024
}
