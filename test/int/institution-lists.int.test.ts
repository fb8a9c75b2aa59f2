// The lists of both sides (有效報備支援名冊, the dashboard's list: home OR supported) are keyed from each side's own
// index and merged (queries/institutions.ts supports): every page equals the two one-sided lists merged, each case
// once, in the list's order (newest first, then case id), cut at the page; for every scope that reads them.
import t from 'tap'
import { createProjectionRunner } from '../../projections/runner.js'
import { casesProjection } from '../../projections/read-models/cases.js'
import { institutionsProjection } from '../../projections/read-models/institutions.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { supportList, type SupportListOptions, type SupportRow } from '../../projections/queries/institutions.js'
import type { Scope } from '../../projections/queries/scope.js'
import { projectionEnv, appendCases } from '../support/projection-env.js'
import { INSTITUTIONS, randomCase, rng } from '../support/report-fixtures.js'

t.test('a list of both sides = the one-sided lists merged, page by page', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [casesProjection, institutionsProjection] })
  await runner.start()
  t.teardown(() => runner.stop())
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())
  const r = rng(1203)
  const last = await appendCases(env.store, Array.from({ length: 160 }, (_, i) => randomCase(r, i)))
  t.ok(await runner.waitFor(last, undefined, 20_000))

  const key = (o: SupportListOptions) => (x: SupportRow) => (o.sort === 'submittedAt' ? x.submittedAt : x.scheduleFrom)
  /** The oracle: each side's whole list (the one-sided query), merged, each case once, sorted as the list sorts. */
  const merged = async (scope: Scope, code: string, o: SupportListOptions) => {
    const all = [...(await supportList(rm, scope, 'home', code, { ...o, limit: 5000 })), ...(await supportList(rm, scope, 'supported', code, { ...o, limit: 5000 }))]
    const once = [...new Map(all.map((x) => [x.caseId, x])).values()]
    const k = key(o)
    return once.sort((a, b) => {
      const [x, y] = [k(a), k(b)]
      if (x !== y) return x === null ? 1 : y === null ? -1 : x < y ? 1 : -1
      return a.caseId < b.caseId ? -1 : 1
    })
  }
  let pages = 0
  let longest = 0
  for (const inst of INSTITUTIONS.slice(0, 6)) {
    for (const scope of [{ kind: 'institution', code: inst.code }, { kind: 'national' }, { kind: 'county', county: inst.county }] as Scope[]) {
      for (const o of [{}, { sort: 'submittedAt' }, { inForceOn: '2024-05-10', sort: 'submittedAt' }, { status: ['approved', 'cancelled'] }] as SupportListOptions[]) {
        const want = await merged(scope, inst.code, o)
        longest = Math.max(longest, want.length)
        for (let offset = 0; offset <= want.length; offset += 7) {
          const got = await supportList(rm, scope, 'either', inst.code, { ...o, limit: 7, offset })
          pages++
          t.same(got, want.slice(offset, offset + 7), `${inst.code} ${scope.kind} ${JSON.stringify(o)} rows ${offset}..`)
        }
      }
    }
  }
  t.ok(longest > 14, `the longest list (${longest} rows) spans several pages`)
  t.ok(pages > 100, `${pages} pages compared`)
  // a professional sees their own cases of both sides alone
  const someone = (await supportList(rm, { kind: 'national' }, 'either', INSTITUTIONS[0]!.code, { limit: 1 }))[0]!
  const mine = await supportList(rm, { kind: 'professional', nationalId: someone.nationalId }, 'either', INSTITUTIONS[0]!.code, { limit: 500 })
  t.ok(mine.length > 0 && mine.every((x) => x.nationalId === someone.nationalId), 'a professional: their own rows only')
})
