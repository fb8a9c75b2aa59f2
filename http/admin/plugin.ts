// 系統管理 in the back office: 帳號管理, 系統設定, 網站資料管理 and 紀錄查詢 (actions, logins, reads), one fastify
// plugin registered by http/app.ts. Pages under /review/admin, in the back office's layout.
import type { App } from '../schemas.js'
import { registerAccountRoutes } from './account-routes.js'
import { registerAdminApiRoutes } from './api-routes.js'
import { registerAuditRoutes } from './audit-routes.js'
import { ADMIN_BASE, adminsOnly } from './context.js'
import { registerSettingsRoutes } from './settings-routes.js'
import { registerSiteRoutes } from './site-routes.js'

export async function adminPlugin(app: App) {
  app.get(ADMIN_BASE, { onRequest: adminsOnly }, async (_request, reply) => reply.redirect(`${ADMIN_BASE}/accounts`, 303))
  await registerAccountRoutes(app)
  await registerSettingsRoutes(app)
  await registerSiteRoutes(app)
  await registerAuditRoutes(app)
  await registerAdminApiRoutes(app)
}
