// `baobei registry import`: the registry feed of 醫事管理系統 (institutions and professionals; CSV in UTF-8 or Big5,
// or .xlsx). Two passes over each file, both streaming: first every row is validated (errors per row and cell;
// with any error nothing is applied), then the rows are recorded in batches (record-facts.ts: unchanged entries
// append nothing, so the same file twice changes nothing and a killed run re-run finishes the rest). A full
// snapshot then marks whoever is absent from it inactive (professionals) or closed (institutions) as of that day.
import type { Database } from '../platform/database.js'
import type { CellError } from '../../domain/registry/cells.js'
import { missingColumns } from '../../domain/registry/cells.js'
import type { InstitutionFacts, ProfessionalFacts } from '../../domain/registry/facts.js'
import {
  INSTITUTION_REQUIRED, PROFESSIONAL_REQUIRED, institutionFromRow, professionalFromRow, type RowResult,
} from '../../domain/registry/registry-rows.js'
import type { Actor, Instant, IsoDate } from '../../domain/types.js'
import { FIRST_REFERENCE, type ReferenceLists } from '../../domain/reference/lists.js'
import {
  currentInstitutions, currentProfessionals, recordInstitutions, recordProfessionals, type RecordCounts, type RecordOptions,
} from './record-facts.js'
import { FileFormatError, readTabular, sha256OfFile, type Encoding } from './tabular-file.js'

export interface RegistryImportOptions {
  institutions?: string
  professionals?: string
  mode: 'full' | 'delta'
  dryRun?: boolean
  /** The day the snapshot or delta describes (default: today, Asia/Taipei). */
  asOf: IsoDate
  /** The reference lists in force at an instant (rules.referenceAt): rows are checked against those in force on the
   * as-of day (醫事人員類別, 職業科別, 縣市代碼 an administrator added are accepted). Their first version when not given. */
  referenceAt?: (instant: Instant) => Promise<ReferenceLists>
  encoding?: Encoding
  actor: Actor
  now: string
  batchSize?: number
  progress?: (label: string, done: number) => void
}

export interface FileReport {
  file: string
  sha256: string
  rows: number
  recorded: number
  unchanged: number
  fenced: number
  /** Full snapshot: entries absent from the file, marked inactive / closed. */
  markedAbsent: number
}

export interface RegistryImportReport {
  applied: boolean
  dryRun: boolean
  institutions?: FileReport
  professionals?: FileReport
  /** Row and cell errors (the first MAX_REPORTED_ERRORS), and how many there were. */
  errors: (CellError & { file: 'institutions' | 'professionals' })[]
  errorCount: number
}

export const MAX_REPORTED_ERRORS = 10_000
const BATCH = 2000

type Kind = 'institutions' | 'professionals'

/** The instant whose lists an import of `asOf` is checked against: the end of that day (Asia/Taipei, no DST), or now
 * when that is earlier (a version effective later today is not in force yet). */
export const asOfInstant = (asOf: IsoDate, now: Instant): Instant => {
  const endOfDay = new Date(`${asOf}T23:59:59.999+08:00`).toISOString()
  return endOfDay < now ? endOfDay : now
}

export async function importRegistry(db: Database, opts: RegistryImportOptions): Promise<RegistryImportReport> {
  const report: RegistryImportReport = { applied: false, dryRun: !!opts.dryRun, errors: [], errorCount: 0 }
  const reference = opts.referenceAt ? await opts.referenceAt(asOfInstant(opts.asOf, opts.now)) : FIRST_REFERENCE
  const institutionRow = (row: number, cells: Record<string, string | undefined>) => institutionFromRow(row, cells, reference)
  const professionalRow = (row: number, cells: Record<string, string | undefined>) => professionalFromRow(row, cells, reference)
  const addError = (file: Kind, e: CellError) => {
    report.errorCount++
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push({ file, ...e })
  }

  // ---- pass 1: validate everything; collect the keys (for duplicates, references and a full snapshot's absentees)
  const institutionCodes = new Set<string>()
  const professionalIds = new Set<string>()
  const referenced = new Map<string, number>() // home code not in the institutions file → first row using it
  const validate = async <F>(kind: Kind, path: string, parse: (row: number, cells: Record<string, string>) => RowResult<F>, required: readonly string[], onRow: (f: F, row: number) => void) => {
    let rows = 0
    let checkedHeader = false
    for await (const r of readTabular(path, opts.encoding ? { encoding: opts.encoding } : {})) {
      if (!checkedHeader) {
        const missing = missingColumns(Object.keys(r.cells), required)
        if (missing.length) throw new FileFormatError(`${path}: 缺少欄位 ${missing.join('、')}`)
        checkedHeader = true
      }
      rows++
      const v = parse(r.row, r.cells)
      if (!v.ok) v.errors.forEach((e) => addError(kind, e))
      else onRow(v.value, r.row)
      if (rows % 5000 === 0) opts.progress?.(`檢查 ${kind}`, rows)
    }
    return rows
  }
  const rowsOf: Partial<Record<Kind, number>> = {}
  if (opts.institutions) {
    rowsOf.institutions = await validate('institutions', opts.institutions, institutionRow, INSTITUTION_REQUIRED, (f: InstitutionFacts, row) => {
      if (institutionCodes.has(f.code)) addError('institutions', { row, column: '機構代碼', value: f.code, message: '機構代碼在檔案中重複' })
      institutionCodes.add(f.code)
    })
  }
  if (opts.professionals) {
    rowsOf.professionals = await validate('professionals', opts.professionals, professionalRow, PROFESSIONAL_REQUIRED, (f: ProfessionalFacts, row) => {
      if (professionalIds.has(f.nationalId)) addError('professionals', { row, column: '身分證號', value: f.nationalId, message: '身分證號在檔案中重複' })
      professionalIds.add(f.nationalId)
      if (!institutionCodes.has(f.homeInstitutionCode) && !referenced.has(f.homeInstitutionCode)) referenced.set(f.homeInstitutionCode, row)
    })
    const codes = [...referenced.keys()]
    for (let i = 0; i < codes.length; i += 10_000) {
      const slice = codes.slice(i, i + 10_000)
      const r = await db.query<{ code: string }>(`SELECT code FROM registry_institutions WHERE code = ANY($1::text[])`, [slice])
      const known = new Set(r.rows.map((x) => x.code))
      for (const c of slice) if (!known.has(c)) addError('professionals', { row: referenced.get(c)!, column: '執業機構代碼', value: c, message: '執業機構代碼不在醫事機構檔或登記資料中' })
    }
  }
  const files: Partial<Record<Kind, { path: string; sha256: string }>> = {}
  for (const kind of ['institutions', 'professionals'] as const) {
    const path = opts[kind]
    if (path) files[kind] = { path, sha256: await sha256OfFile(path) }
  }
  if (report.errorCount > 0) {
    for (const kind of ['institutions', 'professionals'] as const) {
      const f = files[kind]
      if (f) report[kind] = { file: f.path, sha256: f.sha256, rows: rowsOf[kind] ?? 0, recorded: 0, unchanged: 0, fenced: 0, markedAbsent: 0 }
    }
    return report
  }

  // ---- pass 2: record in batches (institutions first: professionals refer to them)
  const batchSize = opts.batchSize ?? BATCH
  const add = (a: RecordCounts, b: RecordCounts) => {
    a.recorded += b.recorded
    a.unchanged += b.unchanged
    a.fenced += b.fenced
  }
  for (const kind of ['institutions', 'professionals'] as const) {
    const f = files[kind]
    if (!f) continue
    const ropts: RecordOptions = {
      asOf: opts.asOf, source: { kind: opts.mode, file: f.sha256 }, actor: opts.actor, now: opts.now,
      correlationId: `registry-import:${f.sha256.slice(0, 16)}`, ...(opts.dryRun ? { dryRun: true } : {}),
    }
    const counts: RecordCounts = { recorded: 0, unchanged: 0, fenced: 0 }
    let batch: { facts: never; row: number }[] = []
    let done = 0
    const write = async (b: typeof batch) => {
      add(counts, kind === 'institutions'
        ? await recordInstitutions(db, b as { facts: InstitutionFacts; row: number }[], ropts)
        : await recordProfessionals(db, b as { facts: ProfessionalFacts; row: number }[], ropts))
      done += b.length
      opts.progress?.(`匯入 ${kind}`, done)
    }
    // the file's next batch is read and parsed while the previous one is written (one write at a time: each batch
    // reads the registry as the one before left it); a failed write surfaces at the next flush or at the end
    let writing: Promise<void> | undefined
    const flush = async () => {
      if (!batch.length) return
      const b = batch
      batch = []
      await writing
      writing = write(b)
      writing.catch(() => {})
    }
    try {
      for await (const r of readTabular(f.path, opts.encoding ? { encoding: opts.encoding } : {})) {
        const v = kind === 'institutions' ? institutionRow(r.row, r.cells) : professionalRow(r.row, r.cells)
        if (!v.ok) throw new Error(`${f.path} changed while it was imported (row ${r.row})`)
        batch.push({ facts: v.value as never, row: r.row })
        if (batch.length >= batchSize) await flush()
      }
      await flush()
      await writing
    } finally {
      await writing?.catch(() => {}) // never leave a write running behind an error
    }
    const markedAbsent = opts.mode === 'full' ? await markAbsent(db, kind, kind === 'institutions' ? institutionCodes : professionalIds, ropts, batchSize) : 0
    report[kind] = { file: f.path, sha256: f.sha256, rows: rowsOf[kind] ?? 0, ...counts, markedAbsent }
  }
  report.applied = !opts.dryRun
  return report
}

/** Full snapshot: every real entry not in the file (and not already inactive/closed) is marked so as of the day. */
async function markAbsent(db: Database, kind: Kind, present: Set<string>, ropts: RecordOptions, batchSize: number): Promise<number> {
  const q = kind === 'institutions'
    ? `SELECT code AS k FROM registry_institutions WHERE status <> 'closed' AND NOT demo ORDER BY code`
    : `SELECT national_id AS k FROM registry_professionals WHERE practice_status <> 'inactive' AND NOT demo ORDER BY national_id`
  const absent = (await db.query<{ k: string }>(q)).rows.map((r) => r.k).filter((k) => !present.has(k))
  let n = 0
  for (let i = 0; i < absent.length; i += batchSize) {
    const keys = absent.slice(i, i + batchSize)
    if (kind === 'institutions') {
      const cur = await currentInstitutions(db, keys)
      const entries = keys.flatMap((k) => {
        const c = cur.get(k)
        return c ? [{ facts: { ...c.facts, status: 'closed' as const, statusDate: ropts.asOf }, absent: true as const }] : []
      })
      n += (await recordInstitutions(db, entries, ropts)).recorded
    } else {
      const cur = await currentProfessionals(db, keys)
      const entries = keys.flatMap((k) => {
        const c = cur.get(k)
        return c ? [{ facts: { ...c.facts, practiceStatus: 'inactive' as const, statusDate: ropts.asOf }, absent: true as const }] : []
      })
      n += (await recordProfessionals(db, entries, ropts)).recorded
    }
  }
  return n
}
