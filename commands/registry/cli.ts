// `baobei registry ...`: load the registry feed of 醫事管理系統, rebuild the registry read model, ask the history.
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { Database } from '../platform/database.js'
import { isRocDate, rocToIso, taipeiDate } from '../../domain/roc-date.js'
import type { ReferenceLists } from '../../domain/reference/lists.js'
import { createProgress } from '../../exporter/progress.js'
import { licensedAndActive, professionalHistory } from './registry-history.js'
import { importRegistry, type RegistryImportReport } from './registry-import.js'
import { rebuildRegistry } from './registry-projection.js'
import { cliFailure, UsageError } from './cli-failure.js'

export const REGISTRY_USAGE = `Usage:
  baobei registry import --professionals FILE --institutions FILE [--full|--delta] [--dry-run]
                         [--as-of yyyMMdd] [--encoding utf8|big5] [--report OUT.json]
        load the 醫事管理系統 feed (CSV in UTF-8 or Big5, or .xlsx; columns in README). Every row is checked first;
        with any error nothing is applied and the errors are listed per row and cell. --full (default): a snapshot,
        anyone absent is marked inactive (professionals) or closed (institutions) as of --as-of (default today);
        --delta: only the rows given. Unchanged rows record nothing: the same file twice changes nothing, and a
        killed run re-run finishes the rest. Either file may be given alone.
  baobei registry rebuild                  rebuild the registry tables from the registry events
  baobei registry history --id NATIONAL_ID [--day yyyMMdd]
                                           what the registry said of a person, and whether licensed and active that day
  baobei registry import --staff FILE      staff (衛生局 and MOHW staff) into 帳號管理's accounts: the same import as
                                           \`baobei accounts import FILE\` (columns there), alongside or alone`

export interface RegistryCliIo {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
}

const rocDay = (v: string | undefined, flag: string): string | undefined => {
  if (v === undefined) return undefined
  if (!isRocDate(v)) throw new UsageError(`${flag}: 須為民國年 yyyMMdd，例如 1130301`)
  return rocToIso(v)
}


export function formatRegistryReport(r: RegistryImportReport): string {
  const lines: string[] = []
  for (const kind of ['institutions', 'professionals'] as const) {
    const f = r[kind]
    if (f) lines.push(`${kind === 'institutions' ? '醫事機構' : '醫事人員'} ${f.file}: ${f.rows} 列；異動 ${f.recorded}，未變更 ${f.unchanged}，示範資料不覆蓋 ${f.fenced}，快照中缺少而註記 ${f.markedAbsent}`)
  }
  if (r.errorCount) {
    lines.push(`錯誤 ${r.errorCount} 筆，未套用任何資料：`)
    for (const e of r.errors.slice(0, 50)) lines.push(`  ${e.file} 第 ${e.row} 列 ${e.column}「${e.value}」：${e.message}`)
    if (r.errorCount > 50) lines.push(`  …（其餘 ${r.errorCount - 50} 筆見 --report）`)
  } else {
    lines.push(r.dryRun ? '試算完成（--dry-run：未寫入）' : '匯入完成')
  }
  return lines.join('\n')
}

/** `--staff FILE`: the accounts import (commands/accounts/cli.ts staffImporter), given by the caller that has the accounts service. */
export type StaffImporter = (file: string, out: (line: string) => void) => Promise<number>

export async function runRegistryCommand(args: string[], db: Database, io: RegistryCliIo = { out: process.stdout, err: process.stderr }, now = () => new Date(), deps: { importStaff?: StaffImporter; referenceAt?: (instant: string) => Promise<ReferenceLists> } = {}): Promise<number> {
  const say = (s: string) => io.out.write(`${s}\n`)
  const complain = (s: string) => io.err.write(`${s}\n`)
  const [sub, ...rest] = args
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        professionals: { type: 'string' }, institutions: { type: 'string' }, staff: { type: 'string' },
        full: { type: 'boolean' }, delta: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'as-of': { type: 'string' },
        encoding: { type: 'string' }, report: { type: 'string' }, id: { type: 'string' }, day: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    })
    if (values.help || !sub) {
      say(REGISTRY_USAGE)
      return sub || values.help ? 0 : 2
    }
    if (sub === 'import') {
      // staff are accounts (帳號管理): --staff goes through the accounts import, the one path for staff
      const staff = values.staff
      if (staff !== undefined && !deps.importStaff) {
        complain('--staff：人員帳號由帳號管理匯入（baobei accounts import FILE）。')
        return 2
      }
      if (staff !== undefined && !values.professionals && !values.institutions) return deps.importStaff!(staff, say)
      if (values.full && values.delta) throw new UsageError('--full 與 --delta 只能擇一')
      if (!values.professionals && !values.institutions) throw new UsageError('至少需要 --professionals 或 --institutions')
      if (values.encoding !== undefined && values.encoding !== 'utf8' && values.encoding !== 'big5') throw new UsageError('--encoding: utf8 或 big5')
      const at = now()
      const progress = createProgress(io.err)
      const report = await importRegistry(db, {
        ...(values.institutions ? { institutions: values.institutions } : {}),
        ...(values.professionals ? { professionals: values.professionals } : {}),
        mode: values.delta ? 'delta' : 'full',
        dryRun: !!values['dry-run'],
        asOf: rocDay(values['as-of'], '--as-of') ?? taipeiDate(at.toISOString()),
        ...(deps.referenceAt ? { referenceAt: deps.referenceAt } : {}),
        ...(values.encoding ? { encoding: values.encoding as 'utf8' | 'big5' } : {}),
        actor: { role: 'operator', id: 'cli', via: 'cli' },
        now: at.toISOString(),
        progress: (label, n) => progress.update(label, n),
      })
      progress.done()
      if (values.report) await writeFile(values.report, JSON.stringify(report, null, 2))
      ;(report.errorCount ? complain : say)(formatRegistryReport(report))
      const registryCode = report.errorCount ? 1 : 0
      if (staff === undefined || values['dry-run']) return registryCode
      return Math.max(registryCode, await deps.importStaff!(staff, say))
    }
    if (sub === 'rebuild') {
      const r = await rebuildRegistry(db)
      say(`registry rebuilt from ${r.events} events`)
      return 0
    }
    if (sub === 'history') {
      if (!values.id) throw new UsageError('--id 必填')
      const day = rocDay(values.day, '--day') ?? taipeiDate(now().toISOString())
      say(JSON.stringify({ nationalId: values.id, day, licensedAndActive: await licensedAndActive(db, values.id, day) ?? null, versions: await professionalHistory(db, values.id) }, null, 2))
      return 0
    }
    throw new UsageError(`unknown registry command: ${sub}`)
  } catch (e) {
    return cliFailure(e, REGISTRY_USAGE, complain)
  }
}
