// Fixtures for the support-report DECIDER tests (test/unit/domain-report-*.unit.test.ts): people, institutions,
// terms, actors and event builders. (Projection fixtures live in report-fixtures.ts.)
import type { ReportEvent } from '../../domain/events.js'
import type { FoldableEvent } from '../../domain/report/state.js'
import type { Actor, ApplicantSnapshot, FilingFindings, InstitutionRef, Terms } from '../../domain/types.js'

/** 2024-02-20 10:00 Asia/Taipei. */
export const NOW = '2024-02-20T02:00:00.000Z'
export const CASE_ID = '6f1c3d52-9a4e-4b7e-8a51-0c8f3b2d9e10'
export const CASE_NUMBER = '11302200000001'

export const HOSPITAL_63: InstitutionRef = { code: '0163010001', name: '示範大學附設醫院', county: '63', district: '中正區', kind: 'medical_center' }
export const CLINIC_65: InstitutionRef = { code: '3565010003', name: '板橋康健診所', county: '65', district: '板橋區', kind: 'clinic' }
export const CLINIC_63: InstitutionRef = { code: '3563020002', name: '仁愛家醫診所', county: '63', district: '大安區', kind: 'clinic' }
export const PHARMACY_63: InstitutionRef = { code: '5963030005', name: '安心藥局', county: '63', district: '信義區', kind: 'pharmacy' }
export const PHARMACY_65: InstitutionRef = { code: '5965040006', name: '永和好藥局', county: '65', district: '永和區', kind: 'pharmacy' }

export const PHYSICIAN: ApplicantSnapshot = {
  nationalId: 'A123456789', name: '王大明', profession: 'A', licenseNumber: '醫字第012345號',
  licenseValidFrom: '2020-01-01', licenseValidTo: '2031-12-31', practiceStatus: 'active', home: HOSPITAL_63,
}
export const PHARMACIST: ApplicantSnapshot = {
  nationalId: 'A223456012', name: '林美玲', profession: 'D', licenseNumber: '藥字第034567號',
  licenseValidFrom: '2019-07-01', licenseValidTo: '2031-06-30', practiceStatus: 'active', home: PHARMACY_63,
}

/** Mondays and Wednesdays of March 2024, 08:00–12:00, at the 新北 clinic. */
export const TERMS: Terms = {
  supported: CLINIC_65, department: '01', purpose: '01',
  schedule: { kind: 'weekly', from: '2024-03-01', to: '2024-03-31', weekdays: [1, 3], windows: [{ start: '08:00', end: '12:00' }] },
}
/** TERMS extended to the end of April. */
export const TERMS_APRIL: Terms = { ...TERMS, schedule: { ...TERMS.schedule, from: '2024-03-01', to: '2024-04-30' } as Terms['schedule'] }

export const PRO: Actor = { role: 'professional', id: PHYSICIAN.nationalId, via: 'hca-professional-card', institutionCode: HOSPITAL_63.code }
export const OTHER_PRO: Actor = { role: 'professional', id: 'F122334458', via: 'hca-professional-card' }
export const PHARMACIST_PRO: Actor = { role: 'professional', id: PHARMACIST.nationalId, via: 'nhi-card-password' }
export const INST: Actor = { role: 'institution', id: HOSPITAL_63.code, institutionCode: HOSPITAL_63.code, via: 'hca-institution-card' }
export const OTHER_INST: Actor = { role: 'institution', id: '0165020004', institutionCode: '0165020004', via: 'hca-institution-card' }
export const REVIEWER_65: Actor = { role: 'reviewer', id: 'NTP-R001', county: '65', via: 'staff-card' }
export const REVIEWER_63: Actor = { role: 'reviewer', id: 'TPE-R001', county: '63', via: 'staff-card' }
export const STATISTICIAN: Actor = { role: 'statistician', id: 'MOHW-S001', via: 'staff-card' }
export const OPERATOR: Actor = { role: 'operator', id: 'ops', via: 'cli' }

export const PDF = { hash: 'a'.repeat(64), name: '同意書.pdf', type: 'application/pdf', size: 12_345 }

export const routingOf = (terms: Terms, applicant = PHYSICIAN) =>
  applicant.profession === 'D' || applicant.profession === 'E'
    ? { reviewCounty: applicant.home.county, copiedCounties: terms.supported.county === applicant.home.county ? [] : [terms.supported.county] }
    : { reviewCounty: terms.supported.county, copiedCounties: [] }

const at = <E extends ReportEvent>(e: E, occurredAt?: string): FoldableEvent => (occurredAt ? { ...e, meta: { occurredAt } } : e)

export const ev = {
  drafted: (over: { applicant?: ApplicantSnapshot; terms?: Terms; by?: 'professional' | 'institution'; at?: string } = {}) => {
    const applicant = over.applicant ?? PHYSICIAN
    const terms = over.terms ?? TERMS
    return at({
      type: 'ReportDrafted',
      data: {
        caseId: CASE_ID, applicant,
        filedBy: over.by === 'institution' ? { role: 'institution', id: applicant.home.code } : { role: 'professional', id: applicant.nationalId },
        terms, routing: routingOf(terms, applicant), attachments: [],
      },
    }, over.at)
  },
  edited: (terms: Terms, applicant = PHYSICIAN) => at({ type: 'DraftEdited', data: { terms, routing: routingOf(terms, applicant) } }),
  submitted: (occurredAt?: string, findings: FilingFindings = { conflicts: [], quota: [] }) =>
    at({ type: 'ReportSubmitted', data: { caseNumber: CASE_NUMBER, findings } }, occurredAt),
  approved: (occurredAt?: string) => at({ type: 'ReportApproved', data: { reviewerId: 'NTP-R001', approvalNumber: 'A1130001' } }, occurredAt),
  rejected: (occurredAt?: string) => at({ type: 'ReportRejected', data: { reviewerId: 'NTP-R001', reason: '資料不全' } }, occurredAt),
  returned: () => at({ type: 'ReportReturned', data: { reviewerId: 'NTP-R001', reason: '請補附件', fieldsToFix: ['attachments'] } }),
  resubmitted: (terms: Terms = TERMS, occurredAt?: string) =>
    at({ type: 'ReportResubmitted', data: { terms, routing: routingOf(terms), findings: { conflicts: [], quota: [] } } }, occurredAt),
  changeRequested: (terms: Terms = TERMS_APRIL) =>
    at({ type: 'ChangeRequested', data: { terms, routing: routingOf(terms), reason: '延長支援', findings: { conflicts: [], quota: [] } } }),
  changeApproved: () => at({ type: 'ChangeApproved', data: { reviewerId: 'NTP-R001', approvalNumber: 'A1130002' } }),
  changeRejected: () => at({ type: 'ChangeRejected', data: { reviewerId: 'NTP-R001', reason: '不符規定' } }),
  changeReturned: () => at({ type: 'ChangeReturned', data: { reviewerId: 'NTP-R001', reason: '請修正時段', fieldsToFix: ['schedule'] } }),
  cancellationRequested: (effectiveDate = '2024-03-18') => at({ type: 'CancellationRequested', data: { effectiveDate, reason: '診所歇業' } }),
  cancellationApproved: () => at({ type: 'CancellationApproved', data: { reviewerId: 'NTP-R001', approvalNumber: 'A1130003' } }),
  cancellationRejected: () => at({ type: 'CancellationRejected', data: { reviewerId: 'NTP-R001', reason: '未檢附證明' } }),
  withdrawn: (applicationType: 'register' | 'change' | 'cancel' = 'register') => at({ type: 'ReportWithdrawn', data: { applicationType } }),
  attachmentAdded: (attachment = PDF) => at({ type: 'AttachmentAdded', data: { attachment } }),
}

/** The usual histories. */
export const history = {
  draft: () => [ev.drafted()],
  underReview: () => [ev.drafted(), ev.submitted()],
  approved: () => [ev.drafted(), ev.submitted(), ev.approved()],
  changePending: () => [...history.approved(), ev.changeRequested()],
  cancelPending: () => [...history.approved(), ev.cancellationRequested()],
}
