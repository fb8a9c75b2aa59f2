// 通知方式: how a professional or an institution wants to be told of the reviewers' decisions on their cases
// (電子郵件 / 簡訊 / 不通知), a decider over the stream `notify-<kind>-<id>`. The choice is a fact
// (NotificationPreferenceSet) made by the person or institution themselves; the default is 不通知. Pure.
import { DomainError } from '../errors.js'
import type { Actor } from '../types.js'

export type NotifyChannel = 'email' | 'sms' | 'none'
export const NOTIFY_CHANNELS: readonly NotifyChannel[] = ['email', 'sms', 'none']
export const NOTIFY_CHANNEL_LABEL: Readonly<Record<NotifyChannel, string>> = { email: '電子郵件', sms: '簡訊', none: '不通知' }

/** Who is told: a professional (national ID) or an institution (its code). */
export interface NotifyRecipient {
  kind: 'professional' | 'institution'
  id: string
}

export const notifyStream = (r: NotifyRecipient) => `notify-${r.kind}-${r.id}`
export const isNotifyStream = (stream: string) => stream.startsWith('notify-')

export const EMAIL_MAX = 254
export const PHONE_LENGTH = 10

export interface NotificationPreference {
  channel: NotifyChannel
  /** The address of channel email, else null (nothing kept that is not used). */
  email: string | null
  /** The mobile number (09xxxxxxxx) of channel sms, else null. */
  phone: string | null
}

export const NOT_NOTIFIED: NotificationPreference = Object.freeze({ channel: 'none', email: null, phone: null })

export interface NotificationPreferenceSet {
  type: 'NotificationPreferenceSet'
  data: { recipient: NotifyRecipient } & NotificationPreference
}
export type NotifyEvent = NotificationPreferenceSet
export const NOTIFY_EVENT_TYPES: readonly NotifyEvent['type'][] = ['NotificationPreferenceSet']

export interface SetNotificationPreference {
  type: 'SetNotificationPreference'
  data: { recipient: NotifyRecipient; channel: string; email?: string; phone?: string }
}

export const initialPreference = (): NotificationPreference => ({ ...NOT_NOTIFIED })

export function evolvePreference(_s: NotificationPreference, e: NotifyEvent): NotificationPreference {
  return e.type === 'NotificationPreferenceSet' ? { channel: e.data.channel, email: e.data.email, phone: e.data.phone } : _s
}

const invalid = (field: string, why: string): never => {
  throw new DomainError('NOTIFY_PREFERENCE_INVALID', { field }, [why])
}

// one @, no spaces or angle brackets, a dotted domain of letters, digits and hyphens
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/

/** An e-mail address as kept (trimmed), or a NOTIFY_PREFERENCE_INVALID naming the field. */
export function normalizeEmail(raw: string | undefined): string {
  const v = (raw ?? '').trim()
  if (!v) return invalid('email', '選擇以電子郵件通知時，請填寫電子郵件地址')
  if (v.length > EMAIL_MAX) return invalid('email', `電子郵件地址過長（${EMAIL_MAX} 字以內）`)
  if (!EMAIL.test(v)) return invalid('email', '電子郵件地址格式不正確（例：name@example.com.tw）')
  return v
}

/** A Taiwanese mobile number as kept (09 and 8 digits; spaces and hyphens dropped), or NOTIFY_PREFERENCE_INVALID. */
export function normalizeMobile(raw: string | undefined): string {
  const v = (raw ?? '').trim()
  if (!v) return invalid('phone', '選擇以簡訊通知時，請填寫手機號碼')
  if (v.length > 20) return invalid('phone', '手機號碼格式不正確（應為 09 開頭的 10 位數字）')
  const digits = v.replace(/[\s-]/g, '')
  if (!/^09\d{8}$/.test(digits)) return invalid('phone', '手機號碼格式不正確（應為 09 開頭的 10 位數字）')
  return digits
}

/** The recipient an actor may set the preference of: a professional their own, an institution its own. */
export function recipientOfActor(actor: Actor): NotifyRecipient | undefined {
  if (actor.role === 'professional') return { kind: 'professional', id: actor.id }
  if (actor.role === 'institution') return { kind: 'institution', id: actor.id }
  return undefined
}

/** Validates and decides; nothing when the preference is already what is asked. */
export function decidePreference(cmd: SetNotificationPreference, state: NotificationPreference, ctx: { actor: Actor }): NotifyEvent[] {
  const own = recipientOfActor(ctx.actor)
  const r = cmd.data.recipient
  if (!own || own.kind !== r.kind || own.id !== r.id) throw new DomainError('FORBIDDEN')
  const channel = cmd.data.channel
  if (!(NOTIFY_CHANNELS as readonly string[]).includes(channel)) return invalid('channel', '請選擇通知方式：電子郵件、簡訊或不通知')
  const next: NotificationPreference =
    channel === 'email' ? { channel, email: normalizeEmail(cmd.data.email), phone: null }
      : channel === 'sms' ? { channel, email: null, phone: normalizeMobile(cmd.data.phone) }
        : { ...NOT_NOTIFIED }
  if (next.channel === state.channel && next.email === state.email && next.phone === state.phone) return []
  return [{ type: 'NotificationPreferenceSet', data: { recipient: { kind: r.kind, id: r.id }, ...next } }]
}

/** Where a preference sends: the channel and address, or undefined for 不通知. */
export function deliveryOf(p: NotificationPreference): { channel: 'email' | 'sms'; address: string } | undefined {
  if (p.channel === 'email' && p.email) return { channel: 'email', address: p.email }
  if (p.channel === 'sms' && p.phone) return { channel: 'sms', address: p.phone }
  return undefined
}
