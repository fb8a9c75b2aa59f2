import type { App } from '../schemas.js'
// 報備支援首頁: the professional's personal data and month calendar; institutions go to their dashboard.
import { findInstitution, findProfessional } from '../../commands/registry/registry.js'
import { professionName } from '../../domain/reference/professions.js'
import { taipeiDate } from '../../domain/roc-date.js'
import { buildCalendar, gridBounds } from '../calendar.js'
import { MonthQuery } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { monthCalendar } from '../../projections/queries/occurrences.js'

export async function registerHomeRoutes(app: App) {
  app.get('/', async (request, reply) => {
    const role = request.session?.user.actor.role
    if (!role) return reply.redirect(request.sessionExpired ? '/login?expired=1' : '/login', 303)
    if (role === 'institution') return reply.redirect('/institution', 303)
    if (role === 'reviewer' || role === 'statistician' || role === 'admin' || role === 'bureau_admin') return reply.redirect('/review', 303)
    if (role !== 'professional') return reply.redirect('/login', 303)
    return reply.redirect('/home', 303)
  })

  app.get('/home', { onRequest: requireRole('professional'), schema: { querystring: MonthQuery } }, async (request, reply) => {
    const user = userOf(request)
    const db = app.services.db
    const person = await findProfessional(db, user.actor.id)
    const home = person ? await findInstitution(db, person.homeInstitutionCode) : undefined
    const calendar = await calendarFor(app, user.actor.id, (request.query as MonthQuery).month)
    return reply.page('pages/home.eta', {
      title: '報備支援首頁',
      person, home, professionLabel: person ? professionName(person.profession) ?? person.profession : '',
      calendar: calendar.model, calendarAvailable: calendar.available,
    })
  })

  // the calendar alone, for htmx month navigation
  app.get('/home/calendar', { onRequest: requireRole('professional'), schema: { querystring: MonthQuery } }, async (request, reply) => {
    const user = userOf(request)
    const calendar = await calendarFor(app, user.actor.id, (request.query as MonthQuery).month)
    return reply.type('text/html; charset=utf-8').viewAsync('partials/calendar.eta', { calendar: calendar.model, calendarAvailable: calendar.available })
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
  const rows = (await Promise.all(months.map((x) => monthCalendar(rm, { kind: 'professional', nationalId }, nationalId, x)))).flat()
  const entries = rows.map((r) => ({ date: r.date, start: r.start, end: r.end, caseId: r.caseId, caseNumber: r.caseNumber, institutionName: r.supportedName, status: r.state === 'approved' ? 'approved' as const : 'under_review' as const }))
  return { model: buildCalendar(m, today, entries), available: true }
}
