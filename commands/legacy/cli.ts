// `baobei import legacy FILE` and `baobei import legacy-decisions FILE`: the migration of the old system's cases.
import { parseArgs } from 'node:util'
import type { Database } from '../platform/database.js'
import type { EventStore } from '../event-store/port.js'
import { createProgress } from '../../exporter/progress.js'
import { cliFailure, UsageError } from '../registry/cli-failure.js'
import { importLegacy } from './legacy-import.js'
import { createRulesService } from '../rules/rules-service.js'
import { importLegacyDecisions } from './legacy-decisions.js'

export const IMPORT_USAGE = `Usage:
  baobei import legacy FILE [--dry-run] [--report OUT.csv] [--encoding utf8|big5]
        the old system's full case export (CSV in UTF-8 or Big5, or .xlsx; columns in README): one ReportImported
        per row, keyed by the old case number (a re-run never imports twice; a changed row of an imported case is
        reported, not applied). Rejected rows go to --report with the reason; the counts reconcile:
        rows read = imported + already there + rejected. --dry-run checks and counts everything, records nothing.
  baobei import legacy-decisions FILE [--report OUT.csv]
        the old system's later decisions (核准 / 未核准 / 退回) on cases pending there at cut-over, idempotently.
Import the registry first (baobei registry import): applicants and institutions are looked up there.
Imported cases are never re-sent to the NHI: the old system reported them.`


export async function runImportCommand(
  args: string[], runtime: { db: Database; store: EventStore },
  io: { out: NodeJS.WritableStream & { isTTY?: boolean }; err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } } = { out: process.stdout, err: process.stderr },
  now = () => new Date(),
): Promise<number> {
  const say = (s: string) => io.out.write(`${s}\n`)
  const complain = (s: string) => io.err.write(`${s}\n`)
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { 'dry-run': { type: 'boolean' }, report: { type: 'string' }, encoding: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
    const [what, file, ...extra] = positionals
    if (values.help) {
      say(IMPORT_USAGE)
      return 0
    }
    if (!what || !file || extra.length) throw new UsageError('需要 legacy FILE 或 legacy-decisions FILE')
    if (values.encoding !== undefined && values.encoding !== 'utf8' && values.encoding !== 'big5') throw new UsageError('--encoding: utf8 或 big5')
    const encoding = values.encoding as 'utf8' | 'big5' | undefined
    const actor = { role: 'operator' as const, id: 'legacy-import', via: 'cli' as const }
    if (what === 'legacy') {
      const progress = createProgress(io.err)
      // codes are checked against the reference lists in force (versioned data: an administrator's new 支援科別 is valid)
      const rules = createRulesService({ store: runtime.store, clock: now })
      const c = await importLegacy(runtime.db, file, {
        actor, now: now().toISOString(), referenceAt: rules.referenceAt, ...(values['dry-run'] ? { dryRun: true } : {}), ...(values.report ? { reportPath: values.report } : {}),
        ...(encoding ? { encoding } : {}),
        progress: (done, total) => progress.update('移轉案件', done, total),
      })
      progress.done()
      say(`${values['dry-run'] ? '試算（未寫入）' : '移轉完成'}：讀取 ${c.read} 列 = 匯入 ${c.imported} + 已存在 ${c.alreadyThere} + 未匯入 ${c.rejected}（其中內容不同 ${c.changed}）${c.reconciled ? '' : '（筆數不符！）'}`)
      return c.rejected > 0 || !c.reconciled ? 1 : 0
    }
    if (what === 'legacy-decisions') {
      if (values['dry-run']) throw new UsageError('legacy-decisions 沒有 --dry-run')
      const c = await importLegacyDecisions(runtime.store, file, { actor, now: now().toISOString(), ...(values.report ? { reportPath: values.report } : {}), ...(encoding ? { encoding } : {}) })
      say(`舊系統審核結果：讀取 ${c.read} 列 = 套用 ${c.applied} + 已套用 ${c.alreadyThere} + 未套用 ${c.rejected}`)
      return c.rejected > 0 ? 1 : 0
    }
    throw new UsageError(`unknown import: ${what}`)
  } catch (e) {
    return cliFailure(e, IMPORT_USAGE, complain)
  }
}
