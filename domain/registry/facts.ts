// Registry facts (DESIGN.md §7): what 醫事管理系統 says about a professional or an institution, as events on
// `registry-person-<id>` / `registry-institution-<code>` streams, each with the day it takes effect. Pure.
import { fail } from '../errors.js'
import type { CountyCode, InstitutionKind, IsoDate, ProfessionCode } from '../types.js'

/** 執業狀態: active 執業, suspended 停業, inactive 歇業 / no longer in the registry (absent from a full snapshot). */
export type PracticeStatus = 'active' | 'suspended' | 'inactive'
/** 機構狀態: open 開業, suspended 停業, closed 歇業 / absent from a full snapshot. */
export type InstitutionStatus = 'open' | 'suspended' | 'closed'

export interface ProfessionalFacts {
  nationalId: string
  name: string
  profession: ProfessionCode
  department: string | null
  licenseNumber: string
  licenseValidFrom: IsoDate
  licenseValidTo: IsoDate
  practiceStatus: PracticeStatus
  statusDate: IsoDate | null
  homeInstitutionCode: string
  phone: string | null
  nhiCardNumber: string | null
  birthDate: IsoDate | null
  sex: 'M' | 'F' | null
  /**
   * The holder's card certificate, for cards whose certificate names no national ID (README 登入, 卡片與登記資料):
   * issuer DN (normalizeDn) and serial (lowercase hex, no leading zeros); both or neither. Absent in older events.
   */
  cardIssuerDn?: string | null
  cardSerial?: string | null
}

export interface InstitutionFacts {
  code: string
  name: string
  county: CountyCode
  district: string | null
  kind: InstitutionKind
  status: InstitutionStatus
  statusDate: IsoDate | null
  ownPhysicians: number | null
  ownPharmacists: number | null
  weeklySessions: number | null
  /** The institution card's certificate (issuer DN + serial), as for professionals. Absent in older events. */
  cardIssuerDn?: string | null
  cardSerial?: string | null
}

/** Where a fact came from: a full snapshot, a delta, the demo seed (fenced: never overwrites a real row). */
export interface RegistrySource {
  kind: 'full' | 'delta' | 'demo'
  /** sha256 of the imported file. */
  file?: string
  /** Data row number in that file (header = row 1). */
  row?: number
}

export interface ProfessionalRecorded {
  type: 'ProfessionalRecorded'
  /** facts: the whole entry after the change. absent: not in a full snapshot (not deleted: inactive from that day). */
  data: { facts: ProfessionalFacts; effectiveDate: IsoDate; changed: string[]; source: RegistrySource; absent?: true }
}
export interface InstitutionRecorded {
  type: 'InstitutionRecorded'
  /** absent: not in a full snapshot (not deleted: closed from that day). */
  data: { facts: InstitutionFacts; effectiveDate: IsoDate; changed: string[]; source: RegistrySource; absent?: true }
}

export type RegistryEvent = ProfessionalRecorded | InstitutionRecorded
export const REGISTRY_EVENT_TYPES = ['InstitutionRecorded', 'ProfessionalRecorded'] as const

export const personStream = (nationalId: string) => `registry-person-${nationalId}`
export const institutionStream = (code: string) => `registry-institution-${code}`

const PROFESSIONAL_FIELDS: readonly (keyof ProfessionalFacts)[] = [
  'nationalId', 'name', 'profession', 'department', 'licenseNumber', 'licenseValidFrom', 'licenseValidTo', 'practiceStatus',
  'statusDate', 'homeInstitutionCode', 'phone', 'nhiCardNumber', 'birthDate', 'sex',
  'cardIssuerDn', 'cardSerial',
]
const INSTITUTION_FIELDS: readonly (keyof InstitutionFacts)[] = [
  'code', 'name', 'county', 'district', 'kind', 'status', 'statusDate', 'ownPhysicians', 'ownPharmacists', 'weeklySessions',
  'cardIssuerDn', 'cardSerial',
]

/** The fields whose values differ (empty: nothing to record). `before` undefined = a new entry (every field). */
export const changedProfessionalFields = (before: ProfessionalFacts | undefined, after: ProfessionalFacts): string[] =>
  PROFESSIONAL_FIELDS.filter((f) => !before || (before[f] ?? null) !== (after[f] ?? null))
export const changedInstitutionFields = (before: InstitutionFacts | undefined, after: InstitutionFacts): string[] =>
  INSTITUTION_FIELDS.filter((f) => !before || (before[f] ?? null) !== (after[f] ?? null))

/**
 * The day a change takes effect: the practice/institution status date when the status itself changed on a day
 * between the last recorded change and the import's as-of day; otherwise the as-of day.
 */
export const effectiveDateOf = (
  asOf: IsoDate, lastEffective: IsoDate | null, statusChanged: boolean, statusDate: IsoDate | null,
): IsoDate =>
  statusChanged && statusDate !== null && statusDate <= asOf && (lastEffective === null || statusDate >= lastEffective)
    ? statusDate
    : lastEffective !== null && lastEffective > asOf ? lastEffective : asOf

/** Licensed and practising on day D, by the facts in force that day. */
export const licensedAndActiveOn = (f: Pick<ProfessionalFacts, 'practiceStatus' | 'licenseValidFrom' | 'licenseValidTo'>, day: IsoDate): boolean =>
  f.practiceStatus === 'active' && f.licenseValidFrom <= day && day <= f.licenseValidTo

export type RegistryConcern = 'practice_suspended' | 'practice_inactive' | 'license_expires' | 'home_closed' | 'supported_closed'

export const CONCERN_LABEL: Record<RegistryConcern, string> = {
  practice_suspended: '醫事人員已停業',
  practice_inactive: '醫事人員已歇業或不在執業登記中',
  license_expires: '執業執照有效期間未涵蓋支援期間',
  home_closed: '執業機構已停業或歇業',
  supported_closed: '被支援機構已停業或歇業',
}

/**
 * Why a running approved support needs a reviewer's look after a registry change (empty: nothing). The one rule
 * behind the reviewers' worklist and the line on the case file.
 */
export const registryConcerns = (r: {
  practiceStatus: PracticeStatus | null
  licenseValidTo: IsoDate | null
  homeStatus: InstitutionStatus | null
  supportedStatus: InstitutionStatus | null
  supportTo: IsoDate | null
}): RegistryConcern[] => {
  const out: RegistryConcern[] = []
  if (r.practiceStatus === 'suspended') out.push('practice_suspended')
  if (r.practiceStatus === 'inactive') out.push('practice_inactive')
  if (r.licenseValidTo !== null && r.supportTo !== null && r.licenseValidTo < r.supportTo) out.push('license_expires')
  if (r.homeStatus !== null && r.homeStatus !== 'open') out.push('home_closed')
  if (r.supportedStatus !== null && r.supportedStatus !== 'open') out.push('supported_closed')
  return out
}

/** New filings need open institutions on both sides (停業 or 歇業 in the registry refuses, with the side named). */
export const assertInstitutionOpen = (i: { code: string; name?: string; status?: InstitutionStatus }, side: 'home' | 'supported'): void => {
  if (i.status !== undefined && i.status !== 'open') {
    fail('INSTITUTION_CLOSED', { code: i.code, side, status: i.status },
      [side === 'home' ? '執業機構' : '被支援機構', i.name ? `「${i.name}」` : '', i.status === 'suspended' ? '停業' : '歇業'])
  }
}
