// Read model `history`: every event of a case in order, with its actor, time, a zh-TW summary and, where terms
// change, the field-by-field diff (old → new). A small per-case table carries the scope columns.
import { defineCaseProjection, type CaseStep } from '../case-projection.js'
import { APPLICATION_TYPE_LABEL, STATUS_LABEL } from '../../domain/types.js'
import { diffTerms, fixFieldLabels, rocDay, type FieldChange } from '../terms-diff.js'
import { insertRows, upsertRows, type Columns } from '../sql-rows.js'
import { positionToString } from '../../commands/event-store/port.js'

export const HISTORY_COLUMNS = {
  case_id: 'text',
  seq: 'int',
  event_id: 'text',
  type: 'text',
  occurred_at: 'timestamptz',
  recorded_at: 'timestamptz',
  actor_role: 'text',
  actor_id: 'text',
  actor_name: 'text',
  actor_via: 'text',
  summary: 'text',
  diff: 'jsonb',
  status_after: 'text',
  position: 'text',
} as const satisfies Columns

export const HISTORY_CASE_COLUMNS = { case_id: 'text', national_id: 'text', scope_institutions: 'text[]', scope_counties: 'text[]' } as const satisfies Columns

/** zh-TW one-line summary and the terms diff of one step. */
export function describeStep(step: CaseStep): { summary: string; diff: FieldChange[] } {
  const e = step.event
  const b = step.before
  const a = step.after
  switch (e.type) {
    case 'ReportDrafted':
      return { summary: `建立草稿（被支援機構 ${e.data.terms.supported.name}）${e.data.copiedFrom ? '，複製自過去案件' : ''}`, diff: diffTerms(undefined, e.data.terms) }
    case 'DraftEdited':
      return { summary: '修改草稿', diff: diffTerms(b?.terms, e.data.terms, b?.routing, e.data.routing) }
    case 'ReportSubmitted':
      return { summary: `送審（登錄），案件編號 ${e.data.caseNumber}`, diff: [] }
    case 'ReportApproved':
      return { summary: `核准登錄，核准文號 ${e.data.approvalNumber}${e.data.note ? `（${e.data.note}）` : ''}`, diff: [] }
    case 'ReportRejected':
      return { summary: `不予核准：${e.data.reason}`, diff: [] }
    case 'ReportReturned':
    case 'ChangeReturned':
      return { summary: `退回補正：${e.data.reason}${e.data.fieldsToFix.length ? `（需修正：${fixFieldLabels(e.data.fieldsToFix)}）` : ''}`, diff: [] }
    case 'ReportResubmitted': {
      return { summary: '補正後重新送審', diff: diffTerms(b?.facts.currentTerms, e.data.terms, b?.facts.currentRouting, e.data.routing) }
    }
    case 'ChangeRequested':
      return { summary: `申請變更：${e.data.reason}`, diff: diffTerms(b?.facts.listedTerms, e.data.terms, b?.facts.listedRouting, e.data.routing) }
    case 'ChangeApproved':
      return { summary: `核准變更，核准文號 ${e.data.approvalNumber}`, diff: diffTerms(b?.approved?.terms, a?.approved?.terms, b?.approved?.routing, a?.approved?.routing) }
    case 'ChangeRejected':
      return { summary: `變更不予核准：${e.data.reason}`, diff: [] }
    case 'CancellationRequested':
      return { summary: `申請註銷，生效日 ${rocDay(e.data.effectiveDate)}：${e.data.reason}`, diff: [] }
    case 'CancellationApproved':
      return { summary: `核准註銷，核准文號 ${e.data.approvalNumber}`, diff: [] }
    case 'CancellationRejected':
      return { summary: `註銷不予核准：${e.data.reason}`, diff: [] }
    case 'ReportWithdrawn':
      return { summary: `撤回${APPLICATION_TYPE_LABEL[e.data.applicationType]}申請${e.data.reason ? `：${e.data.reason}` : ''}`, diff: [] }
    case 'AttachmentAdded':
      return { summary: `新增附件 ${e.data.attachment.name}`, diff: [] }
    case 'AttachmentRemoved':
      return { summary: '移除附件', diff: [] }
    case 'ReportImported':
      return { summary: `自舊系統匯入（舊案號 ${e.data.legacyNumber}，狀態 ${STATUS_LABEL[e.data.status]}）`, diff: [] }
    default:
      return { summary: (e as { type: string }).type, diff: [] }
  }
}

export const historyProjection = defineCaseProjection({
  name: 'history',
  // 2: diffs in reviewer terms (ROC dates with weekday, zh-TW field names) instead of ISO dates
  // 3: folded with the domain's evolve, stored state = the domain state
  revision: 4, // 4: the diff stores codes of 科別/目的/縣市, named at render time (terms-diff.ts)
  tables: ['case_history', 'history_cases'],
  ddl: (_v, t) => {
    const h = t('case_history')
    const c = t('history_cases')
    return [
      `CREATE TABLE IF NOT EXISTS ${h} (${Object.entries(HISTORY_COLUMNS).map(([n, ty]) => `${n} ${ty}`).join(', ')}, PRIMARY KEY (case_id, seq));`,
      `CREATE TABLE IF NOT EXISTS ${c} (${Object.entries(HISTORY_CASE_COLUMNS).map(([n, ty]) => `${n} ${ty}${n === 'case_id' ? ' PRIMARY KEY' : ''}`).join(', ')});`,
    ].join('\n')
  },
  async apply(changes, ctx) {
    const rows = changes.flatMap((ch) =>
      ch.steps.map((step) => {
        const { summary, diff } = describeStep(step)
        const m = step.event.meta
        return {
          case_id: ch.caseId,
          seq: step.event.streamVersion,
          event_id: step.event.id,
          type: step.event.type,
          occurred_at: m.occurredAt,
          recorded_at: step.event.recordedAt,
          actor_role: m.actor.role,
          actor_id: m.actor.id,
          actor_name: m.actor.name ?? null,
          actor_via: m.actor.via,
          summary,
          diff,
          status_after: step.after?.status ?? null,
          position: positionToString(step.event.position),
        }
      }),
    )
    await insertRows(ctx.tx, ctx.table('case_history'), HISTORY_COLUMNS, rows, 'ON CONFLICT (case_id, seq) DO NOTHING')
    await upsertRows(ctx.tx, ctx.table('history_cases'), HISTORY_CASE_COLUMNS, ['case_id'],
      changes.flatMap((ch) => {
        if (!ch.after) return []
        const s = ch.after.facts.scope
        return [{ case_id: ch.caseId, national_id: s.nationalId, scope_institutions: s.institutions, scope_counties: s.counties }]
      }))
  },
})
