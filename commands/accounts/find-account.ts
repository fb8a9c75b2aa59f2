// The one look-up of staff accounts (帳號管理), over the `accounts` read model: by id (a session re-reading its rights
// at every request) and by the certificate a card presented (staff card login). Disabled accounts are returned with
// `disabled: true`; the callers refuse them.
import type { Sql } from '../platform/database.js'
import { certificateKey, type CertificateId, type StaffRole } from '../../domain/accounts/account.js'
import type { CountyCode } from '../../domain/types.js'
import { isDomainError } from '../../domain/errors.js'
import { readModelsOn, type ReadModels } from '../../projections/queries/read-models.js'

export interface StaffAccount {
  accountId: string
  name: string
  agency: string
  county: CountyCode | null
  role: StaffRole
  disabled: boolean
  certificates: CertificateId[]
  updatedAt: string
  version: number
}

type Row = {
  account_id: string; name: string; agency: string; county: string | null; role: StaffRole; disabled: boolean
  certificates: CertificateId[] | string; updated_at: Date | string; stream_version: number
}
const toAccount = (r: Row): StaffAccount => ({
  accountId: r.account_id,
  name: r.name,
  agency: r.agency,
  county: r.county,
  role: r.role,
  disabled: r.disabled,
  certificates: typeof r.certificates === 'string' ? (JSON.parse(r.certificates) as CertificateId[]) : r.certificates,
  updatedAt: new Date(r.updated_at).toISOString(),
  version: Number(r.stream_version),
})

/**
 * Where accounts are read from: the read models (the web server's, their live versions cached) or a connection
 * (a transaction, a command, a test: the live version read with each query). Either way the live version is
 * resolved by the read models (projections/queries/read-models.ts), in one place.
 */
export type AccountSource = Sql | Pick<ReadModels, 'select'>

/** Rows of the accounts read model's live version; none before it is set up. */
async function accounts<R>(source: AccountSource, build: (t: { accounts: string; certificates: string }) => { text: string; params: unknown[] }): Promise<R[]> {
  const rm = 'select' in source ? source : readModelsOn(source)
  return rm.select<R>('administration', (t) => build({ accounts: t('accounts'), certificates: t('account_certificates') })).catch((e: unknown) => {
    if (isDomainError(e) && e.code === 'READ_MODEL_NOT_READY') return []
    throw e
  })
}

/** An account by id (the session check runs it at every staff request), disabled ones too. */
export async function findAccount(source: AccountSource, accountId: string): Promise<StaffAccount | undefined> {
  const rows = await accounts<Row>(source, (t) => ({ text: `SELECT * FROM ${t.accounts} WHERE account_id = $1`, params: [accountId] }))
  return rows[0] ? toAccount(rows[0]) : undefined
}

/**
 * The account a card certificate identifies: by issuer DN + serial first, else by subject DN. Pass what the
 * certificate says; any part may be missing.
 */
export async function findAccountByCertificate(source: AccountSource, cert: { issuerDn?: string; serialHex?: string; subjectDn?: string }): Promise<StaffAccount | undefined> {
  const keys: string[] = []
  if (cert.issuerDn && cert.serialHex) keys.push(certificateKey({ issuerDn: cert.issuerDn, serialHex: cert.serialHex }))
  if (cert.subjectDn) keys.push(certificateKey({ subjectDn: cert.subjectDn }))
  if (!keys.length) return undefined
  const rows = await accounts<Row>(source, (t) => ({
    text: `SELECT a.* FROM ${t.certificates} c JOIN ${t.accounts} a ON a.account_id = c.account_id
     WHERE c.cert_key = ANY($1::text[]) ORDER BY array_position($1::text[], c.cert_key) LIMIT 1`,
    params: [keys],
  }))
  return rows[0] ? toAccount(rows[0]) : undefined
}

/** Which account (if any) holds each of these certificate identifiers (uniqueness check before a change). */
export async function certificateHolders(source: AccountSource, certs: readonly CertificateId[]): Promise<Map<string, string>> {
  if (certs.length === 0) return new Map()
  const rows = await accounts<{ cert_key: string; account_id: string }>(source, (t) => ({
    text: `SELECT cert_key, account_id FROM ${t.certificates} WHERE cert_key = ANY($1::text[])`, params: [certs.map(certificateKey)],
  }))
  return new Map(rows.map((x) => [x.cert_key, x.account_id]))
}

export interface AccountFilter {
  county?: CountyCode
  q?: string
  includeDisabled?: boolean
  limit?: number
  offset?: number
}

/** Accounts for 帳號管理 (a bureau administrator passes their county). */
export async function listAccounts(source: AccountSource, f: AccountFilter = {}): Promise<{ rows: StaffAccount[]; total: number }> {
  const where: string[] = []
  const params: unknown[] = []
  const p = (v: unknown) => `$${params.push(v)}`
  if (f.county) where.push(`county = ${p(f.county)}`)
  if (f.q?.trim()) {
    const like = `%${f.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    where.push(`(account_id ILIKE ${p(like)} OR name LIKE ${p(like)} OR agency LIKE ${p(like)})`)
  }
  if (!f.includeDisabled) where.push('NOT disabled')
  const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 500)
  // the page and the total in one statement (one version of the table for both)
  const rows = await accounts<Row & { total: string }>(source, (t) => ({
    text: `SELECT *, count(*) OVER () AS total FROM ${t.accounts} ${w} ORDER BY county NULLS FIRST, role, account_id LIMIT ${limit} OFFSET ${Math.max(f.offset ?? 0, 0)}`,
    params,
  }))
  const total = rows[0] ? Number(rows[0].total) : f.offset ? (await accounts<{ n: string }>(source, (t) => ({ text: `SELECT count(*) AS n FROM ${t.accounts} ${w}`, params })))[0]?.n : 0
  return { rows: rows.map(toAccount), total: Number(total ?? 0) }
}
