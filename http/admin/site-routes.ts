// 網站資料管理: the public portal's pages (最新消息, 申辦方式說明, 常見問題), listed, written in Markdown with a
// preview, published with a date, withdrawn with a reason. MOHW administrators only.
import { randomUUID } from 'node:crypto'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, isDomainError } from '../../domain/errors.js'
import { isoToRoc, taipeiDate } from '../../domain/roc-date.js'
import { dateExamples, readDateField } from '../forms/date-field.js'
import { isSitePageKind, SITE_PAGE_KIND_LABEL, SITE_PAGE_KINDS, sitePageStream, type SitePageKind } from '../../domain/site/site-page.js'
import { explain } from '../errors.js'
import { flashFor, redirectWithErrors } from '../form-flash.js'
import { FormBody, type App } from '../schemas.js'
import { listSitePages } from '../public/site-pages.js'
import { renderMarkdown } from '../public/markdown.js'
import { ADMIN_BASE, adminPage, metaOf, mohwAdminOnly, readModelsOf, settle } from './context.js'
import { sitePageHandler } from './site-commands.js'

const PageParams = Type.Object({ pageId: Type.String({ format: 'uuid' }) })
const KindQuery = Type.Object({ kind: Type.Optional(Type.String({ maxLength: 10 })), done: Type.Optional(Type.String({ maxLength: 20 })) })

const field = (b: FormBody, k: string) => {
  const v = b[k]
  return (Array.isArray(v) ? v[0] : v) ?? ''
}

export async function registerSiteRoutes(app: App) {
  const handler = {
    handle: (...a: Parameters<ReturnType<typeof sitePageHandler>['handle']>) => sitePageHandler(app).handle(...a),
    load: (stream: string) => sitePageHandler(app).load(stream),
  }
  const today = () => taipeiDate(app.services.clock().toISOString())

  app.get(`${ADMIN_BASE}/site`, { onRequest: mohwAdminOnly, schema: { querystring: KindQuery } }, async (request, reply) => {
    const pages = await listSitePages(readModelsOf(app), { includeWithdrawn: true, includeFuture: true })
    return adminPage(request, reply, 'admin/site.eta', { title: '網站資料管理', pages, kinds: SITE_PAGE_KINDS, kindLabel: SITE_PAGE_KIND_LABEL, done: request.query.done })
  })

  /** The form's page: a new page's, or the page's own. */
  const pageOf = (pageId?: string) => (pageId ? `${ADMIN_BASE}/site/${pageId}` : `${ADMIN_BASE}/site/new`)
  const formPage = async (request: FastifyRequest, reply: FastifyReply, stored: { pageId?: string; kind: SitePageKind; title: string; body: string; publishedOn: string; withdrawn?: boolean }) => {
    // a refused form comes back by 303 with what was typed (POST-redirect-GET) and the errors at their fields; the
    // preview stays the stored content's
    const flash = flashFor(request, pageOf(stored.pageId))
    const typed = (k: string) => (flash && typeof flash.fields[k] === 'string' ? (flash.fields[k] as string) : undefined)
    const kind = typed('kind')
    const data = flash && 'title' in flash.fields
      ? { ...stored, kind: kind && isSitePageKind(kind) ? kind : stored.kind, title: typed('title') ?? '', body: typed('body') ?? '', publishedOn: typed('publishedOn') ?? '', error: flash.formError, fieldErrors: flash.errors ?? {} }
      : { ...stored, error: flash?.formError, fieldErrors: flash?.errors ?? {} }
    const ex = dateExamples(app.services.clock())
    return adminPage(request, reply, 'admin/site-form.eta', {
      title: stored.pageId ? '編輯網站內容' : '新增網站內容', page: data, kinds: SITE_PAGE_KINDS, kindLabel: SITE_PAGE_KIND_LABEL,
      publishedOnField: { ...readDateField(data.publishedOn, '發布日期', ex), ...(data.fieldErrors.publishedOn ? { error: data.fieldErrors.publishedOn } : {}) }, ex,
      preview: stored.body.trim() ? await renderMarkdown(stored.body) : '',
      // a new page's id is its form's command id: the same form sent again publishes one page
      commandId: typed('commandId') || randomUUID(), withdrawReason: typed('withdrawReason') ?? '',
    })
  }

  app.get(`${ADMIN_BASE}/site/new`, { onRequest: mohwAdminOnly, schema: { querystring: KindQuery } }, async (request, reply) => {
    const kind = isSitePageKind(request.query.kind ?? '') ? (request.query.kind as SitePageKind) : 'news'
    return formPage(request, reply, { kind, title: '', body: '', publishedOn: isoToRoc(today()) })
  })

  async function publish(request: FastifyRequest, reply: FastifyReply, pageId: string, b: FormBody, isNew: boolean) {
    const kind = field(b, 'kind')
    const typed = { pageId, kind: (isSitePageKind(kind) ? kind : 'news') as SitePageKind, title: field(b, 'title'), body: field(b, 'body'), publishedOn: field(b, 'publishedOn').trim() }
    const again = (errors: Record<string, string>, formError?: string) =>
      redirectWithErrors(request, reply, pageOf(isNew ? undefined : pageId), undefined, errors, formError, { kind, title: typed.title, body: typed.body, publishedOn: typed.publishedOn, commandId: field(b, 'commandId') })
    try {
      // the date as typed (1130301, 113/03/01, 2024/03/01), read by the one rule; a bad one is said at its field
      const date = readDateField(typed.publishedOn, '發布日期', dateExamples(app.services.clock()))
      if (!date.iso) return again({ publishedOn: date.error ?? '請輸入發布日期' })
      const now = app.services.clock().toISOString()
      const r = await handler.handle({
        stream: sitePageStream(pageId),
        command: { type: 'PublishSitePage', data: { pageId, kind, title: typed.title, body: typed.body, publishedOn: date.iso } as never },
        ctx: { actor: metaOf(request, '').actor },
        meta: { ...metaOf(request, field(b, 'commandId') || randomUUID()), correlationId: String(request.id), occurredAt: now },
      })
      await settle(app, r.position)
      return reply.redirect(`${ADMIN_BASE}/site?done=published`, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      // a field the rule names (標題, 內容) is said at its field; anything else above the form
      const at = (e.details.fields as unknown[] | undefined)?.[0]
      return typeof at === 'string' && ['title', 'body', 'kind'].includes(at) ? again({ [at]: explain(e) }) : again({}, explain(e))
    }
  }

  app.post(`${ADMIN_BASE}/site`, { onRequest: mohwAdminOnly, schema: { body: FormBody } }, async (request, reply) => {
    // the page id comes from the form's command id: sending the same form twice publishes one page
    const cid = field(request.body, 'commandId')
    const pageId = /^[0-9a-f-]{36}$/i.test(cid) ? cid.toLowerCase() : randomUUID()
    return publish(request, reply, pageId, request.body, true)
  })

  const load = async (pageId: string) => {
    const l = await handler.load(sitePageStream(pageId))
    if (!l.state.exists) throw new DomainError('PAGE_NOT_FOUND')
    return l.state
  }

  app.get(`${ADMIN_BASE}/site/:pageId`, { onRequest: mohwAdminOnly, schema: { params: PageParams } }, async (request, reply) => {
    const s = await load(request.params.pageId)
    return formPage(request, reply, { pageId: s.pageId, kind: s.content.kind, title: s.content.title, body: s.content.body, publishedOn: isoToRoc(s.content.publishedOn), withdrawn: s.withdrawn })
  })

  app.post(`${ADMIN_BASE}/site/:pageId`, { onRequest: mohwAdminOnly, schema: { params: PageParams, body: FormBody } }, async (request, reply) => {
    await load(request.params.pageId)
    return publish(request, reply, request.params.pageId, request.body, false)
  })

  app.post(`${ADMIN_BASE}/site/:pageId/withdraw`, { onRequest: mohwAdminOnly, schema: { params: PageParams, body: FormBody } }, async (request, reply) => {
    const { pageId } = request.params
    await load(pageId)
    const b = request.body
    try {
      const r = await handler.handle({
        stream: sitePageStream(pageId),
        command: { type: 'WithdrawSitePage', data: { reason: field(b, 'reason') } },
        ctx: { actor: metaOf(request, '').actor },
        meta: { ...metaOf(request, field(b, 'commandId') || randomUUID()), correlationId: String(request.id), occurredAt: app.services.clock().toISOString() },
      })
      await settle(app, r.position)
      return reply.redirect(`${ADMIN_BASE}/site?done=withdrawn`, 303)
    } catch (e) {
      if (!isDomainError(e)) throw e
      // refused (no reason): back to the page, the error at the 下架理由 field
      return redirectWithErrors(request, reply, pageOf(pageId), undefined, { withdrawReason: explain(e) }, undefined, { withdrawReason: field(b, 'reason') })
    }
  })
}
