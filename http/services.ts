// What the HTTP layer needs from the rest of the system, handed to buildApp(). Parts that other modules provide are
// optional until they land: a route whose service is missing answers 503 STORE_UNAVAILABLE instead of pretending.
import type { Config } from '../commands/platform/config.js'
import type { Database } from '../commands/platform/database.js'
import type { Logger } from '../commands/platform/logger.js'
import type { EventStore } from '../commands/event-store/port.js'
import { DomainError } from '../domain/errors.js'
import type { SessionStore } from './session-store.js'
import type { ReadModels } from '../projections/queries/read-models.js'
import type { BlobStore } from '../commands/attachments/blob-store.js'
import type { CaseService } from '../commands/case-service.js'
import type { LogPosition } from '../commands/event-store/port.js'

export interface Services {
  config: Config
  logger: Logger
  clock: () => Date
  db?: Database
  store?: EventStore
  /** Server-side session store (memory by default). */
  sessions?: SessionStore
  /** Read models (projections/queries/read-models.ts); every query takes a Scope. */
  readModels?: ReadModels
  /** Attachment content by hash. */
  blobs?: BlobStore
  /** The support-report application service (commands). */
  reports?: CaseService
  /** Read-your-writes: wait until the projections have caught up with a command's position. */
  waitFor?: (position: LogPosition) => Promise<boolean>
  /** Extra parts plugged in by other modules as they land (command handler, queries, registry, status). */
  [part: string]: unknown
}

/** Returns a required part or refuses with 503 (never a fake). */
export function need<T>(part: T | undefined, name: string): T {
  if (part === undefined || part === null) throw new DomainError('STORE_UNAVAILABLE', { missing: name })
  return part
}
