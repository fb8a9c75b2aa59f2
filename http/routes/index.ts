import type { App } from '../schemas.js'
// All route modules, in one place.
import { registerCommonRoutes } from './common.js'
import { registerFilingPages } from './filing-pages.js'
import { registerLookupRoutes } from './lookup.js'
import { registerHomeRoutes } from './home.js'
import { registerApiRoutes } from './api.js'
import { registerCasePages, registerPrintRoute } from './case-pages.js'
import { registerInstitutionRoutes } from './institution.js'
import { registerBatchRoutes } from './batch.js'
import { registerLoginRoutes } from './login.js'
import { registerNoticeRoutes } from './notices.js'
import { registerNotifySettingsRoutes } from './notify-settings.js'

export async function registerRoutes(app: App) {
  await registerCommonRoutes(app)
  await registerLoginRoutes(app)
  await registerHomeRoutes(app)
  await registerLookupRoutes(app)
  await registerFilingPages(app)
  await registerCasePages(app)
  await registerNoticeRoutes(app)
  await registerNotifySettingsRoutes(app)
  await registerPrintRoute(app)
  await registerInstitutionRoutes(app)
  await registerBatchRoutes(app)
  await registerApiRoutes(app)
}
