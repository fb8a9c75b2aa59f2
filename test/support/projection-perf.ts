// Rebuild throughput: `node --import tsx test/support/projection-perf.ts [cases]` loads a seeded random workload
// into a fresh database and rebuilds every projection, printing events/s. Also used by the rebuild test.
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { createProjectionRunner } from '../../projections/runner.js'
import { reportStream } from '../../domain/events.js'
import { projectionEnv, type ProjectionEnv } from './projection-env.js'
import { randomCase, rng } from './report-fixtures.js'

/** Appends n random cases, each case's events in one append (fast loading). Returns the event count. */
export async function loadWorkload(env: ProjectionEnv, n: number, seed = 1): Promise<number> {
  const r = rng(seed)
  let events = 0
  const all = Array.from({ length: n }, (_, i) => randomCase(r, i))
  for (let i = 0; i < all.length; i += 8) {
    await Promise.all(all.slice(i, i + 8).map((b) => env.store.append(reportStream(b.caseId), b.events, 'no_stream')))
  }
  for (const b of all) events += b.events.length
  return events
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 3000)
  const env = await projectionEnv('bbperf')
  try {
    const t0 = Date.now()
    const events = await loadWorkload(env, n)
    console.log(`loaded ${events} events in ${Date.now() - t0} ms`)
    const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
    for (const p of PROJECTIONS) {
      const res = await runner.rebuild(p.name)
      console.log(`${p.name}: ${res.events} events in ${res.ms} ms = ${Math.round((res.events * 1000) / res.ms)} events/s`)
    }
  } finally {
    await env.drop()
  }
}
