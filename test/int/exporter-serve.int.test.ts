// The roster exporter inside `baobei serve` (exporter/serve-export.ts, http/serve.ts): off without SFTP settings,
// refused when half-configured, and with a REAL OpenSSH sshd (test/support/sshd.ts) and the real PostgreSQL: the daily
// job delivers, a failed run shows on /status (JSON and page) with its day and reason, the next good run clears it,
// and close() stops the job.
import t from 'tap'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { addDays, isoToRoc, taipeiDate } from '../../domain/roc-date.js'
import type { Schedule } from '../../domain/types.js'
import { startDailyExport } from '../../exporter/daily-export.js'
import { exporterStatusView } from '../../exporter/serve-export.js'
import { startServer } from '../../http/serve.js'
import { freshDatabase } from '../support/db.js'
import { startSshd } from '../support/sshd.js'
import { applicant, caseWriter, noFindings, routing, terms } from './exporter-fixtures.js'

const weekly: Schedule = { kind: 'weekly', from: '2024-03-11', to: '2024-06-30', weekdays: [1, 3, 5], windows: [{ start: '08:00', end: '12:00' }] }

/** A day that is over (and past the generator's settle margin) on the real clock: the day before yesterday, Taipei. */
async function pastDay() {
  // Between 00:00 and 00:06 Taipei, "yesterday" is still inside the generator's 5-minute settle margin: wait it out.
  const minutes = ((Date.now() + 8 * 3_600_000) % 86_400_000) / 60_000
  if (minutes < 6) await new Promise((r) => setTimeout(r, (6 - minutes) * 60_000))
  return addDays(taipeiDate(new Date().toISOString()), -2)
}

async function approved(store: ReturnType<typeof createPostgresEventStore>, day: string, n: number, withDraft = true) {
  const id = `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`
  await caseWriter(store)(id, new Date(`${day}T10:00:00+08:00`).toISOString(),
    ...(withDraft
      ? [
          { type: 'ReportDrafted' as const, data: { caseId: id, applicant: applicant('A123456789', 'A', '0101090517'), filedBy: { role: 'professional', id: 'A123456789' }, terms: terms('3501200000', '01', weekly), routing, attachments: [] } },
          { type: 'ReportSubmitted' as const, data: { caseNumber: `${isoToRoc(day)}${String(n).padStart(7, '0')}`, findings: noFindings } },
        ]
      : []),
    { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: `N${n}` } })
}

t.test('no SFTP settings: serve runs without the daily job and /status says so', async (t) => {
  const tdb = await freshDatabase('expserve')
  t.teardown(() => tdb.drop())
  const dir = await mkdtemp(join(tmpdir(), 'bb-expserve-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const server = await startServer(loadConfig({}, { DATABASE_URL: tdb.url, PORT: 0, DATA_DIR: dir, LOG_LEVEL: 'silent' }), { signals: false, projections: false })
  t.teardown(() => server.close())
  t.equal(server.exporter.enabled, false)
  t.equal(await server.exporter.runNow(), undefined)
  const json = (await (await fetch(`${server.url}/status`)).json()) as { ok: boolean; exporter: Record<string, unknown> }
  t.match(json, { ok: true, exporter: { enabled: false, ok: true, disabledReason: /SFTP/, deliveredDays: 0, failing: [] } })
  t.notOk('schedule' in json.exporter)
  const page = await fetch(`${server.url}/status`, { headers: { accept: 'text/html' } })
  t.match(page.headers.get('content-type'), /text\/html/)
  t.match(await page.text(), /未啟用：SFTP delivery is not configured/)
})

t.test('half-configured delivery: serve refuses to start, naming the missing variable', async (t) => {
  const tdb = await freshDatabase('expserve')
  t.teardown(() => tdb.drop())
  const base = { DATABASE_URL: tdb.url, PORT: 0, LOG_LEVEL: 'silent' as const }
  await t.rejects(startServer(loadConfig({ SFTP_HOST: '127.0.0.1', SFTP_USER: 'u', SFTP_PASSWORD: 'p' }, base), { signals: false, projections: false }), {
    name: 'ConfigError', variable: 'SFTP_HOST_KEY_SHA256', message: /SFTP_HOST_KEY_SHA256/,
  })
  await t.rejects(startServer(loadConfig({ SFTP_HOST: '127.0.0.1', SFTP_USER: 'u', SFTP_HOST_KEY_SHA256: 'SHA256:' + 'A'.repeat(43) }, base), { signals: false, projections: false }), {
    name: 'ConfigError', variable: 'SFTP_KEY_FILE', message: /SFTP_KEY_FILE or SFTP_PASSWORD/,
  })
  await t.rejects(startServer(loadConfig({ SFTP_HOST: '127.0.0.1', SFTP_USER: 'u', SFTP_HOST_KEY_SHA256: 'SHA256:' + 'A'.repeat(43), SFTP_KEY_FILE: '/nonexistent/key' }, base), { signals: false, projections: false }), {
    name: 'ConfigError', variable: 'SFTP_KEY_FILE', message: /cannot read/,
  })
})

t.test('configured: the job delivers; a failed run is on /status with day and reason; the next good run clears it', async (t) => {
  const day = await pastDay()
  const tdb = await freshDatabase('expserve')
  t.teardown(() => tdb.drop())
  const dir = await mkdtemp(join(tmpdir(), 'bb-expserve-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const sshd = await startSshd()
  t.teardown(() => sshd.close())
  const config = loadConfig(
    { SFTP_HOST: sshd.host, SFTP_PORT: String(sshd.port), SFTP_USER: sshd.username, SFTP_KEY_FILE: sshd.userKeyFile, SFTP_HOST_KEY_SHA256: sshd.hostKeyFingerprint, SFTP_REMOTE_DIR: sshd.uploadDir, EXPORT_AT: '01:30', EXPORT_START_DAY: isoToRoc(day) },
    { DATABASE_URL: tdb.url, PORT: 0, DATA_DIR: dir, LOG_LEVEL: 'silent' },
  )
  const server = await startServer(config, { signals: false, projections: false })
  let closed = false
  t.teardown(() => (closed ? undefined : server.close()))
  t.equal(server.exporter.enabled, true)
  const status = async () => (await (await fetch(`${server.url}/status`)).json()) as { ok: boolean; exporter: any }
  const first = await status()
  t.match(first.exporter, { enabled: true, ok: true, schedule: { at: '01:30', timeZone: 'Asia/Taipei', running: false, startDay: isoToRoc(day) } })
  const next = new Date(first.exporter.schedule.nextRunAt)
  t.equal(new Date(next.getTime() + 8 * 3_600_000).toISOString().slice(11, 16), '01:30', 'next run at 01:30 Taipei')
  t.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 86_400_000, 'within the next day')

  const store = createPostgresEventStore(tdb.db)
  t.teardown(() => store.close())
  await approved(store, day, 1)

  await sshd.stop()
  const down = await server.exporter.runNow()
  t.match(down?.failed, { day, status: 'failed', code: 'SFTP_DELIVERY_FAILED' })
  const failing = await status()
  t.equal(failing.ok, false, 'a failing delivery makes /status not ok')
  t.match(failing.exporter, {
    ok: false,
    lastFailure: { day, code: 'SFTP_DELIVERY_FAILED', reason: /ECONNREFUSED|connect/, attempt: 1, resolved: false },
    failing: [{ day, sequence: 1, attempt: 1 }],
    lastGenerated: { day, fileName: `SUPPORT_${isoToRoc(day)}_01.txt`, total: 1 },
    lastRun: { ok: false, delivered: [] },
  })
  t.notOk(failing.exporter.lastDelivered)
  const html = await (await fetch(`${server.url}/status`, { headers: { accept: 'text/html,application/xhtml+xml' } })).text()
  t.match(html, /名冊傳送失敗/)
  t.match(html, new RegExp(`<dd id="exporter-failure">${isoToRoc(day)}：SFTP_DELIVERY_FAILED`))
  t.match(html, /每日 01:30（臺北時間）/)
  t.notMatch(html, new RegExp(sshd.uploadDir), 'no remote path on the page')

  await sshd.start()
  const good = await server.exporter.runNow()
  t.same(good?.delivered.map((d) => d.day), [day, addDays(day, 1)], 'the failed day, then yesterday (an empty day still gets a file)')
  t.same((await readdir(sshd.uploadDir)).sort(), [`SUPPORT_${isoToRoc(day)}_01.txt`, `SUPPORT_${isoToRoc(addDays(day, 1))}_01.txt`])
  const ok = await status()
  t.match(ok, { ok: true, exporter: { ok: true, failing: [], deliveredDays: 2, lastDelivered: { day: addDays(day, 1), sequence: 1 }, lastFailure: { day, resolved: true }, lastRun: { ok: true } } })
  t.notOk('remotePath' in ok.exporter.lastDelivered, 'no remote path in the JSON either')

  await server.close()
  closed = true
  t.equal(await server.exporter.runNow(), undefined, 'a stopped job does not run')
})

t.test('a generation failure is reported with its day (not only upload failures)', async (t) => {
  const tdb = await freshDatabase('expserve')
  t.teardown(() => tdb.drop())
  await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)
  const store = createPostgresEventStore(tdb.db)
  t.teardown(() => store.close())
  const dir = await mkdtemp(join(tmpdir(), 'bb-expserve-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // An approval whose case has no draft in the log: the roster cannot be built for that day.
  await approved(store, '2024-03-01', 9, false)
  const config = loadConfig({ SFTP_HOST: '127.0.0.1', SFTP_PORT: '1', SFTP_USER: 'u', SFTP_PASSWORD: 'p', SFTP_HOST_KEY_SHA256: 'SHA256:' + 'A'.repeat(43), DATA_DIR: dir })
  const runtime = { store, db: tdb.db, config, logger: createLogger('silent'), now: () => new Date('2024-03-02T03:00:00+08:00') }
  const job = startDailyExport(runtime)
  t.teardown(() => job.stop())
  const run = await job.runNow()
  t.match(run?.failed, { day: '2024-03-01', status: 'failed', code: 'ROSTER_CASE_INCOMPLETE', reason: /案件事件紀錄不完整/ })
  const view = await exporterStatusView(runtime, job)
  t.match(view, { ok: false, lastFailure: { day: '2024-03-01', code: 'ROSTER_CASE_INCOMPLETE', attempt: 1, resolved: false }, failing: [] })
  await job.stop()
  t.equal(job.state().nextRunAt, undefined, 'stopped: nothing scheduled')
})
