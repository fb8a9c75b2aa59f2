// Legacy migration: N approved weekly cases (1,000,000 by default) from a generated old-system export over a registry
// of N/8 professionals, through `baobei import legacy`'s code path. Figures: wall time, rows/s, peak RSS (flat memory:
// the importer holds one batch). Baseline: reading and validating the same file without writing (the parse cost).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMigrations } from '../commands/platform/migrations.js'
import { registryMigrations } from '../commands/registry/registry-migrations.js'
import { legacyMigrations } from '../commands/legacy/legacy-migrations.js'
import { importLegacy } from '../commands/legacy/legacy-import.js'
import { upsertInstitutions, upsertProfessionals, type RegistryProfessional } from '../commands/registry/registry.js'
import { DEMO_INSTITUTIONS } from '../commands/registry/demo-registry.js'
import { readTabular } from '../commands/registry/tabular-file.js'
import { legacyCaseFromRow } from '../domain/report/legacy-row.js'
import { LEGACY_COLUMNS, legacyRows, personIds, writeCsv } from '../test/support/registry-files.js'
import { benchDatabase } from './lib/env.js'
import { figure, newResult, type BenchResult } from './lib/result.js'
import { cpuSnapshot, cpuSpent } from './lib/cpu.js'

export async function legacyImportBench(opts: { rows: number; log: (s: string) => void }): Promise<BenchResult> {
  const r = newResult('legacy', `legacy migration of ${opts.rows.toLocaleString('en-US')} cases`)
  const t0 = Date.now()
  const dir = await mkdtemp(join(tmpdir(), 'bb-bench-legacy-'))
  const db = await benchDatabase('legacy')
  try {
    await runMigrations(db.db, [...registryMigrations, ...legacyMigrations])
    await upsertInstitutions(db.db, DEMO_INSTITUTIONS)
    const people = personIds(Math.max(100, Math.ceil(opts.rows / 8)), 'B', 0)
    for (let i = 0; i < people.length; i += 5000) {
      await upsertProfessionals(db.db, people.slice(i, i + 5000).map((id): RegistryProfessional => ({
        nationalId: id, name: `醫師${id.slice(-4)}`, profession: 'A', licenseNumber: `醫字第${id.slice(-6)}號`, licenseValidFrom: '2020-01-01',
        licenseValidTo: '2030-12-31', practiceStatus: 'active', homeInstitutionCode: '0163010001',
      })))
    }
    const file = join(dir, 'legacy.csv')
    await writeCsv(file, LEGACY_COLUMNS, legacyRows(people, opts.rows, '0163010001', '3563020002'))
    opts.log(`   registry and file ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
    const t1 = Date.now()
    let n = 0
    for await (const row of readTabular(file)) if (legacyCaseFromRow(row.row, row.cells).ok) n++
    const parseMs = Date.now() - t1
    let peak = 0
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200)
    const c0 = await cpuSnapshot(db.db)
    const t2 = Date.now()
    let last = 0
    const c = await importLegacy(db.db, file, {
      actor: { role: 'operator', id: 'bench', via: 'cli' }, now: new Date().toISOString(),
      progress: (done) => { if (done - last >= 100_000) { last = done; opts.log(`   ${done.toLocaleString('en-US')} rows, ${Math.round((done * 1000) / (Date.now() - t2))}/s`) } },
    })
    const ms = Date.now() - t2
    const cpu = cpuSpent(c0, await cpuSnapshot(db.db))
    clearInterval(sample)
    if (!c.reconciled || c.imported !== opts.rows) throw new Error(`counts: ${JSON.stringify(c)}`)
    r.figures.push(figure({ label: 'import', value: ms / 1000, unit: 's', lowerIsBetter: true,
      baseline: { label: `read + validate only (${n.toLocaleString('en-US')} rows)`, value: parseMs / 1000, unit: 's' },
      target: { text: '1,000,000 rows < 10 min', met: (ms * 1_000_000) / opts.rows < 600_000 } }))
    r.figures.push(figure({ label: 'rows per second', value: (opts.rows * 1000) / ms, unit: 'rows/s' }))
    r.figures.push(figure({ label: 'projected for 1,000,000 rows', value: (ms * 1_000_000) / opts.rows / 60_000, unit: 'min', lowerIsBetter: true }))
    // load-independent: CPU seconds per 1,000,000 rows (importer, and its PostgreSQL backends when on this machine)
    r.figures.push(figure({ label: 'CPU per 1,000,000 rows: importer', value: (cpu.process * 1_000_000) / opts.rows / 60, unit: 'min', lowerIsBetter: true }))
    if (cpu.database !== null) r.figures.push(figure({ label: 'CPU per 1,000,000 rows: its PostgreSQL backends', value: (cpu.database * 1_000_000) / opts.rows / 60, unit: 'min', lowerIsBetter: true }))
    r.figures.push(figure({ label: 'peak RSS of the importing process', value: peak / 1048576, unit: 'MiB', lowerIsBetter: true }))
    r.notes.push(`read ${c.read} = imported ${c.imported} + already there ${c.alreadyThere} + rejected ${c.rejected}`)
  } finally {
    await db.drop()
    await rm(dir, { recursive: true, force: true })
  }
  r.ms = Date.now() - t0
  return r
}
