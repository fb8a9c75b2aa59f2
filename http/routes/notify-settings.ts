// 通知設定: a professional or an institution chooses how to be told of the reviewers' decisions on their cases
// (通知方式: 電子郵件 / 簡訊 / 不通知, with the address or number). The choice is a fact on their own
// `notify-<kind>-<id>` stream (domain/notify/preference.ts validates it); the notifier reads it when a decision comes.
import { Type, type Static } from '@sinclair/typebox'
import type { App } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { createPreferenceService } from '../../commands/notify/preference-service.js'
import { NOTIFY_CHANNEL_LABEL, recipientOfActor, EMAIL_MAX } from '../../domain/notify/preference.js'
import { isDomainError } from '../../domain/errors.js'
import { explain } from '../errors.js'
import { flashFor, redirectWithErrors } from '../form-flash.js'

// generous bounds at the edge (the domain's are tighter and say so in zh-TW)
const SettingsBody = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  commandId: Type.String({ format: 'uuid' }),
  channel: Type.String({ maxLength: 10 }),
  email: Type.Optional(Type.String({ maxLength: EMAIL_MAX + 66 })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
})
type SettingsBody = Static<typeof SettingsBody>
const SettingsQuery = Type.Object({ saved: Type.Optional(Type.Literal('1')) })

export async function registerNotifySettingsRoutes(app: App) {
  const preferences = createPreferenceService({ store: app.services.store, clock: app.services.clock })
  const guard = requireRole('professional', 'institution')
  const title = '通知設定'

  app.get('/settings/notifications', { onRequest: guard, schema: { querystring: SettingsQuery } }, async (request, reply) => {
    const recipient = recipientOfActor(userOf(request).actor)!
    const p = await preferences.load(recipient)
    // a refused choice comes back by 303 with what was typed and the error at its field (POST-redirect-GET)
    const flash = flashFor(request, '/settings/notifications')
    const typed = (k: string) => (flash && typeof flash.fields[k] === 'string' ? (flash.fields[k] as string) : '')
    return reply.page('pages/notify-settings.eta', {
      title, labels: NOTIFY_CHANNEL_LABEL, saved: !flash && (request.query as { saved?: string }).saved === '1', errors: flash?.errors ?? {},
      values: flash ? { channel: typed('channel'), email: typed('email'), phone: typed('phone') } : { channel: p.channel, email: p.email ?? '', phone: p.phone ?? '' },
      isInstitution: recipient.kind === 'institution',
    })
  })

  app.post('/settings/notifications', { onRequest: guard, schema: { body: SettingsBody } }, async (request, reply) => {
    const user = userOf(request)
    const recipient = recipientOfActor(user.actor)!
    const b = request.body as SettingsBody
    const values = { channel: b.channel, email: (b.email ?? '').trim(), phone: (b.phone ?? '').trim() }
    try {
      await preferences.set(
        { recipient, channel: b.channel, ...(b.email !== undefined ? { email: b.email } : {}), ...(b.phone !== undefined ? { phone: b.phone } : {}) },
        { commandId: b.commandId, actor: user.actor, correlationId: String(request.id) },
      )
    } catch (e) {
      if (!isDomainError(e) || e.code !== 'NOTIFY_PREFERENCE_INVALID') throw e
      const field = String(e.details.field ?? 'channel')
      return redirectWithErrors(request, reply, '/settings/notifications', undefined, { [field]: explain(e) }, undefined, values)
    }
    return reply.redirect('/settings/notifications?saved=1', 303)
  })
}
