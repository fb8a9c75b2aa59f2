// The daily delivery job `baobei serve` starts (when SFTP delivery is configured, see serve-export.ts): at EXPORT_AT
// (Asia/Taipei, default 01:00) it generates and delivers every day not yet delivered up to yesterday. After a failure
// it retries with exponential backoff (1 min, 2, 4, ... up to 1 h) until the run succeeds, then waits for the next
// day's time. Its last run and last failure (with the day and the reason when there is one) are kept for /status.
import type { Config } from '../commands/platform/config.js'
import type { IsoDate } from '../domain/types.js'
import { addDays, taipeiDate, taipeiInstant } from '../domain/roc-date.js'
import { isDomainError } from '../domain/errors.js'
import { deliverPending, type DeliveryRun } from './deliver-rosters.js'
import { deliveryContext, SYSTEM_ACTOR, type ExportRuntime } from './export-runtime.js'

export interface DailyExportFailure {
  /** The day that failed; absent when the run failed before any day (configuration, lock, store). */
  day?: IsoDate
  reason: string
  code?: string
  /** Consecutive failed runs so far. */
  attempt: number
  at: string
}

export interface DailyExportState {
  at: string
  nextRunAt?: string
  running: boolean
  lastRun?: { at: string; ok: boolean; delivered: IsoDate[]; through?: IsoDate }
  lastFailure?: DailyExportFailure
}

export interface DailyExport {
  stop(): Promise<void>
  /** Runs a delivery now (outside the schedule); resolves with its outcome (undefined once stopped). */
  runNow(): Promise<DeliveryRun | undefined>
  nextRunAt(): Date | undefined
  state(): DailyExportState
}

/** Milliseconds from `now` to the next HH:MM in Asia/Taipei (a full day when it is exactly now). */
export function msUntilDaily(at: string, now: Date): number {
  const today = taipeiDate(now.toISOString())
  const todayAt = Date.parse(taipeiInstant(today, at))
  const next = todayAt > now.getTime() ? todayAt : Date.parse(taipeiInstant(addDays(today, 1), at))
  return next - now.getTime()
}

export const backoffMs = (attempt: number) => Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 3_600_000)

export function startDailyExport(runtime: ExportRuntime, config: Config = runtime.config): DailyExport {
  const log = runtime.logger.child({ job: 'daily-export' })
  const now = runtime.now ?? (() => new Date())
  let timer: NodeJS.Timeout | undefined
  let next: Date | undefined
  let failures = 0
  let stopped = false
  let running: Promise<DeliveryRun | undefined> | undefined
  let lastRun: DailyExportState['lastRun']
  let lastFailure: DailyExportFailure | undefined
  const failed = (f: Omit<DailyExportFailure, 'attempt' | 'at'>) => {
    lastFailure = { ...f, attempt: failures, at: now().toISOString() }
  }

  const schedule = (ms: number) => {
    if (stopped) return
    next = new Date(now().getTime() + ms)
    timer = setTimeout(() => void tick(), ms)
    timer.unref()
    log.info({ nextRunAt: next.toISOString() }, 'next roster delivery scheduled')
  }

  const run = async (): Promise<DeliveryRun | undefined> => {
    try {
      const ctx = await deliveryContext({ ...runtime, config }, SYSTEM_ACTOR)
      const result = await deliverPending(ctx)
      lastRun = { at: now().toISOString(), ok: !result.failed, delivered: result.delivered.map((d) => d.day), through: result.through }
      if (result.failed) {
        failures++
        const { day, reason = 'unknown', code } = result.failed
        failed({ day, reason, ...(code ? { code } : {}) })
        log.error({ day, reason, code, attempt: failures }, `daily roster delivery failed for ${day}: ${reason}; will retry`)
      } else {
        failures = 0
        log.info({ delivered: lastRun.delivered, through: result.through }, 'daily roster delivery done')
      }
      return result
    } catch (e) {
      failures++
      lastRun = { at: now().toISOString(), ok: false, delivered: [] }
      const code = isDomainError(e) ? e.code : undefined
      failed({ reason: (e as Error).message, ...(code ? { code } : {}) })
      log.error({ err: e, code, attempt: failures }, `daily roster delivery failed: ${(e as Error).message}`)
      return undefined
    }
  }

  const tick = async () => {
    running = run()
    await running
    running = undefined
    schedule(failures ? backoffMs(failures) : msUntilDaily(config.EXPORT_AT, now()))
  }

  schedule(msUntilDaily(config.EXPORT_AT, now()))
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
    async runNow() {
      if (stopped) return undefined
      if (running) return running
      running = run()
      try {
        return await running
      } finally {
        running = undefined
      }
    },
    nextRunAt: () => next,
    state: () => ({
      at: config.EXPORT_AT,
      ...(next && !stopped ? { nextRunAt: next.toISOString() } : {}),
      running: running !== undefined,
      ...(lastRun ? { lastRun } : {}),
      ...(lastFailure ? { lastFailure } : {}),
    }),
  }
}
