// 報備支援額度限制 as an institution or a professional reads it (the institution's page and GET /api/quota): use per
// person for a chosen ISO week and month, every cap rule that applies, and the period labels and links. Shared by
// the page and the API route modules, so neither imports the other.
import type { FastifyRequest } from 'fastify'
import { findProfessional, listStaffOf } from '../commands/registry/registry.js'
import { addDays, isoWeekId, isoWeekStart, rocMonthLabel, rocWeekLabel, shiftMonth, taipeiDate } from '../domain/roc-date.js'
import { capRulesFor, capStanding } from '../domain/rules/quota.js'
import { professionalQuota } from '../projections/queries/quota.js'
import { rocDateWeekday } from './present.js'
import type { App } from './schemas.js'
import { scopeOf } from './scope.js'
import { userOf } from './session.js'

/** Staff per page of 報備支援額度限制 (and of GET /api/quota). */
export const QUOTA_PAGE_SIZE = 50

/** The institution code of the caller (an institution's own; a professional's id otherwise). */
export const codeOf = (request: FastifyRequest) => {
  const a = userOf(request).actor
  return a.institutionCode ?? a.id
}

/** '2024-W09' → '民國113年第9週（1130226 星期一–1130303 星期日）'. */
export const weekLabel = (w: string) => {
  const mon = isoWeekStart(w)
  return `民國${rocWeekLabel(w)}（${rocDateWeekday(mon)}–${rocDateWeekday(addDays(mon, 6))}）`
}
/** '2024-03' → '民國113年3月'. */
export const monthLabel = (m: string) => `民國${rocMonthLabel(m)}`
/** Links of the previous/next week and month (each keeps the other period as chosen). */
export const periodNav = (week: string, month: string, base = '/institution/quota', keep: { q?: string; page?: number } = {}) => {
  const prevWeek = isoWeekId(addDays(isoWeekStart(week), -7))
  const nextWeek = isoWeekId(addDays(isoWeekStart(week), 7))
  const more = new URLSearchParams(Object.entries({ q: keep.q ?? '', page: keep.page && keep.page > 1 ? String(keep.page) : '' }).filter(([, v]) => v)).toString()
  const href = (w: string, m: string) => `${base}?week=${w}&month=${m}${more ? `&${more}` : ''}`
  return {
    prevWeek: href(prevWeek, month), nextWeek: href(nextWeek, month),
    prevMonth: href(week, shiftMonth(month, -1)), nextMonth: href(week, shiftMonth(month, 1)),
  }
}

/**
 * 報備支援額度限制 for any chosen ISO week and month (default: the current ones): each person's use (approved and
 * pending) and every cap rule that applies. An institution gets its staff; a professional only themself.
 */
export async function quotaUsage(app: App, request: FastifyRequest, q: { week?: string; month?: string; q?: string; page?: number }) {
  const user = userOf(request)
  const rm = app.services.readModels
  const scope = scopeOf(user)
  const d = taipeiDate(app.services.clock().toISOString())
  const week = q.week ?? isoWeekId(d)
  const month = q.month ?? d.slice(0, 7)
  isoWeekStart(week) // validates (VALIDATION_FAILED)
  const db = app.services.db
  // an institution's staff a page at a time (a hospital has thousands), found by name or ID; a professional themself
  const page = Math.max(1, q.page ?? 1)
  const staff = user.actor.role === 'institution'
    ? await listStaffOf(db, codeOf(request), { ...(q.q ? { q: q.q } : {}), offset: (page - 1) * QUOTA_PAGE_SIZE, limit: QUOTA_PAGE_SIZE })
    : await findProfessional(db, user.actor.id).then((p) => ({ rows: p ? [p] : [], total: p ? 1 : 0 }))
  const people = staff.rows
  const only = user.actor.role === 'institution' ? people.map((p) => p.nationalId) : user.actor.id
  // the caps a filing made now is judged by (the rules in force now, as the command handler takes them)
  const [weeks, months, { quota: table }] = await Promise.all([
    professionalQuota(rm, scope, only, { periodKind: 'week', fromPeriod: week, toPeriod: week }),
    professionalQuota(rm, scope, only, { periodKind: 'month', fromPeriod: month, toPeriod: month }),
    app.services.rules.inForceAt(app.services.clock().toISOString()),
  ])
  const weekOf = new Map(weeks.map((x) => [x.key, x]))
  const monthOf = new Map(months.map((x) => [x.key, x]))
  const rows = people.map((p) => {
    const use = { week: weekOf.get(p.nationalId), month: monthOf.get(p.nationalId) }
    const caps = capRulesFor(table, p.profession).map((r) => {
      const { used, limit, over } = capStanding(r, use[r.period === 'week' ? 'week' : 'month'])
      return { ruleId: r.id, label: r.label, period: r.period === 'week' ? week : month, unit: r.unit === 'sessions' ? '診次' : '小時', used, limit, over, basis: r.basis }
    })
    return { person: p, use, caps }
  })
  return { week, month, rows, rulesVersion: table.version, query: { q: q.q ?? '' }, pager: { page, pageSize: QUOTA_PAGE_SIZE, total: staff.total } }
}
