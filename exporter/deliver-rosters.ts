// Delivery runs: every day not yet delivered up to yesterday, in order; and an operator's re-send of one day.
// A day is never sent twice: the export stream says what was delivered, RosterDelivered is appended only after the
// remote rename, and one run at a time holds a PostgreSQL advisory lock (when the database is at hand).
import { randomUUID } from 'node:crypto'
import type { Database } from '../commands/platform/database.js'
import { DomainError, isDomainError } from '../domain/errors.js'
import type { RosterDelivered, RosterDeliveryFailed } from '../domain/events.js'
import { addDays, isoToRoc, taipeiDate } from '../domain/roc-date.js'
import type { IsoDate } from '../domain/types.js'
import { attemptsOf, exportEvent, isDelivered, readExportHistory, type ExportHistory } from './export-history.js'
import { generateRoster, type ExportContext, type GeneratedRoster } from './generate-roster.js'
import { rosterFileName } from './roster-format.js'
import { uploadFile, type SftpTarget, type UploadOptions } from './sftp-delivery.js'

export interface DeliveryContext extends ExportContext {
  /** Local directory the generated files are kept in. */
  outDir: string
  sftp: SftpTarget
  /** First day to deliver (default: the day of the first event in the log). */
  startDay?: IsoDate
  /** Database of the PostgreSQL store: one delivery run at a time across processes. */
  db?: Database
  onGenerateProgress?: (p: { day: IsoDate; approvals: number; records: number }) => void
  onUploadProgress?: (p: { day: IsoDate; sent: number; total: number }) => void | Promise<void>
}

export interface DayDelivery {
  day: IsoDate
  sequence: number
  fileName: string
  status: 'delivered' | 'failed'
  remotePath?: string
  reason?: string
  code?: string
  counts?: GeneratedRoster['counts']
}

export interface DeliveryRun {
  delivered: DayDelivery[]
  failed?: DayDelivery
  /** Days in range that were already delivered before this run. */
  alreadyDelivered: number
  from?: IsoDate
  through: IsoDate
}

/** Generates (or regenerates, checked) day D as `sequence`, uploads it, records the outcome. Never throws for a failed upload. */
export async function deliverDay(ctx: DeliveryContext, day: IsoDate, sequence: number): Promise<DayDelivery> {
  const generated = await generateRoster(ctx, day, {
    outDir: ctx.outDir,
    sequence,
    onProgress: ctx.onGenerateProgress && ((p) => ctx.onGenerateProgress!({ day, ...p })),
  })
  const base = { day, sequence, fileName: generated.fileName, counts: generated.counts }
  let upload
  try {
    const uploadOpts: UploadOptions = { logger: ctx.logger }
    if (ctx.onUploadProgress) uploadOpts.onProgress = (sent, total) => ctx.onUploadProgress!({ day, sent, total })
    upload = await uploadFile(ctx.sftp, generated.path, generated.fileName, uploadOpts)
  } catch (e) {
    const detail = isDomainError(e) && e.details.reason ? String(e.details.reason) : ''
    const reason = (e as Error).message + (detail && !(e as Error).message.includes(detail) ? ` (${detail})` : '')
    const history = await readExportHistory(ctx.store, day)
    const data: RosterDeliveryFailed['data'] = { day, sequence, reason, attempt: attemptsOf(history, sequence) + 1 }
    await ctx.store.append(history.stream, [exportEvent('RosterDeliveryFailed', data, `roster-delivery-failed-${randomUUID()}`, ctx.actor, ctx.now())], 'any')
    ctx.logger.error({ day, sequence, fileName: generated.fileName, attempt: data.attempt, reason, code: isDomainError(e) ? e.code : undefined }, `roster delivery failed for ${day}: ${reason}`)
    return { ...base, status: 'failed', reason, code: isDomainError(e) ? e.code : 'SFTP_DELIVERY_FAILED' }
  }
  const data: RosterDelivered['data'] = {
    day,
    sequence,
    fileName: generated.fileName,
    remotePath: upload.remotePath,
    hostKeyFingerprint: upload.hostKeyFingerprint,
    fileSha256: generated.fileSha256,
  }
  const commandId = `roster-delivered-${day.replaceAll('-', '')}-${String(sequence).padStart(2, '0')}`
  await ctx.store.append(`export-${day.replaceAll('-', '')}`, [exportEvent('RosterDelivered', data, commandId, ctx.actor, ctx.now())], 'stream_exists')
  ctx.logger.info({ day, sequence, remotePath: upload.remotePath, counts: generated.counts, fsynced: upload.fsynced, atomicRename: upload.atomicRename }, `roster delivered for ${day}`)
  return { ...base, status: 'delivered', remotePath: upload.remotePath }
}

/** Yesterday in Asia/Taipei. */
export const yesterday = (now: Date): IsoDate => addDays(taipeiDate(now.toISOString()), -1)

/**
 * Every day not yet delivered, from the start day through yesterday, in order; stops at the first failure (of the
 * generation or of the upload), which `failed` names with its day.
 */
export async function deliverPending(ctx: DeliveryContext, opts: { from?: IsoDate; through?: IsoDate } = {}): Promise<DeliveryRun> {
  return withDeliveryLock(ctx.db, async () => {
    const through = opts.through ?? yesterday(ctx.now())
    const from = opts.from ?? ctx.startDay ?? (await firstEventDay(ctx))
    const run: DeliveryRun = { delivered: [], alreadyDelivered: 0, through }
    if (!from) return run
    run.from = from
    for (let day = from; day <= through; day = addDays(day, 1)) {
      const history = await readExportHistory(ctx.store, day)
      if (isDelivered(history)) {
        run.alreadyDelivered++
        continue
      }
      const sequence = pendingSequence(history) ?? 1
      let result: DayDelivery
      try {
        result = await deliverDay(ctx, day, sequence)
      } catch (e) {
        // Generation failed (day not settled, incomplete case history, not reproducible...): the day is named in
        // the run's outcome (CLI, /status) and the log; the next run starts again at this day.
        const reason = (e as Error).message
        const code = isDomainError(e) ? e.code : undefined
        ctx.logger.error({ err: e, day, sequence, code }, `roster generation failed for ${day}: ${reason}`)
        result = { day, sequence, fileName: rosterFileName(isoToRoc(day), sequence), status: 'failed', reason, ...(code ? { code } : {}) }
      }
      if (result.status === 'failed') {
        run.failed = result
        return run
      }
      run.delivered.push(result)
    }
    return run
  })
}

/** An operator's re-send of day D: the same content as the next sequence number (or a re-send still pending). */
export async function resendDay(ctx: DeliveryContext, day: IsoDate): Promise<DayDelivery> {
  return withDeliveryLock(ctx.db, async () => {
    const history = await readExportHistory(ctx.store, day)
    if (!isDelivered(history)) throw new DomainError('ROSTER_NOT_GENERATED', { day }, [day])
    const sequence = pendingSequence(history) ?? Math.max(...history.generated.keys(), ...history.delivered.keys()) + 1
    if (sequence > 99) throw new DomainError('ROSTER_INVALID', { day, sequence }, [day, '同一日的名冊序號已達上限 99'])
    ctx.logger.warn({ day, sequence, actor: ctx.actor }, `re-sending the roster of ${day} as sequence ${sequence} on an operator's request`)
    return deliverDay(ctx, day, sequence)
  })
}

/** A generated sequence not yet delivered (a failed or interrupted delivery to finish), the highest one. */
function pendingSequence(h: ExportHistory): number | undefined {
  const pending = [...h.generated.keys()].filter((s) => !h.delivered.has(s))
  return pending.length ? Math.max(...pending) : undefined
}

async function firstEventDay(ctx: DeliveryContext): Promise<IsoDate | undefined> {
  const [first] = await ctx.store.readAll({ limit: 1 })
  return first ? taipeiDate(first.meta.occurredAt) : undefined
}

const LOCK_KEY = 7420_0601

/** One delivery run at a time (across processes through PostgreSQL; within this process always). */
let localRun: Promise<unknown> = Promise.resolve()
async function withDeliveryLock<T>(db: Database | undefined, fn: () => Promise<T>): Promise<T> {
  const previous = localRun
  let release!: () => void
  localRun = new Promise<void>((r) => (release = r))
  await previous.catch(() => {})
  try {
    if (!db || db.kind !== 'postgres') return await fn() // PGlite is one connection: the process lock suffices
    return await db.transaction(async (tx) => {
      const r = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [LOCK_KEY])
      if (!r.rows[0]?.locked) throw new DomainError('SFTP_DELIVERY_FAILED', { reason: 'another delivery run is in progress' }, ['另一個名冊傳送作業正在進行中，請稍後再試'])
      return fn()
    })
  } finally {
    release()
  }
}
