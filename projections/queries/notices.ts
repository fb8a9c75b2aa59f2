// 新通知: the reviewer decisions on the caller's cases, newest first, paged.
import type { ReadModels } from './read-models.js'
import { isoInstant, run } from './kysely.js'
import type { Scope } from './scope.js'
import type { NoticeOutcome } from '../read-models/notices.js'
import type { ApplicationType } from '../../domain/types.js'

export interface Notice {
  eventId: string
  caseId: string
  occurredAt: string
  outcome: NoticeOutcome
  applicationType: ApplicationType
  caseNumber: string | null
  approvalNumber: string | null
  reason: string | null
  fieldsToFix: string[]
  applicantName: string | null
  supportedName: string | null
}

export async function listNotices(rm: ReadModels, scope: Scope, page: { page: number; pageSize: number }): Promise<{ rows: Notice[]; total: number }> {
  const pageSize = Math.min(Math.max(1, page.pageSize), 100)
  const rows = await run(rm, 'notices', ({ from }) =>
    from('notices', scope)
      .select((eb) => [
        'event_id', 'case_id', isoInstant(eb.ref('occurred_at')).as('occurred_at'), 'outcome', 'application_type', 'case_number', 'approval_number',
        'reason', 'fields_to_fix', 'applicant_name', 'supported_name',
      ])
      .orderBy('occurred_at', 'desc')
      .orderBy('recorded_at', 'desc')
      .orderBy('event_id', 'desc')
      .limit(pageSize)
      .offset((Math.max(1, page.page) - 1) * pageSize),
  )
  const count = await run(rm, 'notices', ({ from }) => from('notices', scope).select((eb) => eb.fn.countAll<string>().as('n')))
  return {
    total: Number(count[0]?.n ?? 0),
    rows: rows.map((r) => ({
      eventId: r.event_id, caseId: r.case_id, occurredAt: r.occurred_at!, outcome: r.outcome as NoticeOutcome, applicationType: r.application_type as ApplicationType,
      caseNumber: r.case_number, approvalNumber: r.approval_number, reason: r.reason, fieldsToFix: r.fields_to_fix ?? [],
      applicantName: r.applicant_name, supportedName: r.supported_name,
    })),
  }
}

/** How many decisions arrived after `since` (the person's previous login): the 新通知 count. */
export async function countNoticesSince(rm: ReadModels, scope: Scope, since: string): Promise<number> {
  const r = await run(rm, 'notices', ({ from }) => from('notices', scope).where('occurred_at', '>', new Date(since)).select((eb) => eb.fn.countAll<string>().as('n')))
  return Number(r[0]?.n ?? 0)
}
