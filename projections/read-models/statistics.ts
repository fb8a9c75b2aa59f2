// Read model `statistics`: one fact per filing and per decision (filed, approved, rejected, returned, cancelled,
// withdrawn) with the review county, profession, institutions and month (Asia/Taipei), and for decisions the
// review time from (re)filing to decision in seconds and in whole days (domain/report/review-time.ts).
// Beside the facts, `stat_months` keeps them pre-aggregated per month, review county (+ copied counties),
// profession, supported institution, application type, kind and whole review days: counts and review-second sums,
// so every sum is exact and the per-day counts are a histogram from which the median in whole days is exact.
// The statistics page reads whole months from `stat_months` (its cost does not grow with history) and only the
// days of a partially covered first or last month from `stat_facts` (queries/statistics.ts).
import { defineCaseProjection, type CaseStep } from '../case-projection.js'
import type { CaseView } from '../case-view.js'
import { taipeiDate, taipeiInstant } from '../../domain/roc-date.js'
import type { ReportImported } from '../../domain/events.js'
import { insertRows, type Columns } from '../sql-rows.js'
import { decisionOfEvent } from '../../domain/report/decision-events.js'
import { reviewDays, reviewSeconds } from '../../domain/report/review-time.js'

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
  review_days: 'int',
} as const satisfies Columns

/**
 * `stat_months`: the facts counted per month and group, in two roll-ups (each fact counts once in each): by
 * profession (with county and application type) and by supported institution (with county); a column a roll-up
 * does not keep is ''. review_days is -1 for facts without a review time.
 */
export const STAT_MONTH_COLUMNS = {
  rollup: 'text',
  month: 'text',
  review_county: 'text',
  copied_counties: 'text[]',
  profession: 'text',
  supported_code: 'text',
  application_type: 'text',
  kind: 'text',
  review_days: 'int',
  n: 'bigint',
  /** Review time summed in whole milliseconds: an integer, so a live upsert and a rebuild store the same value. */
  review_ms: 'bigint',
} as const satisfies Columns
export const STAT_MONTH_KEY = ['rollup', 'month', 'review_county', 'copied_counties', 'profession', 'supported_code', 'application_type', 'kind', 'review_days'] as const
/** The roll-ups of `stat_months` and the group columns each keeps (besides month, copied counties, kind, review days). */
export const STAT_ROLLUPS = {
  profession: ['review_county', 'profession', 'application_type'],
  institution: ['review_county', 'supported_code'],
} as const satisfies Record<string, readonly (keyof typeof STAT_COLUMNS)[]>
export type StatRollup = keyof typeof STAT_ROLLUPS

/** review_days of a `stat_months` row counting facts that have no review time (filings, undated decisions). */
export const NO_REVIEW_TIME = -1

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
  const seconds = decision ? reviewSeconds(pending?.filedAt, at) : null
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
    review_seconds: seconds,
    review_days: reviewDays(seconds),
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
  const fact = (suffix: string, kind: StatKind, at: string, seconds: number | null): StatRow => {
    const day = taipeiDate(at)
    return {
      event_id: `${step.event.id}:${suffix}`, case_id: v.caseId, kind, application_type: d.applicationType,
      review_county: routing.reviewCounty, copied_counties: routing.copiedCounties, profession: v.applicant.profession,
      national_id: v.applicant.nationalId, home_code: v.applicant.home.code, supported_code: v.facts.currentTerms.supported.code,
      day, month: day.slice(0, 7), at, review_seconds: seconds, review_days: reviewDays(seconds),
    }
  }
  const out: StatRow[] = []
  const first = step.before === undefined
  if (first && d.submittedAt) out.push(fact('filed', 'filed', d.submittedAt, null))
  const decidedWas = step.before?.approvedAt ?? null
  if (d.approvedAt && d.approvedAt !== decidedWas && (d.status === 'approved' || (d.status === 'cancelled' && d.applicationType !== 'cancel'))) {
    out.push(fact('approved', 'approved', d.approvedAt, reviewSeconds(d.submittedAt, d.approvedAt)))
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

type StatMonthRow = { -readonly [K in keyof typeof STAT_MONTH_COLUMNS]: K extends 'copied_counties' ? string[] : K extends 'n' | 'review_days' ? number : K extends 'review_ms' ? number : string }

/**
 * The facts of a batch summed per `stat_months` key (one row per key: an upsert may not touch a row twice). Null
 * group values count under '' (key columns are NOT NULL; the queries read both tables with the same coalescing).
 */
export function monthRows(facts: readonly StatRow[]): StatMonthRow[] {
  const out = new Map<string, StatMonthRow>()
  for (const f of facts) for (const [rollup, keeps] of Object.entries(STAT_ROLLUPS)) {
    const kept = (c: (typeof keeps)[number] | 'profession' | 'supported_code' | 'application_type') => ((keeps as readonly string[]).includes(c) ? f[c] ?? '' : '')
    const row: StatMonthRow = {
      rollup, month: f.month, review_county: kept('review_county'), copied_counties: f.copied_counties ?? [], profession: kept('profession'),
      supported_code: kept('supported_code'), application_type: kept('application_type'), kind: f.kind,
      review_days: f.review_days ?? NO_REVIEW_TIME, n: 0, review_ms: 0,
    }
    const key = JSON.stringify(STAT_MONTH_KEY.map((k) => row[k]))
    const acc = out.get(key) ?? row
    acc.n += 1
    // summed in whole milliseconds (review times are ms apart): exact, where adding fractional seconds would not be
    acc.review_ms += Math.round((f.review_seconds ?? 0) * 1000)
    out.set(key, acc)
  }
  return [...out.values()]
}

export const statisticsProjection = defineCaseProjection({
  name: 'statistics',
  // 2: folded with the domain's evolve, stored state = the domain state; 3: imported cases count;
  // 4: review_days and the pre-aggregated stat_months
  revision: 4,
  tables: ['stat_facts', 'stat_months'],
  ddl: (_v, t) => {
    const s = t('stat_facts')
    const m = t('stat_months')
    const keyed = new Set<string>(STAT_MONTH_KEY)
    return [
      `CREATE TABLE IF NOT EXISTS ${m} (${Object.entries(STAT_MONTH_COLUMNS).map(([n, ty]) => `${n} ${ty} NOT NULL${keyed.has(n) ? '' : ' DEFAULT 0'}`).join(', ')}, PRIMARY KEY (${STAT_MONTH_KEY.join(', ')}));`,
      `CREATE INDEX IF NOT EXISTS ${m}_county ON ${m} (rollup, review_county, month);`,
      `CREATE TABLE IF NOT EXISTS ${s} (${Object.entries(STAT_COLUMNS).map(([n, ty]) => `${n} ${ty}${n === 'event_id' ? ' PRIMARY KEY' : ''}`).join(', ')});`,
      `CREATE INDEX IF NOT EXISTS ${s}_county ON ${s} (review_county, day);`,
      `CREATE INDEX IF NOT EXISTS ${s}_copied ON ${s} USING gin (copied_counties);`,
      `CREATE INDEX IF NOT EXISTS ${s}_day ON ${s} (day);`,
      `CREATE INDEX IF NOT EXISTS ${s}_inst ON ${s} (supported_code, day);`,
      `CREATE INDEX IF NOT EXISTS ${s}_home ON ${s} (home_code, day);`,
    ].join('\n')
  },
  async apply(changes, ctx) {
    // a step is applied once (the case projection skips stream versions at or below its saved state), so the
    // month sums add each fact once, live and in a rebuild (where the facts go by COPY and the sums by upsert)
    const rows = changes.flatMap((ch) => ch.steps.flatMap(statFacts))
    await insertRows(ctx.tx, ctx.table('stat_facts'), STAT_COLUMNS, rows, 'ON CONFLICT (event_id) DO NOTHING')
    const m = ctx.table('stat_months')
    await insertRows(ctx.tx, m, STAT_MONTH_COLUMNS, monthRows(rows),
      `ON CONFLICT (${STAT_MONTH_KEY.join(', ')}) DO UPDATE SET n = ${m}.n + EXCLUDED.n, review_ms = ${m}.review_ms + EXCLUDED.review_ms`)
  },
})
