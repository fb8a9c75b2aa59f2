// The e-mail port of the decision notifier, two adapters:
//   embedded: an outbox table (the last OUTBOX_KEEP messages, one row per message id) that the demo page /dev/mail lists
//   smtp:     SMTP_URL (smtp:// or smtps://, credentials in the URL) through nodemailer, from NOTIFY_FROM; the
//             stable message id is the Message-ID header, so a re-send after a crash is recognisably the same message
import nodemailer from 'nodemailer'
import type { Sql } from '../../commands/platform/database.js'
import { DomainError } from '../../domain/errors.js'
import { OUTBOX_KEEP } from '../auth/sms.js'

export interface EmailMessage {
  /** Stable id: the same decision, channel and recipient give the same id. */
  messageId: string
  to: string
  subject: string
  text: string
}

export interface EmailGateway {
  send(message: EmailMessage, now: Date): Promise<void>
  close?(): void
}

export interface EmailOutboxMessage {
  id: number
  messageId: string
  to: string
  subject: string
  body: string
  sentAt: string
}

export function embeddedEmailOutbox(db: Sql): EmailGateway {
  return {
    async send(m, now) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO notify_email_outbox (message_id, to_addr, subject, body, sent_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id) DO NOTHING RETURNING id`,
        [m.messageId, m.to, m.subject, m.text, now],
      )
      if (r.rows[0]) await db.query(`DELETE FROM notify_email_outbox WHERE id <= $1`, [Number(r.rows[0].id) - OUTBOX_KEEP])
    },
  }
}

/** The newest messages first. */
export async function listEmailOutbox(db: Sql, limit = 50): Promise<EmailOutboxMessage[]> {
  const r = await db.query<{ id: string; message_id: string; to_addr: string; subject: string; body: string; sent_at: Date | string }>(
    `SELECT id, message_id, to_addr, subject, body, sent_at FROM notify_email_outbox ORDER BY id DESC LIMIT $1`,
    [limit],
  )
  return r.rows.map((x) => ({ id: Number(x.id), messageId: x.message_id, to: x.to_addr, subject: x.subject, body: x.body, sentAt: new Date(x.sent_at).toISOString() }))
}

/** The Message-ID header of a message id (RFC 5322 msg-id: id-left "@" id-right). */
export const messageIdHeader = (messageId: string) => `<${messageId}@notify.baobei>`

export function smtpEmailGateway(url: string, from: string, opts: { timeoutMs?: number } = {}): EmailGateway {
  const timeout = opts.timeoutMs ?? 15_000
  const transport = nodemailer.createTransport({ url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout })
  return {
    async send(m) {
      try {
        await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, messageId: messageIdHeader(m.messageId) })
      } catch (e) {
        const err = e as { code?: string; responseCode?: number }
        throw new DomainError('NOTIFY_SEND_FAILED', { code: err.code, responseCode: err.responseCode }, [`SMTP ${err.responseCode ?? err.code ?? 'error'}`])
      }
    },
    close: () => transport.close(),
  }
}
