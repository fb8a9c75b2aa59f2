// Scale: a day of 100,000 approvals is written to the roster as one valid file with bounded memory (< 256 MB heap
// growth). Its speed is measured by `npm run bench`, never asserted here: a timed assertion fails on a busy machine.
// The log is bulk-loaded with one SQL statement into the PostgreSQL store's table (appending 300,000 events one
// command at a time would only measure the store), then read back by the exporter as usual.
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateRoster } from '../../exporter/generate-roster.js'
import { postgresRosterSource } from '../../exporter/roster-source.js'
import { verifyRosterFile } from '../../exporter/roster-verify.js'
import { bulkLoadApprovals, exporterEnv } from './exporter-fixtures.js'

const N = Number(process.env.EXPORTER_SCALE_N ?? 100_000)

t.test(`${N} approvals in one day: one valid file, bounded memory`, async (t) => {
  const env = await exporterEnv(t)
  const out = await mkdtemp(join(tmpdir(), 'roster-scale-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  await bulkLoadApprovals(env.db, N)
  const ctx = {
    store: env.store,
    source: postgresRosterSource(env.db),
    senderCode: 'BAOBEI0001',
    logger: env.logger,
    now: () => new Date('2024-03-02T02:00:00+08:00'),
    actor: { role: 'system' as const, id: 'exporter', via: 'system' as const },
  }
  global.gc?.()
  const heapBefore = process.memoryUsage().heapUsed
  let peakHeap = heapBefore
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20)
  const started = performance.now()
  const g = await generateRoster(ctx, '2024-03-01', { outDir: out })
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  const growthMb = (peakHeap - heapBefore) / 2 ** 20
  t.comment(`${N} approvals: ${seconds.toFixed(2)} s, peak heap growth ${growthMb.toFixed(0)} MB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`)
  t.equal(g.counts.total, N)
  t.equal(g.bytes, 102 * (N + 2))
  t.ok(growthMb < 256, `heap growth ${growthMb.toFixed(0)} MB (< 256 MB)`)
  const v = await verifyRosterFile(g.path)
  t.same(v.errors, [])
})
