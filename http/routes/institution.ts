// The institution's pages: dashboard (live counts), valid-support roster (+ Excel), 他院支援本院, 本院支援他院,
// 報備支援額度限制. Scope: the institution's own code, always.
import { Type, type Static } from '@sinclair/typebox'
import { offersAction } from '../actions.js'
import { gateStates } from '../../projections/queries/case-states.js'
import type { App } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { scopeOf } from '../scope.js'
import { codeOf, monthLabel, periodNav, quotaUsage, weekLabel } from '../quota-usage.js'
import { countSupports, dashboardCounts, supportList, type SupportRow } from '../../projections/queries/institutions.js'
import { hhmm } from '../present.js'
import { isoToRoc, taipeiDate } from '../../domain/roc-date.js'
import { QuotaPeriodQuery } from '../schemas.js'
import { referenceNamer, type ReferenceNames } from '../../domain/reference/lists.js'
import { STATUS_LABEL, type Status } from '../../domain/types.js'
import { maskPersonId } from '../../domain/national-id.js'
import { attachmentHeader, xlsxStream, type Cell } from '../tabular.js'

import { attentionCases } from '../attention.js'
const guard = requireRole('institution')
const DashboardQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) })
type DashboardQuery = Static<typeof DashboardQuery>
const DASHBOARD_PAGE_SIZE = 20

const RosterQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 40 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  status: Type.Optional(Type.Union(Object.keys(STATUS_LABEL).map((s) => Type.Literal(s)))),
  format: Type.Optional(Type.Literal('xlsx')),
})
type RosterQuery = Static<typeof RosterQuery>

const LIST_PAGE_SIZE = 50
const EXPORT_CHUNK = 5000

/** The columns of an institution list's Excel download (有效報備支援名冊, 他院支援本院, 本院支援他院). */
const ROSTER_HEADER = ['案件編號', '姓名', '身分證號', '類別', '執業機構', '被支援機構', '支援科別', '支援起日', '支援迄日', '時段', '申請進度', '核准文號']
const rosterCells = (r: SupportRow, names: ReferenceNames): Cell[] => [
  r.caseNumber ?? '', r.applicantName, maskPersonId(r.nationalId), names.profession(r.profession) ?? r.profession,
  `${r.homeName}（${r.homeCode}）`, `${r.supportedName}（${r.supportedCode}）`, `${r.department} ${names.department(r.department) ?? ''}`,
  r.scheduleFrom ? isoToRoc(r.scheduleFrom) : '', r.scheduleTo ? isoToRoc(r.scheduleTo) : '',
  r.earliestStart ? `${hhmm(r.earliestStart)}-${hhmm(r.latestEnd ?? '')}` : '', STATUS_LABEL[r.status], r.approvalNumber ?? '',
]

export async function registerInstitutionRoutes(app: App) {
  const today = () => taipeiDate(app.services.clock().toISOString())
  // names of the codes from the reference lists in force (an administrator's new 支援科別 has its name)
  const namesNow = async () => referenceNamer(await app.services.rules.referenceAt(app.services.clock().toISOString()))

  // 機構首頁 as in the seed: the counts, then the 有效報備支援名單 (approvals in force today, paged, never cut)
  app.get('/institution', { onRequest: guard, schema: { querystring: DashboardQuery } }, async (request, reply) => {
    const rm = app.services.readModels
    const scope = scopeOf(userOf(request))
    const day = today()
    const page = (request.query as DashboardQuery).page ?? 1
    // 有效報備支援名單: the very list of 有效報備支援名冊 (/institution/roster) and of the 有效報備支援人數 tile (one
    // definition of 有效: approved, in force today, this institution home or supported), newest 送審日期 first
    const valid = { inForceOn: day }
    // the tiles' read also counts the list (records and people of 有效 in one statement); beside them the notices:
    // decisions on the cases of our own staff (those we file and they file), the same reason and fields they see
    const [counts, pageRows, attention] = await Promise.all([
      dashboardCounts(rm, scope, codeOf(request), day),
      supportList(rm, scope, 'either', codeOf(request), { ...valid, sort: 'submittedAt', limit: DASHBOARD_PAGE_SIZE, offset: (page - 1) * DASHBOARD_PAGE_SIZE }),
      attentionCases(app, userOf(request), codeOf(request)),
    ])
    const list = { rows: pageRows, total: counts.validSupportRecords, page, pageSize: DASHBOARD_PAGE_SIZE }
    const states = await gateStates(rm, list.rows.map((r) => r.caseId))
    const actor = userOf(request).actor
    const names = await namesNow()
    const rows = list.rows.map((r) => ({
      ...r,
      canChange: offersAction(states.get(r.caseId), actor, 'change'),
      professionLabel: names.profession(r.profession) ?? r.profession,
      departmentLabel: names.department(r.department) ?? r.department,
      submittedDay: r.submittedAt ? taipeiDate(r.submittedAt) : null,
      maskedId: maskPersonId(r.nationalId),
    }))
    return reply.page('pages/institution-dashboard.eta', { title: '機構報備支援首頁', counts, list: { ...list, rows }, today: day, attention })
  })
  // the tiles alone, polled by htmx every few seconds
  // polled every few seconds by the dashboard: does not keep the session alive
  app.get('/institution/counts', { onRequest: guard, config: { passive: true } }, async (request, reply) => {
    const counts = await dashboardCounts(app.services.readModels, scopeOf(userOf(request)), codeOf(request), today())
    return reply.type('text/html; charset=utf-8').viewAsync('partials/dashboard-tiles.eta', { counts })
  })

  // 有效報備支援名冊, 他院支援本院, 本院支援他院: searched in the database and paged, never cut at a fixed number
  const lists = [
    { path: '/institution/roster', title: '有效報備支援名冊', side: 'either' as const, valid: true },
    { path: '/institution/inbound', title: '他院支援本院', side: 'supported' as const, valid: false },
    { path: '/institution/outbound', title: '本院支援他院', side: 'home' as const, valid: false },
  ]
  for (const l of lists) {
    app.get(l.path, { onRequest: guard, schema: { querystring: RosterQuery } }, async (request, reply) => {
      const q = request.query as RosterQuery
      const rm = app.services.readModels
      const scope = scopeOf(userOf(request))
      const o = { ...(q.status ? { status: [q.status as Status] } : {}), ...(q.q?.trim() ? { q: q.q } : {}), ...(l.valid ? { inForceOn: today() } : {}) }
      if (q.format === 'xlsx') {
        // the whole list, however long, written out chunk by chunk as it is read (never held whole)
        const names = await namesNow()
        const code = codeOf(request)
        async function* pages() {
          for (let offset = 0; ; offset += EXPORT_CHUNK) {
            const chunk = await supportList(rm, scope, l.side, code, { ...o, limit: EXPORT_CHUNK, offset })
            yield chunk.map((r) => rosterCells(r, names))
            if (chunk.length < EXPORT_CHUNK) return
          }
        }
        const name = `${l.title}_${isoToRoc(today())}.xlsx`
        return reply
          .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', attachmentHeader(name, 'roster.xlsx'))
          .send(xlsxStream([{ title: l.title, header: ROSTER_HEADER, pages: pages() }]))
      }
      const page = q.page ?? 1
      const [rows, total] = await Promise.all([
        supportList(rm, scope, l.side, codeOf(request), { ...o, limit: LIST_PAGE_SIZE, offset: (page - 1) * LIST_PAGE_SIZE }),
        countSupports(rm, scope, l.side, codeOf(request), o),
      ])
      // 變更 is offered where the domain allows it to this institution (its own staff, an approval standing)
      const states = await gateStates(rm, rows.map((r) => r.caseId))
      const actor = userOf(request).actor
      const mayChange = new Set(rows.filter((r) => offersAction(states.get(r.caseId), actor, 'change')).map((r) => r.caseId))
      return reply.page('pages/institution-list.eta', { title: l.title, base: l.path, rows, query: q, statusLabels: STATUS_LABEL, professionName: (await namesNow()).profession, mayChange, pager: { page, pageSize: LIST_PAGE_SIZE, total } })
    })
  }

  app.get('/institution/quota', { onRequest: guard, schema: { querystring: QuotaPeriodQuery } }, async (request, reply) => {
    const q = request.query as QuotaPeriodQuery
    const usage = await quotaUsage(app, request, q)
    const nav = periodNav(usage.week, usage.month, '/institution/quota', { q: usage.query.q, page: usage.pager.page })
    return reply.page('pages/institution-quota.eta', { title: '報備支援額度限制', ...usage, nav, weekLabel: weekLabel(usage.week), monthLabel: monthLabel(usage.month), professionName: (await namesNow()).profession })
  })
}
