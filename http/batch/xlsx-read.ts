// Reads an uploaded .xlsx in a worker thread with resource limits (heap, stack) and a deadline, at most a few at a
// time: a workbook that passes the zip guard (xlsx-guard.ts) but still explodes in ExcelJS (millions of cells, huge
// shared strings) kills only its worker — stopped, and answered with a zh-TW message — never the server.
import { Worker } from 'node:worker_threads'
import { DomainError } from '../../domain/errors.js'
import type { XlsxWorkerAnswer, XlsxWorkerInput } from './xlsx-worker.js'
import { COMPILED, runnable } from '../../commands/platform/compiled-tree.js'

export interface XlsxWorkerLimits {
  /** the worker's old-generation heap (MB) */
  maxOldGenerationSizeMb: number
  maxYoungGenerationSizeMb: number
  stackSizeMb: number
  /** the worker is stopped after this long */
  timeoutMs: number
  /** workers reading at once; more uploads wait */
  concurrent: number
  /** uploads waiting for a worker; more are refused (busy) */
  queue: number
}

/** Sized for the template at its row limit (20,000 rows read in well under the heap and the deadline). */
export const XLSX_WORKER_LIMITS: XlsxWorkerLimits = { maxOldGenerationSizeMb: 384, maxYoungGenerationSizeMb: 32, stackSizeMb: 4, timeoutMs: 60_000, concurrent: 2, queue: 16 }

// The worker is TypeScript: a worker thread does not inherit the tsx loader, so a one-line bootstrap registers it.
// Compiled (the test build, bin/test-build.js), the worker's .js sits beside this file and is imported as it is.
const WORKER = runnable(new URL('./xlsx-worker.ts', import.meta.url)).href
const BOOT = COMPILED
  ? `import(${JSON.stringify(WORKER)})`
  : `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}) })`

const tooComplex = (reason: string) => new DomainError('BATCH_FILE_INVALID', { reason }, '上傳的 Excel 檔案內容過多或過於複雜，無法在限制內讀取，請分批上傳或改用 CSV')

let live = 0
let reading = 0
const waiting: (() => void)[] = []

/** Worker threads alive now (reading, or being stopped). */
export const liveXlsxWorkers = () => live

async function slot(limits: XlsxWorkerLimits): Promise<() => void> {
  if (reading >= limits.concurrent) {
    if (waiting.length >= limits.queue) throw new DomainError('BATCH_FILE_INVALID', { reason: 'busy' }, '目前上傳的 Excel 檔案過多，請稍後再試')
    await new Promise<void>((res) => waiting.push(res))
  }
  reading++
  return () => {
    reading--
    waiting.shift()?.()
  }
}

/** The first sheet as cell texts, or a DomainError (BATCH_FILE_INVALID) once the worker has stopped. */
export async function readXlsxInWorker(content: Buffer, opts: { columns: number; maxRows: number; limits?: XlsxWorkerLimits }): Promise<XlsxWorkerAnswer> {
  const limits = opts.limits ?? XLSX_WORKER_LIMITS
  const release = await slot(limits)
  try {
    return await new Promise<XlsxWorkerAnswer>((resolve, reject) => {
      const input: XlsxWorkerInput = { content: new Uint8Array(content), columns: opts.columns, maxRows: opts.maxRows }
      const worker = new Worker(BOOT, {
        eval: true,
        workerData: input,
        resourceLimits: { maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb, maxYoungGenerationSizeMb: limits.maxYoungGenerationSizeMb, stackSizeMb: limits.stackSizeMb },
        stdout: true, // a dying worker's output is not the server's
        stderr: true,
      })
      live++
      let outcome: { answer: XlsxWorkerAnswer } | { error: unknown } | undefined
      const settle = (o: NonNullable<typeof outcome>) => {
        outcome ??= o
        clearTimeout(timer)
        void worker.terminate()
      }
      const timer = setTimeout(() => settle({ error: tooComplex('timeout') }), limits.timeoutMs)
      worker.once('message', (answer: XlsxWorkerAnswer) => settle({ answer }))
      worker.once('error', (e: Error & { code?: string }) => settle({ error: tooComplex(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'worker') }))
      // answered only once the thread is gone
      worker.once('exit', () => {
        live--
        clearTimeout(timer)
        const o = outcome ?? { error: tooComplex('exit') }
        if ('answer' in o) resolve(o.answer)
        else reject(o.error)
      })
    })
  } finally {
    release()
  }
}
