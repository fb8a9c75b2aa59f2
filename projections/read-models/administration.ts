// The administration read models as ONE projection (one worker, one checkpoint, one connection at a time): staff
// accounts and their certificates, the administration actions for 紀錄查詢, and the public site pages.
import type { Projection } from '../projection.js'
import { accountsProjection } from './accounts.js'
import { adminActionsProjection } from './admin-actions.js'
import { sitePagesProjection } from './site-pages.js'

const PARTS = [accountsProjection, adminActionsProjection, sitePagesProjection] as const
export const ADMINISTRATION = 'administration'

export const administrationProjection: Projection = {
  name: ADMINISTRATION,
  tables: PARTS.flatMap((p) => p.tables),
  ddl: (version) => PARTS.map((p) => p.ddl(version)).join('\n'),
  async handle(events, ctx) {
    for (const p of PARTS) await p.handle(events, ctx)
  },
}
