// `baobei import legacy FILE`: the old system's full case export → one ReportImported per row on the stream named by
// its old case number. Streaming and batched (flat memory): each batch is validated against the registry and the
// cases already imported (overlaps), decided by the report decider (ImportReport) and appended in one statement with
// its bookkeeping, in one transaction. A row already imported is "already there" (same content) or reported as
// changed (never applied); rows read = imported + already there + rejected. --dry-run runs the same in one
// transaction and rolls it back.
import { createReadStream, createWriteStream } from 'node:fs'
import type { Database, Sql } from '../platform/database.js'
import { batchAppend, type BatchItem } from '../event-store/postgres-batch-append.js'
import { decide } from '../../domain/report/decide.js'
import { existingReportOf } from '../../domain/report/existing.js'
import { FIRST_REFERENCE, type ReferenceLists } from '../../domain/reference/lists.js'
import { LEGACY_COLUMNS, LEGACY_REQUIRED, legacyCaseFromRow, type LegacyCase } from '../../domain/report/legacy-row.js'
import { evolve, initialState } from '../../domain/report/state.js'
import { missingColumns, type CellError } from '../../domain/registry/cells.js'
import { findConflicts, type ExistingReport } from '../../domain/rules/conflict.js'
import { routeReport } from '../../domain/rules/routing.js'
import { expandSchedule, scheduleBounds } from '../../domain/schedule.js'
import { isoToRoc, taipeiInstant } from '../../domain/roc-date.js'
import { reportStream, type EventMeta, type ReportImported } from '../../domain/events.js'
import type { Actor, ApplicantSnapshot, InstitutionKind, InstitutionRef, Schedule } from '../../domain/types.js'
import { FileFormatError, readTabular, type Encoding, type TabularRow } from '../registry/tabular-file.js'
import { legacyCaseId, rowHash } from './legacy-ids.js'

export interface LegacyImportOptions {
  dryRun?: boolean
  /** Rejected and changed rows, as CSV (列,案件編號,結果,欄位,內容,原因). */
  reportPath?: string
  encoding?: Encoding
  actor: Actor
  now: string
  /** The reference lists in force at an instant (rules.referenceAt): rows are checked against those in force at
   * `now` (a 支援科別 or 支援目的 an administrator added is accepted). Their first version when not given. */
  referenceAt?: (instant: string) => Promise<ReferenceLists>
  batchSize?: number
  progress?: (done: number, total: number | undefined) => void
}

export interface LegacyImportCounts {
  read: number
  imported: number
  alreadyThere: number
  /** Failed validation, or already imported with other content (changed ⊂ rejected). */
  rejected: number
  changed: number
  reconciled: boolean
}

class Rollback extends Error {}

/** Data rows of a file (lines minus the header), for the progress bar: one quick pass over the bytes. */
async function countLines(path: string): Promise<number> {
  let n = 0
  for await (const chunk of createReadStream(path)) for (const b of chunk as Buffer) if (b === 0x0a) n++
  return Math.max(0, n - 1)
}

interface RegistryLookups {
  people: Map<string, { name: string; licenseNumber: string; licenseValidFrom: string; licenseValidTo: string; practiceStatus: ApplicantSnapshot['practiceStatus'] }>
  institutions: Map<string, InstitutionRef>
}

const iso = (d: unknown): string => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10))

async function lookups(tx: Sql, rows: LegacyCase[]): Promise<RegistryLookups> {
  const ids = [...new Set(rows.map((r) => r.nationalId))]
  const codes = [...new Set(rows.flatMap((r) => [r.homeCode, r.supportedCode]))]
  const p = await tx.query<{ national_id: string; name: string; license_number: string; license_valid_from: unknown; license_valid_to: unknown; practice_status: ApplicantSnapshot['practiceStatus'] }>(
    `SELECT national_id, name, license_number, license_valid_from, license_valid_to, practice_status FROM registry_professionals WHERE national_id = ANY($1::text[])`, [ids])
  const i = await tx.query<{ code: string; name: string; county: string; district: string | null; kind: InstitutionKind }>(
    `SELECT code, name, county, district, kind FROM registry_institutions WHERE code = ANY($1::text[])`, [codes])
  return {
    people: new Map(p.rows.map((x) => [x.national_id, {
      name: x.name, licenseNumber: x.license_number, licenseValidFrom: iso(x.license_valid_from), licenseValidTo: iso(x.license_valid_to), practiceStatus: x.practice_status,
    }])),
    institutions: new Map(i.rows.map((x) => [x.code, { code: x.code, name: x.name, county: x.county, ...(x.district ? { district: x.district } : {}), kind: x.kind }])),
  }
}

interface Span { caseId: string; caseNumber: string; nationalId: string; status: string; inForce: boolean; schedule: Schedule }

async function spansOf(tx: Sql, rows: { nationalId: string; schedule: Schedule }[]): Promise<Map<string, Span[]>> {
  const out = new Map<string, Span[]>()
  if (!rows.length) return out
  const b = rows.map((r) => scheduleBounds(r.schedule))
  const r = await tx.query<{ case_id: string; case_number: string; national_id: string; status: string; in_force: boolean; schedule: Schedule }>(
    `SELECT DISTINCT s.case_id, s.case_number, s.national_id, s.status, s.in_force, s.schedule FROM legacy_import_spans s
     JOIN unnest($1::text[], $2::date[], $3::date[]) AS i(nid, f, t) ON s.national_id = i.nid AND s.span_from <= i.t AND s.span_to >= i.f`,
    [rows.map((x) => x.nationalId), b.map((x) => x.from), b.map((x) => x.to)],
  )
  for (const s of r.rows) {
    const list = out.get(s.national_id) ?? []
    list.push({ caseId: s.case_id, caseNumber: s.case_number, nationalId: s.national_id, status: s.status, inForce: s.in_force, schedule: s.schedule })
    out.set(s.national_id, list)
  }
  return out
}

const asExisting = (s: Span): ExistingReport => ({
  caseId: s.caseId, caseNumber: s.caseNumber, status: s.status as ExistingReport['status'], occurrences: expandSchedule(s.schedule),
  ...(s.inForce ? { inForce: true } : {}),
})

export async function importLegacy(db: Database, path: string, opts: LegacyImportOptions): Promise<LegacyImportCounts> {
  const counts: LegacyImportCounts = { read: 0, imported: 0, alreadyThere: 0, rejected: 0, changed: 0, reconciled: false }
  const reference = opts.referenceAt ? await opts.referenceAt(opts.now) : FIRST_REFERENCE
  const total = opts.progress ? await countLines(path) : undefined
  const out = opts.reportPath ? createWriteStream(opts.reportPath) : undefined
  const csv = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
  const note = async (row: number, number: string, result: string, column: string, value: string, reason: string) => {
    if (out && !out.write(`${[String(row), number, result, column, value, reason].map(csv).join(',')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  const reject = async (errors: CellError[], number: string) => {
    counts.rejected++
    for (const e of errors) await note(e.row, number, 'rejected', e.column, e.value, e.message)
  }
  out?.write('列,案件編號,結果,欄位,內容,原因\n')
  const batchSize = opts.batchSize ?? 2000

  const runBatch = async (tx: Sql, batch: { row: number; c: LegacyCase; hash: string }[]) => {
    const found = await lookups(tx, batch.map((b) => b.c))
    const spans = await spansOf(tx, batch.map((b) => b.c))
    const items: BatchItem[] = []
    const newSpans: Span[] = []
    const events = new Map<string, { row: number; number: string; hash: string }>()
    for (const { row, c, hash } of batch) {
      const errors: CellError[] = []
      const person = found.people.get(c.nationalId)
      const home = found.institutions.get(c.homeCode)
      const supported = found.institutions.get(c.supportedCode)
      if (!person) errors.push({ row, column: '身分證號', value: c.nationalId, message: '查無此醫事人員執業登記資料（請先匯入醫事人員檔）' })
      if (!home) errors.push({ row, column: '執業機構代碼', value: c.homeCode, message: '查無此醫事機構' })
      if (!supported) errors.push({ row, column: '被支援機構代碼', value: c.supportedCode, message: '查無此醫事機構' })
      if (errors.length || !person || !home || !supported) {
        await reject(errors, c.legacyNumber)
        continue
      }
      const caseId = legacyCaseId(c.legacyNumber)
      const applicant: ApplicantSnapshot = {
        nationalId: c.nationalId, name: person.name, profession: c.profession, licenseNumber: person.licenseNumber,
        licenseValidFrom: person.licenseValidFrom, licenseValidTo: person.licenseValidTo, practiceStatus: person.practiceStatus, home,
      }
      const data: ReportImported['data'] = {
        caseId, legacyNumber: c.legacyNumber, caseNumber: c.legacyNumber, status: c.status, applicationType: c.applicationType, applicant,
        terms: { supported, department: c.department, purpose: c.purpose, schedule: c.schedule },
        routing: routeReport(applicant, supported),
        submittedAt: taipeiInstant(c.submittedOn),
        ...(c.approvedOn ? { approvedAt: taipeiInstant(c.approvedOn) } : {}),
        ...(c.approvalNumber ? { approvalNumber: c.approvalNumber } : {}),
        ...(c.cancelledOn ? { cancelledOn: c.cancelledOn } : {}),
      }
      const [event] = decide({ type: 'ImportReport', data }, initialState(), { actor: opts.actor, now: opts.now })
      // overlap with cases of this file already imported (or earlier in this batch), by the domain's counting rule
      const state = evolve(initialState(), event!)
      const mine = existingReportOf(state)
      if (mine) {
        const others = (spans.get(c.nationalId) ?? []).concat(newSpans.filter((s) => s.nationalId === c.nationalId)).filter((s) => s.caseId !== caseId)
        const clash = findConflicts(mine.pendingOccurrences ?? mine.occurrences, others.map(asExisting))[0]
        if (clash) {
          await reject([{ row, column: c.schedule.kind === 'weekly' ? '時段' : '指定時段', value: '', message: `支援時段與檔案中案件 ${clash.caseNumber ?? clash.caseId} 重疊（${isoToRoc(clash.occurrence.date)} ${clash.occurrence.start}–${clash.occurrence.end}）` }], c.legacyNumber)
          continue
        }
      }
      const stream = reportStream(caseId)
      if (events.has(stream)) {
        // the same case number twice in one batch: judged as a re-run of the first
        const first = events.get(stream)!
        if (first.hash === hash) counts.alreadyThere++
        else {
          counts.rejected++
          counts.changed++
          await note(row, c.legacyNumber, 'changed', '', '', `案件編號已在第 ${first.row} 列，內容不同，未套用`)
        }
        continue
      }
      const meta: EventMeta = { commandId: `legacy:${c.legacyNumber}:${hash}`, actor: opts.actor, correlationId: `legacy:${c.legacyNumber}`, causationId: `legacy:${c.legacyNumber}`, occurredAt: opts.now }
      items.push({ stream, expected: 0, event: { type: event!.type, data: event!.data, meta } })
      events.set(stream, { row, number: c.legacyNumber, hash })
      if (mine) {
        newSpans.push({ caseId, caseNumber: c.legacyNumber, nationalId: c.nationalId, status: c.status, inForce: mine.inForce === true, schedule: c.schedule })
      }
    }
    const r = await batchAppend(tx, items)
    counts.imported += r.appended.size
    if (r.refused.length) {
      const first = await tx.query<{ stream_id: string; command_id: string }>(
        `SELECT stream_id, meta->>'commandId' AS command_id FROM events WHERE stream_id = ANY($1::text[]) AND stream_version = 1`, [r.refused])
      const prior = new Map(first.rows.map((x) => [x.stream_id, x.command_id]))
      for (const s of r.refused) {
        const e = events.get(s)!
        if (prior.get(s) === `legacy:${e.number}:${e.hash}`) counts.alreadyThere++
        else {
          counts.rejected++
          counts.changed++
          await note(e.row, e.number, 'changed', '', '', '此案件已匯入，內容與先前匯入的不同：未套用（請確認後以新系統變更）')
        }
      }
    }
    const kept = newSpans.filter((s) => r.appended.has(reportStream(s.caseId)))
    if (kept.length) {
      const b = kept.map((s) => scheduleBounds(s.schedule))
      await tx.query(
        `INSERT INTO legacy_import_spans (case_id, case_number, national_id, status, in_force, span_from, span_to, schedule)
         SELECT case_id, case_number, national_id, status, in_force, span_from, span_to, schedule
         FROM jsonb_to_recordset($1::jsonb) AS t(case_id text, case_number text, national_id text, status text, in_force boolean,
           span_from date, span_to date, schedule jsonb)
         ON CONFLICT (case_id) DO NOTHING`,
        [JSON.stringify(kept.map((s, i) => ({
          case_id: s.caseId, case_number: s.caseNumber, national_id: s.nationalId, status: s.status, in_force: s.inForce,
          span_from: b[i]!.from, span_to: b[i]!.to, schedule: s.schedule,
        })))],
      )
    }
  }

  const body = async (batchTx: (fn: (tx: Sql) => Promise<void>) => Promise<void>) => {
    let batch: { row: number; c: LegacyCase; hash: string }[] = []
    let checkedHeader = false
    const flush = async () => {
      if (batch.length) {
        const b = batch
        batch = []
        await batchTx((tx) => runBatch(tx, b))
      }
      opts.progress?.(counts.read, total)
    }
    for await (const r of readTabular(path, opts.encoding ? { encoding: opts.encoding } : {}) as AsyncIterable<TabularRow>) {
      if (!checkedHeader) {
        const missing = missingColumns(Object.keys(r.cells), LEGACY_REQUIRED)
        if (missing.length) throw new FileFormatError(`${path}: 缺少欄位 ${missing.join('、')}`)
        checkedHeader = true
      }
      counts.read++
      const v = legacyCaseFromRow(r.row, r.cells, reference)
      if (!v.ok) {
        await reject(v.errors, (r.cells['案件編號'] ?? '').trim())
        continue
      }
      batch.push({ row: r.row, c: v.value, hash: rowHash(r.cells, LEGACY_COLUMNS) })
      if (batch.length >= batchSize) await flush()
    }
    await flush()
  }

  try {
    if (opts.dryRun) {
      await db.transaction(async (tx) => {
        await body((fn) => fn(tx))
        throw new Rollback()
      }).catch((e) => {
        if (!(e instanceof Rollback)) throw e
      })
    } else {
      await body((fn) => db.transaction(fn))
    }
  } finally {
    if (out) await new Promise<void>((resolve) => out.end(resolve))
  }
  counts.reconciled = counts.read === counts.imported + counts.alreadyThere + counts.rejected
  return counts
}
