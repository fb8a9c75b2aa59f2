// The one look-up of staff accounts (帳號管理), over the `accounts` read model: by id (a session re-reading its rights
// at every request) and by the certificate a card presented (staff card login). Disabled accounts are returned with
// `disabled: true`; the callers refuse them.
import type { Sql } from '../platform/database.js'
import { certificateKey, type CertificateId, type StaffRole } from '../../domain/accounts/account.js'
import type { CountyCode } from '../../domain/types.js'
import { isDomainError } from '../../domain/errors.js'
import type { ReadModels } from '../../projections/queries/read-models.js'

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

/** Physical tables of the live version of the accounts read model (undefined before its first start). */
async function tables(db: Sql): Promise<{ accounts: string; certificates: string } | undefined> {
  const r = await db.query<{ live_version: number }>(`SELECT live_version FROM projection_versions WHERE name = 'administration'`).catch((e: { code?: string }) => {
    if (e.code === '42P01') return { rows: [] } // no projections set up: no accounts
    throw e
  })
  const v = r.rows[0]?.live_version
  return v === undefined ? undefined : { accounts: `rm_accounts_v${Number(v)}`, certificates: `rm_account_certificates_v${Number(v)}` }
}

/** The one statement of a look-up by id, over the accounts table of the live version. */
const byId = (accounts: string) => `SELECT * FROM ${accounts} WHERE account_id = $1`

export async function findAccount(db: Sql, accountId: string): Promise<StaffAccount | undefined> {
  const t = await tables(db)
  if (!t) return undefined
  const r = await db.query<Row>(byId(t.accounts), [accountId])
  return r.rows[0] ? toAccount(r.rows[0]) : undefined
}

/**
 * The same look-up by id through the read models (their live versions cached, dropped on a version switch): one
 * statement instead of two. The session check runs it at every staff request. Undefined before the accounts read
 * model is set up, as findAccount.
 */
export async function findAccountIn(rm: Pick<ReadModels, 'select'>, accountId: string): Promise<StaffAccount | undefined> {
  const rows = await rm
    .select<Row>('administration', (t) => ({ text: byId(t('accounts')), params: [accountId] }))
    .catch((e: unknown) => {
      if (isDomainError(e) && e.code === 'READ_MODEL_NOT_READY') return []
      throw e
    })
  return rows[0] ? toAccount(rows[0]) : undefined
}

/**
 * The account a card certificate identifies: by issuer DN + serial first, else by subject DN. Pass what the
 * certificate says; any part may be missing.
 */
export async function findAccountByCertificate(db: Sql, cert: { issuerDn?: string; serialHex?: string; subjectDn?: string }): Promise<StaffAccount | undefined> {
  const t = await tables(db)
  if (!t) return undefined
  const keys: string[] = []
  if (cert.issuerDn && cert.serialHex) keys.push(certificateKey({ issuerDn: cert.issuerDn, serialHex: cert.serialHex }))
  if (cert.subjectDn) keys.push(certificateKey({ subjectDn: cert.subjectDn }))
  if (!keys.length) return undefined
  const r = await db.query<Row>(
    `SELECT a.* FROM ${t.certificates} c JOIN ${t.accounts} a ON a.account_id = c.account_id
     WHERE c.cert_key = ANY($1::text[]) ORDER BY array_position($1::text[], c.cert_key) LIMIT 1`,
    [keys],
  )
  return r.rows[0] ? toAccount(r.rows[0]) : undefined
}

/** Which account (if any) holds each of these certificate identifiers (uniqueness check before a change). */
export async function certificateHolders(db: Sql, certs: readonly CertificateId[]): Promise<Map<string, string>> {
  const t = await tables(db)
  if (!t || certs.length === 0) return new Map()
  const r = await db.query<{ cert_key: string; account_id: string }>(`SELECT cert_key, account_id FROM ${t.certificates} WHERE cert_key = ANY($1::text[])`, [certs.map(certificateKey)])
  return new Map(r.rows.map((x) => [x.cert_key, x.account_id]))
}

export interface AccountFilter {
  county?: CountyCode
  q?: string
  includeDisabled?: boolean
  limit?: number
  offset?: number
}

/** Accounts for 帳號管理 (a bureau administrator passes their county). */
export async function listAccounts(db: Sql, f: AccountFilter = {}): Promise<{ rows: StaffAccount[]; total: number }> {
  const t = await tables(db)
  if (!t) return { rows: [], total: 0 }
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
  const total = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.accounts} ${w}`, params)
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 500)
  const r = await db.query<Row>(`SELECT * FROM ${t.accounts} ${w} ORDER BY county NULLS FIRST, role, account_id LIMIT ${limit} OFFSET ${Math.max(f.offset ?? 0, 0)}`, params)
  return { rows: r.rows.map(toAccount), total: Number(total.rows[0]?.n ?? 0) }
}
