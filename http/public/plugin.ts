// The public portal pages around the login (no session needed): 最新消息, 申辦方式說明, 常見問題 (written in the back
// office's 網站資料管理, shown from their date, Markdown sanitized) and 申辦進度查詢 — case number + the applicant's
// ID → the status and the dates, nothing else; guesses limited (progress-limit.ts).
import { Type } from '@sinclair/typebox'
import { DomainError } from '../../domain/errors.js'
import { normalizePersonId, isValidPersonId } from '../../domain/national-id.js'
import { SITE_PAGE_KIND_LABEL, type SitePageKind } from '../../domain/site/site-page.js'
import { taipeiDate } from '../../domain/roc-date.js'
import { APPLICATION_TYPE_LABEL, STATUS_LABEL, type ApplicationType, type Status } from '../../domain/types.js'
import { isApi } from '../errors.js'
import { FormBody, type App } from '../schemas.js'
import { renderMarkdown } from './markdown.js'
import { chargeLookup, refundLookup, sweepLookupCharges } from './progress-limit.js'
import { getSitePage, listSitePages } from './site-pages.js'

const PageParams = Type.Object({ pageId: Type.String({ format: 'uuid' }) })

export interface ProgressAnswer {
  caseNumber: string
  status: Status
  applicationType: ApplicationType
  submittedAt: string | null
  decidedAt: string | null
  scheduleFrom: string | null
  scheduleTo: string | null
}

export async function publicPagesPlugin(app: App) {
  const rm = () => app.services.readModels
  const today = () => taipeiDate(app.services.clock().toISOString())

  const listPage = (kind: SitePageKind, template: string) => async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const pages = await listSitePages(rm(), { kind, today: today() })
    return reply.page(template, { title: SITE_PAGE_KIND_LABEL[kind], pages: await Promise.all(pages.map(async (p) => ({ ...p, html: await renderMarkdown(p.body) }))), kind })
  }
  app.get('/news', listPage('news', 'public/news.eta'))
  app.get('/how-to', listPage('howto', 'public/pages.eta'))
  app.get('/faq', listPage('faq', 'public/pages.eta'))

  app.get('/news/:pageId', { schema: { params: PageParams } }, async (request, reply) => {
    const p = await getSitePage(rm(), request.params.pageId)
    if (!p || p.withdrawn || p.kind !== 'news' || p.publishedOn > today()) throw new DomainError('PAGE_NOT_FOUND')
    return reply.page('public/news-item.eta', { title: p.title, page: { ...p, html: await renderMarkdown(p.body) } })
  })

  app.get('/progress', async (_request, reply) => reply.page('public/progress.eta', { title: '申辦進度查詢', form: { caseNumber: '', applicantId: '' } }))

  // one body for the page (form fields) and the API (JSON): { caseNumber, applicantId }
  app.post('/progress', { schema: { body: FormBody }, bodyLimit: 4096 }, async (request, reply) => {
    const b = request.body
    const one = (k: string) => ((Array.isArray(b[k]) ? b[k][0] : b[k]) ?? '').toString().trim()
    const caseNumber = one('caseNumber')
    const applicantId = normalizePersonId(one('applicantId'))
    const form = { caseNumber, applicantId: '' } // the ID typed is never echoed back
    const render = (status: number, data: Record<string, unknown>) => reply.code(status).page('public/progress.eta', { title: '申辦進度查詢', form, ...data })
    if (!/^\d{14}$/.test(caseNumber) || !isValidPersonId(applicantId)) {
      const e = new DomainError('VALIDATION_FAILED', { fields: ['caseNumber', 'applicantId'] }, '請輸入 14 碼案件編號與正確的身分證號')
      if (isApi(request)) throw e
      return render(400, { error: e.message })
    }
    const db = app.services.db
    const now = app.services.clock()
    // charged first, judged after: past the limit nothing is looked up
    const charge = await chargeLookup(db, request.ip, caseNumber, now)
    if (Math.random() < 0.01) void sweepLookupCharges(db, now).catch(() => {})
    if (!charge.allowed) {
      reply.header('retry-after', '900')
      return render(429, { error: new DomainError('PROGRESS_TOO_MANY').message })
    }
    const rows = await rm().select<{ case_number: string; status: Status; application_type: ApplicationType; submitted_at: Date | null; decided_at: Date | null; schedule_from: string | null; schedule_to: string | null }>('cases', (t) => ({
      text: `SELECT case_number, status, application_type, submitted_at, decided_at, schedule_from::text AS schedule_from, schedule_to::text AS schedule_to
             FROM ${t('cases')} WHERE case_number = $1 AND national_id = $2 LIMIT 1`,
      params: [caseNumber, applicantId],
    }))
    const r = rows[0]
    if (!r) return render(404, { error: new DomainError('PROGRESS_NOT_FOUND').message })
    await refundLookup(db, charge)
    const answer: ProgressAnswer = {
      caseNumber: r.case_number, status: r.status, applicationType: r.application_type,
      submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null, decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
      scheduleFrom: r.schedule_from, scheduleTo: r.schedule_to,
    }
    return render(200, { answer, labels: { status: STATUS_LABEL, type: APPLICATION_TYPE_LABEL } })
  })
}
