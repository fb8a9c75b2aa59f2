// The exporter inside `baobei serve`: the daily job (daily-export.ts) and what /status shows of it.
//
// When it runs. Generation and delivery go together: the daily job runs only when SFTP delivery is configured.
//   - no SFTP_* variable set (a development or demo machine, or a site that delivers from another host): the job is
//     off, serve says so once in its log, /status shows `enabled: false` and why. Nothing is generated behind the
//     operator's back: a generated day is recorded (its created-at is fixed then) and would later be delivered as is;
//     `baobei export --day D` still writes any day's file by hand.
//   - some SFTP_* variables set but not all that delivery needs, or a key file that cannot be read: serve refuses to
//     start, naming the missing variable (a half-configured delivery is a mistake, not a choice);
//   - all set: the job runs every day at EXPORT_AT (Asia/Taipei), from EXPORT_START_DAY (or the first event's day)
//     through yesterday, and is stopped (waiting for a run in progress) when serve closes.
// Several serve processes on one database are safe: a run holds a PostgreSQL advisory lock, and a day already
// delivered is never sent again.
import { access, constants } from 'node:fs/promises'
import { ConfigError, type Config } from '../commands/platform/config.js'
import type { IsoDate } from '../domain/types.js'
import { startDailyExport, type DailyExport, type DailyExportState } from './daily-export.js'
import type { DeliveryRun } from './deliver-rosters.js'
import { exporterStatus, type ExporterStatus } from './exporter-status.js'
import type { ExportRuntime } from './export-runtime.js'

/** What /status shows of the exporter (JSON `exporter`, and the page). */
export interface ExporterStatusView {
  /** The daily job runs in this process. */
  enabled: boolean
  /** Why it does not. */
  disabledReason?: string
  /** False while a day is failing (in the log) or the job's last run failed. */
  ok: boolean
  schedule?: { at: string; timeZone: 'Asia/Taipei'; nextRunAt?: string; running: boolean; startDay?: IsoDate }
  lastGenerated?: ExporterStatus['lastGenerated']
  /** The remote path is left out: /status names no host or directory of the receiving side. */
  lastDelivered?: Omit<NonNullable<ExporterStatus['lastDelivered']>, 'remotePath'>
  deliveredDays: number
  failing: ExporterStatus['failing']
  /** The most recent failure: of this process's job (any stage, day when known) or recorded in the log (upload). */
  lastFailure?: { day?: IsoDate; reason: string; code?: string; attempt: number; at: string; resolved: boolean }
  lastRun?: DailyExportState['lastRun']
}

export interface ServeExport {
  readonly enabled: boolean
  status(): Promise<ExporterStatusView>
  /** A run now, outside the schedule (undefined when the job is off or the run failed before any day). */
  runNow(): Promise<DeliveryRun | undefined>
  stop(): Promise<void>
}

const SFTP_VARIABLES = ['SFTP_HOST', 'SFTP_USER', 'SFTP_KEY_FILE', 'SFTP_PASSWORD', 'SFTP_HOST_KEY_SHA256'] as const

/**
 * Whether serve runs the daily delivery: false when no SFTP variable is set; throws ConfigError naming the first
 * missing variable when delivery is configured only in part, or SFTP_KEY_FILE when the key cannot be read.
 */
export async function deliveryConfigured(config: Config): Promise<boolean> {
  const set = SFTP_VARIABLES.filter((k) => config[k] !== undefined)
  if (set.length === 0) return false
  const missing: string[] = []
  if (!config.SFTP_HOST) missing.push('SFTP_HOST')
  if (!config.SFTP_USER) missing.push('SFTP_USER')
  if (!config.SFTP_HOST_KEY_SHA256) missing.push('SFTP_HOST_KEY_SHA256')
  if (!config.SFTP_KEY_FILE && config.SFTP_PASSWORD === undefined) missing.push('SFTP_KEY_FILE')
  if (missing.length) {
    throw new ConfigError(
      missing[0]!,
      `roster delivery is configured in part (${set.join(', ')} set) but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing` +
        (missing.includes('SFTP_KEY_FILE') ? ' (SFTP_KEY_FILE or SFTP_PASSWORD)' : '') +
        '; set them all, or none to run without delivery',
    )
  }
  if (config.SFTP_KEY_FILE) {
    try {
      await access(config.SFTP_KEY_FILE, constants.R_OK)
    } catch (e) {
      throw new ConfigError('SFTP_KEY_FILE', `cannot read the private key ${config.SFTP_KEY_FILE}: ${(e as Error).message}`)
    }
  }
  return true
}

/** Starts the daily job when delivery is configured (see the top of this file); throws ConfigError when half-configured. */
export async function startServeExport(runtime: ExportRuntime): Promise<ServeExport> {
  const { config, logger } = runtime
  const enabled = await deliveryConfigured(config)
  let job: DailyExport | undefined
  const disabledReason = 'SFTP delivery is not configured (SFTP_HOST, SFTP_USER, SFTP_HOST_KEY_SHA256, SFTP_KEY_FILE or SFTP_PASSWORD)'
  if (enabled) {
    job = startDailyExport(runtime, config)
    logger.info({ at: config.EXPORT_AT, startDay: config.EXPORT_START_DAY, nextRunAt: job.nextRunAt()?.toISOString() }, 'daily roster delivery on')
  } else {
    logger.warn(`daily roster delivery off: ${disabledReason}`)
  }
  return {
    enabled,
    status: () => exporterStatusView(runtime, job, disabledReason),
    runNow: async () => job?.runNow(),
    async stop() {
      await job?.stop()
    },
  }
}

export async function exporterStatusView(runtime: Pick<ExportRuntime, 'store' | 'config'>, job: DailyExport | undefined, disabledReason?: string): Promise<ExporterStatusView> {
  const log = await exporterStatus(runtime.store)
  const state = job?.state()
  const view: ExporterStatusView = { enabled: job !== undefined, ok: true, deliveredDays: log.deliveredDays, failing: log.failing }
  if (!job && disabledReason) view.disabledReason = disabledReason
  if (state) {
    view.schedule = { at: state.at, timeZone: 'Asia/Taipei', running: state.running }
    if (state.nextRunAt) view.schedule.nextRunAt = state.nextRunAt
    if (runtime.config.EXPORT_START_DAY) view.schedule.startDay = runtime.config.EXPORT_START_DAY
    if (state.lastRun) view.lastRun = state.lastRun
  }
  if (log.lastGenerated) view.lastGenerated = log.lastGenerated
  if (log.lastDelivered) {
    const { remotePath: _omitted, ...delivered } = log.lastDelivered
    view.lastDelivered = delivered
  }
  const fromJob = state?.lastFailure
  const fromLog = log.lastFailure
  if (fromJob && (!fromLog || fromJob.at >= fromLog.at)) {
    view.lastFailure = { ...fromJob, resolved: state?.lastRun?.ok === true && state.lastRun.at >= fromJob.at }
  } else if (fromLog) {
    view.lastFailure = fromLog
  }
  view.ok = log.failing.length === 0 && state?.lastRun?.ok !== false
  return view
}
