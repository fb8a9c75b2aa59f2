// The progress line of `baobei export` (exporter/progress.ts): drawn on a terminal only, with counts (and a bar when
// the total is known), at most ten redraws a second, and erased at the end so the result lines start clean.
// A fake TTY stream stands in for the terminal; the CLI runs on the in-memory event store.
import t from 'tap'
import { Writable } from 'node:stream'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'
import type { Schedule } from '../../domain/types.js'
import { runExportCommand } from '../../exporter/cli.js'
import { createProgress } from '../../exporter/progress.js'
import { createMemoryEventStore } from '../support/memory-event-store.js'
import { applicant, caseWriter, noFindings, routing, terms } from '../int/exporter-fixtures.js'

/** A writable that records what was written; a terminal when `tty`. */
function sink(tty: boolean, columns = 120) {
  const chunks: string[] = []
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString())
      cb()
    },
  }) as Writable & { isTTY?: boolean; columns?: number }
  if (tty) {
    w.isTTY = true
    w.columns = columns
  }
  return { stream: w, chunks, text: () => chunks.join('') }
}

t.test('on a terminal: counts, a bar with the total, throttled redraws, erased at the end', async (t) => {
  const out = sink(true)
  let now = 1_000
  const p = createProgress(out.stream, () => now)
  p.update('2024-03-01 generating: records', 1000)
  t.same(out.chunks, ['\r2024-03-01 generating: records 1,000\x1b[K'], 'count with a thousands separator, line cleared after it')
  now += 50
  p.update('2024-03-01 generating: records', 2000)
  t.equal(out.chunks.length, 1, 'a redraw within 100 ms is skipped')
  now += 100
  p.update('2024-03-01 uploading', 40_960, 81_920)
  t.equal(out.chunks[1], `\r2024-03-01 uploading [${'#'.repeat(15)}${'-'.repeat(15)}] 50% 40,960/81,920\x1b[K`)
  now += 1
  p.update('2024-03-01 uploading', 81_920, 81_920)
  t.equal(out.chunks[2], `\r2024-03-01 uploading [${'#'.repeat(30)}] 100% 81,920/81,920\x1b[K`, 'the final count is never throttled away')
  p.done()
  t.equal(out.chunks[3], '\r\x1b[K', 'erased: the next line starts at column 0 on an empty line')
  p.done()
  t.equal(out.chunks.length, 4, 'done twice erases once')
})

t.test('a narrow terminal: the line is cut to fit, never wrapped', async (t) => {
  const out = sink(true, 20)
  createProgress(out.stream, () => 0).update('2024-03-01 generating: records', 123_456)
  t.equal(out.text(), '\r2024-03-01 generati\x1b[K', 'columns - 1 = 19 visible characters')
})

t.test('nothing drawn: done writes nothing', async (t) => {
  const out = sink(true)
  createProgress(out.stream).done()
  t.same(out.chunks, [])
})

t.test('not a terminal: no output at all', async (t) => {
  const out = sink(false)
  const p = createProgress(out.stream, () => 0)
  p.update('x', 1)
  p.update('x', 5, 5)
  p.done()
  t.same(out.chunks, [])
})

const weekly: Schedule = { kind: 'weekly', from: '2024-03-11', to: '2024-06-30', weekdays: [1, 3, 5], windows: [{ start: '08:00', end: '12:00' }, { start: '14:00', end: '17:00' }] }

async function exportDay(errTty: boolean) {
  const store = createMemoryEventStore()
  const write = caseWriter(store)
  for (let i = 1; i <= 3; i++) {
    const caseId = `40000000-0000-4000-8000-${String(i).padStart(12, '0')}`
    await write(caseId, '2024-03-01T02:00:00.000Z',
      { type: 'ReportDrafted', data: { caseId, applicant: applicant('A123456789', 'A', '0101090517'), filedBy: { role: 'professional', id: 'A123456789' }, terms: terms('3501200000', '01', weekly), routing, attachments: [] } },
      { type: 'ReportSubmitted', data: { caseNumber: `1130301${String(i).padStart(7, '0')}`, findings: noFindings } },
      { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: `N${i}` } })
  }
  const { mkdtemp, rm } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = await mkdtemp(join(tmpdir(), 'roster-progress-'))
  const out = sink(false)
  const err = sink(errTty)
  try {
    const code = await runExportCommand(['--day', '1130301', '--out', dir], {
      store, config: loadConfig({}), logger: createLogger('silent'), now: () => new Date('2024-03-02T01:00:00+08:00'), out: out.stream, err: err.stream,
    })
    return { code, out: out.text(), err: err.text() }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

t.test('baobei export --day on a terminal: the progress shows the record count on stderr and is erased; stdout stays clean', async (t) => {
  const r = await exportDay(true)
  t.equal(r.code, 0)
  t.match(r.err, /^\r2024-03-01 generating: records 6\x1b\[K/)
  t.ok(r.err.endsWith('\r\x1b[K'), 'ends erased')
  t.match(r.out, /SUPPORT_1130301_01\.txt: A=6 C=0 D=0 total=6/)
  t.notMatch(r.out, /\r|\x1b/, 'no control characters in the result')
})

t.test('baobei export --day with stderr not a terminal (a log, a pipe): no progress output', async (t) => {
  const r = await exportDay(false)
  t.equal(r.code, 0)
  t.equal(r.err, '')
  t.match(r.out, /total=6/)
})
