// `baobei accounts import FILE`: the bulk import of staff accounts (import-accounts.ts) from the command line, as the
// system (the initial load of the bureaus). Prints one line per row; exit 0 when every row passed, 1 when a row or
// the file was refused, 2 on a usage error.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { AccountService } from './account-service.js'
import { importAccounts, IMPORT_COLUMNS, MAX_IMPORT_BYTES } from './import-accounts.js'
import { isDomainError } from '../../domain/errors.js'
import type { Actor } from '../../domain/types.js'

export const ACCOUNTS_USAGE = `baobei accounts import FILE   import staff accounts from a CSV file (UTF-8 or Big5)

The first row names the columns: ${IMPORT_COLUMNS.join(',')}
Roles: reviewer, statistician, bureau_admin, admin. Several certificates: separate them with ';'.
Importing the same file again changes nothing; each row is reported (新增 / 變更 / 未變更 / 錯誤).`

const CLI_ACTOR: Actor = { role: 'system', id: 'cli', name: '命令列匯入', via: 'cli' }
const LABEL = { created: '新增', changed: '變更', unchanged: '未變更', error: '錯誤' } as const

export async function runAccountsCommand(args: string[], accounts: AccountService, out: (s: string) => void = console.log): Promise<number> {
  const [sub, file] = args
  if (sub !== 'import' || !file) {
    out(ACCOUNTS_USAGE)
    return args.includes('--help') || args.includes('-h') ? 0 : 2
  }
  const size = (await stat(file)).size
  if (size > MAX_IMPORT_BYTES) {
    out(`匯入檔案過大（上限 ${Math.floor(MAX_IMPORT_BYTES / 1024)} KB）`)
    return 1
  }
  try {
    const r = await importAccounts(accounts, createReadStream(file), { actor: CLI_ACTOR, fileName: basename(file) })
    for (const row of r.rows) out(`${String(row.line).padStart(5)} ${row.accountId.padEnd(16)} ${LABEL[row.outcome]}${row.message ? `：${row.message}` : ''}`)
    out(`編碼 ${r.encoding}；新增 ${r.counts.created}，變更 ${r.counts.changed}，未變更 ${r.counts.unchanged}，錯誤 ${r.counts.error}`)
    return r.counts.error ? 1 : 0
  } catch (e) {
    if (!isDomainError(e)) throw e
    out(e.message)
    return 1
  }
}

/** `baobei registry import --staff FILE` imports staff through this same command (one path for staff). */
export const staffImporter = (accounts: AccountService) => (file: string, out: (line: string) => void): Promise<number> =>
  runAccountsCommand(['import', file], accounts, out)
