// 統計分析 (with charts and downloads), 紀錄查詢 (read audit) and 報備支援額度限制查詢 pages.
import { formatRocDateLong as rocDateLong, rocMonthLabel, rocPeriodLabel } from '../../domain/roc-date.js'
import { professionName } from '../../domain/reference/professions.js'
import { Type } from '@sinclair/typebox'
import { findInstitution, findProfessional } from '../../commands/registry/registry.js'
import { capRulesFor, capStanding, type CapRule } from '../../domain/rules/quota.js'
import { DomainError } from '../../domain/errors.js'
import { referenceNamer } from '../../domain/reference/lists.js'
import { validatePersonId } from '../../domain/national-id.js'
import { isoWeekId } from '../../domain/roc-date.js'
import { queryReadAudit } from '../../projections/queries/read-audit.js'
import { getCase, searchCases } from '../../projections/queries/cases.js'
import { listAccounts } from '../../commands/accounts/find-account.js'
import { addDays, taipeiDate, taipeiInstant } from '../../domain/roc-date.js'
import { loadCaseFile } from './case-file.js'
import { institutionRatios } from './quota-ratio.js'
import { QUOTA_BASIS_LABEL } from './quota-summary.js'
import { mayRead } from './staff.js'
import { institutionQuota, professionalQuota } from '../../projections/queries/quota.js'
import { barChart } from '../charts/bar-chart.js'
import { lineChart } from '../charts/line-chart.js'
import { rocDate } from '../present.js'
import type { App } from '../schemas.js'
import { actorOf, audit, BASE, boPage, readModelsOf, scopeFor, staffOnly, storeOf } from './context.js'

const DECISION_TYPES = new Set(['ReportApproved', 'ReportRejected', 'ReportReturned', 'ChangeApproved', 'ChangeRejected', 'ChangeReturned', 'CancellationApproved', 'CancellationRejected'])
import { MEDIAN_DAYS_LABEL, STAT_REPORTS, statLines, statTable, type StatLine, type StatReport } from './statistics.js'
import { attachmentHeader, toCsv, toXlsx } from '../tabular.js'
import { dateExamples, DateInputField, readDateRange, type DateExamples } from '../forms/date-field.js'

const StatQuery = Type.Object({
  report: Type.Optional(Type.Union([Type.Literal('profession'), Type.Literal('institution'), Type.Literal('county')])),
  from: Type.Optional(DateInputField),
  to: Type.Optional(DateInputField),
  byMonth: Type.Optional(Type.String({ maxLength: 3 })),
})
const AuditQuery = Type.Object({
  viewer: Type.Optional(Type.String({ maxLength: 40 })),
  subject: Type.Optional(Type.String({ maxLength: 40 })),
  from: Type.Optional(DateInputField),
  to: Type.Optional(DateInputField),
  page: Type.Optional(Type.String({ maxLength: 6 })),
})
const QuotaQueryString = Type.Object({
  personId: Type.Optional(Type.String({ maxLength: 10 })),
  institution: Type.Optional(Type.String({ maxLength: 10 })),
  period: Type.Optional(Type.Union([Type.Literal('week'), Type.Literal('month')])),
})

/** The period filter as typed: each date read by the one rule (1130301, 113/03/01, 2024/03/01), errors at their field. */
function statInput(q: { from?: string; to?: string; byMonth?: string }, ex: DateExamples) {
  const dates = readDateRange(q.from, q.to, ['起日', '迄日'], ex)
  const fieldErrors = Object.fromEntries((['from', 'to'] as const).filter((k) => dates[k].error).map((k) => [k, dates[k].error!]))
  return { from: dates.from.iso, to: dates.to.iso, dates, byMonth: q.byMonth === '1' || q.byMonth === 'on', errors: Object.values(fieldErrors), fieldErrors }
}

function charts(report: StatReport, lines: readonly StatLine[], byMonth: boolean, byProfession: readonly StatLine[] = []): string[] {
  const title = STAT_REPORTS[report].title
  if (byMonth) {
    const months = [...new Set(lines.map((l) => l.month ?? ''))].sort()
    const sum = (k: 'filed' | 'approved' | 'rejected' | 'returned') => months.map((m) => lines.filter((l) => l.month === m).reduce((s, l) => s + l[k], 0))
    // the monthly filings split by profession (the professions with the most filings; the rest as 其他)
    const totals = new Map<string, number>()
    for (const l of byProfession) totals.set(l.key, (totals.get(l.key) ?? 0) + l.filed)
    const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k]) => k)
    const perProfession = [
      ...top.map((k) => ({ name: professionName(k) ?? k, values: months.map((m) => byProfession.filter((l) => l.month === m && l.key === k).reduce((s, l) => s + l.filed, 0)) })),
      ...(totals.size > top.length ? [{ name: '其他', values: months.map((m) => byProfession.filter((l) => l.month === m && !top.includes(l.key)).reduce((s, l) => s + l.filed, 0)) }] : []),
    ]
    return [
      lineChart({ title: `${title}（每月）`, periods: months.map(rocMonthLabel), unit: '件', series: [
        { name: '申辦', values: sum('filed') }, { name: '核准', values: sum('approved') }, { name: '不核准', values: sum('rejected') }, { name: '退回', values: sum('returned') },
      ] }),
      ...(perProfession.length ? [lineChart({ title: '每月申辦件數（依醫事人員類別）', periods: months.map(rocMonthLabel), unit: '件', series: perProfession })] : []),
    ]
  }
  // the chart draws the groups with cases (the table lists every county, zeros too)
  const top = [...lines].filter((l) => l.filed + l.approved + l.rejected + l.returned + l.cancelled > 0).sort((a, b) => b.filed - a.filed).slice(0, 30)
  if (top.length === 0) return []
  if (report === 'county') {
    return [barChart({ title, categories: top.map((l) => l.label), unit: '件', series: [
      { name: '申辦', values: top.map((l) => l.filed) }, { name: '核准', values: top.map((l) => l.approved) },
      { name: '不核准', values: top.map((l) => l.rejected) }, { name: '退回', values: top.map((l) => l.returned) }, { name: '註銷', values: top.map((l) => l.cancelled) },
    ] })]
  }
  return [barChart({ title, categories: top.map((l) => l.label), unit: '件', series: [{ name: '申辦件數', values: top.map((l) => l.filed) }, { name: '核准', values: top.map((l) => l.approved) }] })]
}

export async function registerStatisticsRoutes(app: App) {
  const lines = async (scope: ReturnType<typeof scopeFor>, report: StatReport, input: ReturnType<typeof statInput>) => {
    const names = new Map<string, string | undefined>()
    const db = app.services.db
    const reference = await app.services.rules.referenceAt(app.services.clock().toISOString())
    const out = await statLines(readModelsOf(app), scope, report, input, (c) => names.get(c), referenceNamer(reference), reference.counties)
    if (report === 'institution' && db) {
      for (const l of out) {
        if (!names.has(l.key)) names.set(l.key, (await findInstitution(db, l.key))?.name)
        l.label = names.get(l.key) ?? l.key
      }
    }
    return out
  }

  app.get(`${BASE}/statistics`, { onRequest: staffOnly, schema: { querystring: StatQuery } }, async (request, reply) => {
    const report = request.query.report ?? 'county'
    const ex = dateExamples(app.services.clock())
    const input = statInput(request.query, ex)
    const data = input.errors.length ? [] : await lines(scopeFor(request), report, input)
    const byProfession = !input.errors.length && input.byMonth ? (report === 'profession' ? data : await lines(scopeFor(request), 'profession', input)) : []
    const clockToday = app.services.clock().toISOString().slice(0, 10)
    const period = input.from || input.to
      ? `${input.from ? rocDateLong(input.from) : '最早資料'}～${input.to ? rocDateLong(input.to) : rocDateLong(clockToday)}`
      : `全部期間（未指定起迄，至 ${rocDateLong(clockToday)}）`
    const qs = new URLSearchParams(Object.entries(request.query).filter(([, v]) => v !== undefined && v !== '') as [string, string][]).toString()
    return boPage(request, reply, 'back-office/statistics.eta', {
      title: '統計分析', report, reports: STAT_REPORTS, q: request.query, input, lines: data, qs,
      charts: data.length ? charts(report, data, input.byMonth, byProfession) : [], rocMonth: rocMonthLabel, period,
      // placeholders in the current year
      yearFrom: ex.yearFirst, yearTo: ex.yearLast,
      totals: data.reduce((t, l) => ({ filed: t.filed + l.filed, approved: t.approved + l.approved, rejected: t.rejected + l.rejected, returned: t.returned + l.returned, cancelled: t.cancelled + l.cancelled }), { filed: 0, approved: 0, rejected: 0, returned: 0, cancelled: 0 }),
      scopeLabel: actorOf(request).role === 'statistician' ? '全國' : '本縣市', medianLabel: MEDIAN_DAYS_LABEL,
    })
  })

  for (const ext of ['csv', 'xlsx'] as const) {
    app.get(`${BASE}/statistics.${ext}`, { onRequest: staffOnly, schema: { querystring: StatQuery } }, async (request, reply) => {
      const report = request.query.report ?? 'county'
      const input = statInput(request.query, dateExamples(app.services.clock()))
      if (input.errors.length) throw new DomainError('VALIDATION_FAILED', { errors: input.errors }, [input.errors.join('；')])
      const table = statTable(report, await lines(scopeFor(request), report, input), input.byMonth)
      const name = `${table.title}.${ext}`
      reply.header('content-disposition', attachmentHeader(name, `statistics-${report}.${ext}`))
      if (ext === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(table))
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx([table]))
    })
  }

  app.get(`${BASE}/audit`, { onRequest: staffOnly, schema: { querystring: AuditQuery } }, async (request, reply) => {
    const q = request.query
    const ex = dateExamples(app.services.clock())
    const dates = readDateRange(q.from, q.to, ['起日', '迄日'], ex)
    const from = dates.from.iso
    const to = dates.to.iso
    // each bad value is shown at its field, and no list is shown instead of a filtered one
    const errors: Record<string, string> = {}
    if (dates.from.error) errors.from = dates.from.error
    if (dates.to.error) errors.to = dates.to.error
    let subject = (q.subject ?? '').trim()
    const scope = scopeFor(request)
    // a case is known to the reviewer by its 案件編號: resolve it (only cases in this reviewer's scope resolve)
    let caseFile: Awaited<ReturnType<typeof loadCaseFile>> | undefined
    if (/^\d{14}$/.test(subject)) {
      const found = await searchCases(readModelsOf(app), scope, { caseNumber: subject }, { page: 1, pageSize: 1 })
      const row = found.rows[0]
      if (!row) errors.subject = '查無此案件編號（或不屬於您可查閱的案件）'
      else subject = row.caseId
    } else if (subject && !validatePersonId(subject.toUpperCase()).ok && !/^[0-9a-f-]{36}$/i.test(subject)) {
      errors.subject = '請輸入案件編號（14 碼）或身分證號'
    }
    if (!errors.subject && /^[0-9a-f-]{36}$/i.test(subject)) {
      const f = await loadCaseFile(storeOf(app), subject)
      if (f && mayRead(actorOf(request), f.view)) caseFile = f
    }
    const page = Math.max(1, Number(q.page ?? '1') || 1)
    const failed = Object.keys(errors).length > 0
    const result = failed
      ? { rows: [], total: 0, page: 1, pageSize: 50 }
      : await queryReadAudit(readModelsOf(app), scope, {
          ...(q.viewer?.trim() ? { viewer: q.viewer.trim() } : {}),
          ...(subject ? { subjectId: validatePersonId(subject.toUpperCase()).ok ? subject.toUpperCase() : subject } : {}),
          ...(from ? { from } : {}), ...(to ? { to } : {}), page, pageSize: 50,
        })
    // beside the reads: the case's decisions (who decided what, when) and the staff member's logins
    const decisions = caseFile ? caseFile.history.filter((h) => DECISION_TYPES.has(h.type)) : []
    let logins: { at: string; subjectId: string; method: string; outcome: string }[] = []
    const viewer = q.viewer?.trim()
    if (!failed && viewer && app.services.db) {
      const actor = actorOf(request)
      const inScope = actor.role === 'statistician' || (await listAccounts(app.services.readModels, { county: actor.county!, includeDisabled: true, limit: 500 })).rows.some((a) => a.accountId === viewer)
      if (inScope) {
        const params: unknown[] = [viewer]
        let w = 'WHERE subject_id = $1'
        if (from) w += ` AND at >= $${params.push(taipeiInstant(from))}::timestamptz`
        if (to) w += ` AND at < $${params.push(taipeiInstant(addDays(to, 1)))}::timestamptz`
        logins = (await app.services.db.query<{ at: Date; subject_id: string; method: string; outcome: string }>(`SELECT at, subject_id, method, outcome FROM login_audit ${w} ORDER BY at DESC, id DESC LIMIT 50`, params)).rows
          .map((r) => ({ at: new Date(r.at).toISOString(), subjectId: r.subject_id, method: r.method, outcome: r.outcome }))
      }
    }
    // cases are recorded by id; the reviewer knows them by 案件編號 (only cases in this reviewer's scope resolve)
    const caseNumbers: Record<string, string> = {}
    const caseIds = [...new Set(result.rows.filter((r) => r.subjectKind === 'case').map((r) => r.subjectId))]
    for (const id of caseIds) {
      const row = await getCase(readModelsOf(app), scope, id)
      if (row?.caseNumber) caseNumbers[id] = row.caseNumber
    }
    return boPage(request, reply, 'back-office/audit.eta', { title: '紀錄查詢', q, errors, failed, dates, ex, result, page, caseNumbers, caseFile, decisions, logins })
  })

  app.get(`${BASE}/quota`, { onRequest: staffOnly, schema: { querystring: QuotaQueryString } }, async (request, reply) => {
    const q = request.query
    const periodKind = q.period ?? 'month'
    const personId = (q.personId ?? '').trim().toUpperCase()
    const institution = (q.institution ?? '').trim().toUpperCase()
    const errors: string[] = []
    if (personId && !validatePersonId(personId).ok) errors.push('身分證統一編號或居留證號格式不正確')
    if (institution && !/^[0-9A-Z]{10}$/.test(institution)) errors.push('醫事機構代碼格式不正確（應為 10 碼）')
    const today = taipeiDate(app.services.clock().toISOString())
    const fromPeriod = periodKind === 'week' ? isoWeekId(today) : today.slice(0, 7)
    let rows: Awaited<ReturnType<typeof professionalQuota>> = []
    if (!errors.length && (personId || institution)) {
      const rm = readModelsOf(app)
      rows = personId
        ? await professionalQuota(rm, scopeFor(request), personId, { periodKind, fromPeriod })
        : await institutionQuota(rm, scopeFor(request), institution, { periodKind, fromPeriod })
      if (personId) await audit(app, request, 'GET /review/quota', [{ kind: 'person', id: personId }])
    }
    // a person's limits: every cap rule in force for their profession and this period kind, with the excess
    let caps: CapRule[] = []
    const table = (await app.services.rules.inForceAt(app.services.clock().toISOString())).quota
    if (personId && rows.length && app.services.db) {
      const person = await findProfessional(app.services.db, personId)
      caps = (person ? capRulesFor(table, person.profession) : []).filter((r) => r.period === periodKind)
    }
    // an institution's limits: the ratio rules that cover it, with the numbers the domain computes (limit, current, excess)
    const ratios = institution && !errors.length ? await institutionRatios(app, institution, table, today) : undefined
    if (institution && !errors.length && !ratios) errors.push('查無此醫事機構代碼')
    // each period's standing against each cap, as the domain measures it
    const standings = rows.map((r) => caps.map((c) => capStanding(c, r)))
    const capLabels = caps.map((c) => ({ label: c.label, limit: c.limit, unit: c.unit === 'sessions' ? '診次' : '小時' }))
    return boPage(request, reply, 'back-office/quota.eta', { title: '報備支援額度限制查詢', q, errors, rows, standings, periodKind, today: rocDate(today), periodLabel: rocPeriodLabel, caps: capLabels, ratios, basisLabel: QUOTA_BASIS_LABEL })
  })
}
