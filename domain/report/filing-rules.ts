// The rules checked when terms are filed (draft, submission, resubmission, change) and attachments added. Pure.
import { fail } from '../errors.js'
import { assertPersonId } from '../national-id.js'
import { isInstitutionCode } from '../reference/institution-code.js'
import { FIRST_REFERENCE, onList, type ReferenceLists } from '../reference/lists.js'
import { DEFAULT_QUOTA_RULES } from '../reference/quota-rules.js'
import { taipeiDate, taipeiInstant } from '../roc-date.js'
import { conflictingCaseNames, findConflicts, countsForConflict } from '../rules/conflict.js'
import { blockingFindings, describeQuotaFinding, evaluateQuota } from '../rules/quota.js'
import { compareOccurrences, expandSchedule, occurrencesBefore, scheduleBounds, validateSchedule } from '../schedule.js'
import type { ApplicantSnapshot, Attachment, FilingFindings, Instant, Occurrence, Terms } from '../types.js'
import type { DecideContext } from './commands.js'

export const ATTACHMENT_TYPES: readonly string[] = ['application/pdf', 'image/jpeg', 'image/png']
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

/**
 * Shape and reference data of the terms, and the schedule itself. `reference`: the lists in force at the command's
 * instant (the caller reads them from the rules); the first version when none is given.
 */
export const checkTerms = (terms: Terms, reference: Pick<ReferenceLists, 'counties' | 'departments' | 'purposes'> = FIRST_REFERENCE): void => {
  if (!terms || typeof terms !== 'object') return fail('VALIDATION_FAILED', { fields: ['terms'] })
  if (!isInstitutionCode(terms.supported?.code)) fail('INVALID_INSTITUTION_CODE', { field: 'terms.supported.code', value: terms.supported?.code })
  if (!onList(reference.counties, terms.supported.county)) fail('UNKNOWN_COUNTY', { field: 'terms.supported.county', value: terms.supported.county })
  if (!onList(reference.departments, terms.department)) fail('UNKNOWN_DEPARTMENT', { field: 'terms.department', value: terms.department })
  if (!onList(reference.purposes, terms.purpose)) fail('UNKNOWN_PURPOSE', { field: 'terms.purpose', value: terms.purpose })
  validateSchedule(terms.schedule)
}

/** The applicant may file these terms: valid id, active, another institution, license covers the whole schedule. */
export const checkApplicant = (applicant: ApplicantSnapshot, terms: Terms): void => {
  assertPersonId(applicant.nationalId)
  if (applicant.practiceStatus !== 'active') {
    fail('PROFESSIONAL_SUSPENDED', { practiceStatus: applicant.practiceStatus },
      applicant.practiceStatus === 'inactive' ? ['已歇業或不在執業登記中'] : [])
  }
  if (terms.supported.code === applicant.home.code) fail('SAME_INSTITUTION', { institutionCode: applicant.home.code })
  const { from, to } = scheduleBounds(terms.schedule)
  if (from < applicant.licenseValidFrom || to > applicant.licenseValidTo) {
    fail('SCHEDULE_OUTSIDE_LICENSE', {
      scheduleFrom: from, scheduleTo: to, licenseValidFrom: applicant.licenseValidFrom, licenseValidTo: applicant.licenseValidTo,
    })
  }
}

export const occurrenceStart = (o: Occurrence): Instant => taipeiInstant(o.date, o.start)

/** No after-the-fact filing: every given occurrence starts after `now`. */
export const checkNotInPast = (occurrences: readonly Occurrence[], now: Instant): void => {
  const first = [...occurrences].sort(compareOccurrences)[0]
  if (first && Date.parse(occurrenceStart(first)) <= Date.parse(now)) {
    fail('SCHEDULE_IN_PAST', { firstOccurrence: first, now, today: taipeiDate(now) })
  }
}

const key = (o: Occurrence) => `${o.date} ${o.start}-${o.end}`

/**
 * A change keeps the past: the occurrences before today (Asia/Taipei) and the place stay as approved,
 * and every occurrence it adds starts after `now`.
 */
export const checkChangeKeepsPast = (approved: Terms, proposed: Terms, now: Instant): void => {
  const today = taipeiDate(now)
  const before = occurrencesBefore(expandSchedule(approved.schedule), today)
  const after = occurrencesBefore(expandSchedule(proposed.schedule), today)
  const same = before.length === after.length && before.every((o, i) => key(o) === key(after[i] as Occurrence))
  const placeChanged = before.length > 0 && (approved.supported.code !== proposed.supported.code || approved.department !== proposed.department)
  if (!same || placeChanged) {
    fail('SCHEDULE_PAST_CHANGED', { today, approvedBefore: before.length, proposedBefore: after.length, placeChanged })
  }
  const old = new Set(expandSchedule(approved.schedule).map(key))
  checkNotInPast(expandSchedule(proposed.schedule).filter((o) => !old.has(key(o))), now)
}

/**
 * Every conflict (each clashing case named with its first clashing occurrence) and every quota finding the proposed
 * terms meet against the applicant's OTHER reports (`ctx.existing`, this case excluded). Refuses nothing: filing
 * (evaluateFiling), the preview and the reviewer's re-check all evaluate with this.
 */
export const evaluateFindings = (caseId: string, applicant: ApplicantSnapshot, terms: Terms, ctx: DecideContext): FilingFindings => {
  const proposed = expandSchedule(terms.schedule)
  const others = (ctx.existing ?? []).filter((r) => r.caseId !== caseId)
  const conflicts = findConflicts(proposed, others)
  // a change under review counts with its new terms for the quota (the old ones end if it is approved)
  const existing = others.filter(countsForConflict).flatMap((r) => r.pendingOccurrences ?? r.occurrences)
  const quota = evaluateQuota(ctx.quotaRules ?? DEFAULT_QUOTA_RULES, {
    profession: applicant.profession,
    ...(terms.supported.kind !== undefined ? { supportedKind: terms.supported.kind } : {}),
    county: terms.supported.county,
    existing,
    proposed,
    ...(ctx.staffing !== undefined ? { staffing: ctx.staffing } : {}),
  })
  return { conflicts, quota }
}

/**
 * Conflicts (refuse with SCHEDULE_CONFLICT naming the first clashing case) and quota (refuse with QUOTA_EXCEEDED for
 * blocking rules that are over). Returns the findings to record in the event.
 */
export const evaluateFiling = (caseId: string, applicant: ApplicantSnapshot, terms: Terms, ctx: DecideContext): FilingFindings => {
  const { conflicts, quota } = evaluateFindings(caseId, applicant, terms, ctx)
  const first = conflicts[0]
  if (first) {
    fail('SCHEDULE_CONFLICT', {
      caseId: first.caseId, caseNumber: first.caseNumber, occurrence: first.occurrence, clashesWith: first.clashesWith, conflicts,
    }, [conflictingCaseNames(conflicts)])
  }
  const blocking = blockingFindings(quota)
  if (blocking.length) {
    // the message names each rule once, at its first period over the limit; the details keep every finding
    const seen = new Set<string>()
    const firstPerRule = blocking.filter((f) => !seen.has(f.ruleId) && seen.add(f.ruleId))
    fail('QUOTA_EXCEEDED', { findings: blocking }, [firstPerRule.map(describeQuotaFinding).join('；')])
  }
  // which published rule versions judged this filing (only when the handler gave them: rules as data)
  const rules = ctx.quotaRules || ctx.routingRules
    ? { rules: { quota: (ctx.quotaRules ?? DEFAULT_QUOTA_RULES).version, ...(ctx.routingRules?.version ? { routing: ctx.routingRules.version } : {}) } }
    : {}
  return { conflicts: [], quota, ...rules }
}

export const checkAttachment = (a: Attachment, present: readonly Attachment[]): void => {
  if (!a || typeof a.hash !== 'string' || !/^[0-9a-f]{64}$/.test(a.hash) || typeof a.name !== 'string' || a.name === '') {
    fail('VALIDATION_FAILED', { fields: ['attachment'] })
  }
  if (!ATTACHMENT_TYPES.includes(a.type)) fail('ATTACHMENT_TYPE', { type: a.type })
  if (!Number.isInteger(a.size) || a.size < 0 || a.size > MAX_ATTACHMENT_BYTES) fail('ATTACHMENT_TOO_LARGE', { size: a.size, max: MAX_ATTACHMENT_BYTES })
  if (present.some((p) => p.hash === a.hash)) fail('ATTACHMENT_DUPLICATE', { hash: a.hash })
}
