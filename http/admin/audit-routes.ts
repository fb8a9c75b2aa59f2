// 紀錄查詢 for administrators: the administration actions (accounts, rules, site pages: who, when, what, why), the
// login history (every try with its outcome) and the reads of personal data, side by side as tabs. A bureau
// administrator sees their county: actions on its accounts, its staff's logins, its staff's reads.
import { Type } from '@sinclair/typebox'
import { listAccounts } from '../../commands/accounts/find-account.js'
import { queryReadAudit, type AuditScope } from '../../projections/queries/read-audit.js'
import { addDays, taipeiInstant } from '../../domain/roc-date.js'
import { maskPersonId } from '../../domain/national-id.js'
import type { Actor } from '../../domain/types.js'
import type { App } from '../schemas.js'
import { ROLE_LABEL } from '../back-office/actor-label.js'
import { dateExamples, DateInputField, readDateRange } from '../forms/date-field.js'
import { actorOf, ADMIN_BASE, adminPage, adminsOnly, dbOf, readModelsOf } from './context.js'

const AuditQuery = Type.Object({
  tab: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('logins'), Type.Literal('reads')])),
  who: Type.Optional(Type.String({ maxLength: 40 })),
  from: Type.Optional(DateInputField),
  to: Type.Optional(DateInputField),
  page: Type.Optional(Type.String({ pattern: '^\\d{1,4}$' })),
})

const PAGE = 50

const ACTION_LABEL: Record<string, string> = {
  AccountCreated: '建立帳號', AccountChanged: '變更帳號', AccountDisabled: '停用帳號', AccountEnabled: '重新啟用帳號',
  RuleVersionPublished: '發布規則版本', SitePagePublished: '發布網站內容', SitePageWithdrawn: '下架網站內容',
}

/** What a row may show of a subject id: a person's ID masked, anything else as it is. */
const shownId = (id: string) => (/^[A-Z][12ABCD89]\d{8}$/.test(id) ? maskPersonId(id) : id)

export async function registerAuditRoutes(app: App) {
  app.get(`${ADMIN_BASE}/audit`, { onRequest: adminsOnly, schema: { querystring: AuditQuery } }, async (request, reply) => {
    const q = request.query
    const tab = q.tab ?? 'admin'
    const actor: Actor = actorOf(request)
    const county = actor.role === 'bureau_admin' ? actor.county ?? '--' : undefined
    // each date as typed (1130301, 113/03/01, 2024/03/01), read by the one rule; a bad one is said at its field
    const ex = dateExamples(app.services.clock())
    const dates = readDateRange(q.from, q.to, ['日期起', '日期迄'], ex)
    const from = dates.from.iso
    const to = dates.to.iso
    const errors = [dates.from.error, dates.to.error].filter((m): m is string => !!m)
    const page = Math.max(1, Number(q.page ?? '1') || 1)
    const who = q.who?.trim() || undefined
    const where: string[] = []
    const params: unknown[] = []
    const p = (v: unknown) => `$${params.push(v)}`
    let rows: Record<string, unknown>[] = []
    let total = 0
    if (!errors.length && tab === 'admin') {
      if (county) where.push(`scope_county = ${p(county)}`)
      if (who) where.push(`(actor_id = ${p(who)} OR target = ${p(who)})`)
      if (from) where.push(`at >= ${p(taipeiInstant(from))}::timestamptz`)
      if (to) where.push(`at < ${p(taipeiInstant(addDays(to, 1)))}::timestamptz`)
      const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
      total = Number((await readModelsOf(app).select<{ n: string }>('administration', (t) => ({ text: `SELECT count(*) AS n FROM ${t('admin_actions')} ${w}`, params })))[0]?.n ?? 0)
      rows = await readModelsOf(app).select('administration', (t) => ({ text: `SELECT * FROM ${t('admin_actions')} ${w} ORDER BY at DESC, event_id LIMIT ${PAGE} OFFSET ${(page - 1) * PAGE}`, params }))
    } else if (!errors.length && tab === 'logins') {
      if (county) {
        const staff = await listAccounts(readModelsOf(app), { county, includeDisabled: true, limit: 500 })
        where.push(`subject_id = ANY(${p(staff.rows.map((a) => a.accountId))}::text[])`)
      }
      if (who) where.push(`subject_id = ${p(who.toUpperCase() === who ? who : who)}`)
      if (from) where.push(`at >= ${p(taipeiInstant(from))}::timestamptz`)
      if (to) where.push(`at < ${p(taipeiInstant(addDays(to, 1)))}::timestamptz`)
      const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
      const db = dbOf(app)
      total = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM login_audit ${w}`, params)).rows[0]?.n ?? 0)
      rows = (await db.query(`SELECT at, role, subject_id, method, ip, outcome FROM login_audit ${w} ORDER BY at DESC, id DESC LIMIT ${PAGE} OFFSET ${(page - 1) * PAGE}`, params)).rows
      rows = rows.map((r) => ({ ...r, subject_id: shownId(String(r.subject_id)) }))
    } else if (!errors.length && tab === 'reads') {
      const scope: AuditScope = county ? { kind: 'county', county } : { kind: 'national' }
      const r = await queryReadAudit(readModelsOf(app), scope, { ...(who ? { viewer: who } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), page, pageSize: PAGE })
      total = r.total
      rows = r.rows.map((x) => ({ ...x, subjectId: x.subjectKind === 'person' ? maskPersonId(x.subjectId) : x.subjectId }))
    }
    return adminPage(request, reply, 'admin/audit.eta', { title: '紀錄查詢', tab, q, errors, dates, ex, rows, total, page, pageSize: PAGE, actionLabel: ACTION_LABEL, roleLabel: ROLE_LABEL })
  })
}
