// 批次上傳: template download, upload + per-row/per-cell check, confirm, background filing with a progress bar.
// 申請類別 登錄 / 變更 / 註銷 for the front office; 整批申請 (登錄 on behalf) for a bureau's reviewers.
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { App } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { files, str, type RawForm } from '../forms/form-values.js'
import { checkBatchRows, checkCaseRows } from '../batch/check.js'
import { DomainError } from '../../domain/errors.js'
import { BATCH_KIND_LABEL, BATCH_LAYOUT, batchTemplateCsv, batchTemplateXlsx, isBatchKind, parseBatchFile, type BatchKind } from '../batch/parse.js'
import { BatchJobs, commandIdOfRow, type BatchJob, type OnBehalfOf } from '../batch/jobs.js'
import { casesByReference, existingCaseIds } from '../../projections/queries/batch-cases.js'
import { boPage, reviewerOnly } from '../back-office/context.js'
import { scopeOf } from '../scope.js'
import { caseIdFor } from '../../domain/name-uuid.js'
import { referenceNamer } from '../../domain/reference/lists.js'
import { flashFor, redirectWithErrors, redirectWithNotice } from '../form-flash.js'
import { explain } from '../errors.js'

/**
 * Who batch-files where: an institution for its staff, a professional their own rows (登錄, 變更 and 註銷 of their
 * cases), a reviewer 整批申請 (登錄 on behalf of professionals or institutions of their county, recorded as such). The
 * same check, confirmation and progress; a job belongs to its owner (an institution code, `pro:` and the
 * professional's ID, `rev:` and the reviewer's account).
 */
const SIDES = [
  { base: '/institution/batch', guard: requireRole('institution'), kinds: ['register', 'change', 'cancel'], staff: false },
  { base: '/reports/batch', guard: requireRole('professional'), kinds: ['register', 'change', 'cancel'], staff: false },
  // 後台 整批申請: filing on behalf is a registration (the domain lets a reviewer draft and submit only that)
  { base: '/review/batch', guard: reviewerOnly, kinds: ['register'], staff: true },
] as const satisfies readonly { base: string; guard: unknown; kinds: readonly BatchKind[]; staff: boolean }[]
const ON_BEHALF: readonly [OnBehalfOf, string][] = [['professional', '醫事人員本人'], ['institution', '其執業機構']]
/** Batch jobs one institution may have open (checked and waiting, or running) at once. */
export const MAX_OPEN_JOBS = 3
const JobParams = Type.Object({ jobId: Type.String({ pattern: '^[0-9a-f]{64}$' }) })
const KindQuery = Type.Object({ kind: Type.Optional(Type.Union([Type.Literal('register'), Type.Literal('change'), Type.Literal('cancel')])) })

export async function registerBatchRoutes(app: App) {
  const jobs = new BatchJobs(app.services.db, () => ({ reports: app.services.reports, store: app.services.store, ...(app.services.waitFor ? { waitFor: app.services.waitFor } : {}) }), { maxOpen: MAX_OPEN_JOBS })
  // a job left running by a stopped server is resumed when this one starts (and taken over later if its runner dies)
  app.addHook('onReady', async () => {
    await jobs.resume()
    jobs.startBackground()
  })
  app.addHook('onClose', async () => jobs.stop())
  const codeOf = (r: FastifyRequest) => {
    const a = userOf(r).actor
    return a.role === 'professional' ? `pro:${a.id}` : a.role === 'reviewer' ? `rev:${a.id}` : a.institutionCode ?? a.id
  }
  // 支援科別 / 支援目的 in force now (the same version the filing is checked against)
  const referenceNow = () => app.services.rules.referenceAt(app.services.clock().toISOString())
  for (const { base, guard, kinds, staff } of SIDES) {
    const offered: readonly BatchKind[] = kinds
    /** A page in the side's own layout (the back office has its own, with the bureau in the header). */
    const page = (request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) =>
      staff ? boPage(request, reply, template, { ...data, layoutName: '/back-office/layout', base, staff }) : reply.page(template, { ...data, layoutName: '/layout', base, staff })
    const title = staff ? '整批申請（代為申請）' : '批次上傳'
    /** The upload page; a refused upload comes back to it by 303 with the choices made and the errors (the flash). */
    const uploadPage = (request: FastifyRequest, reply: FastifyReply, kind?: BatchKind) => {
      const flash = flashFor(request, base)
      const typed = (k: string) => (flash && typeof flash.fields[k] === 'string' ? (flash.fields[k] as string) : undefined)
      const typedKind = typed('kind')
      const e = flash?.errors ?? {}
      return page(request, reply, 'pages/batch-upload.eta', {
        title, kinds: offered.map((k) => [k, BATCH_KIND_LABEL[k], BATCH_LAYOUT[k].columns]), onBehalfChoices: staff ? ON_BEHALF : [],
        kind: isBatchKind(typedKind) && offered.includes(typedKind) ? typedKind : kind ?? (offered.length === 1 ? offered[0] : ''),
        onBehalfOf: typed('onBehalfOf') ?? '', fileError: e.file, kindError: e.kind, onBehalfError: e.onBehalfOf,
        // a browser never keeps a chosen file: after any refusal the file is chosen again
        chooseAgain: Boolean(flash),
      })
    }
    const kindOf = (request: FastifyRequest): BatchKind => {
      const k = (request.query as { kind?: string }).kind
      return isBatchKind(k) && offered.includes(k) ? k : 'register'
    }

    app.get(base, { onRequest: guard, schema: { querystring: KindQuery } }, async (request, reply) => uploadPage(request, reply, kindOf(request)))
    app.get(`${base}/template.xlsx`, { onRequest: guard, schema: { querystring: KindQuery } }, async (request, reply) => {
      const kind = kindOf(request)
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="baobei-batch-${kind}-template.xlsx"`).send(await batchTemplateXlsx(app.services.clock(), await referenceNow(), kind))
    })
    app.get(`${base}/template.csv`, { onRequest: guard, schema: { querystring: KindQuery } }, async (request, reply) => {
      const kind = kindOf(request)
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="baobei-batch-${kind}-template.csv"`).send(batchTemplateCsv(app.services.clock(), await referenceNow(), kind))
    })

    // refused (no file, too big, wrong kind, unreadable): 303 to the upload page with the zh-TW error at its field, or
    // as a notice when the upload itself was refused before this handler (too big for the multipart limits)
    app.post(base, { onRequest: guard, config: { refusedTo: base } }, async (request, reply) => {
      const code = codeOf(request)
      const body = request.body as RawForm
      const [upload] = await files(body, 'file')
      // 申請類別: chosen on the page (a side offering one kind needs no choice)
      const typedKind = offered.length === 1 ? offered[0]! : str(body, 'kind') || 'register'
      const typedParty = str(body, 'onBehalfOf')
      const again = (errors: { file?: string; kind?: string; onBehalfOf?: string }) =>
        redirectWithErrors(request, reply, base, undefined, errors, undefined, { kind: typedKind, onBehalfOf: typedParty })
      if (!isBatchKind(typedKind) || !offered.includes(typedKind)) return again({ kind: '請選擇申請類別：登錄、變更或註銷' })
      const kind: BatchKind = typedKind
      let onBehalfOf: OnBehalfOf | undefined
      if (staff) {
        if (typedParty !== 'professional' && typedParty !== 'institution') return again({ onBehalfOf: '請選擇代為申請的對象：醫事人員本人或其執業機構' })
        onBehalfOf = typedParty
      }
      if (!upload) return again({ file: '請選擇要上傳的檔案' })
      const fileHash = createHash('sha256').update(upload.content).digest('hex')
      // a file is one job per owner and party of record (the kind is in the file: its header)
      const jobId = createHash('sha256').update(onBehalfOf ? `${code}:${onBehalfOf}:${fileHash}` : `${code}:${fileHash}`).digest('hex')
      const full = () => again({ file: `尚有 ${MAX_OPEN_JOBS} 個批次作業未完成，請待完成或確認後再上傳` })
      // a cheap early refusal before parsing; the binding check is atomic, when the job is stored
      if (!(await jobs.has(jobId)) && (await jobs.openOf(code)) >= MAX_OPEN_JOBS) return full()
      let rows
      try {
        rows = await parseBatchFile(upload.content, { kind })
      } catch (e) {
        if (e instanceof DomainError) return again({ file: e.message })
        throw e
      }
      const reference = await referenceNow()
      const user = userOf(request)
      const scope = scopeOf(user)
      const checked = kind === 'register'
        ? await checkBatchRows(rows as unknown as Parameters<typeof checkBatchRows>[0], { reports: app.services.reports, actor: user.actor, owner: code, reference, ...(onBehalfOf ? { onBehalfOf } : {}) })
        : await checkCaseRows(kind, rows, { reports: app.services.reports, actor: user.actor, owner: code, reference, findCases: (refs) => casesByReference(app.services.readModels, scope, refs) })
      const job: BatchJob = { id: jobId, owner: code, fileName: upload.filename, fileHash, kind, ...(onBehalfOf ? { onBehalfOf } : {}), valid: checked.valid, invalid: checked.invalid, state: 'checked', filedBefore: 0 }
      if (kind === 'register') {
        // rows filed by an earlier upload of the same rows (even before a restart): they will not be filed again
        const filed = await existingCaseIds(app.services.readModels, scope, job.valid.map((r) => caseIdFor(commandIdOfRow(r))))
        for (const r of job.valid) r.filedBefore = filed.has(caseIdFor(commandIdOfRow(r)))
      }
      // 變更 / 註銷: the check found the rows whose command their case already holds
      job.filedBefore = job.valid.filter((r) => r.filedBefore).length
      const stored = await jobs.put(job)
      if (stored === 'full') return full()
      const names = referenceNamer(reference)
      return page(request, reply, 'pages/batch-check.eta', {
        title: `${title}：檢查結果`, job: { ...job, state: stored.state }, columns: BATCH_LAYOUT[kind].columns, kindLabel: BATCH_KIND_LABEL[kind],
        onBehalfLabel: onBehalfOf ? ON_BEHALF.find(([v]) => v === onBehalfOf)![1] : '',
        departmentName: (c: string) => `${c} ${names.department(c) ?? ''}`, purposeName: (c: string) => names.purpose(c) ?? c,
      })
    })

    // a job gone (expired, confirmed elsewhere, another owner's): 303 to the upload page saying so (upload again)
    app.post(`${base}/:jobId/confirm`, { onRequest: guard, schema: { params: JobParams }, config: { refusedTo: base } }, async (request, reply) => {
      const jobId = (request.params as { jobId: string }).jobId
      if (!(await jobs.confirm(jobId, codeOf(request), userOf(request).actor, String(request.id)))) return redirectWithNotice(request, reply, base, explain(new DomainError('BATCH_NOT_FOUND')))
      return reply.redirect(`${base}/${jobId}`, 303)
    })

    // the progress fragment is polled every second: htmx requests do not keep the session alive
    app.get(`${base}/:jobId`, { onRequest: guard, config: { passive: 'htmx' }, schema: { params: JobParams } }, async (request, reply) => {
      const job = await jobs.progress((request.params as { jobId: string }).jobId, codeOf(request))
      if (!job) throw new DomainError('BATCH_NOT_FOUND')
      const results = staff ? '/review/cases?status=under_review' : '/reports?status=under_review'
      if (request.headers['hx-request'] === 'true') return reply.type('text/html; charset=utf-8').viewAsync('partials/batch-progress.eta', { job, base, results, kindLabel: BATCH_KIND_LABEL[job.kind] })
      return page(request, reply, 'pages/batch-progress.eta', { title: `${title}：處理進度`, job, results, kindLabel: BATCH_KIND_LABEL[job.kind] })
    })
  }
}
