// Read model `notices` (新通知): one row per reviewer decision on a case — approved, rejected (未核准) or returned
// (退回補正), for a registration, a change or a cancellation — for the applicant and the institutions that file for
// them (the applicant's home institution and the filing institution). The reason and the fields to fix are the
// domain's (caseFacts.decision), never re-derived here.
import { defineCaseProjection, type CaseStep } from '../case-projection.js'
import { insertRows, type Columns } from '../sql-rows.js'
import { decisionOfEvent, decisionRecipients, type DecisionOutcome } from '../../domain/report/decision-events.js'

export const NOTICE_COLUMNS = {
  event_id: 'text',
  case_id: 'text',
  seq: 'int',
  occurred_at: 'timestamptz',
  /** When the log recorded it: orders decisions of the same business instant. */
  recorded_at: 'timestamptz',
  outcome: 'text',
  application_type: 'text',
  case_number: 'text',
  approval_number: 'text',
  reason: 'text',
  fields_to_fix: 'text[]',
  applicant_name: 'text',
  supported_name: 'text',
  national_id: 'text',
  scope_institutions: 'text[]',
} as const satisfies Columns

export type NoticeOutcome = DecisionOutcome

export function noticeRow(caseId: string, step: CaseStep) {
  const d = decisionOfEvent(step.event)
  const after = step.after
  if (!d || !after) return undefined
  const decision = after.facts.decision
  const terms = after.facts.currentTerms
  return {
    event_id: step.event.id,
    case_id: caseId,
    seq: step.event.streamVersion,
    occurred_at: step.event.meta.occurredAt,
    recorded_at: step.event.recordedAt,
    outcome: d.outcome,
    application_type: d.applicationType,
    case_number: after.caseNumber,
    approval_number: d.outcome === 'approved' ? after.approvalNumber : null,
    reason: decision?.reason ?? null,
    fields_to_fix: decision?.fieldLabels ?? [],
    applicant_name: after.applicant.name,
    supported_name: terms.supported.name,
    national_id: after.applicant.nationalId,
    scope_institutions: decisionRecipients(after).institutions,
  }
}

export const noticesProjection = defineCaseProjection({
  name: 'notices',
  tables: ['notices'],
  ddl: (_v, t) => {
    const n = t('notices')
    return [
      `CREATE TABLE IF NOT EXISTS ${n} (${Object.entries(NOTICE_COLUMNS).map(([c, ty]) => `${c} ${ty}${c === 'event_id' ? ' PRIMARY KEY' : ''}`).join(', ')});`,
      `CREATE INDEX IF NOT EXISTS ${n}_person ON ${n} (national_id, occurred_at DESC, recorded_at DESC);`,
      `CREATE INDEX IF NOT EXISTS ${n}_inst ON ${n} USING gin (scope_institutions);`,
    ].join('\n')
  },
  async apply(changes, ctx) {
    const rows = changes.flatMap((ch) => ch.steps.flatMap((step) => noticeRow(ch.caseId, step) ?? []))
    await insertRows(ctx.tx, ctx.table('notices'), NOTICE_COLUMNS, rows, 'ON CONFLICT (event_id) DO NOTHING')
  },
})
