// Read model `statistics`: one fact per filing and per decision (filed, approved, rejected, returned, cancelled,
// withdrawn) with the review county, profession, institutions and month (Asia/Taipei), and for decisions the
// review time from (re)filing to decision in seconds, so sums, averages and medians are computable per group.
import { defineCaseProjection, type CaseStep } from '../case-projection.js'
import type { CaseView } from '../case-view.js'
import { taipeiDate, taipeiInstant } from '../../domain/roc-date.js'
import type { ReportImported } from '../../domain/events.js'
import { insertRows, type Columns } from '../sql-rows.js'
import { decisionOfEvent } from '../../domain/report/decision-events.js'

export type StatKind = 'filed' | 'approved' | 'rejected' | 'returned' | 'cancelled' | 'withdrawn'

export const STAT_COLUMNS = {
  event_id: 'text',
  case_id: 'text',
  kind: 'text',
  application_type: 'text',
  review_county: 'text',
  copied_counties: 'text[]',
  profession: 'text',
  national_id: 'text',
  home_code: 'text',
  supported_code: 'text',
  day: 'date',
  month: 'text',
  at: 'timestamptz',
  review_seconds: 'numeric',
} as const satisfies Columns

/** Filings and withdrawals; decisions come from the domain (an approved cancellation counts as 註銷). */
const FILING_KIND: Record<string, StatKind> = {
  ReportSubmitted: 'filed',
  ChangeRequested: 'filed',
  CancellationRequested: 'filed',
  ReportWithdrawn: 'withdrawn',
}

const kindOf = (type: string): StatKind | undefined => {
  const d = decisionOfEvent({ type })
  if (!d) return FILING_KIND[type]
  return d.outcome === 'approved' && d.applicationType === 'cancel' ? 'cancelled' : d.outcome
}

export function statFact(step: CaseStep) {
  const kind = kindOf(step.event.type)
  // the application a step files or decides: after it for filings, before it for decisions
  const v: CaseView | undefined = kind === 'filed' ? step.after : step.before
  if (!kind || !v) return null
  const pending = step.before?.pending
  const decision = kind !== 'filed' && kind !== 'withdrawn'
  const at = step.event.meta.occurredAt
  const terms = v.facts.currentTerms
  const routing = v.facts.decisionRouting
  const day = taipeiDate(at)
  return {
    event_id: step.event.id,
    case_id: v.caseId,
    kind,
    application_type: kind === 'filed' ? v.applicationType : (pending?.type ?? v.applicationType),
    review_county: routing.reviewCounty,
    copied_counties: routing.copiedCounties,
    profession: v.applicant.profession,
    national_id: v.applicant.nationalId,
    home_code: v.applicant.home.code,
    supported_code: terms.supported.code,
    day,
    month: day.slice(0, 7),
    at,
    review_seconds: decision && pending?.filedAt ? Math.max(0, (Date.parse(at) - Date.parse(pending.filedAt)) / 1000) : null,
  }
}

type StatRow = NonNullable<ReturnType<typeof statFact>>

/**
 * A case brought over from the old system counts in the statistics with what the old system recorded, on the old
 * system's dates: its filing (送審日期) and, when dated, its approval (核准日期) or cancellation (註銷日期). A later
 * ReportImported (a decision the old system made after cut-over) adds its approval or cancellation. Decisions
 * without a date in the old system's file (未核准, 退回) are not counted: no day to count them on.
 */
export function importedStatFacts(step: CaseStep): StatRow[] {
  const v = step.after
  if (!v || step.event.type !== 'ReportImported') return []
  const d = step.event.data as ReportImported['data']
  const routing = v.facts.decisionRouting
  const fact = (suffix: string, kind: StatKind, at: string, reviewSeconds: number | null): StatRow => {
    const day = taipeiDate(at)
    return {
      event_id: `${step.event.id}:${suffix}`, case_id: v.caseId, kind, application_type: d.applicationType,
      review_county: routing.reviewCounty, copied_counties: routing.copiedCounties, profession: v.applicant.profession,
      national_id: v.applicant.nationalId, home_code: v.applicant.home.code, supported_code: v.facts.currentTerms.supported.code,
      day, month: day.slice(0, 7), at, review_seconds: reviewSeconds,
    }
  }
  const out: StatRow[] = []
  const first = step.before === undefined
  if (first && d.submittedAt) out.push(fact('filed', 'filed', d.submittedAt, null))
  const decidedWas = step.before?.approvedAt ?? null
  if (d.approvedAt && d.approvedAt !== decidedWas && (d.status === 'approved' || (d.status === 'cancelled' && d.applicationType !== 'cancel'))) {
    const seconds = d.submittedAt ? Math.max(0, (Date.parse(d.approvedAt) - Date.parse(d.submittedAt)) / 1000) : null
    out.push(fact('approved', 'approved', d.approvedAt, seconds))
  }
  if (d.status === 'cancelled' && step.before?.status !== 'cancelled') {
    const at = d.cancelledOn ? taipeiInstant(d.cancelledOn) : d.approvedAt
    if (at) out.push(fact('cancelled', 'cancelled', at, null))
  }
  return out
}

/** The statistics facts of one step (a native event gives at most one; an import, up to three). */
export const statFacts = (step: CaseStep): StatRow[] => {
  if (step.event.type === 'ReportImported') return importedStatFacts(step)
  const f = statFact(step)
  return f ? [f] : []
}

export const statisticsProjection = defineCaseProjection({
  name: 'statistics',
  // 2: folded with the domain's evolve, stored state = the domain state; 3: imported cases count
  revision: 3,
  tables: ['stat_facts'],
  ddl: (_v, t) => {
    const s = t('stat_facts')
    return [
      `CREATE TABLE IF NOT EXISTS ${s} (${Object.entries(STAT_COLUMNS).map(([n, ty]) => `${n} ${ty}${n === 'event_id' ? ' PRIMARY KEY' : ''}`).join(', ')});`,
      `CREATE INDEX IF NOT EXISTS ${s}_county ON ${s} (review_county, day);`,
      `CREATE INDEX IF NOT EXISTS ${s}_copied ON ${s} USING gin (copied_counties);`,
      `CREATE INDEX IF NOT EXISTS ${s}_day ON ${s} (day);`,
      `CREATE INDEX IF NOT EXISTS ${s}_inst ON ${s} (supported_code, day);`,
      `CREATE INDEX IF NOT EXISTS ${s}_home ON ${s} (home_code, day);`,
    ].join('\n')
  },
  async apply(changes, ctx) {
    const rows = changes.flatMap((ch) => ch.steps.flatMap(statFacts))
    await insertRows(ctx.tx, ctx.table('stat_facts'), STAT_COLUMNS, rows, 'ON CONFLICT (event_id) DO NOTHING')
  },
})
