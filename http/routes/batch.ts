// 批次上傳: template download, upload + per-row/per-cell check, confirm, background filing with a progress bar.
import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { App } from '../schemas.js'
import { requireRole, userOf } from '../session.js'
import { files, type RawForm } from '../forms/form-values.js'
import { checkBatchRows } from '../batch/check.js'
import { DomainError } from '../../domain/errors.js'
import { BATCH_COLUMNS, batchTemplateCsv, batchTemplateXlsx, parseBatchFile } from '../batch/parse.js'
import { BatchJobs, type BatchJob } from '../batch/jobs.js'
import { existingCaseIds } from '../../projections/queries/batch-cases.js'
import { scopeOf } from '../scope.js'
import { caseIdFor } from '../../domain/name-uuid.js'
import { referenceNamer } from '../../domain/reference/lists.js'

/**
 * Who batch-files where: an institution for its staff, a professional their own rows (批次登錄). The same check,
 * confirmation and progress; a job belongs to its owner (an institution code, or `pro:` and the professional's ID).
 */
const SIDES = [
  { base: '/institution/batch', guard: requireRole('institution') },
  { base: '/reports/batch', guard: requireRole('professional') },
] as const
/** Batch jobs one institution may have open (checked and waiting, or running) at once. */
export const MAX_OPEN_JOBS = 3
const JobParams = Type.Object({ jobId: Type.String({ pattern: '^[0-9a-f]{64}$' }) })

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
    return a.role === 'professional' ? `pro:${a.id}` : a.institutionCode ?? a.id
  }
  // 支援科別 / 支援目的 in force now (the same version the filing is checked against)
  const referenceNow = () => app.services.rules.referenceAt(app.services.clock().toISOString())
  for (const { base, guard } of SIDES) {

    app.get(base, { onRequest: guard }, async (_request, reply) => reply.page('pages/batch-upload.eta', { title: '批次上傳', columns: BATCH_COLUMNS, base }))
    app.get(`${base}/template.xlsx`, { onRequest: guard }, async (_request, reply) =>
      reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', 'attachment; filename="baobei-batch-template.xlsx"').send(await batchTemplateXlsx(app.services.clock(), await referenceNow())))
    app.get(`${base}/template.csv`, { onRequest: guard }, async (_request, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="baobei-batch-template.csv"').send(batchTemplateCsv(app.services.clock(), await referenceNow())))

    app.post(base, { onRequest: guard }, async (request, reply) => {
      const code = codeOf(request)
      const [upload] = await files(request.body as RawForm, 'file')
      const again = (message: string) => reply.code(422).page('pages/batch-upload.eta', { title: '批次上傳', columns: BATCH_COLUMNS, fileError: message, base })
      if (!upload) return again('請選擇要上傳的檔案')
      const fileHash = createHash('sha256').update(upload.content).digest('hex')
      const jobId = createHash('sha256').update(`${code}:${fileHash}`).digest('hex')
      const full = () => again(`尚有 ${MAX_OPEN_JOBS} 個批次作業未完成，請待完成或確認後再上傳`)
      // a cheap early refusal before parsing; the binding check is atomic, when the job is stored
      if (!(await jobs.has(jobId)) && (await jobs.openOf(code)) >= MAX_OPEN_JOBS) return full()
      let rows
      try {
        rows = await parseBatchFile(upload.content)
      } catch (e) {
        if (e instanceof DomainError) return again(e.message)
        throw e
      }
      const reference = await referenceNow()
      const checked = await checkBatchRows(rows, { reports: app.services.reports, actor: userOf(request).actor, owner: code, reference })
      const job: BatchJob = { id: jobId, owner: code, fileName: upload.filename, fileHash, valid: checked.valid, invalid: checked.invalid, state: 'checked', filedBefore: 0 }
      // rows filed by an earlier upload of the same rows (even before a restart): they will not be filed again
      const filed = await existingCaseIds(app.services.readModels, scopeOf(userOf(request)), job.valid.map((r) => caseIdFor(r.input.commandId)))
      job.filedBefore = filed.size
      for (const r of job.valid) r.filedBefore = filed.has(caseIdFor(r.input.commandId))
      const stored = await jobs.put(job)
      if (stored === 'full') return full()
      const names = referenceNamer(reference)
      return reply.page('pages/batch-check.eta', {
        title: '批次上傳：檢查結果', job: { ...job, state: stored.state }, columns: BATCH_COLUMNS, base,
        departmentName: (c: string) => `${c} ${names.department(c) ?? ''}`, purposeName: (c: string) => names.purpose(c) ?? c,
      })
    })

    app.post(`${base}/:jobId/confirm`, { onRequest: guard, schema: { params: JobParams } }, async (request, reply) => {
      const jobId = (request.params as { jobId: string }).jobId
      if (!(await jobs.confirm(jobId, codeOf(request), userOf(request).actor, String(request.id)))) throw new DomainError('BATCH_NOT_FOUND')
      return reply.redirect(`${base}/${jobId}`, 303)
    })

    // the progress fragment is polled every second: htmx requests do not keep the session alive
    app.get(`${base}/:jobId`, { onRequest: guard, config: { passive: 'htmx' }, schema: { params: JobParams } }, async (request, reply) => {
      const job = await jobs.progress((request.params as { jobId: string }).jobId, codeOf(request))
      if (!job) throw new DomainError('BATCH_NOT_FOUND')
      if (request.headers['hx-request'] === 'true') return reply.type('text/html; charset=utf-8').viewAsync('partials/batch-progress.eta', { job, base })
      return reply.page('pages/batch-progress.eta', { title: '批次上傳：處理進度', job, base })
    })
  }
}
