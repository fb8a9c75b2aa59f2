// Wiring of the exporter from what the CLI / server hands it (store, database, config, logger).
import { hostname, userInfo } from 'node:os'
import { join } from 'node:path'
import type { EventStore } from '../commands/event-store/port.js'
import type { Config } from '../commands/platform/config.js'
import type { Database } from '../commands/platform/database.js'
import type { Logger } from '../commands/platform/logger.js'
import { DomainError } from '../domain/errors.js'
import { isRocDate, rocToIso } from '../domain/roc-date.js'
import type { Actor, IsoDate } from '../domain/types.js'
import type { DeliveryContext } from './deliver-rosters.js'
import type { ExportContext } from './generate-roster.js'
import { rosterSourceFor } from './roster-source.js'
import { sftpTargetFromConfig } from './sftp-delivery.js'

/** What the exporter needs; `openRuntime()`'s result plus config and logger fits. */
export interface ExportRuntime {
  store: EventStore
  db?: Database
  config: Config
  logger: Logger
  now?: () => Date
}

export const SYSTEM_ACTOR: Actor = { role: 'system', id: 'exporter', via: 'system' }

export function operatorActor(): Actor {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {}
  return { role: 'operator', id: `${user}@${hostname()}`, via: 'cli' }
}

export const defaultRosterDir = (config: Config) => join(config.DATA_DIR, 'roster')

export function exportContext(runtime: ExportRuntime, actor: Actor): ExportContext {
  return {
    store: runtime.store,
    source: rosterSourceFor(runtime.store, runtime.db),
    senderCode: runtime.config.ROSTER_SENDER_CODE,
    logger: runtime.logger,
    now: runtime.now ?? (() => new Date()),
    actor,
  }
}

export async function deliveryContext(runtime: ExportRuntime, actor: Actor, opts: { outDir?: string; startDay?: IsoDate } = {}): Promise<DeliveryContext> {
  const ctx: DeliveryContext = {
    ...exportContext(runtime, actor),
    outDir: opts.outDir ?? defaultRosterDir(runtime.config),
    sftp: await sftpTargetFromConfig(runtime.config),
  }
  const startDay = opts.startDay ?? exportStartDay(runtime.config)
  if (startDay) ctx.startDay = startDay
  if (runtime.db) ctx.db = runtime.db
  return ctx
}

/** EXPORT_START_DAY (ROC yyyMMdd, validated by loadConfig): the first day to deliver on a system whose log starts earlier (e.g. migrated). */
export function exportStartDay(config: Config): IsoDate | undefined {
  return config.EXPORT_START_DAY ? parseRocDay(config.EXPORT_START_DAY, 'EXPORT_START_DAY') : undefined
}

export function parseRocDay(v: string, what = 'day'): IsoDate {
  if (!isRocDate(v)) throw new DomainError('INVALID_ROC_DATE', { field: what, value: v }, [what, v])
  return rocToIso(v)
}
