// Lookups over the registry read model, and recording registry facts (as events: record-facts.ts). Scoped reads
// happen in the callers (HTTP guards, command service).
import type { Database, Sql } from '../platform/database.js'
import type { InstitutionFacts, InstitutionStatus, PracticeStatus, ProfessionalFacts, RegistrySource } from '../../domain/registry/facts.js'
import { taipeiDate } from '../../domain/roc-date.js'
import { findAccount } from '../accounts/find-account.js'
import { certificateKey, normalizeDn, normalizeSerial, type StaffRole } from '../../domain/accounts/account.js'
import type { ApplicantSnapshot, CountyCode, InstitutionKind, InstitutionRef, IsoDate, ProfessionCode } from '../../domain/types.js'
import { recordInstitutions, recordProfessionals, type RecordCounts } from './record-facts.js'

export interface RegistryInstitution extends InstitutionRef {
  kind: InstitutionKind
  /** 開業 / 停業 / 歇業 (default open). */
  status?: InstitutionStatus
  statusDate?: IsoDate | null
  ownPhysicians?: number | null
  ownPharmacists?: number | null
  weeklySessions?: number | null
  /** The institution card's certificate, when it names no institution code (write-only here: see findInstitutionByCard). */
  cardIssuerDn?: string | null
  cardSerial?: string | null
}

export interface RegistryProfessional {
  nationalId: string
  name: string
  profession: ProfessionCode
  department?: string | null
  licenseNumber: string
  licenseValidFrom: IsoDate
  licenseValidTo: IsoDate
  practiceStatus: PracticeStatus
  statusDate?: IsoDate | null
  homeInstitutionCode: string
  phone?: string | null
  nhiCardNumber?: string | null
  birthDate?: IsoDate | null
  sex?: 'M' | 'F' | null
  /** The professional card's certificate, when it names no national ID (write-only here: see findProfessionalByCard). */
  cardIssuerDn?: string | null
  cardSerial?: string | null
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
  code: string; name: string; county: string; district: string | null; kind: string; status: InstitutionStatus; status_date: unknown
  own_physicians: number | null; own_pharmacists: number | null; weekly_sessions: number | null
}
const toInstitution = (r: InstitutionRow): RegistryInstitution => ({
  code: r.code,
  name: r.name,
  county: r.county,
  ...(r.district ? { district: r.district } : {}),
  kind: r.kind as InstitutionKind,
  status: r.status,
  statusDate: r.status_date == null ? null : iso(r.status_date),
  ownPhysicians: r.own_physicians,
  ownPharmacists: r.own_pharmacists,
  weeklySessions: r.weekly_sessions,
})

type ProfessionalRow = {
  national_id: string; name: string; profession: string; department: string | null; license_number: string
  license_valid_from: unknown; license_valid_to: unknown; practice_status: PracticeStatus; status_date: unknown
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
  statusDate: r.status_date == null ? null : iso(r.status_date),
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

/**
 * The professional / institution whose registry entry records this card certificate (issuer DN + serial), for cards
 * whose certificate names no national ID or institution code (README 登入).
 */
export async function findProfessionalByCard(db: Sql, card: { issuerDn: string; serialHex: string }): Promise<RegistryProfessional | undefined> {
  const r = await db.query<ProfessionalRow>(`SELECT * FROM registry_professionals WHERE card_cert_key = $1 LIMIT 2`, [certificateKey({ issuerDn: card.issuerDn, serialHex: card.serialHex })])
  return r.rows.length === 1 ? toProfessional(r.rows[0]!) : undefined // two entries naming one card: neither is it
}

export async function findInstitutionByCard(db: Sql, card: { issuerDn: string; serialHex: string }): Promise<RegistryInstitution | undefined> {
  const r = await db.query<InstitutionRow>(`SELECT * FROM registry_institutions WHERE card_cert_key = $1 LIMIT 2`, [certificateKey({ issuerDn: card.issuerDn, serialHex: card.serialHex })])
  return r.rows.length === 1 ? toInstitution(r.rows[0]!) : undefined
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

/**
 * A page of an institution's staff in name order, optionally those whose name contains `q` or whose national ID
 * starts with it, and how many match: a large hospital has thousands, so nobody lists them all at once.
 */
export async function listStaffOf(db: Sql, institutionCode: string, o: { q?: string; offset?: number; limit?: number } = {}): Promise<{ rows: RegistryProfessional[]; total: number }> {
  const term = (o.q ?? '').trim()
  const escaped = (x: string) => x.replace(/[\\%_]/g, (c) => `\\${c}`)
  const where = `home_institution_code = $1${term ? ' AND (name LIKE $2 OR national_id LIKE $3)' : ''}`
  const params: unknown[] = term ? [institutionCode, `%${escaped(term)}%`, `${escaped(term.toUpperCase())}%`] : [institutionCode]
  const limit = Math.min(Math.max(1, o.limit ?? 50), 500)
  const [rows, count] = await Promise.all([
    db.query<ProfessionalRow>(`SELECT * FROM registry_professionals WHERE ${where} ORDER BY name, national_id LIMIT ${limit} OFFSET ${Math.max(0, Math.floor(o.offset ?? 0))}`, params),
    db.query<{ n: string }>(`SELECT count(*)::text AS n FROM registry_professionals WHERE ${where}`, params),
  ])
  return { rows: rows.rows.map(toProfessional), total: Number(count.rows[0]!.n) }
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

/** The card certificate fields as facts: DN and serial normalised as the staff accounts' (both or neither). */
const cardFacts = (r: { cardIssuerDn?: string | null; cardSerial?: string | null }) =>
  r.cardIssuerDn && r.cardSerial
    ? { cardIssuerDn: normalizeDn(r.cardIssuerDn), cardSerial: normalizeSerial(r.cardSerial) }
    : { cardIssuerDn: null, cardSerial: null }

export const institutionFacts = (r: RegistryInstitution): InstitutionFacts => ({
  code: r.code, name: r.name, county: r.county, district: r.district ?? null, kind: r.kind, status: r.status ?? 'open',
  statusDate: r.statusDate ?? null, ownPhysicians: r.ownPhysicians ?? null, ownPharmacists: r.ownPharmacists ?? null,
  weeklySessions: r.weeklySessions ?? null, ...cardFacts(r),
})

export const professionalFacts = (r: RegistryProfessional): ProfessionalFacts => ({
  nationalId: r.nationalId, name: r.name, profession: r.profession, department: r.department ?? null,
  licenseNumber: r.licenseNumber, licenseValidFrom: r.licenseValidFrom, licenseValidTo: r.licenseValidTo,
  practiceStatus: r.practiceStatus, statusDate: r.statusDate ?? null, homeInstitutionCode: r.homeInstitutionCode,
  phone: r.phone ?? null, nhiCardNumber: r.nhiCardNumber ?? null, birthDate: r.birthDate ?? null, sex: r.sex ?? null,
  ...cardFacts(r),
})

const SYSTEM_ACTOR = { role: 'system' as const, id: 'registry', via: 'system' as const }

/**
 * Records institutions as registry events (a delta as of today, or the demo seed with `kind: 'demo'`); unchanged
 * entries append nothing. What tests and the seed use; the file import is registry-import.ts.
 */
export async function upsertInstitutions(db: Database, rows: RegistryInstitution[], source: RegistrySource = { kind: 'delta' }): Promise<RecordCounts> {
  const now = new Date().toISOString()
  return recordInstitutions(db, rows.map((r) => ({ facts: institutionFacts(r) })), {
    asOf: taipeiDate(now), source, actor: SYSTEM_ACTOR, correlationId: `registry:${source.kind}`, now,
  })
}

/** Records professionals as registry events (see upsertInstitutions); their home institutions must be recorded. */
export async function upsertProfessionals(db: Database, rows: RegistryProfessional[], source: RegistrySource = { kind: 'delta' }): Promise<RecordCounts> {
  const now = new Date().toISOString()
  return recordProfessionals(db, rows.map((r) => ({ facts: professionalFacts(r) })), {
    asOf: taipeiDate(now), source, actor: SYSTEM_ACTOR, correlationId: `registry:${source.kind}`, now,
  })
}

