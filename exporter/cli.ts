// `baobei export ...`: the operator's commands. Returns the process exit code (0 ok, 1 failed/invalid, 2 usage).
import { parseArgs } from 'node:util'
import { isDomainError } from '../domain/errors.js'
import { deliverPending, resendDay, type DayDelivery } from './deliver-rosters.js'
import { exporterStatus } from './exporter-status.js'
import { defaultRosterDir, deliveryContext, exportContext, operatorActor, parseRocDay, type ExportRuntime } from './export-runtime.js'
import { generateRoster } from './generate-roster.js'
import { createProgress } from './progress.js'
import { formatVerification, verifyRosterFile } from './roster-verify.js'

export const EXPORT_USAGE = `Usage:
  baobei export --day <yyyMMdd> [--out <dir>]         write day D's NHI roster file SUPPORT_<yyyMMdd>_01.txt (idempotent)
  baobei export --deliver [--from <yyyMMdd>] [--out <dir>]
                                                      generate and deliver over SFTP every day not yet delivered, up to yesterday
                                                      (from --from, else EXPORT_START_DAY, else the day of the first event)
  baobei export --resend --day <yyyMMdd> [--out <dir>] send day D again, same content, as the next sequence number
  baobei export --verify <file>                       check a roster file (widths, order, codes, dates, counts, SHA-256)
  baobei export --status                              last delivered day and failing deliveries (JSON)
Days are ROC dates (e.g. 1130301 = 2024-03-01). Files are kept in --out (default DATA_DIR/roster).`

export interface ExportCliIo {
  out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  err?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
}

export async function runExportCommand(args: string[], runtime: ExportRuntime & ExportCliIo): Promise<number> {
  const out = runtime.out ?? process.stdout
  const err = runtime.err ?? process.stderr
  const say = (s: string) => out.write(`${s}\n`)
  const complain = (s: string) => err.write(`${s}\n`)
  let values
  try {
    ;({ values } = parseArgs({
      args,
      options: {
        day: { type: 'string' },
        out: { type: 'string' },
        deliver: { type: 'boolean' },
        resend: { type: 'boolean' },
        verify: { type: 'string' },
        from: { type: 'string' },
        status: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }))
  } catch (e) {
    complain(`${(e as Error).message}\n${EXPORT_USAGE}`)
    return 2
  }
  if (values.help) {
    say(EXPORT_USAGE)
    return 0
  }
  const modes = [values.verify !== undefined, !!values.deliver, !!values.resend, !!values.status, values.day !== undefined && !values.resend]
  if (modes.filter(Boolean).length !== 1) {
    complain(EXPORT_USAGE)
    return 2
  }
  const progress = createProgress(err)
  try {
    if (values.verify !== undefined) {
      const v = await verifyRosterFile(values.verify)
      ;(v.ok ? say : complain)(formatVerification(values.verify, v))
      return v.ok ? 0 : 1
    }
    if (values.status) {
      say(JSON.stringify(await exporterStatus(runtime.store), null, 2))
      return 0
    }
    const outDir = values.out ?? defaultRosterDir(runtime.config)
    if (values.deliver || values.resend) {
      const ctx = await deliveryContext(runtime, operatorActor(), { outDir, ...(values.from ? { startDay: parseRocDay(values.from, '--from') } : {}) })
      ctx.onGenerateProgress = (p) => progress.update(`${p.day} generating: records`, p.records)
      ctx.onUploadProgress = (p) => progress.update(`${p.day} uploading`, p.sent, p.total)
      if (values.resend) {
        if (!values.day) {
          complain('--resend needs --day <yyyMMdd>')
          return 2
        }
        const result = await resendDay(ctx, parseRocDay(values.day, '--day'))
        progress.done()
        report(say, complain, result)
        return result.status === 'delivered' ? 0 : 1
      }
      const run = await deliverPending(ctx)
      progress.done()
      if (!run.from) say('no events in the log yet: nothing to deliver')
      else say(`days ${run.from} .. ${run.through}: ${run.alreadyDelivered} already delivered, ${run.delivered.length} delivered now`)
      for (const d of run.delivered) report(say, complain, d)
      if (run.failed) {
        report(say, complain, run.failed)
        complain('stopped at the first failure; the next run retries that day first')
        return 1
      }
      return 0
    }
    const day = parseRocDay(values.day!, '--day')
    const ctx = exportContext(runtime, operatorActor())
    const g = await generateRoster(ctx, day, { outDir, onProgress: (p) => progress.update(`${day} generating: records`, p.records) })
    progress.done()
    say(`${g.path}: A=${g.counts.add} C=${g.counts.change} D=${g.counts.cancel} total=${g.counts.total}, ${g.bytes} bytes, sha256 ${g.sha256}`)
    say(g.recorded ? 'recorded RosterGenerated' : 'already generated: content identical to the recorded one')
    return 0
  } catch (e) {
    progress.done()
    if (isDomainError(e)) {
      complain(`${e.code}: ${e.message}`)
      runtime.logger.error({ code: e.code, details: e.details }, e.message)
      return 1
    }
    throw e
  }
}

function report(say: (s: string) => void, complain: (s: string) => void, d: DayDelivery) {
  if (d.status === 'delivered') say(`${d.day} ${d.fileName} delivered to ${d.remotePath} (${d.counts?.total ?? 0} records)`)
  else complain(`${d.day} ${d.fileName} NOT delivered: ${d.code ?? ''} ${d.reason ?? ''}`.trim())
}
