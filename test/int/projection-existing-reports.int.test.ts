// Property: for random case histories (recorded by the decider itself, legacy imports included), the applicant's
// existing reports as the occurrences read model gives them to the conflict and quota rules
// (commands/existing-reports-from-read-model.ts, real PostgreSQL, projected by the real runner) equal the domain's
// existingReportOf(fold(events)) of every case: same cases, statuses, terms in force and terms under review.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import fc from 'fast-check'
import { existingReportsFromReadModel } from '../../commands/existing-reports-from-read-model.js'
import { reportStream } from '../../domain/events.js'
import { existingReportOf, foldReport } from '../../domain/report/index.js'
import type { ExistingReport } from '../../domain/rules/conflict.js'
import type { Occurrence } from '../../domain/types.js'
import { createReadModels } from '../../projections/queries/read-models.js'
import { casesProjection } from '../../projections/read-models/cases.js'
import { occurrencesProjection } from '../../projections/read-models/occurrences.js'
import { createProjectionRunner } from '../../projections/runner.js'
import { lastAppendedPosition, projectionEnv } from '../support/projection-env.js'
import { PHYSICIAN } from '../support/report-decider-fixtures.js'
import { caseHistoryArb, decideHistory, toAppend, type CaseHistorySpec, type HistoryStep } from '../support/report-fixtures.js'

const byTime = (a: Occurrence, b: Occurrence) => (a.date + a.start + a.end < b.date + b.start + b.end ? -1 : 1)
const normal = (r: ExistingReport) => ({
  ...r,
  occurrences: [...r.occurrences].sort(byTime),
  ...(r.pendingOccurrences ? { pendingOccurrences: [...r.pendingOccurrences].sort(byTime) } : {}),
})
const byCase = (a: { caseId: string }, b: { caseId: string }) => (a.caseId < b.caseId ? -1 : 1)

t.test('read model existing reports = domain existingReportOf(fold(events)), random histories', async (t) => {
  const env = await projectionEnv()
  t.teardown(() => env.drop())
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: [casesProjection, occurrencesProjection] })
  await runner.start()
  t.teardown(() => runner.stop())
  const rm = await createReadModels(env.db)
  t.teardown(() => rm.close())

  // random histories, and a few whose end is sure to be met (a returned registration, a rejected change)
  const step = (type: HistoryStep['type'], variant: HistoryStep['variant'] = 0): HistoryStep => ({ type, actor: 0, variant })
  const specs: CaseHistorySpec[] = [
    { start: { kind: 'draft' }, steps: [step('SubmitReport'), step('ReturnReport')] },
    { start: { kind: 'draft' }, steps: [step('SubmitReport'), step('ApproveReport'), step('RequestChange', 1), step('RejectReport')] },
    ...fc.sample(caseHistoryArb(30), { numRuns: 120, seed: 1414 }),
  ]
  const expected: ExistingReport[] = []
  const statuses = new Set<string>()
  for (const [i, spec] of specs.entries()) {
    const caseId = randomUUID()
    const h = decideHistory(spec, caseId, `1130220${String(i + 1).padStart(7, '0')}`)
    if (h.events.length === 0) continue
    let v = 0
    for (const e of toAppend(h)) v = (await env.store.append(reportStream(caseId), [e], v === 0 ? 'no_stream' : v)).nextVersion
    const s = foldReport(h.events)
    if (s.exists) statuses.add(`${s.status}/${s.applicationType}`)
    const r = existingReportOf(s)
    if (r) expected.push(r)
  }
  t.ok(await runner.waitFor(await lastAppendedPosition(env.db), undefined, 60_000), 'projected')

  const got = await existingReportsFromReadModel(rm).existingReports(PHYSICIAN.nationalId, '', '2000-01-01', '2100-12-31')
  t.ok(expected.length > 20, `${expected.length} cases count for conflicts and quota`)
  for (const s of ['returned/register', 'returned/change', 'under_review/change', 'rejected/change', 'cancelled/cancel']) {
    t.ok(statuses.has(s), `the histories reach ${s}`)
  }
  t.same(got.map(normal).sort(byCase), expected.map(normal).sort(byCase))
})
