// 統計分析 (with charts and downloads), 紀錄查詢 (read audit) and 報備支援額度限制查詢 pages.
import { rocMonthId } from '../../domain/roc-date.js'
import { Type } from '@sinclair/typebox'
import { findInstitution } from '../../commands/registry/registry.js'
import { DomainError } from '../../domain/errors.js'
import { referenceNamer } from '../../domain/reference/lists.js'
import { validatePersonId } from '../../domain/national-id.js'
import { isoWeekId } from '../../domain/roc-date.js'
import { queryReadAudit } from '../../projections/queries/read-audit.js'
import { getCase } from '../../projections/queries/cases.js'
import { institutionQuota, professionalQuota } from '../../projections/queries/quota.js'
import { barChart } from '../charts/bar-chart.js'
import { lineChart } from '../charts/line-chart.js'
import { rocDate } from '../present.js'
import type { App } from '../schemas.js'
import { actorOf, audit, BASE, boPage, readModelsOf, rocInput, scopeFor, staffOnly } from './context.js'
import { STAT_REPORTS, statLines, statTable, type StatLine, type StatReport } from './statistics.js'
import { attachmentHeader, toCsv, toXlsx } from './tabular.js'

const StatQuery = Type.Object({
  report: Type.Optional(Type.Union([Type.Literal('profession'), Type.Literal('institution'), Type.Literal('county')])),
  from: Type.Optional(Type.String({ maxLength: 8 })),
  to: Type.Optional(Type.String({ maxLength: 8 })),
  byMonth: Type.Optional(Type.String({ maxLength: 3 })),
})
const AuditQuery = Type.Object({
  viewer: Type.Optional(Type.String({ maxLength: 40 })),
  subject: Type.Optional(Type.String({ maxLength: 40 })),
  from: Type.Optional(Type.String({ maxLength: 8 })),
  to: Type.Optional(Type.String({ maxLength: 8 })),
  page: Type.Optional(Type.String({ maxLength: 6 })),
})
const QuotaQueryString = Type.Object({
  personId: Type.Optional(Type.String({ maxLength: 10 })),
  institution: Type.Optional(Type.String({ maxLength: 10 })),
  period: Type.Optional(Type.Union([Type.Literal('week'), Type.Literal('month')])),
})

function statInput(q: { from?: string; to?: string; byMonth?: string }) {
  const errors: string[] = []
  const from = rocInput(q.from)
  const to = rocInput(q.to)
  if (q.from && !from) errors.push('起日格式不正確（民國年 yyyMMdd）')
  if (q.to && !to) errors.push('迄日格式不正確（民國年 yyyMMdd）')
  if (from && to && to < from) errors.push('迄日不可早於起日')
  return { from, to, byMonth: q.byMonth === '1' || q.byMonth === 'on', errors }
}

function charts(report: StatReport, lines: readonly StatLine[], byMonth: boolean): string[] {
  const title = STAT_REPORTS[report].title
  if (byMonth) {
    const months = [...new Set(lines.map((l) => l.month ?? ''))].sort()
    const sum = (k: 'filed' | 'approved' | 'rejected' | 'returned') => months.map((m) => lines.filter((l) => l.month === m).reduce((s, l) => s + l[k], 0))
    return [lineChart({ title: `${title}（每月）`, periods: months.map(rocMonthId), unit: '件', series: [
      { name: '申辦', values: sum('filed') }, { name: '核准', values: sum('approved') }, { name: '不核准', values: sum('rejected') }, { name: '退回', values: sum('returned') },
    ] })]
  }
  const top = [...lines].sort((a, b) => b.filed - a.filed).slice(0, 30)
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
    const inForce = referenceNamer(await app.services.rules.referenceAt(app.services.clock().toISOString()))
    const out = await statLines(readModelsOf(app), scope, report, input, (c) => names.get(c), inForce)
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
    const input = statInput(request.query)
    const data = input.errors.length ? [] : await lines(scopeFor(request), report, input)
    const qs = new URLSearchParams(Object.entries(request.query).filter(([, v]) => v !== undefined && v !== '') as [string, string][]).toString()
    return boPage(request, reply, 'back-office/statistics.eta', {
      title: '統計分析', report, reports: STAT_REPORTS, q: request.query, input, lines: data, qs,
      charts: data.length ? charts(report, data, input.byMonth) : [], rocMonth: rocMonthId,
      totals: data.reduce((t, l) => ({ filed: t.filed + l.filed, approved: t.approved + l.approved, rejected: t.rejected + l.rejected, returned: t.returned + l.returned, cancelled: t.cancelled + l.cancelled }), { filed: 0, approved: 0, rejected: 0, returned: 0, cancelled: 0 }),
      scopeLabel: actorOf(request).role === 'statistician' ? '全國' : '本縣市',
    })
  })

  for (const ext of ['csv', 'xlsx'] as const) {
    app.get(`${BASE}/statistics.${ext}`, { onRequest: staffOnly, schema: { querystring: StatQuery } }, async (request, reply) => {
      const report = request.query.report ?? 'county'
      const input = statInput(request.query)
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
    const from = rocInput(q.from)
    const to = rocInput(q.to)
    const errors = [...(q.from && !from ? ['起日格式不正確'] : []), ...(q.to && !to ? ['迄日格式不正確'] : [])]
    const subject = (q.subject ?? '').trim()
    const page = Math.max(1, Number(q.page ?? '1') || 1)
    const result = errors.length
      ? { rows: [], total: 0, page: 1, pageSize: 50 }
      : await queryReadAudit(readModelsOf(app), scopeFor(request), {
          ...(q.viewer?.trim() ? { viewer: q.viewer.trim() } : {}),
          ...(subject ? { subjectId: validatePersonId(subject).ok ? subject.toUpperCase() : subject } : {}),
          ...(from ? { from } : {}), ...(to ? { to } : {}), page, pageSize: 50,
        })
    // cases are recorded by id; the reviewer knows them by 案件編號 (only cases in this reviewer's scope resolve)
    const caseNumbers: Record<string, string> = {}
    const caseIds = [...new Set(result.rows.filter((r) => r.subjectKind === 'case').map((r) => r.subjectId))]
    for (const id of caseIds) {
      const row = await getCase(readModelsOf(app), scopeFor(request), id)
      if (row?.caseNumber) caseNumbers[id] = row.caseNumber
    }
    return boPage(request, reply, 'back-office/audit.eta', { title: '紀錄查詢', q, errors, result, page, caseNumbers })
  })

  app.get(`${BASE}/quota`, { onRequest: staffOnly, schema: { querystring: QuotaQueryString } }, async (request, reply) => {
    const q = request.query
    const periodKind = q.period ?? 'month'
    const personId = (q.personId ?? '').trim().toUpperCase()
    const institution = (q.institution ?? '').trim().toUpperCase()
    const errors: string[] = []
    if (personId && !validatePersonId(personId).ok) errors.push('身分證統一編號或居留證號格式不正確')
    if (institution && !/^[0-9A-Z]{10}$/.test(institution)) errors.push('醫事機構代碼格式不正確（應為 10 碼）')
    const today = app.services.clock().toISOString().slice(0, 10)
    const fromPeriod = periodKind === 'week' ? isoWeekId(today) : today.slice(0, 7)
    let rows: Awaited<ReturnType<typeof professionalQuota>> = []
    if (!errors.length && (personId || institution)) {
      const rm = readModelsOf(app)
      rows = personId
        ? await professionalQuota(rm, scopeFor(request), personId, { periodKind, fromPeriod })
        : await institutionQuota(rm, scopeFor(request), institution, { periodKind, fromPeriod })
      if (personId) await audit(app, request, 'GET /review/quota', [{ kind: 'person', id: personId }])
    }
    return boPage(request, reply, 'back-office/quota.eta', { title: '報備支援額度限制查詢', q, errors, rows, periodKind, today: rocDate(today) })
  })
}
