// 有效報備支援人數 and the 有效報備支援名單's length, read from the day deltas the institutions projection keeps
// (read-models/in-force-days.ts), are the list itself counted: on every day, for every institution, the distinct
// people and the rows of the list in force that day. Live (batches as they come), after changes and
// cancellations, and after a rebuild in batches of another size.
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { casesProjection } from '../../projections/read-models/cases.js'
import { institutionsProjection } from '../../projections/read-models/institutions.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { dashboardCounts, supportList } from '../../projections/queries/institutions.js'
import { addDays } from '../../domain/roc-date.js'
import { projectionEnv, appendCases } from '../support/projection-env.js'
import { INSTITUTIONS, randomCase, rng } from '../support/report-fixtures.js'

t.test('the tile and the list\'s length = the list in force that day, counted', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [casesProjection, institutionsProjection], rebuildBatchSize: 7 })
  await runner.start()
  t.teardown(() => runner.stop())
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())
  const r = rng(2026)
  // 12 people, 20 cases each: the same person often has overlapping and adjacent periods at one institution
  const cases = Array.from({ length: 240 }, (_, k) => randomCase(r, (k % 12) + 500 * Math.floor(k / 12)))
  const last = await appendCases(env.store, cases)
  t.ok(await runner.waitFor(last, undefined, 30_000))

  const national = { kind: 'national' } as const
  const compare = async (label: string) => {
    let days = 0
    let shared = 0
    for (const inst of INSTITUTIONS.slice(0, 6)) {
      for (let day = '2024-02-27'; day <= '2024-09-03'; day = addDays(day, 1)) {
        const list = await supportList(rm, national, 'either', inst.code, { inForceOn: day, limit: 5000 })
        const people = new Set(list.map((x) => x.nationalId)).size
        const got = await dashboardCounts(rm, { kind: 'institution', code: inst.code }, inst.code, day)
        if (got.validSupportPeople !== people || got.validSupportRecords !== list.length) {
          t.fail(`${label} ${inst.code} ${day}: people ${got.validSupportPeople} records ${got.validSupportRecords}, the list: ${people} / ${list.length}`)
          return
        }
        days++
        if (list.length > people) shared++
      }
    }
    t.pass(`${label}: ${days} institution-days agree`)
    t.ok(shared > 20, `${label}: on ${shared} of them someone has two rows in force (people < records)`)
  }
  await compare('live')
  await runner.rebuild('institutions')
  await compare('rebuilt in batches of 7')
})
