// Staff accounts (帳號管理) as a decider over the stream `account-<id>` (DESIGN.md §7): created, changed, disabled,
// re-enabled, each with who (the event's actor) and why (reason). An account is never deleted. Who may manage which
// account is decided here: the MOHW administrator (`admin`, national) manages every account; a bureau administrator
// (`bureau_admin`) only reviewers and bureau administrators of their own county. Pure.
import { DomainError } from '../errors.js'
import { countyOf } from '../reference/counties.js'
import type { Actor, CountyCode } from '../types.js'

export type StaffRole = 'reviewer' | 'statistician' | 'bureau_admin' | 'admin'
export const STAFF_ROLES: readonly StaffRole[] = ['reviewer', 'statistician', 'bureau_admin', 'admin']
export const STAFF_ROLE_LABEL: Readonly<Record<StaffRole, string>> = {
  reviewer: '衛生局審查人員',
  statistician: '衛福部統計人員',
  bureau_admin: '衛生局系統管理者',
  admin: '衛福部系統管理者',
}
/** Roles bound to one county (the others are national). */
export const COUNTY_ROLES: readonly StaffRole[] = ['reviewer', 'bureau_admin']
export const isStaffRole = (r: string): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r)

/** What identifies an account's card: the certificate's issuer DN and serial (lowercase hex), or its subject DN. */
export type CertificateId = { issuerDn: string; serialHex: string } | { subjectDn: string }

export interface AccountProfile {
  name: string
  agency: string
  /** The bureau's county for reviewers and bureau administrators; null for national roles. */
  county: CountyCode | null
  role: StaffRole
  certificates: CertificateId[]
}

export const accountStream = (accountId: string) => `account-${accountId}`
export const ACCOUNT_ID = /^[A-Za-z0-9_.-]{1,40}$/

// ---- events ----
export interface AccountCreated {
  type: 'AccountCreated'
  data: { accountId: string; profile: AccountProfile; reason: string }
}
export interface AccountChanged {
  type: 'AccountChanged'
  data: { accountId: string; profile: AccountProfile; changed: (keyof AccountProfile)[]; reason: string }
}
export interface AccountDisabled {
  type: 'AccountDisabled'
  data: { accountId: string; reason: string }
}
export interface AccountEnabled {
  type: 'AccountEnabled'
  data: { accountId: string; reason: string }
}
export type AccountEvent = AccountCreated | AccountChanged | AccountDisabled | AccountEnabled
export const ACCOUNT_EVENT_TYPES: readonly AccountEvent['type'][] = ['AccountCreated', 'AccountChanged', 'AccountDisabled', 'AccountEnabled']

// ---- commands ----
export type AccountCommand =
  | { type: 'CreateAccount'; data: { accountId: string; profile: AccountProfile; reason: string } }
  | { type: 'ChangeAccount'; data: { profile: AccountProfile; reason: string } }
  | { type: 'DisableAccount'; data: { reason: string } }
  | { type: 'EnableAccount'; data: { reason: string } }

export interface AccountContext {
  actor: Actor
  /** The counties in force (rules.referenceAt); their first version when not given. */
  counties?: readonly { code: string }[]
}

// ---- state ----
export type AccountState =
  | { exists: false }
  | { exists: true; accountId: string; profile: AccountProfile; disabled: boolean }

export const initialAccountState = (): AccountState => ({ exists: false })

export function evolveAccount(s: AccountState, e: AccountEvent): AccountState {
  switch (e.type) {
    case 'AccountCreated':
      return { exists: true, accountId: e.data.accountId, profile: e.data.profile, disabled: false }
    case 'AccountChanged':
      return s.exists ? { ...s, profile: e.data.profile } : s
    case 'AccountDisabled':
      return s.exists ? { ...s, disabled: true } : s
    case 'AccountEnabled':
      return s.exists ? { ...s, disabled: false } : s
    default:
      return s
  }
}

// ---- rules ----
const invalid = (field: string, why: string): never => {
  throw new DomainError('ACCOUNT_INVALID', { field }, `帳號資料不正確：${why}`)
}

/** Lowercase hex without leading zeros (how serials are compared). */
export const normalizeSerial = (hex: string): string => hex.trim().toLowerCase().replace(/^0+(?=.)/, '')
/** DNs are compared with spaces around separators removed. */
export const normalizeDn = (dn: string): string => dn.trim().split(',').map((p) => p.trim()).join(',')

export function normalizeCertificate(c: CertificateId): CertificateId {
  if ('subjectDn' in c) {
    const subjectDn = normalizeDn(c.subjectDn)
    if (!subjectDn.includes('=') || subjectDn.length > 500) invalid('certificates', '憑證主體名稱（Subject DN）格式不正確')
    return { subjectDn }
  }
  const issuerDn = normalizeDn(c.issuerDn)
  const serialHex = normalizeSerial(c.serialHex)
  if (!issuerDn.includes('=') || issuerDn.length > 500) invalid('certificates', '憑證簽發者（Issuer DN）格式不正確')
  if (!/^[0-9a-f]{1,64}$/.test(serialHex)) invalid('certificates', '憑證序號須為 16 進位數字')
  return { issuerDn, serialHex }
}

/** The key a certificate identifier is looked up by (read model, uniqueness). */
export const certificateKey = (c: CertificateId): string =>
  'subjectDn' in c ? `subject:${normalizeDn(c.subjectDn)}` : `issuer:${normalizeDn(c.issuerDn)}#${normalizeSerial(c.serialHex)}`

export function validateProfile(p: AccountProfile, counties?: readonly { code: string }[]): AccountProfile {
  const name = p.name.trim()
  const agency = p.agency.trim()
  if (!name || name.length > 50) invalid('name', '姓名必填（50 字以內）')
  if (!agency || agency.length > 100) invalid('agency', '機關名稱必填（100 字以內）')
  if (!isStaffRole(p.role)) invalid('role', '角色不正確')
  const needsCounty = COUNTY_ROLES.includes(p.role)
  const known = (c: string) => (counties ? counties.some((x) => x.code === c) : !!countyOf(c))
  if (needsCounty && (!p.county || !known(p.county))) invalid('county', '審查人員與衛生局管理者須指定縣市')
  if (!needsCounty && p.county) invalid('county', '全國層級的角色不指定縣市')
  if (p.certificates.length === 0 || p.certificates.length > 10) invalid('certificates', '至少需要一張憑證（最多 10 張）')
  const certificates = p.certificates.map(normalizeCertificate)
  if (new Set(certificates.map(certificateKey)).size !== certificates.length) invalid('certificates', '憑證重複')
  return { name, agency, county: needsCounty ? p.county : null, role: p.role, certificates }
}

/** May `actor` manage an account of `role` in `county`? */
export function mayManage(actor: Actor, target: { role: StaffRole; county: CountyCode | null }): boolean {
  if (actor.role === 'admin' || actor.role === 'system') return true
  if (actor.role === 'bureau_admin') return !!actor.county && target.county === actor.county && COUNTY_ROLES.includes(target.role)
  return false
}

function assertManages(actor: Actor, target: { role: StaffRole; county: CountyCode | null }) {
  if (actor.role !== 'admin' && actor.role !== 'bureau_admin' && actor.role !== 'system') throw new DomainError('FORBIDDEN')
  if (!mayManage(actor, target)) throw new DomainError('ACCOUNT_OUT_OF_SCOPE')
}

const reasonOf = (r: string): string => {
  const reason = r.trim()
  if (!reason) throw new DomainError('REASON_REQUIRED')
  if (reason.length > 500) invalid('reason', '理由過長（500 字以內）')
  return reason
}

const sameCertificates = (a: CertificateId[], b: CertificateId[]) =>
  a.map(certificateKey).sort().join('\n') === b.map(certificateKey).sort().join('\n')

export function decideAccount(c: AccountCommand, s: AccountState, ctx: AccountContext): AccountEvent[] {
  switch (c.type) {
    case 'CreateAccount': {
      if (s.exists) throw new DomainError('ACCOUNT_EXISTS', { accountId: s.accountId })
      if (!ACCOUNT_ID.test(c.data.accountId)) invalid('accountId', '帳號代碼須為 1–40 個英數字、底線、點或連字號')
      const profile = validateProfile(c.data.profile, ctx.counties)
      assertManages(ctx.actor, profile)
      return [{ type: 'AccountCreated', data: { accountId: c.data.accountId, profile, reason: reasonOf(c.data.reason) } }]
    }
    case 'ChangeAccount': {
      if (!s.exists) throw new DomainError('ACCOUNT_NOT_FOUND')
      const profile = validateProfile(c.data.profile, ctx.counties)
      assertManages(ctx.actor, s.profile) // the account as it is ...
      assertManages(ctx.actor, profile) // ... and as it would be
      const changed = (['name', 'agency', 'county', 'role'] as const).filter((k) => s.profile[k] !== profile[k]) as (keyof AccountProfile)[]
      if (!sameCertificates(s.profile.certificates, profile.certificates)) changed.push('certificates')
      if (changed.length === 0) return []
      return [{ type: 'AccountChanged', data: { accountId: s.accountId, profile, changed, reason: reasonOf(c.data.reason) } }]
    }
    case 'DisableAccount': {
      if (!s.exists) throw new DomainError('ACCOUNT_NOT_FOUND')
      assertManages(ctx.actor, s.profile)
      if (s.disabled) return []
      if (ctx.actor.id === s.accountId) invalid('accountId', '不可停用自己的帳號')
      return [{ type: 'AccountDisabled', data: { accountId: s.accountId, reason: reasonOf(c.data.reason) } }]
    }
    case 'EnableAccount': {
      if (!s.exists) throw new DomainError('ACCOUNT_NOT_FOUND')
      assertManages(ctx.actor, s.profile)
      if (!s.disabled) return []
      return [{ type: 'AccountEnabled', data: { accountId: s.accountId, reason: reasonOf(c.data.reason) } }]
    }
  }
}
