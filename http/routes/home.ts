import type { App } from '../schemas.js'
// 報備支援首頁: the professional's personal data and month calendar; institutions go to their dashboard.
import { findInstitution, findProfessional } from '../../commands/registry/registry.js'
import { referenceNamer } from '../../domain/reference/lists.js'
import { taipeiDate } from '../../domain/roc-date.js'
import { buildCalendar, CALENDAR_KIND_LABEL, gridBounds, type CalendarEntry, type CalendarKind } from '../calendar.js'
import { expandSchedule } from '../../domain/schedule.js'
import { caseView } from '../../projections/case-view.js'
import { Type, type Static } from '@sinclair/typebox'
import { MonthQuery } from '../schemas.js'
import { scopeOf } from '../scope.js'
import { ACTION_LABEL, allowedActions } from '../actions.js'
import { caseStates } from '../../projections/queries/case-states.js'
import { searchCases } from '../../projections/queries/cases.js'
import { licenseParts } from '../../domain/reference/license-number.js'
import { requireRole, userOf } from '../session.js'
import { monthCalendar } from '../../projections/queries/occurrences.js'
import { attentionCases, decisionOf } from '../attention.js'
import { createPreferenceService } from '../../commands/notify/preference-service.js'
import { NOTIFY_CHANNEL_LABEL } from '../../domain/notify/preference.js'

/** The home page: a month of the calendar and a page of the 報備支援名單. */
const HomeQuery = Type.Object({
  month: MonthQuery.properties.month,
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
})
type HomeQuery = Static<typeof HomeQuery>
const LIST_PAGE_SIZE = 20

export async function registerHomeRoutes(app: App) {
  const preferences = createPreferenceService({ store: app.services.store, clock: app.services.clock })
  app.get('/', async (request, reply) => {
    const role = request.session?.user.actor.role
    if (!role) return reply.redirect(request.sessionExpired ? '/login?expired=1' : '/login', 303)
    if (role === 'institution') return reply.redirect('/institution', 303)
    if (role === 'reviewer' || role === 'statistician' || role === 'admin' || role === 'bureau_admin') return reply.redirect('/review', 303)
    if (role !== 'professional') return reply.redirect('/login', 303)
    return reply.redirect('/home', 303)
  })

  app.get('/home', { onRequest: requireRole('professional'), schema: { querystring: HomeQuery } }, async (request, reply) => {
    const user = userOf(request)
    const q = request.query as HomeQuery
    const db = app.services.db
    const person = await findProfessional(db, user.actor.id)
    const home = person ? await findInstitution(db, person.homeInstitutionCode) : undefined
    const calendar = await calendarFor(app, user.actor.id, q.month)
    // 報備支援名單 as on the seed's home page: every case of this professional, newest first, paged
    const rm = app.services.readModels
    const list = await searchCases(rm, scopeOf(user), {}, { page: q.page ?? 1, pageSize: LIST_PAGE_SIZE, sort: 'updatedAt' })
    const states = await caseStates(rm, list.rows.map((r) => r.caseId))
    // names of the codes from the reference lists in force (an administrator's new 支援科別 has its name)
    const names = referenceNamer(await app.services.rules.referenceAt(app.services.clock().toISOString()))
    const rows = list.rows.map((r) => ({
      ...r,
      actions: allowedActions(states.get(r.caseId), user.actor),
      decision: decisionOf(states.get(r.caseId)),
      departmentLabel: names.department(r.department) ?? r.department,
      submittedDay: r.submittedAt ? taipeiDate(r.submittedAt) : null,
    }))
    const attention = await attentionCases(app, user)
    const notify = await preferences.load({ kind: 'professional', id: user.actor.id })
    return reply.page('pages/home.eta', {
      attention, notify: { ...notify, label: NOTIFY_CHANNEL_LABEL[notify.channel] },
      title: '報備支援首頁',
      person, home, professionLabel: person ? names.profession(person.profession) ?? person.profession : '',
      departmentLabel: person?.department ? names.department(person.department) ?? person.department : '',
      license: person ? licenseParts(person.licenseNumber) : undefined,
      calendar: calendar.model, calendarAvailable: calendar.available, kindLabel: CALENDAR_KIND_LABEL,
      list: { ...list, rows }, month: q.month, actionLabels: ACTION_LABEL,
    })
  })

  // the calendar alone, for htmx month navigation
  app.get('/home/calendar', { onRequest: requireRole('professional'), schema: { querystring: MonthQuery } }, async (request, reply) => {
    const user = userOf(request)
    const calendar = await calendarFor(app, user.actor.id, (request.query as MonthQuery).month)
    return reply.type('text/html; charset=utf-8').viewAsync('partials/calendar.eta', { calendar: calendar.model, calendarAvailable: calendar.available, kindLabel: CALENDAR_KIND_LABEL })
  })
}

async function calendarFor(app: App, nationalId: string, month: string | undefined) {
  const today = taipeiDate(app.services.clock().toISOString())
  const m = month ?? today.slice(0, 7)
  const rm = app.services.readModels
  if (!rm) return { model: buildCalendar(m, today, []), available: false }
  // the grid shows the neighbouring months' days of the first and last week too
  const { from, to } = gridBounds(m)
  const months = [...new Set([from.slice(0, 7), m, to.slice(0, 7)])]
  const scope = { kind: 'professional' as const, nationalId }
  const rows = (await Promise.all(months.map((x) => monthCalendar(rm, scope, nationalId, x)))).flat()
  // the domain says which case is under a pending change (its approved and requested terms drawn distinctly) and
  // what a rejected or returned case still holds (its occurrences count for nothing, so the read model has none)
  const decided = await searchCases(rm, scope, { status: ['returned', 'rejected'] }, { page: 1, pageSize: 100, sort: 'updatedAt' })
  const states = await caseStates(rm, [...new Set([...rows.map((r) => r.caseId), ...decided.rows.map((r) => r.caseId)])])
  const facts = (caseId: string) => { const s = states.get(caseId); return s?.exists ? caseView(s).facts : undefined }
  const entries: CalendarEntry[] = rows.map((r) => {
    const change = facts(r.caseId)?.pending?.type === 'change'
    const kind: CalendarKind = change ? (r.state === 'approved' ? 'change-current' : 'change-requested') : r.state === 'approved' ? 'approved' : 'pending'
    return { date: r.date, start: r.start, end: r.end, caseId: r.caseId, caseNumber: r.caseNumber, institutionName: r.supportedName, status: r.state === 'approved' ? 'approved' as const : 'under_review' as const, kind }
  })
  for (const r of decided.rows) {
    const d = facts(r.caseId)?.decision
    if (!d?.terms) continue
    for (const o of expandSchedule(d.terms.schedule)) {
      if (o.date < from || o.date > to) continue
      entries.push({ date: o.date, start: o.start, end: o.end, caseId: r.caseId, caseNumber: r.caseNumber, institutionName: d.terms.supported.name, status: d.outcome, kind: d.outcome })
    }
  }
  return { model: buildCalendar(m, today, entries), available: true }
}
