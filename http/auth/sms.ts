// The SMS gateway, a port with two adapters:
//   embedded: an outbox table (a ring of the last OUTBOX_KEEP messages) that the demo page /dev/sms lists
//   http:     POST <SMS_GATEWAY_URL> {to, text, id?} → any 2xx = sent; anything else → SMS_SEND_FAILED
// A message sent with an id (the decision notifier's stable message id) is the same message when sent again: the
// outbox keeps one row per id, the HTTP gateway receives the id to drop a repeat.
import type { Sql } from '../../commands/platform/database.js'
import { DomainError } from '../../domain/errors.js'

export interface SmsGateway {
  send(to: string, text: string, now: Date, messageId?: string): Promise<void>
}

export const OUTBOX_KEEP = 200

export interface OutboxMessage {
  id: number
  phone: string
  body: string
  sentAt: string
}

export function embeddedSmsOutbox(db: Sql): SmsGateway {
  return {
    async send(to, text, now, messageId) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO login_sms_outbox (phone, body, sent_at, message_id) VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) WHERE message_id IS NOT NULL DO NOTHING RETURNING id`,
        [to, text, now, messageId ?? null],
      )
      if (r.rows[0]) await db.query(`DELETE FROM login_sms_outbox WHERE id <= $1`, [Number(r.rows[0].id) - OUTBOX_KEEP])
    },
  }
}

/** The newest messages first. */
export async function listOutbox(db: Sql, limit = 50): Promise<OutboxMessage[]> {
  const r = await db.query<{ id: string; phone: string; body: string; sent_at: Date | string }>(
    `SELECT id, phone, body, sent_at FROM login_sms_outbox ORDER BY id DESC LIMIT $1`,
    [limit],
  )
  return r.rows.map((x) => ({ id: Number(x.id), phone: x.phone, body: x.body, sentAt: new Date(x.sent_at).toISOString() }))
}

export function httpSmsGateway(url: string, opts: { token?: string; timeoutMs?: number; fetch?: typeof fetch } = {}): SmsGateway {
  const doFetch = opts.fetch ?? fetch
  return {
    async send(to, text, _now, messageId) {
      let res: Response
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
          body: JSON.stringify({ to, text, ...(messageId ? { id: messageId } : {}) }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        })
      } catch (e) {
        throw new DomainError('SMS_SEND_FAILED', { reason: (e as Error).name })
      }
      await res.arrayBuffer().catch(() => undefined)
      if (res.status < 200 || res.status > 299) throw new DomainError('SMS_SEND_FAILED', { status: res.status })
    },
  }
}
