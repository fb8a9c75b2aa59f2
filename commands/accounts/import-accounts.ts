// Bulk import of staff accounts from CSV (the initial load of the 22 bureaus): streamed (csv-parse over the bytes,
// iconv-lite for Big5), stopping at a size and a row limit; every row is its own command with an error of its own;
// idempotent (a row already imported appends nothing: same command id, and an unchanged account decides nothing).
//
// Columns (a header row, in this order; Chinese or English names):
//   帳號代碼 accountId | 姓名 name | 機關 agency | 縣市代碼 county | 角色 role | 憑證簽發者 issuerDn | 憑證序號 serialHex | 憑證主體 subjectDn
// role: reviewer / statistician / bureau_admin / admin, or 審查人員 / 統計人員 / 衛生局管理者 / 衛福部管理者.
// Several certificates: separate them with `;` in the issuer/serial (pairwise) and subject cells.
import { createHash } from 'node:crypto'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parse } from 'csv-parse'
import iconv from 'iconv-lite'
import type { AccountService } from './account-service.js'
import { DomainError, isDomainError } from '../../domain/errors.js'
import { isStaffRole, type CertificateId, type StaffRole } from '../../domain/accounts/account.js'
import type { Actor } from '../../domain/types.js'
import { comparePositions, type LogPosition } from '../event-store/port.js'

export const IMPORT_COLUMNS = ['帳號代碼', '姓名', '機關', '縣市代碼', '角色', '憑證簽發者', '憑證序號', '憑證主體'] as const
const ENGLISH = ['accountId', 'name', 'agency', 'county', 'role', 'issuerDn', 'serialHex', 'subjectDn'] as const
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024
export const MAX_IMPORT_ROWS = 5000

const ROLE_WORDS: Record<string, StaffRole> = { 審查人員: 'reviewer', 統計人員: 'statistician', 衛生局管理者: 'bureau_admin', 衛福部管理者: 'admin' }

export interface ImportRowResult {
  line: number
  accountId: string
  outcome: 'created' | 'changed' | 'unchanged' | 'error'
  code?: string
  message?: string
}

export interface ImportResult {
  encoding: 'utf-8' | 'big5'
  rows: ImportRowResult[]
  counts: Record<ImportRowResult['outcome'], number>
  /** Log position of the last event the import appended (read-your-writes), if any. */
  last?: LogPosition
}

/** UTF-8 when the first bytes decode as UTF-8 (or carry its BOM), else Big5. */
export function sniffEncoding(head: Buffer): 'utf-8' | 'big5' {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8'
  // drop a UTF-8 sequence cut at the end of the sample
  let end = head.length
  for (let i = Math.max(0, end - 3); i < end; i++) if ((head[i]! & 0xc0) === 0xc0 && i + ((head[i]! & 0xe0) === 0xc0 ? 2 : (head[i]! & 0xf0) === 0xe0 ? 3 : 4) > end) end = i
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end))
    return 'utf-8'
  } catch {
    return 'big5'
  }
}

const split = (s: string) => s.split(';').map((x) => x.trim()).filter(Boolean)

function rowToInput(cells: Record<(typeof ENGLISH)[number], string>) {
  const roleText = cells.role.trim()
  const role = ROLE_WORDS[roleText] ?? roleText
  if (!isStaffRole(role)) throw new DomainError('ACCOUNT_INVALID', { field: 'role' }, `角色不正確：${roleText}`)
  const issuers = split(cells.issuerDn)
  const serials = split(cells.serialHex)
  if (issuers.length !== serials.length) throw new DomainError('ACCOUNT_INVALID', { field: 'certificates' }, '憑證簽發者與憑證序號的個數不一致')
  const certificates: CertificateId[] = [
    ...issuers.map((issuerDn, i) => ({ issuerDn, serialHex: serials[i]! })),
    ...split(cells.subjectDn).map((subjectDn) => ({ subjectDn })),
  ]
  return {
    accountId: cells.accountId.trim(),
    profile: { name: cells.name, agency: cells.agency, county: cells.county.trim() || null, role, certificates },
  }
}

/**
 * Imports the CSV `source` as `actor`. A file error (encoding, header, size) refuses the whole file before any row
 * is recorded only when it is found in the header; past it, rows up to the failure stay imported and the failure is
 * reported as the file's last row.
 */
export async function importAccounts(
  accounts: AccountService,
  source: Readable | Buffer,
  opts: { actor: Actor; fileName?: string; correlationId?: string; maxBytes?: number; maxRows?: number },
): Promise<ImportResult> {
  const maxBytes = opts.maxBytes ?? MAX_IMPORT_BYTES
  const maxRows = opts.maxRows ?? MAX_IMPORT_ROWS
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source
  // sniff the encoding on the first bytes, then stream the rest through the decoder
  const iterator = input[Symbol.asyncIterator]()
  const headChunks: Buffer[] = []
  let headBytes = 0
  let done = false
  while (headBytes < 4096) {
    const n = await iterator.next()
    if (n.done) { done = true; break }
    const b = Buffer.from(n.value as Buffer)
    headChunks.push(b)
    headBytes += b.length
  }
  const head = Buffer.concat(headChunks)
  const encoding = sniffEncoding(head.subarray(0, 4096))
  async function* bytes() {
    yield head
    if (done) return
    for (let n = await iterator.next(); !n.done; n = await iterator.next()) yield Buffer.from(n.value as Buffer)
  }
  let seen = 0
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length
      if (seen > maxBytes) cb(new DomainError('IMPORT_FILE_INVALID', { maxBytes }, `匯入檔案過大（上限 ${Math.floor(maxBytes / 1024)} KB）`))
      else cb(null, chunk)
    },
  })
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 8192, info: true })
  const rows: ImportRowResult[] = []
  const reason = `CSV 匯入${opts.fileName ? `（${opts.fileName.slice(0, 100)}）` : ''}`
  let header: string[] | undefined
  let last: LogPosition | undefined
  const consume = async () => {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines
      if (!header) {
        header = record.map((h) => h.trim())
        const zh = IMPORT_COLUMNS.every((c, i) => header![i] === c)
        const en = ENGLISH.every((c, i) => header![i] === c)
        if (!zh && !en) throw new DomainError('IMPORT_FILE_INVALID', { header }, `匯入檔案的標題列不正確，應為：${IMPORT_COLUMNS.join(',')}`)
        continue
      }
      if (rows.length >= maxRows) throw new DomainError('IMPORT_FILE_INVALID', { maxRows }, `匯入檔案列數過多（上限 ${maxRows} 列）`)
      const cells = Object.fromEntries(ENGLISH.map((k, i) => [k, (record[i] ?? '').trim()])) as Record<(typeof ENGLISH)[number], string>
      const accountId = cells.accountId
      try {
        const { profile, accountId: id } = rowToInput(cells)
        const commandId = `account-import:${createHash('sha256').update(JSON.stringify([id, profile])).digest('hex').slice(0, 32)}`
        const meta = { commandId, actor: opts.actor, ...(opts.correlationId ? { correlationId: opts.correlationId } : {}) }
        const { state } = await accounts.load(id)
        const r = state.exists ? await accounts.change(id, { profile, reason }, meta) : await accounts.create({ accountId: id, profile, reason }, meta)
        const outcome = r.duplicate || r.events.length === 0 ? 'unchanged' : state.exists ? 'changed' : 'created'
        if (!last || comparePositions(r.position, last) > 0) last = r.position
        rows.push({ line, accountId, outcome })
      } catch (e) {
        if (!isDomainError(e)) throw e
        rows.push({ line, accountId, outcome: 'error', code: e.code, message: e.message })
      }
    }
  }
  try {
    await Promise.all([
      pipeline(Readable.from(bytes()), limit, iconv.decodeStream(encoding === 'big5' ? 'big5' : 'utf8'), parser),
      consume().catch((e: unknown) => {
        parser.destroy()
        throw e
      }),
    ])
  } catch (e) {
    if (isDomainError(e)) {
      if (!header || rows.length === 0) throw e
      rows.push({ line: rows.length + 2, accountId: '', outcome: 'error', code: e.code, message: e.message })
    } else if ((e as { code?: string }).code?.startsWith('CSV_')) {
      if (!header) throw new DomainError('IMPORT_FILE_INVALID', {}, `匯入檔案格式不正確：${(e as Error).message}`)
      rows.push({ line: rows.length + 2, accountId: '', outcome: 'error', code: 'IMPORT_FILE_INVALID', message: `匯入檔案格式不正確：${(e as Error).message}` })
    } else throw e
  }
  if (!header) throw new DomainError('IMPORT_FILE_INVALID', {}, '匯入檔案沒有標題列')
  const counts = { created: 0, changed: 0, unchanged: 0, error: 0 }
  for (const r of rows) counts[r.outcome]++
  return { encoding, rows, counts, ...(last ? { last } : {}) }
}
