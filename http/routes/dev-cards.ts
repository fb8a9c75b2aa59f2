import type { App } from '../schemas.js'
// 「示範讀卡機」 (demo mode only, registered by http/serve.ts): which virtual card sits in which reader slot, so a
// visitor can try every login method without hardware.
//   GET  /dev/cards   the slots and the demo cards (holder, kind, masked ID) with the demo PIN
//   POST /dev/cards   {action: insert|remove, slot, card?} → 303 back to the page
// Plain forms (no script needed). With a session the usual CSRF token applies; without one (a visitor before login)
// a cross-site form is refused by its Origin header.
import { Type, type Static } from '@sinclair/typebox'
import { DomainError } from '../../domain/errors.js'
import { KIND_LABELS, type CatalogueEntry } from '../../reader/virtual/rack.js'
import { RackError, type RackControl, type RackState } from '../../reader/virtual/rack-control.js'

const Body = Type.Object({
  action: Type.Union([Type.Literal('insert'), Type.Literal('remove')]),
  slot: Type.String({ pattern: '^[0-9]{1,2}$' }),
  /** The card's place in the rack's catalogue (the page shows no full IDs, not even in form values). */
  card: Type.Optional(Type.String({ pattern: '^[0-9]{0,3}$' })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
})
const Query = Type.Object({
  changed: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}$' })),
  error: Type.Optional(Type.String({ maxLength: 20 })),
})

/** Which login method each kind of card is for (shown beside the cards). */
const USE: Record<CatalogueEntry['kind'], string> = {
  professional: '醫事人員憑卡登入',
  institution: '醫療(事)機構憑卡登入',
  staff: '衛生局審查人員憑卡登入',
  nhi: '健保卡＋密碼登入、無卡登入時核對卡號',
}

const ERROR_TEXT: Record<string, string> = {
  'no-card': '請選擇要插入的卡片',
  failed: '無法更換卡片：卡片或讀卡機不存在，或讀卡程式未回應',
}

export interface DevCardsOptions {
  control: RackControl
  pin: string
}

export async function registerDevCardsRoutes(app: App, opts: DevCardsOptions) {
  const { control } = opts

  app.get('/dev/cards', { schema: { querystring: Query } }, async (request, reply) => {
    const q = request.query as Static<typeof Query>
    let state: RackState | undefined
    let unreachable: string | undefined
    try {
      state = await control.state()
    } catch (e) {
      unreachable = (e as Error).message
    }
    const byId = new Map((state?.cards ?? []).map((c) => [c.id, c]))
    const indexed = (state?.cards ?? []).map((c, index) => ({ ...c, index }))
    const kinds = (['professional', 'nhi', 'institution', 'staff'] as const).map((kind) => ({
      kind,
      label: KIND_LABELS[kind],
      use: USE[kind],
      cards: indexed.filter((c) => c.kind === kind),
    }))
    return reply.page('pages/dev-cards.eta', {
      title: '示範讀卡機',
      pin: opts.pin,
      where: control.where,
      unreachable,
      virtual: Boolean(state),
      slots: (state?.slots ?? []).map((s) => ({ slot: s.slot, card: s.card ? byId.get(s.card) ?? { id: s.card, name: s.card, kind: 'professional', holder: '', label: s.card } : undefined })),
      kinds,
      kindLabels: KIND_LABELS,
      changed: q.changed !== undefined ? Number(q.changed) : undefined,
      error: q.error ? (ERROR_TEXT[q.error] ?? ERROR_TEXT.failed) : undefined,
    })
  })

  app.post('/dev/cards', { schema: { body: Body } }, async (request, reply) => {
    if (!request.session) {
      // no session, so no CSRF token: a form from another site is told apart by its Origin
      const origin = request.headers.origin
      if (origin && origin !== `${request.protocol}://${request.headers.host}`) throw new DomainError('FORBIDDEN', { origin })
    }
    const b = request.body as Static<typeof Body>
    const slot = Number(b.slot)
    try {
      if (b.action === 'insert') {
        if (!b.card) return reply.redirect('/dev/cards?error=no-card', 303)
        const card = (await control.state())?.cards[Number(b.card)]
        if (!card) throw new RackError(`no card #${b.card}`)
        await control.insert(slot, card.id)
      } else await control.remove(slot)
    } catch (e) {
      if (!(e instanceof RackError)) throw e
      request.log.info({ err: e.message, slot }, 'demo card change refused')
      return reply.redirect('/dev/cards?error=failed', 303)
    }
    return reply.redirect(`/dev/cards?changed=${slot}`, 303)
  })
}
