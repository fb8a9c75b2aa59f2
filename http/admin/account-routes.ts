// 帳號管理: list and search accounts (a bureau administrator sees their county only), create, change, disable /
// re-enable with a reason, each account's history (its stream), and the bulk import from CSV.
import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { listAccounts, findAccount } from '../../commands/accounts/find-account.js'
import { importAccounts, IMPORT_COLUMNS, MAX_IMPORT_BYTES } from '../../commands/accounts/import-accounts.js'
import { accountStream, mayManage, STAFF_ROLE_LABEL, STAFF_ROLES, isStaffRole, type AccountEvent, type AccountProfile, type CertificateId, type StaffRole } from '../../domain/accounts/account.js'
import { DomainError, isDomainError } from '../../domain/errors.js'
import type { County } from '../../domain/reference/counties.js'
import { FIRST_REFERENCE, referenceNamer } from '../../domain/reference/lists.js'
import type { Actor } from '../../domain/types.js'
import { explain } from '../errors.js'
import { flashFor, redirectWithErrors } from '../form-flash.js'
import type { RawForm } from '../forms/form-values.js'
import { FormBody, type App } from '../schemas.js'
import { accountsOf, actorOf, ADMIN_BASE, adminPage, adminsOnly, asList, metaOf, readModelsOf, settle, storeOf, visibleAccount } from './context.js'

const AccountParams = Type.Object({ accountId: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }) })
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 60 })),
  all: Type.Optional(Type.String({ maxLength: 1 })),
  page: Type.Optional(Type.String({ pattern: '^\\d{1,4}$' })),
  done: Type.Optional(Type.String({ maxLength: 20 })),
})

const str = (b: FormBody, k: string) => {
  const v = b[k]
  return ((Array.isArray(v) ? v[0] : v) ?? '').trim()
}

/** The roles and counties an administrator may give. */
function choices(actor: Actor, inForce: readonly County[] = FIRST_REFERENCE.counties) {
  const roles = STAFF_ROLES.filter((r) => actor.role === 'admin' || r === 'reviewer' || r === 'bureau_admin')
  const counties = actor.role === 'admin' ? inForce : inForce.filter((c) => c.code === actor.county)
  return { roles: roles.map((r) => [r, STAFF_ROLE_LABEL[r]] as const), counties }
}

/** The account form as typed → profile (certificates: issuer + serial pairs, and subjects; blank rows skipped). */
function profileOf(b: FormBody): AccountProfile {
  const issuers = asList(b.certIssuer).map((x) => x.trim())
  const serials = asList(b.certSerial).map((x) => x.trim())
  const certificates: CertificateId[] = []
  for (let i = 0; i < Math.max(issuers.length, serials.length) && i < 10; i++) {
    if (!issuers[i] && !serials[i]) continue
    certificates.push({ issuerDn: issuers[i] ?? '', serialHex: serials[i] ?? '' })
  }
  for (const s of asList(b.certSubject).slice(0, 10)) if (s.trim()) certificates.push({ subjectDn: s.trim() })
  const role = str(b, 'role')
  return {
    name: str(b, 'name'),
    agency: str(b, 'agency'),
    county: str(b, 'county') || null,
    role: (isStaffRole(role) ? role : 'reviewer') as StaffRole,
    certificates,
  }
}

const formOf = (p?: Partial<AccountProfile> & { accountId?: string }) => {
  const certs = p?.certificates ?? []
  const pairs = certs.filter((c): c is { issuerDn: string; serialHex: string } => 'issuerDn' in c)
  const subjects = certs.filter((c): c is { subjectDn: string } => 'subjectDn' in c)
  return {
    accountId: p?.accountId ?? '', name: p?.name ?? '', agency: p?.agency ?? '', county: p?.county ?? '', role: p?.role ?? 'reviewer',
    pairs: [...pairs, { issuerDn: '', serialHex: '' }, ...(pairs.length ? [] : [{ issuerDn: '', serialHex: '' }])],
    subjects: [...subjects.map((s) => s.subjectDn), ''],
  }
}

/** The form's fields a refusal can be said at; any other refusal is said above the form. */
const FORM_FIELDS = new Set(['accountId', 'name', 'agency', 'county', 'role', 'reason'])
/** A refused account command → the error at its field (reason, name…) or above the form. */
function refusalOf(e: DomainError, reasonField = 'reason'): { errors: Record<string, string>; formError?: string } {
  const field = e.code === 'REASON_REQUIRED' ? 'reason' : e.code === 'ACCOUNT_EXISTS' ? 'accountId' : typeof e.details.field === 'string' ? e.details.field : undefined
  if (field && FORM_FIELDS.has(field)) return { errors: { [field === 'reason' ? reasonField : field]: explain(e) } }
  return { errors: {}, formError: explain(e) }
}

const HISTORY_LABEL: Record<AccountEvent['type'], string> = { AccountCreated: '建立帳號', AccountChanged: '變更帳號', AccountDisabled: '停用帳號', AccountEnabled: '重新啟用' }
const FIELD_LABEL: Record<string, string> = { name: '姓名', agency: '機關', county: '縣市', role: '角色', certificates: '憑證' }

export async function registerAccountRoutes(app: App) {
  /** The counties in force now (versioned reference list): the county dropdown. */
  const countiesNow = async () => (await app.services.rules.referenceAt(app.services.clock().toISOString())).counties
  // county names from the lists in force (a county an administrator added has its name)
  const common = async () => {
    const names = referenceNamer({ ...FIRST_REFERENCE, counties: await countiesNow() })
    return { roleLabel: STAFF_ROLE_LABEL, countyName: (c: string | null) => (c ? names.county(c) ?? c : '全國') }
  }

  /** A bureau administrator lists only their county. */
  const listCounty = (a: Actor) => (a.role === 'bureau_admin' ? a.county ?? '--' : undefined)

  app.get(`${ADMIN_BASE}/accounts`, { onRequest: adminsOnly, schema: { querystring: ListQuery } }, async (request, reply) => {
    const actor = actorOf(request)
    const q = request.query
    const page = Math.max(1, Number(q.page ?? '1') || 1)
    const county = listCounty(actor)
    const result = await listAccounts(readModelsOf(app), { ...(county ? { county } : {}), ...(q.q ? { q: q.q } : {}), includeDisabled: q.all === '1', limit: 50, offset: (page - 1) * 50 })
    return adminPage(request, reply, 'admin/accounts.eta', { title: '帳號管理', q, page, result, importColumns: IMPORT_COLUMNS, commandId: randomUUID(), ...(await common()) })
  })

  const NEW_PAGE = `${ADMIN_BASE}/accounts/new`
  app.get(NEW_PAGE, { onRequest: adminsOnly }, async (request, reply) => {
    const a = actorOf(request)
    // a refused form comes back by 303 with what was typed (POST-redirect-GET) and the errors at their fields
    const flash = flashFor(request, NEW_PAGE)
    const form = flash
      ? formOf({ ...profileOf(flash.fields), accountId: str(flash.fields, 'accountId') })
      : formOf(a.role === 'bureau_admin' ? { county: a.county ?? null, agency: (await countiesNow()).find((c) => c.code === a.county)?.bureau ?? '' } : {})
    return adminPage(request, reply, 'admin/account-form.eta', {
      title: '新增帳號', form, error: flash?.formError, errors: flash?.errors ?? {}, reason: flash ? str(flash.fields, 'reason') : '',
      commandId: flash ? str(flash.fields, 'commandId') || randomUUID() : randomUUID(), ...choices(a, await countiesNow()), ...(await common()),
    })
  })

  app.post(`${ADMIN_BASE}/accounts`, { onRequest: adminsOnly, schema: { body: FormBody } }, async (request, reply) => {
    const b = request.body
    const accountId = str(b, 'accountId')
    const profile = profileOf(b)
    try {
      const r = await accountsOf(app).create({ accountId, profile, reason: str(b, 'reason') }, metaOf(request, str(b, 'commandId') || randomUUID()))
      await settle(app, r.position)
      return reply.redirect(`${ADMIN_BASE}/accounts/${encodeURIComponent(accountId)}?done=created`, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      const { errors, formError } = refusalOf(e)
      return redirectWithErrors(request, reply, NEW_PAGE, b as RawForm, errors, formError)
    }
  })

  /** The account, if the administrator may see it (a bureau administrator: their county's accounts). */
  const visible = (request: FastifyRequest, accountId: string) => visibleAccount(app, actorOf(request), accountId)

  const accountPage = (accountId: string) => `${ADMIN_BASE}/accounts/${encodeURIComponent(accountId)}`
  const detailPage = async (request: FastifyRequest, reply: Parameters<typeof adminPage>[1], accountId: string, extra: { done?: string } = {}) => {
    const { state, version } = await visible(request, accountId)
    // a refused change or 停用／啟用 comes back by 303 with what was typed: the change form's fields, or the
    // status form's reason (statusReason), and the errors at their fields
    const flash = flashFor(request, accountPage(accountId))
    const changed = flash && 'name' in flash.fields ? flash.fields : undefined
    const events = await storeOf(app).readStream(accountStream(accountId))
    const history = events.map((e) => {
      const ev = e as unknown as AccountEvent
      return {
        at: e.meta.occurredAt, by: e.meta.actor.name ?? e.meta.actor.id, byId: e.meta.actor.id, what: HISTORY_LABEL[ev.type],
        fields: ev.type === 'AccountChanged' ? ev.data.changed.map((f) => FIELD_LABEL[f] ?? f).join('、') : '',
        reason: ev.data.reason,
      }
    }).reverse()
    const projected = await findAccount(readModelsOf(app), accountId)
    return adminPage(request, reply, 'admin/account.eta', {
      title: `帳號 ${accountId}`, accountId, state, version, history, projected,
      manageable: mayManage(actorOf(request), state.profile),
      form: formOf(changed ? { ...profileOf(changed), accountId } : { ...state.profile, accountId }), commandId: randomUUID(), ...choices(actorOf(request), await countiesNow()), ...extra, ...(await common()),
      error: flash?.formError, errors: flash?.errors ?? {}, reason: changed ? str(changed, 'reason') : '', statusReason: flash ? str(flash.fields, 'statusReason') : '',
    })
  }

  app.get(`${ADMIN_BASE}/accounts/:accountId`, { onRequest: adminsOnly, schema: { params: AccountParams, querystring: ListQuery } }, async (request, reply) =>
    detailPage(request, reply, request.params.accountId, request.query.done ? { done: request.query.done } : {}))

  app.post(`${ADMIN_BASE}/accounts/:accountId`, { onRequest: adminsOnly, schema: { params: AccountParams, body: FormBody } }, async (request, reply) => {
    const { accountId } = request.params
    await visible(request, accountId)
    const b = request.body
    try {
      const r = await accountsOf(app).change(accountId, { profile: profileOf(b), reason: str(b, 'reason') }, metaOf(request, str(b, 'commandId') || randomUUID()))
      await settle(app, r.position)
      return reply.redirect(`${ADMIN_BASE}/accounts/${encodeURIComponent(accountId)}?done=${r.events.length ? 'changed' : 'unchanged'}`, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      const { errors, formError } = refusalOf(e)
      return redirectWithErrors(request, reply, accountPage(accountId), b as RawForm, errors, formError)
    }
  })

  app.post(`${ADMIN_BASE}/accounts/:accountId/status`, { onRequest: adminsOnly, schema: { params: AccountParams, body: FormBody } }, async (request, reply) => {
    const { accountId } = request.params
    await visible(request, accountId)
    const b = request.body
    const enable = str(b, 'action') === 'enable'
    try {
      const meta = metaOf(request, str(b, 'commandId') || randomUUID())
      const r = enable ? await accountsOf(app).enable(accountId, { reason: str(b, 'reason') }, meta) : await accountsOf(app).disable(accountId, { reason: str(b, 'reason') }, meta)
      await settle(app, r.position)
      return reply.redirect(`${ADMIN_BASE}/accounts/${encodeURIComponent(accountId)}?done=${enable ? 'enabled' : 'disabled'}`, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      const { errors, formError } = refusalOf(e, 'statusReason')
      return redirectWithErrors(request, reply, accountPage(accountId), undefined, errors, formError, { commandId: str(b, 'commandId'), statusReason: str(b, 'reason') })
    }
  })

  // bulk import: multipart `file` (CSV, UTF-8 or Big5); every row reported
  // refused (no file, too big, unreadable): 303 to 帳號管理 with the message as a notice (the file is chosen again)
  app.post(`${ADMIN_BASE}/accounts/import`, { onRequest: adminsOnly, bodyLimit: MAX_IMPORT_BYTES + 64 * 1024, config: { refusedTo: `${ADMIN_BASE}/accounts` } }, async (request, reply) => {
    const body = request.body as Record<string, { toBuffer?: () => Promise<Buffer>; filename?: string; file?: NodeJS.ReadableStream } | undefined> | undefined
    const file = body?.file
    if (!file || typeof file.toBuffer !== 'function') throw new DomainError('IMPORT_FILE_INVALID', {}, '請選擇要匯入的 CSV 檔案')
    const content = await file.toBuffer()
    if (content.length > MAX_IMPORT_BYTES) throw new DomainError('IMPORT_FILE_INVALID', {}, `匯入檔案過大（上限 ${Math.floor(MAX_IMPORT_BYTES / 1024)} KB）`)
    const result = await importAccounts(accountsOf(app), content, { actor: actorOf(request), ...(file.filename ? { fileName: file.filename } : {}), correlationId: String(request.id), maxBytes: MAX_IMPORT_BYTES })
    if (result.last) await settle(app, result.last)
    return adminPage(request, reply, 'admin/import-result.eta', { title: '帳號匯入結果', result, ...(await common()) })
  })
}
