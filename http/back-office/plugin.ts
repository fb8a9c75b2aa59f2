// The back office (衛生局 reviewers, county scope; 衛福部 statisticians, national, read-only) as one fastify plugin,
// registered by http/app.ts's route list. Pages live under /review; its CSS and the idle-countdown script are
// served from views/back-office.
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { App } from '../schemas.js'
import { registerCaseRoutes } from './case-routes.js'
import { BASE } from './context.js'
import { requireRole } from '../session.js'
import { registerStatisticsRoutes } from './statistics-routes.js'
import { registerRegistryFlagRoutes } from './registry-flags-routes.js'
import { registerFilingRoutes } from './filing-routes.js'
import { registerDateReadingRoutes } from './date-reading-routes.js'

const VIEWS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views')
const ASSETS: Record<string, string> = { 'back-office.css': 'text/css; charset=utf-8', 'back-office.js': 'text/javascript; charset=utf-8' }

export async function backOfficePlugin(app: App) {
  // administrators (系統管理) start at their own pages
  app.get(BASE, { onRequest: requireRole('reviewer', 'statistician', 'admin', 'bureau_admin') }, async (request, reply) => {
    const role = request.session?.user.actor.role
    // the ministry's statisticians review nothing: they land on 統計分析
    return reply.redirect(role === 'admin' || role === 'bureau_admin' ? `${BASE}/admin` : role === 'statistician' ? `${BASE}/statistics` : `${BASE}/cases`, 303)
  })

  app.get(`${BASE}/assets/:name`, async (request, reply) => {
    const name = (request.params as { name: string }).name
    const type = ASSETS[name]
    if (!type) return reply.callNotFound()
    const body = await readFile(join(VIEWS_DIR, 'back-office', name))
    return reply.type(type).header('cache-control', 'public, max-age=300').send(body)
  })

  await registerCaseRoutes(app)
  await registerStatisticsRoutes(app)
  await registerRegistryFlagRoutes(app)
  await registerFilingRoutes(app)
  await registerDateReadingRoutes(app)
}
