// Read model `institutions`: the institution dashboard. Counts per status per institution, as home (filer) and as
// supported institution, kept by deltas; and one row per case for the valid-support roster,
// 他院支援本院 (others' staff supporting us) and 本院支援他院 (our staff supporting others).
import { defineCaseProjection } from '../case-projection.js'
import type { ProjectionContext } from '../projection.js'
import type { CaseView } from '../case-view.js'
import { summarizeSchedule } from '../../domain/schedule.js'
import { casePartyColumns } from './case-party-columns.js'
import { insertRows, upsertRows, type Columns } from '../sql-rows.js'
import { dayDeltas, inForcePeriodsOf, pairKey, type InForcePeriod } from './in-force-days.js'

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

// counted where the case is listed (facts.listedTerms): the support rows a narrower scope counts are the same cases
const countKeys = (v: CaseView | undefined): string[] =>
  v ? [`${v.applicant.home.code}|home|${v.status}`, `${v.facts.listedTerms.supported.code}|supported|${v.status}`] : []

export function supportRow(v: CaseView) {
  const terms = v.facts.listedTerms
  const s = summarizeSchedule(terms.schedule)
  const p = v.facts.inForcePeriod
  // party columns last: see caseRow (cases.ts)
  return {
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
    ...casePartyColumns(v, terms),
  }
}

export const institutionsProjection = defineCaseProjection({
  name: 'institutions',
  // 2: folded with the domain's evolve, stored state = the domain state; 3: submitted_at (the dashboard's 有效
  // 報備支援名單 is the roster's list, sorted by 送審日期); 4: 有效報備支援人數 and the list's length kept as day deltas;
  // 5: status counts at the institution the case is listed at (facts.listedTerms), as the support rows are; 6: the
  // index on the supports' end (登錄異動待查's bound)
  revision: 6,
  tables: ['institution_counts', 'institution_supports', 'institution_in_force_days', 'institution_in_force_periods'],
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
      // 登錄異動待查 (queries/registry-flags.ts): the supports running on a day, without the cases of history
      `CREATE INDEX IF NOT EXISTS ${s}_in_force_to ON ${s} (in_force_to) WHERE status <> 'withdrawn';`,
      // 有效報備支援人數 and the list's length on a day: the sums of the deltas up to it (in-force-days.ts), read
      // from the key alone
      `CREATE TABLE IF NOT EXISTS ${t('institution_in_force_days')} (institution_code text NOT NULL, day date NOT NULL,
        people int NOT NULL, records int NOT NULL, PRIMARY KEY (institution_code, day) INCLUDE (people, records));`,
      // the periods in force per institution and person the deltas were made from (a person's spans are merged
      // from all of theirs at the institution)
      `CREATE TABLE IF NOT EXISTS ${t('institution_in_force_periods')} (institution_code text NOT NULL, national_id text NOT NULL,
        case_id text NOT NULL, in_force_from date NOT NULL, in_force_to date NOT NULL, PRIMARY KEY (institution_code, national_id, case_id));`,
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
    await applyInForceDays(changes.flatMap((ch) => inForcePeriodsOf(ch.before)), changes.flatMap((ch) => inForcePeriodsOf(ch.after)), ctx)
  },
})

export const IN_FORCE_DAY_COLUMNS = { institution_code: 'text', day: 'date', people: 'int', records: 'int' } as const satisfies Columns
export const IN_FORCE_PERIOD_COLUMNS = { institution_code: 'text', national_id: 'text', case_id: 'text', in_force_from: 'date', in_force_to: 'date' } as const satisfies Columns

/** The day deltas of the changed cases' periods in force (in-force-days.ts), and the periods kept for the next change. */
async function applyInForceDays(before: InForcePeriod[], after: InForcePeriod[], ctx: ProjectionContext) {
  if (before.length === 0 && after.length === 0) return
  const periods = ctx.table('institution_in_force_periods')
  const days = ctx.table('institution_in_force_days')
  const pairs = [...new Map([...before, ...after].map((p) => [pairKey(p.institutionCode, p.nationalId), p])).values()]
  const stored = await ctx.tx.query<InForcePeriod>(
    `SELECT p.institution_code AS "institutionCode", p.national_id AS "nationalId", p.case_id AS "caseId",
       to_char(p.in_force_from, 'YYYY-MM-DD') AS "from", to_char(p.in_force_to, 'YYYY-MM-DD') AS "to"
     FROM unnest($1::text[], $2::text[]) AS k(code, nid) JOIN ${periods} p ON p.institution_code = k.code AND p.national_id = k.nid`,
    [pairs.map((p) => p.institutionCode), pairs.map((p) => p.nationalId)],
  )
  const deltas = dayDeltas(stored.rows, before, after)
  if (before.length) {
    await ctx.tx.query(
      `DELETE FROM ${periods} p USING unnest($1::text[], $2::text[], $3::text[]) AS k(code, nid, id)
       WHERE p.institution_code = k.code AND p.national_id = k.nid AND p.case_id = k.id`,
      [before.map((p) => p.institutionCode), before.map((p) => p.nationalId), before.map((p) => p.caseId)],
    )
  }
  await insertRows(ctx.tx, periods, IN_FORCE_PERIOD_COLUMNS,
    after.map((p) => ({ institution_code: p.institutionCode, national_id: p.nationalId, case_id: p.caseId, in_force_from: p.from, in_force_to: p.to })))
  if (deltas.length === 0) return
  await insertRows(ctx.tx, days, IN_FORCE_DAY_COLUMNS,
    deltas.map((d) => ({ institution_code: d.institutionCode, day: d.day, people: d.people, records: d.records })),
    `ON CONFLICT (institution_code, day) DO UPDATE SET people = ${days}.people + EXCLUDED.people, records = ${days}.records + EXCLUDED.records`)
  // a day whose deltas cancel out is no row (so a rebuild and the live model have the same rows)
  await ctx.tx.query(
    `DELETE FROM ${days} d USING unnest($1::text[], $2::date[]) AS k(code, day)
     WHERE d.institution_code = k.code AND d.day = k.day AND d.people = 0 AND d.records = 0`,
    [deltas.map((d) => d.institutionCode), deltas.map((d) => d.day)],
  )
}
