// Generates day D's roster file and records RosterGenerated (idempotent).
// The content is a function of the log up to the end of D only; the header's created-at is the one recorded by
// the day's first generation. Generating again must give the recorded bytes: a difference is a bug, refused loudly.
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { EventStore } from '../commands/event-store/port.js'
import type { Logger } from '../commands/platform/logger.js'
import { DomainError, isDomainError } from '../domain/errors.js'
import type { RosterGenerated } from '../domain/events.js'
import { isoToRoc, rocTimestamp, taipeiDayBounds } from '../domain/roc-date.js'
import type { Actor, IsoDate } from '../domain/types.js'
import { dayRosterBatches } from './day-roster.js'
import { exportEvent, readExportHistory, recordedCreatedAt } from './export-history.js'
import { writeRosterFile } from './roster-file.js'
import { rosterFileName, type RosterCounts } from './roster-format.js'
import { logSettled, type RosterSource } from './roster-source.js'
import { RosterVerifier } from './roster-verify.js'
import { createReadStream } from 'node:fs'

/** A day is exported only once it is over, plus this margin for commands still committing at midnight. */
export const DAY_SETTLE_MS = 5 * 60_000

export interface ExportContext {
  store: EventStore
  source: RosterSource
  senderCode: string
  logger: Logger
  now: () => Date
  actor: Actor
}

export interface GeneratedRoster {
  day: IsoDate
  sequence: number
  fileName: string
  path: string
  createdAt: string
  counts: RosterCounts
  sha256: string
  fileSha256: string
  bytes: number
  /** True when this call recorded the RosterGenerated event (false: it was already recorded, content checked). */
  recorded: boolean
}

export interface GenerateOptions {
  outDir: string
  sequence?: number
  onProgress?: (p: { approvals: number; records: number }) => void
  /** How long to wait for transactions in flight before refusing the day (ROSTER_DAY_NOT_OVER). Default 60 s. */
  settleTimeoutMs?: number
}

export async function generateRoster(ctx: ExportContext, day: IsoDate, opts: GenerateOptions, attempt = 1): Promise<GeneratedRoster> {
  const sequence = opts.sequence ?? 1
  const dayEnd = Date.parse(taipeiDayBounds(day)[1])
  if (ctx.now().getTime() < dayEnd + DAY_SETTLE_MS) {
    throw new DomainError('ROSTER_DAY_NOT_OVER', { day, exportableFrom: new Date(dayEnd + DAY_SETTLE_MS).toISOString() })
  }
  await waitUntilSettled(ctx, day, opts.settleTimeoutMs ?? 60_000)
  const history = await readExportHistory(ctx.store, day)
  const createdAt = recordedCreatedAt(history) ?? rocTimestamp(ctx.now().toISOString())
  const rocDay = isoToRoc(day)
  const fileName = rosterFileName(rocDay, sequence)
  await mkdir(opts.outDir, { recursive: true, mode: 0o700 })
  const path = join(opts.outDir, fileName)
  const temp = join(opts.outDir, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const written = await writeRosterFile(
      temp,
      { day: rocDay, sequence, senderCode: ctx.senderCode, createdAt },
      dayRosterBatches(ctx.source, day, { onProgress: opts.onProgress }),
    )
    await selfVerify(temp, fileName)
    const data: RosterGenerated['data'] = { day, sequence, fileName, createdAt, counts: written.counts, sha256: written.sha256, fileSha256: written.fileSha256, bytes: written.bytes }
    const recorded = history.generated.get(sequence)
    if (recorded) {
      checkSame(recorded, data, ctx.logger)
    } else {
      try {
        const commandId = `roster-generated-${day.replaceAll('-', '')}-${String(sequence).padStart(2, '0')}`
        await ctx.store.append(history.stream, [exportEvent('RosterGenerated', data, commandId, ctx.actor, ctx.now())], history.version)
      } catch (e) {
        // Another generator recorded the day meanwhile (maybe with another created-at): start again from its record.
        if (isDomainError(e) && e.code === 'CONCURRENCY_CONFLICT' && attempt < 3) {
          await rm(temp, { force: true })
          return generateRoster(ctx, day, opts, attempt + 1)
        }
        throw e
      }
    }
    await rename(temp, path)
    ctx.logger.info({ day, sequence, fileName, counts: data.counts, sha256: data.sha256, recorded: !recorded }, 'roster generated')
    return { ...data, path, recorded: !recorded }
  } finally {
    await rm(temp, { force: true })
  }
}

/**
 * Gap safety (roster-source.ts): waits until every transaction that had written to the log when the wait began has
 * finished, so no approval of the day is still uncommitted or behind the horizon when the day is read. Refuses with
 * ROSTER_DAY_NOT_OVER after `timeoutMs` (the daily job retries later); nothing is written or recorded then.
 */
async function waitUntilSettled(ctx: ExportContext, day: IsoDate, timeoutMs: number) {
  const settled = await logSettled(ctx.source, timeoutMs, (mark) =>
    ctx.logger.warn({ day, mark: mark.toString() }, 'waiting for transactions in flight before reading the day'))
  if (!settled) {
    throw new DomainError('ROSTER_DAY_NOT_OVER', { day, reason: 'transactions that may hold approvals of the day are still in flight' }, [day])
  }
}

function checkSame(recorded: RosterGenerated['data'], now: RosterGenerated['data'], logger: Logger) {
  const diffs = (['sha256', 'fileSha256', 'bytes', 'createdAt', 'fileName'] as const).filter((k) => recorded[k] !== now[k])
  const c = recorded.counts
  if (c.add !== now.counts.add || c.change !== now.counts.change || c.cancel !== now.counts.cancel || c.total !== now.counts.total) diffs.push('counts' as never)
  if (!diffs.length) return
  const details = { day: now.day, sequence: now.sequence, differs: diffs, recorded, regenerated: now }
  logger.fatal({ alert: 'ROSTER_NOT_REPRODUCIBLE', ...details }, 'BUG: regenerated roster differs from the recorded one; refusing to write or send it')
  throw new DomainError('ROSTER_NOT_REPRODUCIBLE', details, [now.fileName, diffs.join(', ')])
}

/** The file just written must pass the verifier; anything else is a bug or bad data in the log. */
async function selfVerify(path: string, fileName: string) {
  const v = new RosterVerifier(fileName)
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) v.push(chunk as Buffer)
  const result = v.finish()
  if (!result.ok) {
    throw new DomainError('ROSTER_INVALID', { fileName, errors: result.errors }, [fileName, result.errors.slice(0, 3).join('；')])
  }
}
