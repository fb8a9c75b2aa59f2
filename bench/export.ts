// 5. Export: seconds and peak memory (child process maxRSS) to generate the NHI roster file of a day with ~100,000
// review decisions, beside a raw paged SELECT of that day's approvals (same child-process harness).
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { taipeiDate } from '../domain/roc-date.js'
import { generateCases } from '../test/support/data-generator.js'
import { benchDatabase } from './lib/env.js'
import { bulkLoad } from './lib/load.js'
import { figure, newResult, type BenchResult } from './lib/result.js'
import type { RosterPhase } from './lib/roster-phases.js'

const run = promisify(execFile)
const CHILD = new URL('./export-child.ts', import.meta.url).pathname

interface ChildResult {
  ms: number
  maxRssBytes: number
  heapUsedPeak: number
  records: number
  /** CPU of the child and of its database backends (ms); dbMs null when unknown. */
  cpu: { nodeMs: number; dbMs: number | null }
  phases?: RosterPhase[]
}

async function child(args: string[]): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, ...args], { maxBuffer: 1 << 20, timeout: 600_000 })
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult
}

export async function exportBench(o: { decisions: number; seed: number; log: (s: string) => void }): Promise<BenchResult> {
  const res = newResult('export', `NHI roster of a ${o.decisions.toLocaleString('en-US')}-decision day`)
  const t0 = Date.now()
  try {
    await import('../exporter/generate-roster.js')
  } catch (e) {
    res.notMeasured.push(`exporter not available: ${(e as Error).message}`)
    return res
  }
  const env = await benchDatabase('export')
  const outDir = await mkdtemp(join(tmpdir(), 'bb-export-'))
  const day = '2025-03-03'
  try {
    let approvals = 0
    let decisions = 0
    const cases = generateCases({ seed: o.seed + 5, decisionDay: day, cases: Math.ceil(o.decisions / 1.17) })
    const loaded = await bulkLoad(env.db, cases, {
      onCase: (c) => {
        for (const x of c.commands) for (const e of x.events) {
          if (taipeiDate(e.meta.occurredAt) !== day) continue
          if (e.type === 'ReportApproved' || e.type === 'ChangeApproved' || e.type === 'CancellationApproved') approvals++
          if (/Approved|Rejected|Returned/.test(e.type)) decisions++
        }
      },
      progress: (s) => o.log(`  export: loaded ${s.events} events`),
    })
    o.log(`  export: ${loaded.events} events (${decisions} decisions, ${approvals} roster approvals on ${day}) loaded in ${(loaded.ms / 1000).toFixed(1)} s`)
    await env.db.exec('VACUUM ANALYZE events')
    const idle = await child([env.url, day, outDir, '--idle'])
    const raw = await child([env.url, day, outDir, '--raw'])
    const gen = await child([env.url, day, outDir])
    const phases = await child([env.url, day, outDir, '--phases'])
    const mb = (b: number) => b / 2 ** 20
    const cpuOf = (c: ChildResult) => c.cpu.nodeMs + (c.cpu.dbMs ?? NaN)
    res.figures.push(
      figure({ label: `roster generation (${gen.records.toLocaleString('en-US')} detail records)`, value: gen.ms / 1000, unit: 's', lowerIsBetter: true, baseline: { label: `raw paged SELECT of the day's ${raw.records.toLocaleString('en-US')} approvals`, value: raw.ms / 1000, unit: 's' }, target: { text: '< 3 s and within 3x of the raw read', met: gen.ms < 3_000 && gen.ms <= 3 * raw.ms } }),
      figure({ label: 'roster generation, CPU of the child and its database backends', value: cpuOf(gen) / 1000, unit: 's', lowerIsBetter: true, baseline: { label: 'raw paged SELECT, the same CPU', value: cpuOf(raw) / 1000, unit: 's' } }),
      figure({ label: 'roster generation peak RSS (child process)', value: mb(gen.maxRssBytes), unit: 'MB', lowerIsBetter: true, baseline: { label: 'raw SELECT child peak RSS', value: mb(raw.maxRssBytes), unit: 'MB' }, target: { text: '< 200 MB', met: mb(gen.maxRssBytes) < 200 } }),
    )
    const ms = (x: number | null) => (x === null ? '?' : x.toFixed(0))
    res.notes.push(
      `${decisions.toLocaleString('en-US')} review decisions on ${day} of which ${approvals.toLocaleString('en-US')} roster approvals; heap peak ${mb(gen.heapUsedPeak).toFixed(0)} MB; an idle child (same modules and pool, nothing read) peaks at ${mb(idle.maxRssBytes).toFixed(0)} MB RSS`,
      `CPU ms (child / database): roster ${ms(gen.cpu.nodeMs)} / ${ms(gen.cpu.dbMs)}, raw read ${ms(raw.cpu.nodeMs)} / ${ms(raw.cpu.dbMs)}`,
      `phases one after the other (CPU ms child / database, wall ms): ${(phases.phases ?? []).map((p) => `${p.phase} ${ms(p.nodeMs)} / ${ms(p.dbMs)}, ${ms(p.wallMs)}`).join('; ')}`,
    )
  } finally {
    await rm(outDir, { recursive: true, force: true })
    await env.drop()
  }
  res.ms = Date.now() - t0
  return res
}
