// Batch filing jobs: a checked file waits for the user's confirmation, then its valid rows are filed in the
// background with progress. Each row's commandId derives from the file's hash and the row number, so the same
// file filed twice files nothing twice (the store returns the first result).
import { createHash } from 'node:crypto'
import type { ReportService } from '../../commands/report-service.js'
import type { LogPosition } from '../../commands/event-store/port.js'
import { isDomainError } from '../../domain/errors.js'
import type { Actor } from '../../domain/types.js'
import type { ReportFormInput } from '../forms/report-form.js'
import { caseIdFor } from '../wiring.js'
import { explain } from '../errors.js'

export interface BatchRowResult {
  rowNumber: number
  outcome: 'filed' | 'duplicate' | 'refused'
  caseId?: string
  message?: string
}

export interface BatchJob {
  id: string
  owner: string // institution code
  fileName: string
  fileHash: string
  valid: { rowNumber: number; input: ReportFormInput }[]
  invalid: { rowNumber: number; errors: Record<string, string> }[]
  state: 'checked' | 'running' | 'done'
  done: number
  results: BatchRowResult[]
  createdAt: number
}

/** uuid-shaped id from the file hash and the row number. */
export function rowCommandId(fileHash: string, rowNumber: number): string {
  const h = createHash('sha256').update(`batch:${fileHash}:${rowNumber}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export class BatchJobs {
  private readonly jobs = new Map<string, BatchJob>()
  constructor(private readonly ttlMs = 2 * 3600_000) {}

  put(job: BatchJob) {
    const now = Date.now()
    for (const [id, j] of this.jobs) if (now - j.createdAt > this.ttlMs && j.state !== 'running') this.jobs.delete(id)
    const existing = this.jobs.get(job.id)
    if (existing && existing.state !== 'checked') return existing
    this.jobs.set(job.id, job)
    return job
  }

  get(id: string, owner: string): BatchJob | undefined {
    const j = this.jobs.get(id)
    return j && j.owner === owner ? j : undefined
  }

  /** Starts filing the valid rows (once); returns at once. */
  start(job: BatchJob, deps: { reports: ReportService; actor: Actor; correlationId: string; waitFor?: (p: LogPosition) => Promise<boolean> }) {
    if (job.state !== 'checked') return
    job.state = 'running'
    void (async () => {
      const seen = new Set<string>()
      let last: LogPosition | undefined
      for (const row of job.valid) {
        const applicantId = row.input.applicantId!
        // rows of the same person must see each other's occurrences (conflicts, quota)
        if (seen.has(applicantId) && last && deps.waitFor) await deps.waitFor(last)
        seen.add(applicantId)
        try {
          const o = await deps.reports.file(
            { caseId: caseIdFor(row.input.commandId), applicantId, terms: { supportedCode: row.input.supportedCode, department: row.input.department, purpose: row.input.purpose, schedule: row.input.schedule, ...(row.input.note ? { note: row.input.note } : {}) } },
            { commandId: row.input.commandId, actor: deps.actor, correlationId: deps.correlationId },
          )
          last = o.position
          job.results.push({ rowNumber: row.rowNumber, outcome: o.duplicate ? 'duplicate' : 'filed', caseId: o.caseId })
        } catch (e) {
          job.results.push({ rowNumber: row.rowNumber, outcome: 'refused', message: isDomainError(e) ? explain(e) : '系統發生錯誤' })
        }
        job.done++
      }
      if (last && deps.waitFor) await deps.waitFor(last)
      job.state = 'done'
    })()
  }
}
