// The institution dashboard's status counts come from two places: the delta-kept counts table (for a viewer who
// sees the whole institution) and the support rows counted (for a narrower scope). Both must place a case at the
// same institution, the one it is listed at (facts.listedTerms), also while a change to another supported
// institution is pending or returned. Live, and after a rebuild in batches of another size.
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { casesProjection } from '../../projections/read-models/cases.js'
import { institutionsProjection } from '../../projections/read-models/institutions.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { countSupports, dashboardCounts } from '../../projections/queries/institutions.js'
import type { Status } from '../../domain/types.js'
import { projectionEnv, appendCases } from '../support/projection-env.js'
import { randomUUID } from 'node:crypto'
import { CaseBuilder, INSTITUTIONS, applicant, randomCase, rng, routingFor, terms, weekly } from '../support/report-fixtures.js'

const STATUSES: Status[] = ['draft', 'under_review', 'approved', 'rejected', 'returned', 'withdrawn', 'cancelled']

t.test('the counts table = the support rows counted, per institution, side and status', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [casesProjection, institutionsProjection], rebuildBatchSize: 5 })
  await runner.start()
  t.teardown(() => runner.stop())
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())
  const r = rng(1217)
  const cases = Array.from({ length: 150 }, (_, k) => randomCase(r, k))
  // approved at one institution, then a change to another supported institution: left pending, returned, or withdrawn
  const moved = Array.from({ length: 45 }, (_, k) => {
    const home = INSTITUTIONS[k % INSTITUTIONS.length]!
    const here = INSTITUTIONS[(k + 1) % INSTITUTIONS.length]!
    const away = INSTITUTIONS[(k + 2 + (k % 5)) % INSTITUTIONS.length]!
    const person = applicant(`B1${String(20_000_000 + k).slice(-8)}`, `醫師B${k}`, home)
    const first = terms(here, weekly('2024-04-01', '2024-05-28', [1]))
    const b = new CaseBuilder(randomUUID(), person, first, routingFor(first)).draft()
      .submit(`1130301${String(k).padStart(7, '0')}`).approve(`A${k}`)
      .requestChange(terms(away, weekly('2024-04-01', '2024-05-28', [2])))
    if (k % 3 === 1) b.returnChange()
    if (k % 3 === 2) b.withdraw('change')
    return b
  })
  const last = await appendCases(env.store, [...cases, ...moved])
  t.ok(await runner.waitFor(last, undefined, 30_000))

  const national = { kind: 'national' } as const
  const compare = async (label: string) => {
    let compared = 0
    let counted = 0
    for (const inst of INSTITUTIONS) {
      const table = await dashboardCounts(rm, { kind: 'institution', code: inst.code }, inst.code, '2024-05-10')
      for (const side of ['home', 'supported'] as const) {
        for (const status of STATUSES) {
          const rows = await countSupports(rm, national, side, inst.code, { status: [status] })
          const got = (side === 'home' ? table.asHome : table.asSupported)[status]
          if (got !== rows) {
            t.fail(`${label} ${inst.code} ${side} ${status}: the table counts ${got}, the rows ${rows}`)
            return
          }
          compared++
          counted += rows
        }
      }
    }
    t.equal(counted, 2 * (cases.length + moved.length), `${label}: every case counted once per side`)
    let returned = 0
    for (const inst of INSTITUTIONS) returned += await countSupports(rm, national, 'home', inst.code, { status: ['returned'] })
    t.ok(returned >= 15, `${label}: the returned changes are among the rows (${returned})`)
    t.pass(`${label}: ${compared} counts agree`)
  }
  await compare('live')
  await runner.rebuild('institutions')
  await compare('rebuilt in batches of 5')
})
