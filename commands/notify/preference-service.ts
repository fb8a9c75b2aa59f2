// 通知方式 commands and reads: set a recipient's preference on its `notify-<kind>-<id>` stream through the generic
// command handler (load, fold, decide, append with expected version; idempotent by commandId), and read the
// preference in force (the stream's fold: no read model needed for a handful of events).
import { createCommandHandler } from '../command-handler.js'
import type { EventStore } from '../event-store/port.js'
import {
  decidePreference, evolvePreference, initialPreference, notifyStream,
  type NotificationPreference, type NotifyEvent, type NotifyRecipient, type SetNotificationPreference,
} from '../../domain/notify/preference.js'
import type { Actor } from '../../domain/types.js'

export interface PreferenceService {
  load(recipient: NotifyRecipient): Promise<NotificationPreference>
  set(input: SetNotificationPreference['data'], meta: { commandId: string; actor: Actor; correlationId?: string }): Promise<{ preference: NotificationPreference; changed: boolean }>
}

export function createPreferenceService(deps: { store: EventStore; clock?: () => Date }): PreferenceService {
  const clock = deps.clock ?? (() => new Date())
  const handler = createCommandHandler<NotificationPreference, SetNotificationPreference, NotifyEvent, { actor: Actor }>(deps.store, {
    initialState: initialPreference,
    evolve: (s, e) => evolvePreference(s, e),
    decide: decidePreference,
  }, { cachedStreams: 0 })
  return {
    async load(recipient) {
      return (await handler.load(notifyStream(recipient))).state
    },
    async set(input, meta) {
      const r = await handler.handle({
        stream: notifyStream(input.recipient),
        command: { type: 'SetNotificationPreference', data: input },
        ctx: { actor: meta.actor },
        meta: { commandId: meta.commandId, actor: meta.actor, correlationId: meta.correlationId ?? meta.commandId, occurredAt: clock().toISOString() },
      })
      return { preference: r.state, changed: r.events.length > 0 && !r.duplicate }
    },
  }
}
