// Gap safety of a day's roster (DESIGN.md §6, exporter/roster-source.ts): a transaction that has inserted an approval
// of day D and not committed yet is invisible to the generator. Reading D then would write a file without it, and the
// day is never generated again. The generator must wait for it (or refuse the day and leave it for a later run), and
// never write or record a file that misses an approval of its day. Real PostgreSQL, a real open transaction.
import { reportStream } from '../../domain/events.js'
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createLogger } from '../../commands/platform/logger.js'
import { readExportHistory } from '../../exporter/export-history.js'
import { generateRoster, type ExportContext } from '../../exporter/generate-roster.js'
import { postgresRosterSource } from '../../exporter/roster-source.js'
import type { Schedule } from '../../domain/types.js'
import { freshDatabase } from '../support/db.js'
import { applicant, caseWriter, exporterEnv, noFindings, routing, terms, type ExporterTestEnv } from './exporter-fixtures.js'

const DAY = '2024-03-01'
const weekly: Schedule = { kind: 'weekly', from: '2024-03-11', to: '2024-06-30', weekdays: [1, 3, 5], windows: [{ start: '08:00', end: '12:00' }] }
const caseId = (n: number) => `20000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** Case n drafted and submitted (committed), approved (committed) unless `approve` is false. Business time on DAY. */
async function submittedCase(env: ExporterTestEnv, n: number, approve: boolean) {
  const id = caseId(n)
  await caseWriter(env.store)(id, '2024-03-01T02:00:00.000Z',
    { type: 'ReportDrafted', data: { caseId: id, applicant: applicant('A123456789', 'A', '0101090517'), filedBy: { role: 'professional', id: 'A123456789' }, terms: terms('3501200000', '01', weekly), routing, attachments: [] } },
    { type: 'ReportSubmitted', data: { caseNumber: `1130301${String(n).padStart(7, '0')}`, findings: noFindings } },
    ...(approve ? [{ type: 'ReportApproved' as const, data: { reviewerId: 'R001', approvalNumber: `N${n}` } }] : []))
}

/**
 * Approves case n (version 3) on DAY at 23:59:59 Taipei inside a transaction that stays open until `commit()`:
 * a command whose commit is late. The row is inserted (the transaction has its id) but nobody else can see it.
 */
async function heldApproval(env: ExporterTestEnv, n: number) {
  let release!: (ok: boolean) => void
  const gate = new Promise<boolean>((r) => (release = r))
  let inserted!: () => void
  const insertedP = new Promise<void>((r) => (inserted = r))
  const commandId = randomUUID()
  const meta = { commandId, actor: { role: 'reviewer', id: 'R001', via: 'staff-card' }, correlationId: commandId, causationId: commandId, occurredAt: '2024-03-01T15:59:59.000Z' }
  const done = env.db.transaction(async (tx) => {
    await tx.query(`UPDATE streams SET version = 3 WHERE stream_id = $1 AND version = 2`, [reportStream(caseId(n))])
    await tx.query(
      `INSERT INTO events (event_id, stream_id, stream_version, type, data, meta) VALUES ($1, $2, 3, 'ReportApproved', $3, $4)`,
      [randomUUID(), reportStream(caseId(n)), JSON.stringify({ reviewerId: 'R001', approvalNumber: `N${n}` }), JSON.stringify(meta)],
    )
    inserted()
    if (!(await gate)) throw new Error('command failed')
  })
  done.catch(() => {})
  await Promise.race([insertedP, done])
  return {
    commit: async () => (release(true), await done),
    rollback: async () => (release(false), await done.catch(() => {})),
  }
}

async function setup(t: Test, logger = createLogger('silent')) {
  const env = await exporterEnv(t)
  const out = await mkdtemp(join(tmpdir(), 'roster-gap-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const ctx: ExportContext = {
    store: env.store,
    source: postgresRosterSource(env.db),
    senderCode: 'BAOBEI0001',
    logger,
    now: () => new Date('2024-03-03T01:00:00+08:00'),
    actor: { role: 'system', id: 'exporter', via: 'system' },
  }
  return { env, out, ctx }
}

/** Long enough for a transaction of another test file in flight for an instant; far shorter than the default. */
const SETTLE_MS = 5_000

const approvalNumbers = (file: string) => file.split('\r\n').filter((l) => l.startsWith('D')).map((l) => l.slice(86, 100).trim())

t.test('an approval of the day still in flight: the day is refused, nothing written or recorded; generated in full after the commit', async (t) => {
  const { env, out, ctx } = await setup(t)
  await submittedCase(env, 1, true)
  await submittedCase(env, 2, false)
  const held = await heldApproval(env, 2)

  await t.rejects(generateRoster(ctx, DAY, { outDir: out, settleTimeoutMs: 0 }), { code: 'ROSTER_DAY_NOT_OVER' })
  t.same(await readdir(out), [], 'no file, not even a temporary one')
  t.equal((await readExportHistory(env.store, DAY)).generated.size, 0, 'no RosterGenerated: the day stays to be generated')

  await held.commit()
  // (a wait, not 0: a transaction of a test running beside this one may be in flight for an instant and is waited
  // for, as it would be in production; the held one above is committed)
  const g = await generateRoster(ctx, DAY, { outDir: out, settleTimeoutMs: SETTLE_MS })
  t.equal(g.counts.add, 2)
  t.same(approvalNumbers(await readFile(g.path, 'latin1')), ['N1', 'N2'], 'the late approval is in the file, in log order')
  const again = await generateRoster(ctx, DAY, { outDir: out, settleTimeoutMs: SETTLE_MS })
  t.equal(again.recorded, false)
  t.equal(again.sha256, g.sha256, 'and stays there: regenerating gives the recorded content')
})

t.test('the generator waits for the transaction in flight and then reads it', async (t) => {
  let held: { commit(): Promise<void> } | undefined
  let sawWait = false
  // The generator's warning that it waits is the moment the test commits the held transaction.
  const logs = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!sawWait && /waiting for transactions in flight/.test(chunk.toString())) {
        sawWait = true
        void held!.commit()
      }
      cb()
    },
  })
  const { env, out, ctx } = await setup(t, createLogger('warn', logs))
  await submittedCase(env, 1, true)
  await submittedCase(env, 2, false)
  held = await heldApproval(env, 2)
  const g = await generateRoster(ctx, DAY, { outDir: out })
  t.ok(sawWait, 'the generator waited')
  t.same(approvalNumbers(await readFile(g.path, 'latin1')), ['N1', 'N2'])
})

t.test('a rolled-back approval is simply not there; a transaction in flight in ANOTHER database does not hold the day', async (t) => {
  const { env, out, ctx } = await setup(t)
  await submittedCase(env, 1, true)
  await submittedCase(env, 2, false)
  await (await heldApproval(env, 2)).rollback()

  const other = await freshDatabase('gapother')
  t.teardown(() => other.drop())
  let releaseOther!: () => void
  const otherGate = new Promise<void>((r) => (releaseOther = r))
  let started!: () => void
  const startedP = new Promise<void>((r) => (started = r))
  const otherTx = other.db.transaction(async (tx) => {
    await tx.query(`SELECT pg_current_xact_id()`) // holds a transaction id, in flight
    started()
    await otherGate
  })
  await startedP
  try {
    // the other database's transaction stays open until `finally`: waited for, this would end ROSTER_DAY_NOT_OVER
    const g = await generateRoster(ctx, DAY, { outDir: out, settleTimeoutMs: SETTLE_MS })
    t.same(approvalNumbers(await readFile(g.path, 'latin1')), ['N1'])
  } finally {
    releaseOther()
    await otherTx
  }
})
