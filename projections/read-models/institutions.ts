// Read model `institutions`: the institution dashboard. Counts per status per institution, as home (filer) and as
// supported institution, kept by deltas; and one row per case for the valid-support roster,
// 他院支援本院 (others' staff supporting us) and 本院支援他院 (our staff supporting others).
import { defineCaseProjection } from '../case-projection.js'
import type { CaseView } from '../case-view.js'
import { summarizeSchedule } from '../../domain/schedule.js'
import { casePartyColumns } from './case-party-columns.js'
import { insertRows, upsertRows, type Columns } from '../sql-rows.js'

export const SUPPORT_COLUMNS = {
  case_id: 'text',
  case_number: 'text',
  status: 'text',
  application_type: 'text',
  national_id: 'text',
  applicant_name: 'text',
  profession: 'text',
  home_code: 'text',
  home_name: 'text',
  home_county: 'text',
  supported_code: 'text',
  supported_name: 'text',
  supported_county: 'text',
  department: 'text',
  schedule_from: 'date',
  schedule_to: 'date',
  weekday_mask: 'text',
  earliest_start: 'text',
  latest_end: 'text',
  approval_number: 'text',
  in_force_from: 'date',
  in_force_to: 'date',
  updated_at: 'timestamptz',
  scope_counties: 'text[]',
  submitted_at: 'timestamptz',
} as const satisfies Columns

const countKeys = (v: CaseView | undefined): string[] =>
  v ? [`${v.applicant.home.code}|home|${v.status}`, `${v.facts.currentTerms.supported.code}|supported|${v.status}`] : []

function supportRow(v: CaseView) {
  const terms = v.approved?.terms ?? v.facts.currentTerms
  const s = summarizeSchedule(terms.schedule)
  const p = v.facts.inForcePeriod
  return {
    ...casePartyColumns(v, terms),
    schedule_from: s.from,
    schedule_to: s.to,
    weekday_mask: s.weekdayMask,
    earliest_start: s.earliestStart,
    latest_end: s.latestEnd,
    approval_number: v.approvalNumber,
    in_force_from: p?.from ?? null,
    in_force_to: p?.to ?? null,
    updated_at: v.updatedAt,
    scope_counties: v.facts.scope.counties,
    submitted_at: v.submittedAt ?? null,
  }
}

export const institutionsProjection = defineCaseProjection({
  name: 'institutions',
  // 2: folded with the domain's evolve, stored state = the domain state; 3: submitted_at (the dashboard's 有效
  // 報備支援名單 is the roster's list, sorted by 送審日期)
  revision: 3,
  tables: ['institution_counts', 'institution_supports'],
  ddl: (_v, t) => {
    const c = t('institution_counts')
    const s = t('institution_supports')
    return [
      `CREATE TABLE IF NOT EXISTS ${c} (institution_code text NOT NULL, side text NOT NULL, status text NOT NULL, n int NOT NULL,
        PRIMARY KEY (institution_code, side, status));`,
      `CREATE TABLE IF NOT EXISTS ${s} (${Object.entries(SUPPORT_COLUMNS).map(([n, ty]) => `${n} ${ty}${n === 'case_id' ? ' PRIMARY KEY' : ''}`).join(', ')});`,
      // INCLUDE national_id: 有效報備支援人數 and the list's total are counted from these indexes alone; the other
      // side's code (the institution scope tests both), the sort keys and the case: a page of both sides is keyed
      // from these indexes alone (queries/institutions.ts supports)
      `CREATE INDEX IF NOT EXISTS ${s}_home ON ${s} (home_code, in_force_from, in_force_to) INCLUDE (national_id, supported_code, submitted_at, schedule_from, case_id);`,
      `CREATE INDEX IF NOT EXISTS ${s}_supported ON ${s} (supported_code, in_force_from, in_force_to) INCLUDE (national_id, home_code, submitted_at, schedule_from, case_id);`,
      `CREATE INDEX IF NOT EXISTS ${s}_person ON ${s} (national_id);`,
      // the dashboard's list, newest 送審日期 first: walked in order, stopped after the page
      `CREATE INDEX IF NOT EXISTS ${s}_submitted ON ${s} (submitted_at DESC NULLS LAST, case_id);`,
      `CREATE INDEX IF NOT EXISTS ${s}_county ON ${s} USING gin (scope_counties);`,
    ].join('\n')
  },
  async apply(changes, ctx) {
    const deltas = new Map<string, number>()
    for (const ch of changes) {
      for (const k of countKeys(ch.before)) deltas.set(k, (deltas.get(k) ?? 0) - 1)
      for (const k of countKeys(ch.after)) deltas.set(k, (deltas.get(k) ?? 0) + 1)
    }
    const rows = [...deltas].filter(([, n]) => n !== 0).map(([k, n]) => {
      const [institution_code, side, status] = k.split('|')
      return { institution_code, side, status, n }
    })
    const counts = ctx.table('institution_counts')
    await insertRows(ctx.tx, counts, { institution_code: 'text', side: 'text', status: 'text', n: 'int' }, rows,
      `ON CONFLICT (institution_code, side, status) DO UPDATE SET n = ${counts}.n + EXCLUDED.n`)
    // a count back at zero is no row (so a rebuild and the live model have the same rows)
    if (rows.length) await ctx.tx.query(`DELETE FROM ${counts} WHERE n = 0 AND institution_code = ANY($1::text[])`, [[...new Set(rows.map((r) => r.institution_code))]])
    await upsertRows(ctx.tx, ctx.table('institution_supports'), SUPPORT_COLUMNS, ['case_id'],
      changes.flatMap((ch) => (ch.after ? [supportRow(ch.after)] : [])))
  },
})
