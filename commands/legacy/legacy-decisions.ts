// `baobei import legacy-decisions FILE`: the old system's later decisions on cases pending at cut-over, each appended
// to the case's stream (expected version: what was read), idempotently: the command id is the row's content.
import { createWriteStream } from 'node:fs'
import type { EventStore } from '../event-store/port.js'
import { decideLegacyDecision } from '../../domain/report/legacy-decision.js'
import { LEGACY_DECISION_COLUMNS, legacyDecisionFromRow } from '../../domain/report/legacy-row.js'
import { isDomainError } from '../../domain/errors.js'
import { reportStream, type ReportEvent } from '../../domain/events.js'
import { missingColumns } from '../../domain/registry/cells.js'
import type { Actor } from '../../domain/types.js'
import { FileFormatError, readTabular, type Encoding } from '../registry/tabular-file.js'
import { legacyCaseId, rowHash } from './legacy-ids.js'

export interface LegacyDecisionCounts {
  read: number
  applied: number
  alreadyThere: number
  rejected: number
  reconciled: boolean
}

export async function importLegacyDecisions(
  store: EventStore, path: string, opts: { actor: Actor; now: string; reportPath?: string; encoding?: Encoding },
): Promise<LegacyDecisionCounts> {
  const counts: LegacyDecisionCounts = { read: 0, applied: 0, alreadyThere: 0, rejected: 0, reconciled: false }
  const out = opts.reportPath ? createWriteStream(opts.reportPath) : undefined
  out?.write('列,案件編號,結果,欄位,原因\n')
  const note = (row: number, number: string, column: string, reason: string) => out?.write(`${row},${number},rejected,${column},"${reason.replaceAll('"', '""')}"\n`)
  let checked = false
  try {
    for await (const r of readTabular(path, opts.encoding ? { encoding: opts.encoding } : {})) {
      if (!checked) {
        const missing = missingColumns(Object.keys(r.cells), ['案件編號', '審核結果', '審核日期'])
        if (missing.length) throw new FileFormatError(`${path}: 缺少欄位 ${missing.join('、')}`)
        checked = true
      }
      counts.read++
      const v = legacyDecisionFromRow(r.row, r.cells)
      if (!v.ok) {
        counts.rejected++
        v.errors.forEach((e) => note(e.row, (r.cells['案件編號'] ?? '').trim(), e.column, e.message))
        continue
      }
      const d = v.value
      const stream = reportStream(legacyCaseId(d.legacyNumber))
      const commandId = `legacy-decision:${d.legacyNumber}:${rowHash(r.cells, LEGACY_DECISION_COLUMNS)}`
      const history = await store.readStream(stream)
      if (history.some((e) => e.meta.commandId === commandId)) {
        counts.alreadyThere++
        continue
      }
      try {
        const events = decideLegacyDecision(history.map((e) => ({ type: e.type, data: e.data }) as ReportEvent), d, opts.actor)
        await store.append(stream, events.map((e) => ({
          type: e.type, data: e.data,
          meta: { commandId, actor: opts.actor, correlationId: `legacy:${d.legacyNumber}`, causationId: `legacy:${d.legacyNumber}`, occurredAt: opts.now },
        })), history.length)
        counts.applied++
      } catch (e) {
        if (!isDomainError(e)) throw e
        counts.rejected++
        const why = e.code === 'REPORT_NOT_FOUND' ? '查無此移轉案件' : e.code === 'NOTHING_TO_DECIDE' ? '案件在移轉時已非審核中，未套用' : e.code === 'ILLEGAL_TRANSITION' ? '案件已在新系統處理，未套用' : e.message
        note(r.row, d.legacyNumber, '案件編號', why)
      }
    }
  } finally {
    if (out) await new Promise<void>((resolve) => out.end(() => resolve()))
  }
  counts.reconciled = counts.read === counts.applied + counts.alreadyThere + counts.rejected
  return counts
}
