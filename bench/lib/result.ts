// What a benchmark reports: figures, each beside a baseline measured in the same run, as a ratio; and the target.
export interface Figure {
  label: string
  value: number
  unit: string
  /** The baseline measured in the same run, and the ratio value / baseline (or baseline / value when lowerIsBetter). */
  baseline?: { label: string; value: number; unit: string }
  ratio?: number
  /** lower values are better (latency, seconds, bytes) */
  lowerIsBetter?: boolean
  target?: { text: string; met: boolean }
}

export interface BenchResult {
  name: string
  title: string
  figures: Figure[]
  /** Parts not measured, each with the reason. */
  notMeasured: string[]
  notes: string[]
  ms: number
}

export const newResult = (name: string, title: string): BenchResult => ({ name, title, figures: [], notMeasured: [], notes: [], ms: 0 })

export function figure(f: Omit<Figure, 'ratio'>): Figure {
  const b = f.baseline
  const ratio = b && b.value > 0 && f.value > 0 ? (f.lowerIsBetter ? b.value / f.value : f.value / b.value) : undefined
  return { ...f, ...(ratio !== undefined ? { ratio } : {}) }
}

const num = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? 1 : 2))

export function printResult(r: BenchResult, out: (s: string) => void = (s) => process.stdout.write(`${s}\n`)): void {
  out(`\n== ${r.name}: ${r.title} (${(r.ms / 1000).toFixed(1)} s)`)
  for (const f of r.figures) {
    let line = `  ${f.label}: ${num(f.value)} ${f.unit}`
    if (f.baseline) line += `   | baseline ${f.baseline.label}: ${num(f.baseline.value)} ${f.baseline.unit}`
    if (f.ratio !== undefined) line += `   | ratio ${(f.ratio * 100).toFixed(1)}%`
    if (f.target) line += `   | target ${f.target.text}: ${f.target.met ? 'MET' : 'NOT MET'}`
    out(line)
  }
  for (const n of r.notMeasured) out(`  not measured: ${n}`)
  for (const n of r.notes) out(`  note: ${n}`)
}

/** p-th percentile (0..100) of a list of numbers (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
