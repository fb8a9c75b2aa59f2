// Child process of the export benchmark: generates day D's roster file from the log (or, with --raw, only reads the
// day's approvals raw) and prints {ms, maxRssBytes, heapUsedPeak, records} as JSON. Runs alone so its peak memory
// (resourceUsage().maxRSS) is the exporter's.
// node --import tsx bench/export-child.ts <database url> <day> <outDir> [--raw]
import { createPostgresEventStore } from '../commands/event-store/postgres-event-store.js'
import { createPostgresDatabase } from '../commands/platform/postgres-database.js'
import { createLogger } from '../commands/platform/logger.js'
import { taipeiDayBounds } from '../domain/roc-date.js'
import { generateRoster } from '../exporter/generate-roster.js'
import { rosterSourceFor } from '../exporter/roster-source.js'

const [url, day, outDir, mode] = process.argv.slice(2)
if (!url || !day || !outDir) throw new Error('usage: export-child.ts <url> <day> <outDir> [--raw]')
const db = createPostgresDatabase(url, { max: 4, applicationName: 'bench-export' })
const store = createPostgresEventStore(db)
let heapPeak = 0
const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 20)
const t0 = performance.now()
let records = 0
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
} else {
  const res = await generateRoster(
    { store, source: rosterSourceFor(store, db), senderCode: 'BENCH00001', logger: createLogger('silent'), now: () => new Date(Date.parse(taipeiDayBounds(day)[1]) + 3_600_000), actor: { role: 'system', id: 'bench', via: 'system' } },
    day,
    { outDir },
  )
  records = res.counts.total
}
const ms = performance.now() - t0
clearInterval(sampler)
heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
await db.close()
process.stdout.write(`${JSON.stringify({ ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, heapUsedPeak: heapPeak, records })}\n`)
