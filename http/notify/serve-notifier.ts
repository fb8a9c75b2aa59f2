// The decision notifier inside `baobei serve` (notifier.ts), and what /status shows of it.
//   - e-mail: SMTP_URL (with NOTIFY_FROM) → the SMTP adapter; demo mode → the embedded outbox (/dev/mail); else off
//   - SMS: SMS_GATEWAY_URL → the HTTP gateway; demo mode → the embedded outbox (/dev/sms); else off
//   - neither: the notifier is off (a machine with nothing configured sends nothing), /status says so and why.
// A recipient whose channel is off here is counted as skipped. The notifier polls the log (every NOTIFY_POLL_MS) and
// is stopped (waiting for a message in flight) when serve closes.
import { ConfigError, type Config } from '../../commands/platform/config.js'
import type { EventStore } from '../../commands/event-store/port.js'
import type { Sql } from '../../commands/platform/database.js'
import type { Logger } from '../../commands/platform/logger.js'
import { createPreferenceService } from '../../commands/notify/preference-service.js'
import { embeddedSmsOutbox, httpSmsGateway, type SmsGateway } from '../auth/sms.js'
import { embeddedEmailOutbox, smtpEmailGateway, type EmailGateway } from './email.js'
import { createNotifier, DEFAULT_RETRY, type NotifierState, type RetryPolicy } from './notifier.js'

export interface NotifierStatusView {
  enabled: boolean
  disabledReason?: string
  channels: { email: 'smtp' | 'embedded' | 'off'; sms: 'http' | 'embedded' | 'off' }
  /** False while a message is being retried or the last failed try has not been followed by a sent message. */
  ok: boolean
  sent: number
  skipped: number
  /** Messages given up after the bounded retries (all time, from notify_failures). */
  givenUp: number
  lastGivenUp?: { messageId: string; channel: string; reason: string; attempts: number; at: string }
  lastFailure?: NotifierState['lastFailure']
  lastSentAt?: string
  checkpointAt?: string
}

export interface ServeNotifier {
  readonly enabled: boolean
  status(): Promise<NotifierStatusView>
  /** A run now (tests, and right after start). */
  runNow(): Promise<number>
  stop(): Promise<void>
}

const DISABLED = 'no e-mail or SMS channel is configured (SMTP_URL with NOTIFY_FROM, or SMS_GATEWAY_URL)'

/** Throws ConfigError when e-mail is configured in part (SMTP_URL without NOTIFY_FROM, or the reverse). */
export function assertNotifyConfig(config: Config): void {
  if (config.SMTP_URL && !config.NOTIFY_FROM) throw new ConfigError('NOTIFY_FROM', 'SMTP_URL is set but NOTIFY_FROM (the sender address of the notices) is missing; set both, or neither to send no e-mail')
  if (config.NOTIFY_FROM && !config.SMTP_URL) throw new ConfigError('SMTP_URL', 'NOTIFY_FROM is set but SMTP_URL (the mail server) is missing; set both, or neither to send no e-mail')
}

/** What /status shows before serve has started the notifier (it starts once the server listens). */
export const notifierNotStarted: ServeNotifier = {
  enabled: false,
  status: async () => ({ enabled: false, disabledReason: 'not started yet', channels: { email: 'off', sms: 'off' }, ok: true, sent: 0, skipped: 0, givenUp: 0 }),
  runNow: async () => 0,
  stop: async () => undefined,
}

export function startServeNotifier(deps: { store: EventStore; db: Sql; config: Config; logger: Logger; demo: boolean; siteOrigin: () => string; retry?: RetryPolicy; pollMs?: number }): ServeNotifier {
  const { config, logger } = deps
  assertNotifyConfig(config)
  const email: EmailGateway | undefined = config.SMTP_URL ? smtpEmailGateway(config.SMTP_URL, config.NOTIFY_FROM!) : deps.demo ? embeddedEmailOutbox(deps.db) : undefined
  const sms: SmsGateway | undefined = config.SMS_GATEWAY_URL
    ? httpSmsGateway(config.SMS_GATEWAY_URL, config.SMS_GATEWAY_TOKEN ? { token: config.SMS_GATEWAY_TOKEN } : {})
    : deps.demo ? embeddedSmsOutbox(deps.db) : undefined
  const channels = { email: config.SMTP_URL ? 'smtp' as const : email ? 'embedded' as const : 'off' as const, sms: config.SMS_GATEWAY_URL ? 'http' as const : sms ? 'embedded' as const : 'off' as const }
  const enabled = !!(email || sms)
  const notifier = createNotifier({
    store: deps.store, db: deps.db, logger, preferences: createPreferenceService({ store: deps.store }),
    channels: { ...(email ? { email } : {}), ...(sms ? { sms } : {}) }, siteOrigin: deps.siteOrigin, retry: deps.retry ?? DEFAULT_RETRY,
  })
  const abort = new AbortController()
  let running: Promise<number> | undefined
  const runNow = () => (running ??= notifier.runOnce(abort.signal).finally(() => { running = undefined }))
  let timer: NodeJS.Timeout | undefined
  const loop = () => {
    runNow().catch((e: unknown) => logger.warn({ err: (e as Error).message }, 'decision notifier run failed; next poll retries'))
      .finally(() => { if (!abort.signal.aborted) timer = setTimeout(loop, deps.pollMs ?? 2_000) })
  }
  if (enabled) {
    logger.info({ channels }, 'decision notifications on')
    loop()
  } else logger.warn(`decision notifications off: ${DISABLED}`)

  return {
    enabled,
    runNow: () => (enabled ? runNow() : Promise.resolve(0)),
    async status() {
      const s = notifier.state()
      const [failures, cp] = await Promise.all([
        deps.db.query<{ n: string; message_id: string | null; channel: string | null; reason: string | null; attempts: number | null; failed_at: Date | string | null }>(
          `SELECT (SELECT count(*) FROM notify_failures) AS n, f.message_id, f.channel, f.reason, f.attempts, f.failed_at FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM notify_failures ORDER BY failed_at DESC LIMIT 1) f ON true`,
        ),
        deps.db.query<{ updated_at: Date | string }>(`SELECT updated_at FROM notify_checkpoint WHERE name = 'decisions'`),
      ])
      const f = failures.rows[0]
      const view: NotifierStatusView = {
        enabled, channels, ok: !s.retrying && !(s.lastFailure && !s.lastFailure.resolved), sent: s.sent, skipped: s.skipped, givenUp: Number(f?.n ?? 0),
      }
      if (!enabled) view.disabledReason = DISABLED
      if (f?.message_id) view.lastGivenUp = { messageId: f.message_id, channel: f.channel!, reason: f.reason!, attempts: f.attempts!, at: new Date(f.failed_at!).toISOString() }
      if (s.lastFailure) view.lastFailure = s.lastFailure
      if (s.lastSentAt) view.lastSentAt = s.lastSentAt
      if (cp.rows[0]) view.checkpointAt = new Date(cp.rows[0].updated_at).toISOString()
      return view
    },
    async stop() {
      abort.abort()
      if (timer) clearTimeout(timer)
      await running?.catch(() => undefined)
      email?.close?.()
    },
  }
}
