// `baobei project` through runProjectCommand: run until stopped, status, metrics, rebuild, errors.
import t from 'tap'
import { runProjectCommand } from '../../projections/cli.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { countCases } from '../../projections/queries/cases.js'
import { waitForProjections } from '../../projections/status.js'
import { PROJECTION_NAMES } from '../../projections/read-models/all.js'
import { projectionEnv, appendCases } from '../support/projection-env.js'
import { randomCase, rng } from '../support/report-fixtures.js'

t.test('run, status, metrics, rebuild', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const r = rng(8)
  const last = await appendCases(env.store, Array.from({ length: 10 }, (_, i) => randomCase(r, i)))
  const out: string[] = []
  const err: string[] = []
  let stop!: () => void
  const untilStopped = new Promise<void>((res) => (stop = res))
  const running = runProjectCommand([], { db: env.db, store: env.store }, { out: (s) => out.push(s), err: (s) => err.push(s), untilStopped })
  // the runner creates its tables on start; wait for them, then for the events
  let caught = false
  for (let i = 0; i < 100 && !caught; i++) {
    caught = await waitForProjections(env.db, last, PROJECTION_NAMES, 100).catch(() => false)
  }
  t.ok(caught, 'the running command projects the log')
  stop()
  t.equal(await running, 0)

  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }
  t.equal(await runProjectCommand(['--status'], { db: env.db, store: env.store }, io), 0)
  const status = JSON.parse(out.pop()!)
  t.equal(status.ok, true)
  t.same(status.projections.map((p: { name: string }) => p.name).sort(), [...PROJECTION_NAMES].sort())
  t.ok(status.projections.every((p: { lagEvents: number }) => p.lagEvents === 0))
  t.equal(await runProjectCommand(['--metrics'], { db: env.db, store: env.store }, io), 0)
  t.match(out.pop(), /baobei_projection_lag_events\{projection="cases"\} 0/)
  t.equal(await runProjectCommand(['--rebuild', 'cases'], { db: env.db, store: env.store }, io), 0)
  t.match(out.pop(), /^cases: v1 → v2, \d+ events/)
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())
  t.equal(await countCases(rm, { kind: 'national' }), 10, 'the rebuilt version serves')
  t.equal(await runProjectCommand(['--rebuild', 'nope'], { db: env.db, store: env.store }, io), 2)
  t.match(err.pop(), /unknown projection/)
})
