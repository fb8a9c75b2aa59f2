// 新通知: the reviewer decisions on one's cases (the notices read model), for professionals and institutions.
// Decisions after the previous login are marked 新. And a professional's own 報備支援額度限制 page.
import { Type, type Static } from '@sinclair/typebox'
import type { App } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { scopeOf } from '../scope.js'
import { listNotices } from '../../projections/queries/notices.js'
import { QuotaPeriodQuery } from '../schemas.js'
import { monthLabel, periodNav, quotaUsage, weekLabel } from '../quota-usage.js'
import { professionName } from '../../domain/reference/professions.js'

const NoticesQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) })
type NoticesQuery = Static<typeof NoticesQuery>
const PAGE_SIZE = 20

export async function registerNoticeRoutes(app: App) {
  // 報備支援額度限制 for a professional: their own use in a chosen week and month against every cap that applies
  app.get('/quota', { onRequest: requireRole('professional'), schema: { querystring: QuotaPeriodQuery } }, async (request, reply) => {
    const usage = await quotaUsage(app, request, request.query as QuotaPeriodQuery)
    const nav = periodNav(usage.week, usage.month, '/quota')
    return reply.page('pages/institution-quota.eta', { title: '報備支援額度限制', ...usage, nav, weekLabel: weekLabel(usage.week), monthLabel: monthLabel(usage.month), professionName, own: true })
  })

  app.get('/notices', { onRequest: requireRole('professional', 'institution'), schema: { querystring: NoticesQuery } }, async (request, reply) => {
    const user = userOf(request)
    const page = (request.query as NoticesQuery).page ?? 1
    const list = await listNotices(app.services.readModels, scopeOf(user), { page, pageSize: PAGE_SIZE })
    return reply.page('pages/notices.eta', {
      title: '新通知', list, page, pageSize: PAGE_SIZE, since: user.lastLoginAt ?? null, isInstitution: user.actor.role === 'institution',
    })
  })
}
