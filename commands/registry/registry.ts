// Lookups and upserts over the reference registry. Scoped reads happen in the callers (HTTP guards, command service).
import type { Sql } from '../platform/database.js'
import { findAccount } from '../accounts/find-account.js'
import type { StaffRole } from '../../domain/accounts/account.js'
import type { ApplicantSnapshot, CountyCode, InstitutionKind, InstitutionRef, IsoDate, ProfessionCode } from '../../domain/types.js'

export interface RegistryInstitution extends InstitutionRef {
  kind: InstitutionKind
  ownPhysicians?: number | null
  ownPharmacists?: number | null
  weeklySessions?: number | null
}

export interface RegistryProfessional {
  nationalId: string
  name: string
  profession: ProfessionCode
  department?: string | null
  licenseNumber: string
  licenseValidFrom: IsoDate
  licenseValidTo: IsoDate
  practiceStatus: 'active' | 'suspended'
  homeInstitutionCode: string
  phone?: string | null
  nhiCardNumber?: string | null
  birthDate?: IsoDate | null
  sex?: 'M' | 'F' | null
}

export interface RegistryStaff {
  staffId: string
  name: string
  role: StaffRole
  county: CountyCode | null
  agency: string
}

const iso = (d: unknown): string => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10))

type InstitutionRow = {
  code: string; name: string; county: string; district: string | null; kind: string
  own_physicians: number | null; own_pharmacists: number | null; weekly_sessions: number | null
}
const toInstitution = (r: InstitutionRow): RegistryInstitution => ({
  code: r.code,
  name: r.name,
  county: r.county,
  ...(r.district ? { district: r.district } : {}),
  kind: r.kind as InstitutionKind,
  ownPhysicians: r.own_physicians,
  ownPharmacists: r.own_pharmacists,
  weeklySessions: r.weekly_sessions,
})

type ProfessionalRow = {
  national_id: string; name: string; profession: string; department: string | null; license_number: string
  license_valid_from: unknown; license_valid_to: unknown; practice_status: 'active' | 'suspended'
  home_institution_code: string; phone: string | null; nhi_card_number: string | null; birth_date: unknown; sex: 'M' | 'F' | null
}
const toProfessional = (r: ProfessionalRow): RegistryProfessional => ({
  nationalId: r.national_id,
  name: r.name,
  profession: r.profession,
  department: r.department,
  licenseNumber: r.license_number,
  licenseValidFrom: iso(r.license_valid_from),
  licenseValidTo: iso(r.license_valid_to),
  practiceStatus: r.practice_status,
  homeInstitutionCode: r.home_institution_code,
  phone: r.phone,
  nhiCardNumber: r.nhi_card_number,
  birthDate: r.birth_date == null ? null : iso(r.birth_date),
  sex: r.sex,
})

export async function findInstitution(db: Sql, code: string): Promise<RegistryInstitution | undefined> {
  const r = await db.query<InstitutionRow>(`SELECT * FROM registry_institutions WHERE code = $1`, [code])
  return r.rows[0] ? toInstitution(r.rows[0]) : undefined
}

/** Search by code prefix or name fragment, for the 被支援機構 picker. */
export async function searchInstitutions(db: Sql, q: string, limit = 20): Promise<RegistryInstitution[]> {
  const term = q.trim()
  if (!term) return []
  const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  const r = await db.query<InstitutionRow>(
    `SELECT * FROM registry_institutions WHERE code LIKE $1 OR name LIKE $2 ORDER BY code LIMIT $3`,
    [`${term.toUpperCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`, like, limit],
  )
  return r.rows.map(toInstitution)
}

export async function findProfessional(db: Sql, nationalId: string): Promise<RegistryProfessional | undefined> {
  const r = await db.query<ProfessionalRow>(`SELECT * FROM registry_professionals WHERE national_id = $1`, [nationalId])
  return r.rows[0] ? toProfessional(r.rows[0]) : undefined
}

export async function findProfessionalByNhiCard(db: Sql, cardNumber: string): Promise<RegistryProfessional | undefined> {
  const r = await db.query<ProfessionalRow>(`SELECT * FROM registry_professionals WHERE nhi_card_number = $1`, [cardNumber])
  return r.rows[0] ? toProfessional(r.rows[0]) : undefined
}

/** The institution's own staff (professionals whose home is the institution). */
export async function listStaffOf(db: Sql, institutionCode: string): Promise<RegistryProfessional[]> {
  const r = await db.query<ProfessionalRow>(
    `SELECT * FROM registry_professionals WHERE home_institution_code = $1 ORDER BY name, national_id`,
    [institutionCode],
  )
  return r.rows.map(toProfessional)
}

/** Bureau staff by id: through the staff accounts (帳號管理, commands/accounts/find-account.ts), disabled ones too. */
export async function findStaff(db: Sql, staffId: string): Promise<RegistryStaff | undefined> {
  const a = await findAccount(db, staffId)
  return a ? { staffId: a.accountId, name: a.name, role: a.role, county: a.county, agency: a.agency } : undefined
}

/** The registration snapshot a case records; undefined when the professional or the home institution is unknown. */
export async function applicantSnapshot(db: Sql, nationalId: string): Promise<ApplicantSnapshot | undefined> {
  const p = await findProfessional(db, nationalId)
  if (!p) return undefined
  const home = await findInstitution(db, p.homeInstitutionCode)
  if (!home) return undefined
  return {
    nationalId: p.nationalId,
    name: p.name,
    profession: p.profession,
    licenseNumber: p.licenseNumber,
    licenseValidFrom: p.licenseValidFrom,
    licenseValidTo: p.licenseValidTo,
    practiceStatus: p.practiceStatus,
    home: institutionRef(home),
  }
}

export const institutionRef = (i: RegistryInstitution): InstitutionRef => ({
  code: i.code,
  name: i.name,
  county: i.county,
  ...(i.district ? { district: i.district } : {}),
  kind: i.kind,
})

export async function upsertInstitutions(db: Sql, rows: RegistryInstitution[]): Promise<void> {
  if (!rows.length) return
  await db.query(
    `INSERT INTO registry_institutions (code, name, county, district, kind, own_physicians, own_pharmacists, weekly_sessions)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[])
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, county = EXCLUDED.county, district = EXCLUDED.district,
       kind = EXCLUDED.kind, own_physicians = EXCLUDED.own_physicians, own_pharmacists = EXCLUDED.own_pharmacists,
       weekly_sessions = EXCLUDED.weekly_sessions`,
    [
      rows.map((r) => r.code), rows.map((r) => r.name), rows.map((r) => r.county), rows.map((r) => r.district ?? null),
      rows.map((r) => r.kind), rows.map((r) => r.ownPhysicians ?? null), rows.map((r) => r.ownPharmacists ?? null),
      rows.map((r) => r.weeklySessions ?? null),
    ],
  )
}

export async function upsertProfessionals(db: Sql, rows: RegistryProfessional[]): Promise<void> {
  if (!rows.length) return
  await db.query(
    `INSERT INTO registry_professionals (national_id, name, profession, department, license_number, license_valid_from,
       license_valid_to, practice_status, home_institution_code, phone, nhi_card_number, birth_date, sex)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[], $8::text[],
       $9::text[], $10::text[], $11::text[], $12::date[], $13::text[])
     ON CONFLICT (national_id) DO UPDATE SET name = EXCLUDED.name, profession = EXCLUDED.profession,
       department = EXCLUDED.department, license_number = EXCLUDED.license_number,
       license_valid_from = EXCLUDED.license_valid_from, license_valid_to = EXCLUDED.license_valid_to,
       practice_status = EXCLUDED.practice_status, home_institution_code = EXCLUDED.home_institution_code,
       phone = EXCLUDED.phone, nhi_card_number = EXCLUDED.nhi_card_number, birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex`,
    [
      rows.map((r) => r.nationalId), rows.map((r) => r.name), rows.map((r) => r.profession), rows.map((r) => r.department ?? null),
      rows.map((r) => r.licenseNumber), rows.map((r) => r.licenseValidFrom), rows.map((r) => r.licenseValidTo),
      rows.map((r) => r.practiceStatus), rows.map((r) => r.homeInstitutionCode), rows.map((r) => r.phone ?? null),
      rows.map((r) => r.nhiCardNumber ?? null), rows.map((r) => r.birthDate ?? null), rows.map((r) => r.sex ?? null),
    ],
  )
}

export async function upsertStaff(db: Sql, rows: RegistryStaff[]): Promise<void> {
  for (const s of rows) {
    await db.query(
      `INSERT INTO registry_staff (staff_id, name, role, county, agency) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (staff_id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, county = EXCLUDED.county, agency = EXCLUDED.agency`,
      [s.staffId, s.name, s.role, s.county, s.agency],
    )
  }
}
