// Batch filing jobs: a checked file waits for the user's confirmation, then its valid rows are filed in the
// background with progress. Jobs are kept in PostgreSQL (tables batch_jobs and batch_job_rows), so a restart resumes
// a running job: rows already filed are recognised by their commandId — a row's commandId (and so its case id)
// derives from the institution and the row's CONTENT, and the event store answers a repeated commandId with the first
// result — so nothing is filed twice, whether the row's result was recorded before the stop or not.
//
// Why a job table and not events: the facts of a batch are the cases it files, and those ARE events (each with the
// row's commandId, the confirming actor and the job's correlation id). A job is a work queue over those commands: its
// rows are a working copy of an upload (national IDs and schedules) that must be DELETED when nobody confirms it
// (TTL) and once the job is done — which an append-only log cannot do. The table is written under the same
// discipline as other limits: the open-jobs limit is taken under an advisory lock per institution (count + insert in
// one transaction), a row result is written once (primary key, ON CONFLICT DO NOTHING), and one server at a time
// runs a job (a lease: runner + heartbeat, released on a clean stop, taken over when stale).
import { createHash, randomUUID } from 'node:crypto'
import type { CaseService } from '../../commands/case-service.js'
import { comparePositions, type EventStore, type LogPosition } from '../../commands/event-store/port.js'
import { reserveCaseNumbers } from '../../commands/case-number-block.js'
import type { Database, Sql } from '../../commands/platform/database.js'
import type { Migration } from '../../commands/platform/migrations.js'
import { taipeiDate } from '../../domain/roc-date.js'
import { isDomainError } from '../../domain/errors.js'
import type { Actor, Instant, IsoDate, Terms } from '../../domain/types.js'
import type { BatchKind } from './parse.js'
import type { ReportFormInput } from '../forms/report-form.js'
import { caseIdFor, nameUuid } from '../../domain/name-uuid.js'
import { explain } from '../errors.js'

const BLOCK = 200
const laneOf = (applicantId: string, lanes: number) => createHash('sha256').update(applicantId).digest()[0]! % lanes

export const batchMigrations: Migration[] = [
  {
    id: 'batch/001-batch-jobs',
    sql: `
CREATE TABLE IF NOT EXISTS batch_jobs (
  id text PRIMARY KEY,                 -- sha256(institution:file hash)
  owner text NOT NULL,                 -- institution code
  file_name text NOT NULL,
  file_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('checked', 'running', 'done')),
  valid jsonb NOT NULL,                -- [{rowNumber, input, filedBefore}], emptied when the job is done
  total int NOT NULL,
  filed_before int NOT NULL,
  actor jsonb,                         -- who confirmed (the actor of every filed case)
  correlation_id text,
  runner text,                         -- the server instance running it (NULL: nobody)
  heartbeat timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS batch_jobs_open ON batch_jobs (owner) WHERE state <> 'done';
CREATE TABLE IF NOT EXISTS batch_job_rows (
  job_id text NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
  row_number int NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('filed', 'duplicate', 'refused')),
  case_id text,
  message text,
  PRIMARY KEY (job_id, row_number)
);
`,
  },
  {
    // 申請類別 of a job (登錄 / 變更 / 註銷) and, for a reviewer's 整批申請, the party every filed case is on behalf of
    id: 'batch/002-kind-on-behalf',
    sql: `
ALTER TABLE batch_jobs ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'register' CHECK (kind IN ('register', 'change', 'cancel'));
ALTER TABLE batch_jobs ADD COLUMN IF NOT EXISTS on_behalf_of text CHECK (on_behalf_of IN ('professional', 'institution'));
`,
  },
]

export interface BatchRowResult {
  rowNumber: number
  outcome: 'filed' | 'duplicate' | 'refused'
  caseId?: string
  message?: string
}

/** A 登錄 row: the filing. */
export interface FilingRow {
  rowNumber: number
  kind?: 'register'
  input: ReportFormInput
  /** Its case existed when the file was checked (filed by an earlier upload of the same rows). */
  filedBefore?: boolean
}

/** A 變更 or 註銷 row: the case it names (resolved from 案件編號 / 核准文號 in the uploader's scope) and what it asks. */
interface CaseRowBase {
  rowNumber: number
  commandId: string
  caseId: string
  /** as the row named it */
  caseRef: string
  applicantId: string
  /** the terms that stand now (the preview's old side) */
  before: Terms
  /** The case already holds this row's command (an earlier upload of the same row). */
  filedBefore?: boolean
}
export interface ChangeRow extends CaseRowBase { kind: 'change'; input: ReportFormInput; reason: string }
export interface CancelRow extends CaseRowBase { kind: 'cancel'; effectiveDate: IsoDate; reason: string }
export type BatchRow = FilingRow | ChangeRow | CancelRow

export const applicantOfRow = (row: BatchRow): string => (row.kind === 'change' || row.kind === 'cancel' ? row.applicantId : row.input.applicantId!)
export const commandIdOfRow = (row: BatchRow): string => (row.kind === 'cancel' ? row.commandId : row.kind === 'change' ? row.commandId : row.input.commandId)
export type OnBehalfOf = 'professional' | 'institution'

export interface BatchJob {
  id: string
  owner: string // institution code
  fileName: string
  fileHash: string
  kind: BatchKind
  /** a reviewer's 整批申請: the party of record of every filed case */
  onBehalfOf?: OnBehalfOf
  valid: BatchRow[]
  invalid: { rowNumber: number; errors: Record<string, string> }[]
  state: 'checked' | 'running' | 'done'
  /** Valid rows whose case already exists (filed by an earlier upload of the same rows). */
  filedBefore: number
}

/** What the progress page shows: counts, and the row results once the job is done. */
export interface BatchProgress {
  id: string
  kind: BatchKind
  state: 'checked' | 'running' | 'done'
  total: number
  done: number
  filedBefore: number
  results: BatchRowResult[]
}

/**
 * The command id of a batch row (a name-based UUID): the institution, the row's normalised cells, and which occurrence of identical
 * cells in the file it is (two identical rows stay two rows; the second one meets the first as a conflict).
 */
export function rowCommandId(owner: string, cells: Record<string, string>, occurrence = 0): string {
  const normalised = Object.keys(cells).sort().map((k) => `${k}=${cells[k]!.trim().toUpperCase()}`).join('\u001f')
  return nameUuid(`batch:${owner}:${normalised}:${occurrence}`)
}

export interface BatchDeps {
  reports: CaseService
  store: EventStore
  waitFor?: (p: LogPosition) => Promise<boolean>
  lanes?: number
}

export interface BatchJobsOptions {
  /** Batch jobs one institution may have open (checked and waiting, or running) at once. */
  maxOpen: number
  /** A checked job nobody confirms is deleted after this long. */
  ttlMs?: number
  /** A done job (its results) is kept this long. */
  keepDoneMs?: number
  /** A running job whose runner has not beaten for this long is taken over by another server. */
  leaseMs?: number
  /** Row results are written at least every this many rows. */
  flushEvery?: number
}

type Stored = { state: BatchJob['state'] }

export class BatchJobs {
  /** This server instance (the lease holder name). */
  readonly instance = randomUUID()
  private readonly ttlMs: number
  private readonly keepDoneMs: number
  private readonly leaseMs: number
  private readonly flushEvery: number
  private readonly running = new Map<string, Promise<void>>()
  private stopped = false
  private beat: NodeJS.Timeout | undefined

  constructor(private readonly db: Database, private readonly deps: () => BatchDeps, private readonly options: BatchJobsOptions) {
    this.ttlMs = options.ttlMs ?? 2 * 3600_000
    this.keepDoneMs = options.keepDoneMs ?? 7 * 24 * 3600_000
    this.leaseMs = options.leaseMs ?? 60_000
    this.flushEvery = options.flushEvery ?? 25
  }

  /** Open jobs of an institution (a cheap early refusal before parsing; the binding check is in put()). */
  async openOf(owner: string): Promise<number> {
    const r = await this.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM batch_jobs WHERE owner = $1 AND (state = 'running' OR (state = 'checked' AND created_at > now() - $2 * interval '1 millisecond'))`,
      [owner, this.ttlMs],
    )
    return Number(r.rows[0]!.n)
  }

  async has(id: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM batch_jobs WHERE id = $1`, [id])).rows.length > 0
  }

  /**
   * Stores a checked job, atomically against the open-jobs limit: under an advisory lock per institution, expired
   * jobs of the institution are removed, then the open ones counted and the new one inserted, in one transaction.
   * The same file again finds its job (refreshed while still waiting). Returns the stored state, or 'full'.
   */
  async put(job: BatchJob): Promise<Stored | 'full'> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('baobei-batch-jobs:' || $1))`, [job.owner])
      await tx.query(
        `DELETE FROM batch_jobs WHERE owner = $1 AND ((state = 'checked' AND created_at <= now() - $2 * interval '1 millisecond') OR (state = 'done' AND finished_at <= now() - $3 * interval '1 millisecond'))`,
        [job.owner, this.ttlMs, this.keepDoneMs],
      )
      const existing = await tx.query<{ state: BatchJob['state'] }>(`SELECT state FROM batch_jobs WHERE id = $1`, [job.id])
      if (existing.rows[0]) {
        if (existing.rows[0].state === 'checked') await tx.query(`UPDATE batch_jobs SET created_at = now(), valid = $2, filed_before = $3 WHERE id = $1`, [job.id, JSON.stringify(job.valid), job.filedBefore])
        return { state: existing.rows[0].state }
      }
      const open = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM batch_jobs WHERE owner = $1 AND state <> 'done'`, [job.owner])
      if (Number(open.rows[0]!.n) >= this.options.maxOpen) return 'full' as const
      await tx.query(
        `INSERT INTO batch_jobs (id, owner, file_name, file_hash, state, valid, total, filed_before, kind, on_behalf_of) VALUES ($1, $2, $3, $4, 'checked', $5, $6, $7, $8, $9)`,
        [job.id, job.owner, job.fileName, job.fileHash, JSON.stringify(job.valid), job.valid.length, job.filedBefore, job.kind, job.onBehalfOf ?? null],
      )
      return { state: 'checked' as const }
    })
  }

  async progress(id: string, owner: string): Promise<BatchProgress | undefined> {
    const r = await this.db.query<{ state: BatchJob['state']; kind: BatchKind; total: number; filed_before: number; done: string }>(
      `SELECT state, kind, total, filed_before, (SELECT count(*) FROM batch_job_rows WHERE job_id = j.id) AS done FROM batch_jobs j WHERE id = $1 AND owner = $2`,
      [id, owner],
    )
    const j = r.rows[0]
    if (!j) return undefined
    const results = j.state === 'done' ? await this.results(id) : []
    return { id, kind: j.kind, state: j.state, total: Number(j.total), done: j.state === 'done' ? Number(j.total) : Number(j.done), filedBefore: Number(j.filed_before), results }
  }

  private async results(id: string): Promise<BatchRowResult[]> {
    const r = await this.db.query<{ row_number: number; outcome: BatchRowResult['outcome']; case_id: string | null; message: string | null }>(
      `SELECT row_number, outcome, case_id, message FROM batch_job_rows WHERE job_id = $1 ORDER BY row_number`,
      [id],
    )
    return r.rows.map((x) => ({ rowNumber: Number(x.row_number), outcome: x.outcome, ...(x.case_id ? { caseId: x.case_id } : {}), ...(x.message ? { message: x.message } : {}) }))
  }

  /** Confirms a checked job and starts filing it (once: a second confirmation changes nothing); returns at once. */
  async confirm(id: string, owner: string, actor: Actor, correlationId: string): Promise<boolean> {
    const r = await this.db.query<{ id: string }>(
      `UPDATE batch_jobs SET state = 'running', actor = $3, correlation_id = $4, runner = $5, heartbeat = now() WHERE id = $1 AND owner = $2 AND state = 'checked' RETURNING id`,
      [id, owner, JSON.stringify(actor), correlationId, this.instance],
    )
    if (r.rows.length > 0) await this.launch(id)
    return (await this.db.query(`SELECT 1 FROM batch_jobs WHERE id = $1 AND owner = $2`, [id, owner])).rows.length > 0
  }

  /**
   * Takes over running jobs nobody runs (released by a clean stop) or whose runner stopped beating (a crash), and
   * runs them from where they were. Called when the server starts, and now and then.
   */
  async resume(): Promise<string[]> {
    if (this.stopped) return []
    const r = await this.db.query<{ id: string }>(
      `UPDATE batch_jobs SET runner = $1, heartbeat = now()
        WHERE state = 'running' AND (runner IS NULL OR heartbeat < now() - $2 * interval '1 millisecond') RETURNING id`,
      [this.instance, this.leaseMs],
    )
    for (const { id } of r.rows) await this.launch(id)
    return r.rows.map((x) => x.id)
  }

  /** Starts the heartbeat, the periodic take-over of stale jobs and the removal of expired ones. */
  startBackground() {
    let lastSweep = 0
    this.beat ??= setInterval(() => {
      const sweep = Date.now() - lastSweep > 10 * 60_000
      if (sweep) lastSweep = Date.now()
      void this.heartbeat().then(() => this.resume()).then(() => (sweep ? this.sweep() : undefined)).catch(() => {})
    }, Math.max(1000, this.leaseMs / 3))
    this.beat.unref()
  }

  /**
   * Deletes jobs nobody confirmed within the TTL and done jobs past their keeping time (of every institution; put()
   * does it for its own institution too): the rows' working copy and the results hold personal data.
   */
  async sweep(): Promise<number> {
    const r = await this.db.query(
      `DELETE FROM batch_jobs WHERE (state = 'checked' AND created_at <= now() - $1 * interval '1 millisecond') OR (state = 'done' AND finished_at <= now() - $2 * interval '1 millisecond')`,
      [this.ttlMs, this.keepDoneMs],
    )
    return r.rowCount
  }

  private async heartbeat() {
    if (this.running.size === 0) return
    await this.db.query(`UPDATE batch_jobs SET heartbeat = now() WHERE runner = $1 AND state = 'running'`, [this.instance])
  }

  /**
   * Stops: no further row is started, the results recorded so far are written and the running jobs released, so
   * the next server (or this one restarted) resumes them at once. A row in flight may still be filed: the next run
   * recognises it by its commandId.
   */
  async stop() {
    this.stopped = true
    if (this.beat) clearInterval(this.beat)
    await Promise.all([...this.flushers].map((f) => f()))
    await Promise.all([...this.flushes])
    await this.db.query(`UPDATE batch_jobs SET runner = NULL WHERE runner = $1 AND state = 'running'`, [this.instance]).catch(() => {})
  }

  /** The run of a job, when this server runs it (tests wait on it). */
  runOf(id: string): Promise<void> | undefined {
    return this.running.get(id)
  }

  private readonly flushes = new Set<Promise<void>>()
  private readonly flushers = new Set<() => Promise<void>>()

  private async launch(id: string) {
    if (this.running.has(id)) return
    const run = this.run(id).finally(() => this.running.delete(id))
    this.running.set(id, run)
    run.catch(() => {}) // a failed run stays 'running' and is taken over when its lease is stale
  }

  /**
   * Files the rows not yet recorded. Rows run in `lanes` parallel lanes; all rows of one applicant are in the same
   * lane, in file order, and wait for the projections before the next one (they must see each other: conflicts,
   * quota). Case numbers come from blocks reserved in one append each (commands/case-number-block.ts), and a row
   * takes one only when it is really submitted (a row filed before takes none).
   */
  private async run(id: string) {
    const j = (await this.db.query<{ valid: BatchRow[] | string; actor: Actor | string; correlation_id: string; on_behalf_of: OnBehalfOf | null }>(`SELECT valid, actor, correlation_id, on_behalf_of FROM batch_jobs WHERE id = $1 AND state = 'running'`, [id])).rows[0]
    if (!j) return
    const valid: BatchRow[] = typeof j.valid === 'string' ? JSON.parse(j.valid) : j.valid
    const actor: Actor = typeof j.actor === 'string' ? JSON.parse(j.actor) : j.actor
    const recorded = new Set((await this.db.query<{ row_number: number }>(`SELECT row_number FROM batch_job_rows WHERE job_id = $1`, [id])).rows.map((r) => Number(r.row_number)))
    const deps = this.deps()
    const lanes = Math.max(1, Math.min(deps.lanes ?? 4, 16))
    const byLane: BatchRow[][] = Array.from({ length: lanes }, () => [])
    for (const row of valid) if (!recorded.has(row.rowNumber)) byLane[laneOf(applicantOfRow(row), lanes)]!.push(row)
    let pool: { day: string; numbers: string[] } = { day: '', numbers: [] }
    let reserving: Promise<void> | undefined
    const caseNumber = async (now: Instant): Promise<string> => {
      const day = taipeiDate(now)
      for (;;) {
        if (pool.day !== day) pool = { day, numbers: [] }
        const n = pool.numbers.shift()
        if (n) return n
        reserving ??= reserveCaseNumbers(deps.store, BLOCK, { commandId: randomUUID(), actor, correlationId: j.correlation_id, occurredAt: now })
          .then((numbers) => { if (pool.day === day) pool.numbers.push(...numbers) })
          .finally(() => { reserving = undefined })
        await reserving
      }
    }
    let buffer: BatchRowResult[] = []
    const flush = () => {
      if (buffer.length === 0) return Promise.resolve()
      const rows = buffer
      buffer = []
      const f = writeResults(this.db, id, rows).finally(() => this.flushes.delete(f))
      this.flushes.add(f)
      return f
    }
    this.flushers.add(flush)
    const record = async (r: BatchRowResult) => {
      if (this.stopped) return // a stopped server writes nothing more: the next run files (or recognises) the row
      buffer.push(r)
      if (buffer.length >= this.flushEvery) await flush()
    }
    const lane = async (rows: BatchRow[]) => {
      const seen = new Set<string>()
      let last: LogPosition | undefined
      for (const row of rows) {
        if (this.stopped) return last
        const applicantId = applicantOfRow(row)
        // rows of the same person must see each other's occurrences (conflicts, quota)
        if (seen.has(applicantId) && last && deps.waitFor) await deps.waitFor(last)
        seen.add(applicantId)
        try {
          const meta = { commandId: commandIdOfRow(row), actor, correlationId: j.correlation_id }
          const o = row.kind === 'change' ? await deps.reports.requestChange(row.caseId, { terms: termsOfInput(row.input), reason: row.reason }, meta)
            : row.kind === 'cancel' ? await deps.reports.requestCancellation(row.caseId, { effectiveDate: row.effectiveDate, reason: row.reason }, meta)
              : await deps.reports.file({ caseId: caseIdFor(row.input.commandId), applicantId, terms: termsOfInput(row.input), ...(j.on_behalf_of ? { onBehalfOf: j.on_behalf_of } : {}) }, meta, { caseNumber })
          last = o.position
          // a repeated commandId of a row that was not filed before this job was checked: this job filed it (before a restart)
          await record({ rowNumber: row.rowNumber, outcome: o.duplicate && row.filedBefore !== false ? 'duplicate' : 'filed', caseId: o.caseId })
        } catch (e) {
          await record({ rowNumber: row.rowNumber, outcome: 'refused', message: isDomainError(e) ? explain(e) : '系統發生錯誤' })
        }
      }
      return last
    }
    const ends = await Promise.all(byLane.map(lane)).finally(() => this.flushers.delete(flush))
    if (this.stopped) return
    await flush()
    const last = ends.filter((p): p is LogPosition => p !== undefined).sort(comparePositions).at(-1)
    if (last && deps.waitFor) await deps.waitFor(last)
    if (this.stopped) return
    // done: the working copy of the rows (national IDs, schedules) is no longer needed
    await this.db.query(`UPDATE batch_jobs SET state = 'done', finished_at = now(), runner = NULL, valid = '[]'::jsonb WHERE id = $1 AND runner = $2`, [id, this.instance])
  }
}

/** A checked row's terms as the case service takes them. */
export const termsOfInput = (i: ReportFormInput) => ({ supportedCode: i.supportedCode, department: i.department, purpose: i.purpose, schedule: i.schedule, ...(i.note ? { note: i.note } : {}) })

function writeResults(db: Sql, id: string, rows: BatchRowResult[]): Promise<void> {
  return db
    .query(
      `INSERT INTO batch_job_rows (job_id, row_number, outcome, case_id, message)
       SELECT $1, x.row_number, x.outcome, x.case_id, x.message FROM jsonb_to_recordset($2::jsonb) AS x(row_number int, outcome text, case_id text, message text)
       ON CONFLICT (job_id, row_number) DO NOTHING`,
      [id, JSON.stringify(rows.map((r) => ({ row_number: r.rowNumber, outcome: r.outcome, case_id: r.caseId ?? null, message: r.message ?? null })))],
    )
    .then(() => undefined)
}
