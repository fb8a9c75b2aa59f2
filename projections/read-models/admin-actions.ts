// Read model `admin_actions`: every administration command's event (accounts, rule versions, site pages) with who,
// when, what and why, for 紀錄查詢 beside the reads and the logins. `scope_county` is the county the action concerns
// (an account's county), so a bureau administrator sees the actions on their own county's accounts.
import type { RecordedEvent } from '../../commands/event-store/port.js'
import { positionToString } from '../../commands/event-store/port.js'
import type { AccountEvent } from '../../domain/accounts/account.js'
import type { RuleVersionPublished } from '../../domain/rules/rule-sets.js'
import type { SitePageEvent } from '../../domain/site/site-page.js'
import type { Projection } from '../projection.js'
import { insertRows, type Columns } from '../sql-rows.js'
import { RULES_CHANNEL } from '../../commands/rules/rules-channel.js'

const COLUMNS = {
  event_id: 'text',
  at: 'timestamptz',
  actor_id: 'text',
  actor_name: 'text',
  actor_role: 'text',
  action: 'text',
  target: 'text',
  scope_county: 'text',
  summary: 'text',
  reason: 'text',
  position: 'text',
} satisfies Columns

type AdminEvent = AccountEvent | RuleVersionPublished | SitePageEvent
const TYPES = new Set(['AccountCreated', 'AccountChanged', 'AccountDisabled', 'AccountEnabled', 'RuleVersionPublished', 'SitePagePublished', 'SitePageWithdrawn'])

function rowOf(raw: RecordedEvent, countyOfAccount: Map<string, string | null>) {
  const e = raw as unknown as RecordedEvent & AdminEvent
  const base = { event_id: raw.id, at: raw.meta.occurredAt, actor_id: raw.meta.actor.id, actor_name: raw.meta.actor.name ?? null, actor_role: raw.meta.actor.role, action: e.type, position: positionToString(raw.position) }
  switch (e.type) {
    case 'AccountCreated':
    case 'AccountChanged': {
      const p = e.data.profile
      countyOfAccount.set(e.data.accountId, p.county)
      const what = e.type === 'AccountChanged' ? `變更：${e.data.changed.join('、')}` : `角色 ${p.role}`
      return { ...base, target: e.data.accountId, scope_county: p.county, summary: `${p.name}（${p.agency}）${what}`, reason: e.data.reason }
    }
    case 'AccountDisabled':
    case 'AccountEnabled':
      return { ...base, target: e.data.accountId, scope_county: countyOfAccount.get(e.data.accountId) ?? null, summary: e.type === 'AccountDisabled' ? '停用' : '重新啟用', reason: e.data.reason }
    case 'RuleVersionPublished':
      return { ...base, target: `rules-${e.data.name}`, scope_county: null, summary: `版本 ${e.data.versionId}，生效 ${e.data.effectiveFrom}`, reason: e.data.reason }
    case 'SitePagePublished':
      return { ...base, target: `site-${e.data.pageId}`, scope_county: null, summary: `${e.data.kind}：${e.data.title}`, reason: null }
    case 'SitePageWithdrawn':
      return { ...base, target: `site-${e.data.pageId}`, scope_county: null, summary: '下架', reason: e.data.reason }
  }
}

export const adminActionsProjection: Projection = {
  name: 'admin_actions',
  tables: ['admin_actions'],
  ddl(version) {
    const t = `rm_admin_actions_v${version}`
    return `CREATE TABLE IF NOT EXISTS ${t} (
  event_id text PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id text NOT NULL,
  actor_name text,
  actor_role text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  scope_county text,
  summary text NOT NULL,
  reason text,
  position text NOT NULL
);
CREATE INDEX IF NOT EXISTS ${t}_at ON ${t} (at DESC);
CREATE INDEX IF NOT EXISTS ${t}_county ON ${t} (scope_county, at DESC);`
  },
  async handle(events, ctx) {
    const mine = events.filter((e) => TYPES.has(e.type))
    if (!mine.length) return
    const t = ctx.table('admin_actions')
    // the county of accounts disabled/enabled in this batch without being created in it
    const ids = [...new Set(mine.filter((e) => e.type === 'AccountDisabled' || e.type === 'AccountEnabled').map((e) => (e.data as { accountId: string }).accountId))]
    const counties = new Map<string, string | null>()
    if (ids.length) {
      const r = await ctx.tx.query<{ target: string; scope_county: string | null }>(
        `SELECT DISTINCT ON (target) target, scope_county FROM ${t} WHERE target = ANY($1::text[]) AND action IN ('AccountCreated', 'AccountChanged') ORDER BY target, at DESC, position DESC`,
        [ids],
      )
      for (const x of r.rows) counties.set(x.target, x.scope_county)
    }
    await insertRows(ctx.tx, t, COLUMNS, mine.map((e) => rowOf(e, counties)), 'ON CONFLICT (event_id) DO NOTHING')
    // explicit propagation of rule changes: every instance listening drops its rules cache when this commits
    const ruleSets = [...new Set(mine.filter((e) => e.type === 'RuleVersionPublished').map((e) => (e.data as { name: string }).name))]
    for (const name of ruleSets) await ctx.tx.query('SELECT pg_notify($1, $2)', [RULES_CHANNEL, name])
  },
}
