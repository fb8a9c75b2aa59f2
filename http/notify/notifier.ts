// The decision notifier: a processor at the edge (it writes no read model). It reads the reviewers' decisions from
// the log (domain/report/decision-events.ts), and for each recipient of a decision (the applicant and the
// institutions that file for them, decisionRecipients) who chose 電子郵件 or 簡訊 sends the zh-TW message through the
// e-mail or SMS port. The case's number, outcome, reason and fields to fix are the 新通知 row of that decision
// (noticeRow: caseFacts.decision), never re-derived.
//
// Delivery is at-least-once. The checkpoint (notify_checkpoint, a log position) is advanced with compare-and-set only
// after every message of a decision was sent; a crash between sending and the checkpoint sends those messages again
// under the same stable id (event id + channel + recipient): the embedded outboxes keep one row per id, SMTP carries
// it as the Message-ID. A failing gateway is retried a bounded number of times with exponential backoff; a message
// still failing is given up (notify_failures, logged) so one bad address never holds back everyone else's notices,
// and /status shows it. Two processes on one database: the compare-and-set lets only one advance; the other reloads.
import { createHash } from 'node:crypto'
import type { EventStore, LogPosition, RecordedEvent } from '../../commands/event-store/port.js'
import { comparePositions, positionFromString, positionToString } from '../../commands/event-store/port.js'
import type { Sql } from '../../commands/platform/database.js'
import type { Logger } from '../../commands/platform/logger.js'
import type { PreferenceService } from '../../commands/notify/preference-service.js'
import { DomainError, isDomainError } from '../../domain/errors.js'
import { caseIdOfStream, type ReportEvent } from '../../domain/events.js'
import { emailMessage, smsMessage, type DecisionNotice } from '../../domain/notify/decision-message.js'
import { deliveryOf, type NotifyRecipient } from '../../domain/notify/preference.js'
import { decisionOfEvent } from '../../domain/report/decision-events.js'
import { caseView, foldCase } from '../../projections/case-view.js'
import { noticeRow } from '../../projections/read-models/notices.js'
import type { SmsGateway } from '../auth/sms.js'
import type { EmailGateway } from './email.js'

const DECISION_TYPES = ['ReportApproved', 'ReportRejected', 'ReportReturned', 'ChangeApproved', 'ChangeRejected', 'ChangeReturned', 'CancellationApproved', 'CancellationRejected'] as const
const CHECKPOINT = 'decisions'
const PAGE = 100

export interface RetryPolicy {
  /** Tries per message before it is given up. */
  attempts: number
  baseMs: number
  maxMs: number
}
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 2_000, maxMs: 60_000 }

export interface NotifierDeps {
  store: EventStore
  db: Sql
  logger: Logger
  preferences: PreferenceService
  channels: { email?: EmailGateway; sms?: SmsGateway }
  /** The site's origin, for the link to the case. */
  siteOrigin: () => string
  clock?: () => Date
  retry?: RetryPolicy
  /** Test seam: called after a message was sent, before anything else (a throw here is a crash after sending). */
  afterSend?: (messageId: string) => void | Promise<void>
}

export interface NotifierState {
  sent: number
  skipped: number
  givenUp: number
  lastSentAt?: string
  /** The last failed try (resolved once a later message was sent). */
  lastFailure?: { messageId: string; channel: 'email' | 'sms'; reason: string; attempt: number; at: string; resolved: boolean }
  retrying: boolean
}

export interface Notifier {
  /** Handles every decision after the checkpoint; resolves with the number of decisions handled. */
  runOnce(signal?: AbortSignal): Promise<number>
  state(): NotifierState
}

/** The stable id of a message: the decision event, the channel and the recipient (hashed: no national ID in headers). */
export const notificationId = (eventId: string, channel: 'email' | 'sms', r: NotifyRecipient) =>
  `${eventId}.${channel}.${r.kind === 'professional' ? 'p' : 'i'}${createHash('sha256').update(`${r.kind}:${r.id}`).digest('hex').slice(0, 16)}`

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })

/** The checkpoint; on first use, the head of the log (decisions made before notifications existed are not sent). */
async function loadCheckpoint(db: Sql, store: EventStore, now: Date): Promise<LogPosition> {
  const r = await db.query<{ position: string }>(`SELECT position FROM notify_checkpoint WHERE name = $1`, [CHECKPOINT])
  if (r.rows[0]) return positionFromString(r.rows[0].position)
  const head = await store.headPosition()
  await db.query(`INSERT INTO notify_checkpoint (name, position, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`, [CHECKPOINT, positionToString(head), now])
  const again = await db.query<{ position: string }>(`SELECT position FROM notify_checkpoint WHERE name = $1`, [CHECKPOINT])
  return positionFromString(again.rows[0]!.position)
}

/** Compare-and-set: false when another process moved the checkpoint meanwhile. */
async function advance(db: Sql, from: LogPosition, to: LogPosition, now: Date): Promise<boolean> {
  const r = await db.query(`UPDATE notify_checkpoint SET position = $3, updated_at = $4 WHERE name = $1 AND position = $2`, [CHECKPOINT, positionToString(from), positionToString(to), now])
  return (r.rowCount ?? 0) === 1
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const clock = deps.clock ?? (() => new Date())
  const retry = deps.retry ?? DEFAULT_RETRY
  const st: NotifierState = { sent: 0, skipped: 0, givenUp: 0, retrying: false }

  async function noticeOf(e: RecordedEvent<ReportEvent>): Promise<{ notice: DecisionNotice; recipients: NotifyRecipient[] } | undefined> {
    const caseId = caseIdOfStream(e.stream)
    const events = await deps.store.readStream<ReportEvent>(e.stream, { toPosition: e.position })
    const upTo = events.filter((x) => x.streamVersion <= e.streamVersion)
    const before = foldCase(upTo.slice(0, -1))
    const after = foldCase(upTo.slice(-1), before)
    const row = noticeRow(caseId, { event: e, before: before && caseView(before), after: after && caseView(after) })
    if (!row || !row.case_number) return undefined
    const origin = deps.siteOrigin().replace(/\/+$/, '')
    const notice: DecisionNotice = {
      caseNumber: row.case_number, outcome: row.outcome, applicationType: row.application_type,
      applicantName: row.applicant_name, supportedName: row.supported_name, approvalNumber: row.approval_number,
      reason: row.reason, fieldLabels: row.fields_to_fix, link: `${origin}/reports/${caseId}`,
    }
    const recipients: NotifyRecipient[] = [{ kind: 'professional', id: row.national_id }, ...row.scope_institutions.map((id) => ({ kind: 'institution' as const, id }))]
    return { notice, recipients }
  }

  async function sendWithRetry(messageId: string, channel: 'email' | 'sms', send: () => Promise<void>, eventId: string, signal?: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let sent = false
      try {
        await send()
        sent = true
      } catch (e) {
        const reason = isDomainError(e) ? e.message : (e as Error).message
        st.lastFailure = { messageId, channel, reason, attempt, at: clock().toISOString(), resolved: false }
        if (attempt >= retry.attempts || signal?.aborted) {
          st.retrying = false
          if (signal?.aborted) throw e
          st.givenUp++
          deps.logger.error({ messageId, channel, attempts: attempt, reason }, 'decision notification given up')
          await deps.db.query(
            `INSERT INTO notify_failures (message_id, event_id, channel, reason, attempts, failed_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (message_id) DO UPDATE SET reason = EXCLUDED.reason, attempts = EXCLUDED.attempts, failed_at = EXCLUDED.failed_at`,
            [messageId, eventId, channel, reason.slice(0, 500), attempt, clock()],
          )
          return
        }
        st.retrying = true
        deps.logger.warn({ messageId, channel, attempt, reason }, 'decision notification failed; retrying')
        await sleep(Math.min(retry.baseMs * 2 ** (attempt - 1), retry.maxMs), signal)
      }
      if (sent) {
        st.sent++
        st.lastSentAt = clock().toISOString()
        if (st.lastFailure) st.lastFailure.resolved = true
        st.retrying = false
        await deps.afterSend?.(messageId)
        return
      }
    }
  }

  async function handle(e: RecordedEvent<ReportEvent>, signal?: AbortSignal) {
    if (!decisionOfEvent(e)) return
    const what = await noticeOf(e)
    if (!what) return
    for (const r of what.recipients) {
      const to = deliveryOf(await deps.preferences.load(r))
      if (!to) continue
      const messageId = notificationId(e.id, to.channel, r)
      if (to.channel === 'email') {
        const gw = deps.channels.email
        if (!gw) { st.skipped++; continue }
        const m = emailMessage(what.notice)
        await sendWithRetry(messageId, 'email', () => gw.send({ messageId, to: to.address, subject: m.subject, text: m.text }, clock()), e.id, signal)
      } else {
        const gw = deps.channels.sms
        if (!gw) { st.skipped++; continue }
        const text = smsMessage(what.notice)
        await sendWithRetry(messageId, 'sms', () => gw.send(to.address, text, clock(), messageId), e.id, signal)
      }
      if (signal?.aborted) throw new DomainError('NOTIFY_SEND_FAILED', {}, ['stopped'])
    }
  }

  return {
    async runOnce(signal) {
      let handled = 0
      let from = await loadCheckpoint(deps.db, deps.store, clock())
      for (;;) {
        if (signal?.aborted) return handled
        const head = await deps.store.headPosition()
        const page = await deps.store.readAll<ReportEvent>({ after: from, types: DECISION_TYPES, limit: PAGE })
        if (page.length === 0) {
          // nothing to send up to the head read before the page: the checkpoint may skip the other events
          if (comparePositions(head, from) > 0) await advance(deps.db, from, head, clock())
          return handled
        }
        for (const e of page) {
          await handle(e, signal)
          if (!(await advance(deps.db, from, e.position, clock()))) {
            deps.logger.info({}, 'decision notifier checkpoint moved by another process; reloading')
            return handled
          }
          from = e.position
          handled++
        }
        if (page.length < PAGE) return handled
      }
    },
    state: () => ({ ...st, ...(st.lastFailure ? { lastFailure: { ...st.lastFailure } } : {}) }),
  }
}
