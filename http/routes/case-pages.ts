// 報備支援名單 (list with status and per-row actions) and one case's page, for professionals and institutions.
import { Type, type Static } from '@sinclair/typebox'
import type { App } from '../schemas.js'
import { loadOwnCase } from '../own-case.js'
import { CaseIdParams } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { scopeOf } from '../scope.js'
import { ACTION_LABEL, allowedActions } from '../actions.js'
import { searchCases } from '../../projections/queries/cases.js'
import { caseStates } from '../../projections/queries/case-states.js'
import { STATUS_LABEL, type Status } from '../../domain/types.js'
import { decisionOf } from '../attention.js'
import { referenceNamer } from '../../domain/reference/lists.js'
import { pendingApplicationOf } from '../../domain/report/allowed.js'
import { diffTerms } from '../../projections/terms-diff.js'

const ListQuery = Type.Object({
  status: Type.Optional(Type.Union(Object.keys(STATUS_LABEL).map((s) => Type.Literal(s)))),
  action: Type.Optional(Type.Union([Type.Literal('change'), Type.Literal('cancel')])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  /** Institutions: cases of our staff (home) or support we receive (supported); default both. */
  side: Type.Optional(Type.Union([Type.Literal('home'), Type.Literal('supported')])),
})
type ListQuery = Static<typeof ListQuery>

export async function registerCasePages(app: App) {
  const guard = requireRole('professional', 'institution')

  app.get('/reports', { onRequest: guard, schema: { querystring: ListQuery } }, async (request, reply) => {
    const user = userOf(request)
    const q = request.query as ListQuery
    const rm = app.services.readModels
    // 變更/註銷: every case whose approval stands; the domain says which take the action now, and why not yet
    const status: Status[] | undefined = q.action ? undefined : q.status ? [q.status as Status] : undefined
    const code = user.actor.institutionCode ?? user.actor.id
    // the dashboard's counts are per side: its links open exactly the cases a count counts
    const side = user.actor.role === 'institution' && q.side ? (q.side === 'home' ? { sourceInstitution: code } : { supportedCode: code }) : {}
    const page = await searchCases(rm, scopeOf(user), { ...(status ? { status } : {}), ...(q.action ? { inForce: true } : {}), ...side }, { page: q.page ?? 1, pageSize: 20, sort: 'updatedAt' })
    const states = await caseStates(rm, page.rows.map((r) => r.caseId))
    const rows = page.rows.map((r) => {
      const state = states.get(r.caseId)
      const actions = allowedActions(state, user.actor)
      const waiting = q.action && !actions.includes(q.action) && state ? pendingApplicationOf(state) : undefined
      return { ...r, actions: actions.filter((a) => !q.action || a === q.action || a === 'print'), decision: decisionOf(state), waiting }
    })
    const title = q.action === 'change' ? '變更：請選擇已核准案件' : q.action === 'cancel' ? '註銷：請選擇已核准案件' : '報備支援名單'
    return reply.page('pages/case-list.eta', { title, rows, page, query: q, action: q.action ? ACTION_LABEL[q.action] : undefined, statusLabels: STATUS_LABEL, actionLabels: ACTION_LABEL, isInstitution: user.actor.role === 'institution' })
  })

  app.get('/reports/:caseId', { onRequest: guard, schema: { params: CaseIdParams } }, async (request, reply) => {
    const { caseId } = request.params as CaseIdParams
    const { row, view, actions } = await loadOwnCase(app, request, caseId)
    const done = (request.query as { done?: string }).done
    // names of the codes from the reference lists in force (an administrator's new 支援科別 has its name)
    const names = referenceNamer(await app.services.rules.referenceAt(app.services.clock().toISOString()))
    // a change under review or returned: what it changes, field by field (approved → requested)
    const changes = view.pending?.type === 'change' && view.approved ? diffTerms(view.approved.terms, view.pending.terms, view.approved.routing, view.pending.routing) : []
    return reply.page('pages/case.eta', {
      title: `案件 ${row.caseNumber ?? '（草稿）'}`, row, view, actions, actionLabels: ACTION_LABEL, changes,
      departmentName: names.department, purposeName: names.purpose,
      flash: done === 'draft' ? '草稿已儲存' : done === 'submit' ? '已送出申請' : done === 'change' ? '已送出變更申請' : done === 'cancel' ? '已送出註銷申請' : done === 'withdraw' ? '已撤回' : done === 'copy' ? '已複製為新草稿' : undefined,
    })
  })
}

export async function registerPrintRoute(app: App) {
  const { renderApplicationForm } = await import('../print/application-form.js')
  app.get('/reports/:caseId/print.pdf', { onRequest: requireRole('professional', 'institution'), schema: { params: CaseIdParams } }, async (request, reply) => {
    const { caseId } = request.params as CaseIdParams
    const { row, view } = await loadOwnCase(app, request, caseId)
    const pdf = await renderApplicationForm(view, app.services.clock(), referenceNamer(await app.services.rules.referenceAt(app.services.clock().toISOString())))
    const name = `report-${row.caseNumber ?? 'draft'}.pdf`
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${name}"`).send(pdf)
  })
}
