// The administration JSON API (/api/admin/...), beside the pages under /review/admin: the same commands (account
// service, rules service, site-page decider), TypeBox schemas, coded errors ({code, message, details}), the session's
// CSRF token in `x-csrf-token`, and a client-supplied `commandId`: the same commandId again by the same actor
// returns the first result (`duplicate: true`) and records nothing; by another actor it is COMMAND_ID_REUSED.
// Who: accounts — the MOHW administrator, and a bureau administrator for their own county's accounts only (another
// county's account is 404, a profile naming another county is ACCOUNT_OUT_OF_SCOPE); rule versions (quota, routing,
// reference lists) and site pages — the MOHW administrator (bureau administrators read rule versions).
import { Type, type Static } from '@sinclair/typebox'
import { listAccounts } from '../../commands/accounts/find-account.js'
import type { AccountOutcome } from '../../commands/accounts/account-service.js'
import { STAFF_ROLES, type AccountProfile } from '../../domain/accounts/account.js'
import { DomainError } from '../../domain/errors.js'
import { isRuleSetName, RULE_SET_NAMES } from '../../domain/rules/rule-sets.js'
import { MAX_PAGE_BODY, SITE_PAGE_KINDS, sitePageStream } from '../../domain/site/site-page.js'
import { ErrorReply, type App } from '../schemas.js'
import { accountsOf, actorOf, adminsOnly, metaOf, mohwAdminOnly, readModelsOf, rulesOf, settle, visibleAccount } from './context.js'
import { sitePageHandler } from './site-commands.js'

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 413: ErrorReply, 422: ErrorReply }
const Uuid = Type.String({ format: 'uuid' })
const Reason = Type.String({ maxLength: 500 })
const Certificate = Type.Union([
  Type.Object({ issuerDn: Type.String({ minLength: 1, maxLength: 500 }), serialHex: Type.String({ minLength: 1, maxLength: 80 }) }, { additionalProperties: false }),
  Type.Object({ subjectDn: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
])
const Profile = Type.Object({
  name: Type.String({ maxLength: 100 }),
  agency: Type.String({ maxLength: 200 }),
  county: Type.Union([Type.String({ pattern: '^\\d{2}$' }), Type.Null()]),
  role: Type.Union(STAFF_ROLES.map((r) => Type.Literal(r))),
  certificates: Type.Array(Certificate, { maxItems: 10 }),
}, { additionalProperties: false })
const AccountId = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' })
export const ApiAccountParams = Type.Object({ accountId: AccountId })
export const ApiCreateAccountBody = Type.Object({ commandId: Uuid, accountId: AccountId, profile: Profile, reason: Reason }, { additionalProperties: false })
export const ApiChangeAccountBody = Type.Object({ commandId: Uuid, profile: Profile, reason: Reason }, { additionalProperties: false })
export const ApiReasonBody = Type.Object({ commandId: Uuid, reason: Reason }, { additionalProperties: false })
const ApiAccount = Type.Object({
  accountId: Type.String(), name: Type.String(), agency: Type.String(), county: Type.Union([Type.String(), Type.Null()]), role: Type.String(),
  disabled: Type.Boolean(), certificates: Type.Array(Type.Record(Type.String(), Type.String())),
})
const ApiAccountResult = Type.Object({ accountId: Type.String(), disabled: Type.Boolean(), events: Type.Array(Type.String()), duplicate: Type.Boolean() })
const ApiAccountList = Type.Object({ accounts: Type.Array(ApiAccount), total: Type.Integer() })
export const ApiAccountListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 60 })),
  includeDisabled: Type.Optional(Type.Boolean()),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
}, { additionalProperties: false })

export const ApiRuleParams = Type.Object({ name: Type.Union(RULE_SET_NAMES.map((n) => Type.Literal(n))) })
export const ApiPublishRuleBody = Type.Object({
  commandId: Uuid,
  versionId: Type.Optional(Type.String({ maxLength: 40 })),
  /** ISO 8601 instant; not before now. */
  effectiveFrom: Type.String({ format: 'date-time' }),
  reason: Reason,
  /** The rule set's content (its schema: domain/rules/rule-sets.ts RULE_CONTENT_SCHEMAS). */
  content: Type.Unknown(),
}, { additionalProperties: false })
const ApiRuleVersion = Type.Object({ name: Type.String(), versionId: Type.String(), effectiveFrom: Type.String(), reason: Type.String(), seq: Type.Integer(), content: Type.Unknown() })
const ApiRuleVersions = Type.Object({ name: Type.String(), inForce: Type.String(), versions: Type.Array(ApiRuleVersion) })
const ApiRuleResult = Type.Object({ name: Type.String(), versionId: Type.String(), effectiveFrom: Type.String(), duplicate: Type.Boolean() })

export const ApiSitePageBody = Type.Object({
  commandId: Uuid,
  kind: Type.Union(SITE_PAGE_KINDS.map((k) => Type.Literal(k))),
  title: Type.String({ maxLength: 200 }),
  body: Type.String({ maxLength: MAX_PAGE_BODY }),
  /** ISO date (Asia/Taipei) the page is shown from. */
  publishedOn: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
}, { additionalProperties: false })
export const ApiSitePageParams = Type.Object({ pageId: Uuid })
const ApiSitePageResult = Type.Object({ pageId: Type.String(), withdrawn: Type.Boolean(), duplicate: Type.Boolean() })

/** Rule content is the largest body (a quota table, the counties with their districts). */
const RULE_BODY_LIMIT = 256 * 1024

const accountResult = (o: AccountOutcome) => ({ accountId: o.accountId, disabled: o.state.exists ? o.state.disabled : false, events: o.events.map((e) => e.type), duplicate: o.duplicate })

export async function registerAdminApiRoutes(app: App) {
  const BASE = '/api/admin'

  // ---- 帳號管理 ----
  app.get(`${BASE}/accounts`, { onRequest: adminsOnly, schema: { querystring: ApiAccountListQuery, response: { 200: ApiAccountList, ...errors } } }, async (request) => {
    const actor = actorOf(request)
    const q = request.query
    const r = await listAccounts(readModelsOf(app), {
      ...(actor.role === 'bureau_admin' ? { county: actor.county ?? '--' } : {}), ...(q.q ? { q: q.q } : {}),
      includeDisabled: q.includeDisabled === true, limit: q.limit ?? 50, offset: q.offset ?? 0,
    })
    return { accounts: r.rows.map((a) => ({ accountId: a.accountId, name: a.name, agency: a.agency, county: a.county, role: a.role, disabled: a.disabled, certificates: a.certificates as Record<string, string>[] })), total: r.total }
  })

  app.post(`${BASE}/accounts`, { onRequest: adminsOnly, schema: { body: ApiCreateAccountBody, response: { 201: ApiAccountResult, 200: ApiAccountResult, ...errors } } }, async (request, reply) => {
    const b = request.body
    const o = await accountsOf(app).create({ accountId: b.accountId, profile: b.profile as AccountProfile, reason: b.reason }, metaOf(request, b.commandId))
    await settle(app, o.position)
    return reply.code(o.duplicate ? 200 : 201).send(accountResult(o))
  })

  app.post(`${BASE}/accounts/:accountId`, { onRequest: adminsOnly, schema: { params: ApiAccountParams, body: ApiChangeAccountBody, response: { 200: ApiAccountResult, ...errors } } }, async (request) => {
    const { accountId } = request.params
    await visibleAccount(app, actorOf(request), accountId)
    const b = request.body
    const o = await accountsOf(app).change(accountId, { profile: b.profile as AccountProfile, reason: b.reason }, metaOf(request, b.commandId))
    await settle(app, o.position)
    return accountResult(o)
  })

  for (const action of ['disable', 'enable'] as const) {
    app.post(`${BASE}/accounts/:accountId/${action}`, { onRequest: adminsOnly, schema: { params: ApiAccountParams, body: ApiReasonBody, response: { 200: ApiAccountResult, ...errors } } }, async (request) => {
      const { accountId } = request.params
      await visibleAccount(app, actorOf(request), accountId)
      const b = request.body
      const o = await accountsOf(app)[action](accountId, { reason: b.reason }, metaOf(request, b.commandId))
      await settle(app, o.position)
      return accountResult(o)
    })
  }

  // ---- 系統設定: quota, routing and the reference lists (支援科別, 支援目的, counties, professions) ----
  app.get(`${BASE}/rules/:name`, { onRequest: adminsOnly, schema: { params: ApiRuleParams, response: { 200: ApiRuleVersions, ...errors } } }, async (request) => {
    const { name } = request.params
    if (!isRuleSetName(name)) throw new DomainError('UNKNOWN_RULE_SET', { name })
    const versions = await rulesOf(app).versions(name)
    const inForce = await rulesOf(app).at(name, app.services.clock().toISOString())
    return { name, inForce: inForce.versionId, versions }
  })

  app.post(`${BASE}/rules/:name`, { onRequest: mohwAdminOnly, bodyLimit: RULE_BODY_LIMIT, schema: { params: ApiRuleParams, body: ApiPublishRuleBody, response: { 201: ApiRuleResult, 200: ApiRuleResult, ...errors } } }, async (request, reply) => {
    const { name } = request.params
    const b = request.body as Static<typeof ApiPublishRuleBody>
    const r = await rulesOf(app).publish(
      { name, effectiveFrom: b.effectiveFrom, reason: b.reason, content: b.content, ...(b.versionId ? { versionId: b.versionId } : {}) },
      metaOf(request, b.commandId),
    )
    await settle(app, r.position)
    return reply.code(r.duplicate ? 200 : 201).send({ name, versionId: r.version.versionId, effectiveFrom: r.version.effectiveFrom, duplicate: r.duplicate })
  })

  // ---- 網站資料管理: 最新消息, 申辦方式說明, 常見問題 (the page id is the command id: the same call twice, one page) ----
  app.post(`${BASE}/site-pages`, { onRequest: mohwAdminOnly, schema: { body: ApiSitePageBody, response: { 201: ApiSitePageResult, 200: ApiSitePageResult, ...errors } } }, async (request, reply) => {
    const b = request.body
    const pageId = b.commandId.toLowerCase()
    const meta = metaOf(request, b.commandId)
    const r = await sitePageHandler(app).handle({
      stream: sitePageStream(pageId),
      command: { type: 'PublishSitePage', data: { pageId, kind: b.kind, title: b.title, body: b.body, publishedOn: b.publishedOn } },
      ctx: { actor: meta.actor },
      meta: { ...meta, occurredAt: app.services.clock().toISOString() },
    })
    await settle(app, r.position)
    return reply.code(r.duplicate ? 200 : 201).send({ pageId, withdrawn: r.state.exists ? r.state.withdrawn : false, duplicate: r.duplicate })
  })

  app.post(`${BASE}/site-pages/:pageId/withdraw`, { onRequest: mohwAdminOnly, schema: { params: ApiSitePageParams, body: ApiReasonBody, response: { 200: ApiSitePageResult, ...errors } } }, async (request) => {
    const { pageId } = request.params
    const b = request.body
    const h = sitePageHandler(app)
    if (!(await h.load(sitePageStream(pageId))).state.exists) throw new DomainError('PAGE_NOT_FOUND')
    const meta = metaOf(request, b.commandId)
    const r = await h.handle({
      stream: sitePageStream(pageId),
      command: { type: 'WithdrawSitePage', data: { reason: b.reason } },
      ctx: { actor: meta.actor },
      meta: { ...meta, occurredAt: app.services.clock().toISOString() },
    })
    await settle(app, r.position)
    return { pageId, withdrawn: r.state.exists ? r.state.withdrawn : false, duplicate: r.duplicate }
  })
}
