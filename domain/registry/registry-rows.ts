// The registry feed's columns (README: 醫事人員 and 醫事機構 files) and the validation of one row. Pure.
import { normalizeDn, normalizeSerial } from '../accounts/account.js'
import { isInstitutionCode } from '../reference/institution-code.js'
import { FIRST_REFERENCE, onList, type ReferenceLists } from '../reference/lists.js'
import type { InstitutionKind } from '../types.js'
import { RowReader, type CellError } from './cells.js'
import type { InstitutionFacts, InstitutionStatus, PracticeStatus, ProfessionalFacts } from './facts.js'

export const PROFESSIONAL_COLUMNS = [
  '身分證號', '姓名', '醫事人員類別', '職業科別', '執照字號', '執照號碼', '執照起日', '執照迄日', '執業狀態', '狀態日期',
  '執業機構代碼', '電話', '健保卡號', '出生日期', '性別', '卡片憑證簽發者', '卡片憑證序號',
] as const
export const PROFESSIONAL_REQUIRED = ['身分證號', '姓名', '醫事人員類別', '執照字號', '執照號碼', '執照起日', '執照迄日', '執業狀態', '執業機構代碼'] as const

export const INSTITUTION_COLUMNS = [
  '機構代碼', '機構名稱', '縣市代碼', '鄉鎮市區', '機構類別', '機構狀態', '狀態日期', '醫師數', '藥師數', '每週診次', '卡片憑證簽發者', '卡片憑證序號',
] as const
export const INSTITUTION_REQUIRED = ['機構代碼', '機構名稱', '縣市代碼', '機構類別'] as const

const PRACTICE: Record<string, PracticeStatus> = { 執業: 'active', 停業: 'suspended', 歇業: 'inactive', active: 'active', suspended: 'suspended', inactive: 'inactive' }
const INSTITUTION_STATUS: Record<string, InstitutionStatus> = { 開業: 'open', 停業: 'suspended', 歇業: 'closed', open: 'open', suspended: 'suspended', closed: 'closed' }
const KINDS: Record<string, InstitutionKind> = {
  醫學中心: 'medical_center', 區域醫院: 'regional_hospital', 地區醫院: 'district_hospital', 診所: 'clinic', 藥局: 'pharmacy',
  公會: 'association', 其他: 'other',
  medical_center: 'medical_center', regional_hospital: 'regional_hospital', district_hospital: 'district_hospital',
  clinic: 'clinic', pharmacy: 'pharmacy', association: 'association', other: 'other',
}
const SEX: Record<string, 'M' | 'F'> = { M: 'M', F: 'F', 男: 'M', 女: 'F', '1': 'M', '2': 'F' }

/**
 * 卡片憑證簽發者 + 卡片憑證序號 (optional, both or neither): the card certificate a holder logs in with when the
 * certificate names no national ID / institution code (README 登入). The DN as `C=TW,O=…,CN=…` (the issuer's
 * attributes in certificate order), the serial in hex (colons and spaces allowed).
 */
function cardCertificate(r: RowReader, cells: Readonly<Record<string, string | undefined>>): { cardIssuerDn?: string | null; cardSerial?: string | null } {
  // a file without the two columns says nothing of the card: what is recorded stays (the feed of 醫事管理系統 need not
  // carry what a bureau registered)
  if (cells['卡片憑證簽發者'] === undefined && cells['卡片憑證序號'] === undefined) return {}
  const dn = r.text('卡片憑證簽發者', { max: 500 })
  const serialRaw = r.text('卡片憑證序號', { max: 100 })
  if (!dn && !serialRaw) return { cardIssuerDn: null, cardSerial: null }
  if (!dn) r.error('卡片憑證簽發者', '填了卡片憑證序號就須填卡片憑證簽發者')
  if (!serialRaw) r.error('卡片憑證序號', '填了卡片憑證簽發者就須填卡片憑證序號')
  const serial = serialRaw ? normalizeSerial(serialRaw.replace(/[:\s]/g, '')) : null
  if (serial !== null && !/^[0-9a-f]{1,64}$/.test(serial)) r.error('卡片憑證序號', '卡片憑證序號須為 16 進位數字（至多 64 位）')
  if (dn && !/^[A-Za-z0-9.]+=/.test(dn)) r.error('卡片憑證簽發者', '卡片憑證簽發者須為 DN（例如 C=TW,O=行政院,OU=醫事憑證管理中心）')
  return { cardIssuerDn: dn ? normalizeDn(dn) : null, cardSerial: serial }
}

export type RowResult<T> = { ok: true; value: T } | { ok: false; errors: CellError[] }

/** `reference`: the lists in force on the import's as-of day (rules.referenceAt; their first version when not given):
 * a 醫事人員類別 or 職業科別 an administrator added is accepted, a code on no list refused. */
export function professionalFromRow(
  row: number, cells: Readonly<Record<string, string | undefined>>,
  reference: Pick<ReferenceLists, 'professions' | 'departments'> = FIRST_REFERENCE,
): RowResult<ProfessionalFacts> {
  const r = new RowReader(row, cells)
  const nationalId = r.personId('身分證號')
  const name = r.text('姓名', { required: true, max: 50 })
  const profession = r.code('醫事人員類別', (s) => onList(reference.professions, s), '醫事人員類別', { required: true })
  const department = r.code('職業科別', (s) => onList(reference.departments, s), '職業科別')
  const prefix = r.text('執照字號', { required: true, max: 20 })
  const number = r.text('執照號碼', { required: true, max: 20 })
  const licenseValidFrom = r.date('執照起日', { required: true })
  const licenseValidTo = r.date('執照迄日', { required: true })
  if (licenseValidFrom && licenseValidTo && licenseValidTo < licenseValidFrom) r.error('執照迄日', '執照迄日早於起日')
  const practiceStatus = r.oneOf('執業狀態', PRACTICE, { required: true })
  const statusDate = r.date('狀態日期')
  const homeInstitutionCode = r.code('執業機構代碼', isInstitutionCode, '執業機構代碼', { required: true })
  const phone = r.text('電話', { max: 20 })
  const nhiCardNumber = r.code('健保卡號', (s) => /^\d{12}$/.test(s), '健保卡號')
  const birthDate = r.date('出生日期')
  const sex = r.oneOf('性別', SEX)
  const card = cardCertificate(r, cells)
  if (r.errors.length) return { ok: false, errors: r.errors }
  const licenseNumber = /^\d+$/.test(number!) ? `${prefix}第${number}號` : `${prefix}${number}`
  return {
    ok: true,
    value: {
      nationalId: nationalId!, name: name!, profession: profession!, department, licenseNumber,
      licenseValidFrom: licenseValidFrom!, licenseValidTo: licenseValidTo!, practiceStatus: practiceStatus!, statusDate,
      homeInstitutionCode: homeInstitutionCode!, phone, nhiCardNumber, birthDate, sex, ...card,
    },
  }
}

/** `reference`: the counties in force on the import's as-of day (their first version when not given). */
export function institutionFromRow(
  row: number, cells: Readonly<Record<string, string | undefined>>,
  reference: Pick<ReferenceLists, 'counties'> = FIRST_REFERENCE,
): RowResult<InstitutionFacts> {
  const r = new RowReader(row, cells)
  const code = r.code('機構代碼', isInstitutionCode, '機構代碼', { required: true })
  const name = r.text('機構名稱', { required: true, max: 100 })
  const county = r.code('縣市代碼', (s) => onList(reference.counties, s), '縣市代碼', { required: true })
  const district = r.text('鄉鎮市區', { max: 20 })
  const kind = r.oneOf('機構類別', KINDS, { required: true })
  const status = r.oneOf('機構狀態', INSTITUTION_STATUS) ?? 'open'
  const statusDate = r.date('狀態日期')
  const ownPhysicians = r.count('醫師數')
  const ownPharmacists = r.count('藥師數')
  const weeklySessions = r.count('每週診次')
  const card = cardCertificate(r, cells)
  if (r.errors.length) return { ok: false, errors: r.errors }
  return {
    ok: true,
    value: { code: code!, name: name!, county: county!, district, kind: kind!, status, statusDate, ownPhysicians, ownPharmacists, weeklySessions, ...card },
  }
}
