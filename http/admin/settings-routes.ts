// 系統設定: the rule sets (quota table, review routing, reference lists) with every version, the one in force now and
// those waiting for their date; the MOHW administrator publishes a new version (JSON content, effective date and
// time in ROC, reason). Bureau administrators read.
import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, isDomainError } from '../../domain/errors.js'
import { taipeiInstant } from '../../domain/roc-date.js'
import { dateExamples, readDateField } from '../forms/date-field.js'
import { inForce, isRuleSetName, RULE_SET_LABEL, RULE_SET_NAMES, type RuleSetName } from '../../domain/rules/rule-sets.js'
import { explain } from '../errors.js'
import { flashFor, redirectWithErrors } from '../form-flash.js'
import { KEPT_FORM_MAX_BYTES } from '../kept-forms.js'
import { FormBody, type App } from '../schemas.js'
import { actorOf, ADMIN_BASE, adminPage, adminsOnly, metaOf, mohwAdminOnly, rulesOf, settle } from './context.js'

const NameParams = Type.Object({ name: Type.String({ maxLength: 20 }) })
const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 40 })) })
const MAX_CONTENT = 200_000

const field = (b: FormBody, k: string) => {
  const v = b[k]
  return ((Array.isArray(v) ? v[0] : v) ?? '').trim()
}

/** HHmm (empty = 0000) → 'HH:MM', or undefined. */
const effectiveClock = (time: string): string | undefined => {
  const t = time || '0000'
  return /^([01]\d|2[0-3])[0-5]\d$/.test(t) ? `${t.slice(0, 2)}:${t.slice(2)}` : undefined
}

export async function registerSettingsRoutes(app: App) {
  app.get(`${ADMIN_BASE}/settings`, { onRequest: adminsOnly }, async (request, reply) => {
    const now = app.services.clock().toISOString()
    const sets = []
    for (const name of RULE_SET_NAMES) {
      const versions = await rulesOf(app).versions(name)
      const current = inForce(versions, now)
      sets.push({ name, label: RULE_SET_LABEL[name], current, upcoming: versions.filter((v) => Date.parse(v.effectiveFrom) > Date.parse(now)), count: versions.length })
    }
    return adminPage(request, reply, 'admin/settings.eta', { title: '系統設定', sets })
  })

  const setPage = async (request: FastifyRequest, reply: FastifyReply, name: RuleSetName, given: { done?: string } = {}) => {
    // a refused version comes back by 303 with what was typed (POST-redirect-GET) and the errors at their fields
    const flash = flashFor(request, `${ADMIN_BASE}/settings/${name}`)
    const typed = (k: string) => (flash && typeof flash.fields[k] === 'string' ? (flash.fields[k] as string) : undefined)
    const extra = {
      ...given,
      ...(flash ? {
        content: typed('content'), effectiveDate: typed('effectiveDate') ?? '', effectiveTime: typed('effectiveTime') ?? '', reason: typed('reason') ?? '', versionId: typed('versionId') ?? '',
        fieldErrors: flash.errors ?? {}, error: flash.formError,
      } : {}),
    }
    const now = app.services.clock().toISOString()
    const versions = await rulesOf(app).versions(name)
    const current = inForce(versions, now)
    const ex = dateExamples(app.services.clock())
    return adminPage(request, reply, 'admin/setting.eta', {
      title: `系統設定：${RULE_SET_LABEL[name]}`, name, label: RULE_SET_LABEL[name], versions: [...versions].reverse(), current, now,
      canPublish: actorOf(request).role === 'admin', commandId: typed('commandId') || randomUUID(),
      content: extra.content ?? JSON.stringify(versions.at(-1)?.content ?? current?.content ?? null, null, 2),
      ...extra,
      // the effective date as typed, with what it was read as (or its error), placeholders in the current year
      effectiveDateField: { ...readDateField(extra.effectiveDate, '生效日期', ex), ...(extra.fieldErrors?.effectiveDate ? { error: extra.fieldErrors.effectiveDate } : {}) },
      ex,
      fieldErrors: extra.fieldErrors ?? {},
    })
  }

  app.get(`${ADMIN_BASE}/settings/:name`, { onRequest: adminsOnly, schema: { params: NameParams, querystring: DoneQuery } }, async (request, reply) => {
    const { name } = request.params
    if (!isRuleSetName(name)) throw new DomainError('UNKNOWN_RULE_SET', { name })
    return setPage(request, reply, name, request.query.done ? { done: request.query.done } : {})
  })

  app.post(`${ADMIN_BASE}/settings/:name`, { onRequest: mohwAdminOnly, schema: { params: NameParams, body: FormBody } }, async (request, reply) => {
    const { name } = request.params
    if (!isRuleSetName(name)) throw new DomainError('UNKNOWN_RULE_SET', { name })
    const b = request.body
    const raw = field(b, 'content')
    const typed = { content: raw, effectiveDate: field(b, 'effectiveDate'), effectiveTime: field(b, 'effectiveTime'), reason: field(b, 'reason'), versionId: field(b, 'versionId'), commandId: field(b, 'commandId') }
    // refused: 303 back to the page with what was typed; content beyond the flash's bound is not carried (said so)
    const carried = Buffer.byteLength(raw) <= KEPT_FORM_MAX_BYTES
    const again = (fieldErrors: Record<string, string>, formError?: string) =>
      redirectWithErrors(request, reply, `${ADMIN_BASE}/settings/${name}`, undefined, fieldErrors,
        carried ? formError : [formError, '內容過長，未能帶回，請重新貼上'].filter(Boolean).join('；'),
        carried ? typed : { ...typed, content: '' })
    try {
      if (raw.length > MAX_CONTENT) throw new DomainError('RULE_VERSION_INVALID', {}, '規則內容過長')
      let content: unknown
      try {
        content = JSON.parse(raw)
      } catch {
        throw new DomainError('RULE_VERSION_INVALID', {}, '規則內容不是正確的 JSON 格式')
      }
      // the date as typed (1130301, 113/03/01, 2024/03/01), read by the one rule; each bad value is said at its field
      const date = readDateField(typed.effectiveDate, '生效日期', dateExamples(app.services.clock()))
      const clock = effectiveClock(typed.effectiveTime)
      const fieldErrors: Record<string, string> = {}
      if (!date.iso) fieldErrors.effectiveDate = date.error ?? '請輸入生效日期'
      if (!clock) fieldErrors.effectiveTime = '時間不正確（HHmm，例：0000、0830）'
      if (!date.iso || !clock) return again(fieldErrors)
      const effectiveFrom = taipeiInstant(date.iso, clock)
      const r = await rulesOf(app).publish(
        { name, effectiveFrom, reason: typed.reason, content, ...(typed.versionId ? { versionId: typed.versionId } : {}) },
        metaOf(request, field(b, 'commandId') || randomUUID()),
      )
      await settle(app, r.position)
      return reply.redirect(`${ADMIN_BASE}/settings/${name}?done=${encodeURIComponent(r.version.versionId)}`, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      // said at its field when the rule names one (reason, versionId), above the form otherwise
      const at = e.code === 'REASON_REQUIRED' ? 'reason' : e.details.field === 'versionId' || e.details.field === 'reason' ? e.details.field : undefined
      return at ? again({ [at]: explain(e) }) : again({}, explain(e))
    }
  })
}
