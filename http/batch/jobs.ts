// Batch filing jobs: a checked file waits for the user's confirmation, then its valid rows are filed in the
// background with progress. Jobs live in memory, but nothing about them needs to survive a restart: each row's
// commandId (and so its case id) derives from the institution and the row's CONTENT, so the same rows uploaded
// again — the same file, the same file re-saved by Excel, or after a restart of the server — file nothing twice
// (the event store returns the first result), and re-uploading a file after a restart re-derives its job: rows
// filed before are recognised and reported as such, the rest are filed.
import { createHash } from 'node:crypto'
import type { CaseService } from '../../commands/case-service.js'
import { comparePositions, type EventStore, type LogPosition } from '../../commands/event-store/port.js'
import { reserveCaseNumbers } from '../../commands/case-number-block.js'
import { taipeiDate } from '../../domain/roc-date.js'
import { randomUUID } from 'node:crypto'
import { isDomainError } from '../../domain/errors.js'
import type { Actor, Instant } from '../../domain/types.js'

const BLOCK = 200
const laneOf = (applicantId: string, lanes: number) => createHash('sha256').update(applicantId).digest()[0]! % lanes
import type { ReportFormInput } from '../forms/report-form.js'
import { caseIdFor, nameUuid } from '../../domain/name-uuid.js'
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
  /** Valid rows whose case already exists (filed by an earlier upload of the same rows). */
  filedBefore: number
  done: number
  results: BatchRowResult[]
  createdAt: number
}

/**
 * The command id of a batch row (a name-based UUID): the institution, the row's normalised cells, and which occurrence of identical
 * cells in the file it is (two identical rows stay two rows; the second one meets the first as a conflict).
 */
export function rowCommandId(owner: string, cells: Record<string, string>, occurrence = 0): string {
  const normalised = Object.keys(cells).sort().map((k) => `${k}=${cells[k]!.trim().toUpperCase()}`).join('\u001f')
  return nameUuid(`batch:${owner}:${normalised}:${occurrence}`)
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

  /** Jobs of an institution still waiting for confirmation or running (expired ones aside). */
  openOf(owner: string): number {
    const now = Date.now()
    let n = 0
    for (const j of this.jobs.values()) if (j.owner === owner && j.state !== 'done' && (j.state === 'running' || now - j.createdAt <= this.ttlMs)) n++
    return n
  }

  has(id: string): boolean {
    return this.jobs.has(id)
  }

  get(id: string, owner: string): BatchJob | undefined {
    const j = this.jobs.get(id)
    return j && j.owner === owner ? j : undefined
  }

  /**
   * Starts filing the valid rows (once); returns at once. Rows run in `lanes` parallel lanes; all rows of one applicant
   * are in the same lane, in file order, and wait for the projections before the next one (they must see each other:
   * conflicts, quota). Case numbers come from blocks reserved in one append each (commands/case-number-block.ts), and
   * a row takes one only when it is really submitted (a row filed before takes none).
   */
  start(job: BatchJob, deps: { reports: CaseService; store: EventStore; actor: Actor; correlationId: string; waitFor?: (p: LogPosition) => Promise<boolean>; lanes?: number }) {
    if (job.state !== 'checked') return
    job.state = 'running'
    const lanes = Math.max(1, Math.min(deps.lanes ?? 4, 16))
    const byLane: BatchJob['valid'][] = Array.from({ length: lanes }, () => [])
    for (const row of job.valid) byLane[laneOf(row.input.applicantId!, lanes)]!.push(row)
    let pool: { day: string; numbers: string[] } = { day: '', numbers: [] }
    let reserving: Promise<void> | undefined
    const caseNumber = async (now: Instant): Promise<string> => {
      const day = taipeiDate(now)
      for (;;) {
        if (pool.day !== day) pool = { day, numbers: [] }
        const n = pool.numbers.shift()
        if (n) return n
        reserving ??= reserveCaseNumbers(deps.store, BLOCK, { commandId: randomUUID(), actor: deps.actor, correlationId: deps.correlationId, occurredAt: now })
          .then((numbers) => { if (pool.day === day) pool.numbers.push(...numbers) })
          .finally(() => { reserving = undefined })
        await reserving
      }
    }
    const lane = async (rows: BatchJob['valid']) => {
      const seen = new Set<string>()
      let last: LogPosition | undefined
      for (const row of rows) {
        const applicantId = row.input.applicantId!
        // rows of the same person must see each other's occurrences (conflicts, quota)
        if (seen.has(applicantId) && last && deps.waitFor) await deps.waitFor(last)
        seen.add(applicantId)
        try {
          const o = await deps.reports.file(
            { caseId: caseIdFor(row.input.commandId), applicantId, terms: { supportedCode: row.input.supportedCode, department: row.input.department, purpose: row.input.purpose, schedule: row.input.schedule, ...(row.input.note ? { note: row.input.note } : {}) } },
            { commandId: row.input.commandId, actor: deps.actor, correlationId: deps.correlationId },
            { caseNumber },
          )
          last = o.position
          job.results.push({ rowNumber: row.rowNumber, outcome: o.duplicate ? 'duplicate' : 'filed', caseId: o.caseId })
        } catch (e) {
          job.results.push({ rowNumber: row.rowNumber, outcome: 'refused', message: isDomainError(e) ? explain(e) : '系統發生錯誤' })
        }
        job.done++
      }
      return last
    }
    void (async () => {
      const ends = await Promise.all(byLane.map(lane))
      const last = ends.filter((p): p is LogPosition => p !== undefined).sort(comparePositions).at(-1)
      if (last && deps.waitFor) await deps.waitFor(last)
      job.results.sort((a, b) => a.rowNumber - b.rowNumber)
      job.state = 'done'
    })()
  }
}
