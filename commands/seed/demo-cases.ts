// Demo cases, one or more in every status, relative to "today" so the calendars show them. Data only.
import type { Actor, IsoDate, Schedule, Weekday } from '../../domain/types.js'
import { addDays } from '../../domain/roc-date.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS, DEMO_STAFF } from '../registry/demo-registry.js'

export const professionalActor = (nationalId: string): Actor => {
  const p = DEMO_PROFESSIONALS.find((x) => x.nationalId === nationalId)!
  return { role: 'professional', id: p.nationalId, name: p.name, via: 'hca-professional-card', institutionCode: p.homeInstitutionCode }
}
export const institutionActor = (code: string): Actor => {
  const i = DEMO_INSTITUTIONS.find((x) => x.code === code)!
  return { role: 'institution', id: i.code, name: i.name, via: 'hca-institution-card', institutionCode: i.code }
}
export const reviewerActor = (staffId: string): Actor => {
  const s = DEMO_STAFF.find((x) => x.staffId === staffId)!
  return { role: 'reviewer', id: s.staffId, name: s.name, via: 'staff-card', ...(s.county ? { county: s.county } : {}) }
}

export type DemoStep =
  | { do: 'file'; by: Actor }
  | { do: 'draft'; by: Actor }
  | { do: 'approve'; by: Actor; note?: string }
  | { do: 'reject'; by: Actor; reason: string }
  | { do: 'return'; by: Actor; reason: string; fieldsToFix: string[] }
  | { do: 'change'; by: Actor; reason: string; schedule: Schedule }
  | { do: 'cancel'; by: Actor; reason: string; effectiveDate: IsoDate }

export interface DemoCase {
  key: string
  applicantId: string
  supportedCode: string
  department: string
  purpose: string
  schedule: Schedule
  steps: DemoStep[]
}

const weekly = (from: IsoDate, to: IsoDate, weekdays: Weekday[], start: string, end: string): Schedule => ({
  kind: 'weekly', from, to, weekdays, windows: [{ start, end }],
})

export function demoCases(today: IsoDate): DemoCase[] {
  const d = (n: number) => addDays(today, n)
  const wang = professionalActor('A123456789')
  const lin = professionalActor('A223456012')
  const chen = professionalActor('H220112234')
  const liu = professionalActor('Q134567894')
  const zhi = professionalActor('F122334458')
  const hospital = institutionActor('0163010001')
  const tpe = reviewerActor('TPE-R001')
  const ntp = reviewerActor('NTP-R001')
  const tyn = reviewerActor('TYN-R001')
  return [
    { key: 'wang-clinic-evenings', applicantId: wang.id, supportedCode: '3563020002', department: '02', purpose: '01',
      schedule: weekly(d(3), d(90), [2, 4], '18:00', '21:00'),
      steps: [{ do: 'file', by: wang }, { do: 'approve', by: tpe, note: '准予備查' }] },
    { key: 'wang-banqiao-saturdays', applicantId: wang.id, supportedCode: '3565010003', department: '02', purpose: '01',
      schedule: weekly(d(5), d(60), [6], '09:00', '12:00'),
      steps: [{ do: 'file', by: wang }] },
    { key: 'lin-pharmacy-yonghe', applicantId: lin.id, supportedCode: '5965040006', department: '00', purpose: '07',
      schedule: weekly(d(4), d(60), [1, 3], '14:00', '17:00'),
      steps: [{ do: 'file', by: lin }, { do: 'return', by: tpe, reason: '請補附被支援藥局之支援同意書', fieldsToFix: ['attachments'] }] },
    { key: 'chen-nurse-mornings', applicantId: chen.id, supportedCode: '0163010001', department: '00', purpose: '08',
      schedule: weekly(d(2), d(30), [1, 2, 3, 4, 5], '08:00', '12:00'),
      steps: [
        { do: 'file', by: chen },
        { do: 'approve', by: tpe },
        { do: 'change', by: chen, reason: '增加星期五下午支援', schedule: { kind: 'weekly', from: d(2), to: d(30), weekdays: [1, 2, 3, 4, 5], windows: [{ start: '08:00', end: '12:00' }, { start: '13:30', end: '16:30' }] } },
      ] },
    { key: 'wu-sessions-draft', applicantId: 'A212345679', supportedCode: '0165020004', department: '00', purpose: '08',
      schedule: { kind: 'sessions', sessions: [{ date: d(7), start: '08:00', end: '16:00' }, { date: d(14), start: '08:00', end: '16:00' }, { date: d(21), start: '08:00', end: '16:00' }] },
      steps: [{ do: 'draft', by: hospital }] },
    { key: 'liu-cancelled', applicantId: liu.id, supportedCode: '3563020002', department: '04', purpose: '01',
      schedule: weekly(d(10), d(70), [3], '09:00', '12:00'),
      steps: [{ do: 'file', by: liu }, { do: 'approve', by: tpe }, { do: 'cancel', by: liu, reason: '診所調整門診', effectiveDate: d(20) }, { do: 'approve', by: tpe }] },
    { key: 'zhi-taoyuan-rejected', applicantId: zhi.id, supportedCode: '3568050007', department: '01', purpose: '01',
      schedule: weekly(d(6), d(40), [5], '18:00', '21:00'),
      steps: [{ do: 'file', by: zhi }, { do: 'reject', by: tyn, reason: '被支援機構未檢附醫師人力說明' }] },
    { key: 'zhi-banqiao-approved', applicantId: zhi.id, supportedCode: '3565010003', department: '01', purpose: '01',
      schedule: weekly(d(3), d(120), [1], '18:00', '21:00'),
      steps: [{ do: 'file', by: zhi }, { do: 'approve', by: ntp }] },
  ]
}
