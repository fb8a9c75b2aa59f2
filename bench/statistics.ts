// 6. Statistics query on N cases (the statistics read model) beside the same counts computed raw from the event log.
import { createReadModels } from '../projections/queries/read-models.js'
import { statistics } from '../projections/queries/statistics.js'
import type { BenchDb } from './lib/env.js'
import { figure, newResult, percentile, type BenchResult } from './lib/result.js'

export async function statisticsBench(env: BenchDb, cases: number): Promise<BenchResult> {
  const res = newResult('statistics', `statistics query on ${cases.toLocaleString('en-US')} cases`)
  const t0 = Date.now()
  const rm = await createReadModels(env.db, { listen: false })
  try {
    const national = { kind: 'national' } as const
    const queries = [
      { groupBy: ['county', 'profession'] as const },
      { groupBy: ['month', 'applicationType'] as const },
      { groupBy: ['institution'] as const },
    ]
    const times: number[] = []
    let rows = 0
    for (let i = 0; i < 5; i++) {
      for (const q of queries) {
        const ts = performance.now()
        rows = (await statistics(rm, national, { groupBy: [...q.groupBy] })).length
        times.push(performance.now() - ts)
      }
    }
    // baseline: the per-county/profession outcome counts straight from the log (no read model)
    const raw: number[] = []
    for (let i = 0; i < 3; i++) {
      const ts = performance.now()
      await env.db.query(
        `SELECT d.data->'applicant'->>'profession' AS profession, d.data->'routing'->>'reviewCounty' AS county,
                count(*) FILTER (WHERE e.type = 'ReportSubmitted') AS filed,
                count(*) FILTER (WHERE e.type IN ('ReportApproved','ChangeApproved','CancellationApproved')) AS approved,
                count(*) FILTER (WHERE e.type IN ('ReportRejected','ChangeRejected','CancellationRejected')) AS rejected,
                count(*) FILTER (WHERE e.type IN ('ReportReturned','ChangeReturned')) AS returned
         FROM events e JOIN events d ON d.stream_id = e.stream_id AND d.stream_version = 1
         GROUP BY 1, 2`,
      )
      raw.push(performance.now() - ts)
    }
    const p50 = percentile(times, 50)
    res.figures.push(
      figure({
        label: 'statistics() p50 (3 groupings x 5 runs)',
        value: p50,
        unit: 'ms',
        lowerIsBetter: true,
        baseline: { label: 'same counts by county x profession raw from the event log', value: percentile(raw, 50), unit: 'ms' },
        target: { text: '< 1 s', met: percentile(times, 100) < 1000 },
      }),
    )
    res.notes.push(`max ${percentile(times, 100).toFixed(1)} ms; last query returned ${rows} rows`)
  } finally {
    await rm.close()
  }
  res.ms = Date.now() - t0
  return res
}
