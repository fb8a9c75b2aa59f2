// What the HTTP layer needs from the rest of the system, handed to buildApp(). Every part is required: buildApp
// refuses to start without one (a boot error naming what is missing), so no route checks for it per request.
import type { Config } from '../commands/platform/config.js'
import type { Database } from '../commands/platform/database.js'
import type { Logger } from '../commands/platform/logger.js'
import type { EventStore, LogPosition } from '../commands/event-store/port.js'
import type { SessionStore } from './session-store.js'
import type { ReadModels } from '../projections/queries/read-models.js'
import type { BlobStore } from '../commands/attachments/blob-store.js'
import type { CaseService } from '../commands/case-service.js'
import type { LoginServices } from './auth/login-service.js'
import type { AccountService } from '../commands/accounts/account-service.js'
import type { RulesService } from '../commands/rules/rules-service.js'

export interface Services {
  config: Config
  logger: Logger
  clock: () => Date
  db: Database
  store: EventStore
  /** Server-side session store. */
  sessions: SessionStore
  /** Read models (projections/queries/read-models.ts); every query takes a Scope. */
  readModels: ReadModels
  /** Attachment content by hash. */
  blobs: BlobStore
  /** The support-report application service (commands). */
  reports: CaseService
  /** Read-your-writes: wait until the projections have caught up with a command's position. */
  waitFor: (position: LogPosition) => Promise<boolean>
  /** Staff accounts (帳號管理) as commands. */
  accounts: AccountService
  /** Rules as versioned data (系統設定): the versions in force at an instant. */
  rules: RulesService
  /** Card, NHI-password and SMS login; built from config and db at start when not handed in (tests hand in fakes). */
  login?: LoginServices
}

const REQUIRED = ['config', 'logger', 'clock', 'db', 'store', 'sessions', 'readModels', 'blobs', 'reports', 'waitFor', 'accounts', 'rules'] as const satisfies readonly (keyof Services)[]

/** Throws at start-up when a required part is missing (a caller outside TypeScript, or an undefined handed in). */
export function checkServices(services: Services): void {
  const missing = REQUIRED.filter((k) => services[k] === undefined || services[k] === null)
  if (missing.length) throw new Error(`buildApp: missing services: ${missing.join(', ')}`)
}
