// 6. The statistics page's queries on N cases: the three reports (每醫事人員類別, 每被支援機構, 每縣市), all periods,
// with and without 按月份, as the page runs them (statLines), national and one county; beside the same figures
// computed the old way in the same run (one pass over every fact with an exact percentile_cont median). And what
// each query READS (EXPLAIN ANALYZE): month-sum rows and fact rows, beside the number of facts, so a run at two
// sizes shows what the cost grows with (groups × months, not cases).
import { statLines, STAT_REPORTS, type StatReport } from '../http/back-office/statistics.js'
import { createReadModels } from '../projections/queries/read-models.js'
import { statisticsRowsRead, STAT_DIMENSIONS, type StatDimension } from '../projections/queries/statistics.js'
import { physicalTable } from '../projections/projection.js'
import type { BenchDb } from './lib/env.js'
import { figure, newResult, percentile, type BenchResult } from './lib/result.js'

export async function statisticsBench(env: BenchDb, cases: number): Promise<BenchResult> {
  const res = newResult('statistics', `statistics page on ${cases.toLocaleString('en-US')} cases`)
  const t0 = Date.now()
  const rm = await createReadModels(env.db, { listen: false })
  try {
    const version = Number((await env.db.query<{ v: number }>(`SELECT live_version AS v FROM projection_versions WHERE name = 'statistics'`)).rows[0]!.v)
    const facts = physicalTable('stat_facts', version)
    const count = async (table: string) => Number((await env.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n)
    const factRows = await count(facts)
    const monthRows = await count(physicalTable('stat_months', version))
    const scopes = [{ kind: 'national' } as const, { kind: 'county', county: '63' } as const]
    const pages = scopes.flatMap((scope) => (Object.keys(STAT_REPORTS) as StatReport[]).flatMap((report) => [false, true].map((byMonth) => ({ scope, report, byMonth }))))
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      for (const p of pages) {
        const ts = performance.now()
        await statLines(rm, p.scope, p.report, { byMonth: p.byMonth })
        times.push(performance.now() - ts)
      }
    }
    // the same page figures the old way: every fact of the period read, the median by percentile_cont per group
    const old: number[] = []
    for (let i = 0; i < 2; i++) {
      for (const p of pages.filter((x) => x.scope.kind === 'national')) {
        const cols = [...(p.byMonth ? ['month'] : []), STAT_DIMENSIONS[STAT_REPORTS[p.report].dimension]]
        const ts = performance.now()
        await env.db.query(
          `SELECT ${cols.join(', ')}, ${['filed', 'approved', 'rejected', 'returned', 'cancelled'].map((k) => `count(*) FILTER (WHERE kind = '${k}')`).join(', ')},
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY review_days) FROM ${facts} GROUP BY ${cols.join(', ')} ORDER BY ${cols.join(', ')}`,
        )
        old.push(performance.now() - ts)
      }
    }
    res.figures.push(
      figure({
        label: `statistics page queries p95 (3 reports x by month or not x national/county x 5 runs)`,
        value: percentile(times, 95),
        unit: 'ms',
        lowerIsBetter: true,
        baseline: { label: 'the old query over every fact (percentile_cont), national, p95', value: percentile(old, 95), unit: 'ms' },
        target: { text: '< 1 s', met: percentile(times, 95) < 1000 },
      }),
    )
    res.notes.push(`p50 ${percentile(times, 50).toFixed(1)} ms, max ${percentile(times, 100).toFixed(1)} ms; old query p50 ${percentile(old, 50).toFixed(1)} ms`)
    res.notes.push(`${factRows.toLocaleString('en-US')} facts, ${monthRows.toLocaleString('en-US')} month-sum rows (two roll-ups)`)
    // what each national page query reads: month-sum rows vs fact rows
    for (const p of pages.filter((x) => x.scope.kind === 'national')) {
      const groupBy: StatDimension[] = [...(p.byMonth ? ['month' as const] : []), STAT_REPORTS[p.report].dimension]
      const read = await statisticsRowsRead(rm, p.scope, { groupBy })
      const m = read.stat_months ?? { rows: 0, removed: 0 }
      const f = read.stat_facts ?? { rows: 0, removed: 0 }
      res.notes.push(`rows read, ${p.report}${p.byMonth ? ' by month' : ''}: month sums ${m.rows.toLocaleString('en-US')} (+${m.removed.toLocaleString('en-US')} filtered out), facts ${f.rows} (+${f.removed})`)
    }
  } finally {
    await rm.close()
  }
  res.ms = Date.now() - t0
  return res
}
