import { createPostgresEventStore } from '../commands/event-store/postgres-event-store.js'
import { createPostgresDatabase } from '../commands/platform/postgres-database.js'
import { createLogger } from '../commands/platform/logger.js'
import { taipeiDayBounds } from '../domain/roc-date.js'
import { generateRoster } from '../exporter/generate-roster.js'
import { rosterSourceFor } from '../exporter/roster-source.js'
const [url, day, outDir] = process.argv.slice(2) as [string, string, string]
const db0 = createPostgresDatabase(url, { max: 4 })
const totals = new Map<string, { n: number; ms: number; rows: number }>()
const db = { ...db0, kind: db0.kind, transaction: db0.transaction, listen: db0.listen, close: db0.close, exec: db0.exec,
  async query(text: string, params?: readonly unknown[]) {
    const t0 = performance.now()
    const r = await db0.query(text, params)
    const k = text.replace(/\s+/g, ' ').slice(0, 60)
    const x = totals.get(k) ?? { n: 0, ms: 0, rows: 0 }
    x.n++; x.ms += performance.now() - t0; x.rows += r.rows.length
    totals.set(k, x)
    return r
  } } as typeof db0
const store = createPostgresEventStore(db)
const t0 = performance.now()
const cpu0 = process.cpuUsage()
await generateRoster({ store, source: rosterSourceFor(store, db), senderCode: 'BENCH00001', logger: createLogger('silent'), now: () => new Date(Date.parse(taipeiDayBounds(day)[1]) + 3_600_000), actor: { role: 'system', id: 'bench', via: 'system' } }, day, { outDir })
console.log('total ms', Math.round(performance.now() - t0), 'node cpu ms', Math.round(process.cpuUsage(cpu0).user / 1000))
for (const [k, v] of totals) console.log(Math.round(v.ms), v.n, v.rows, k)
await db0.close()
