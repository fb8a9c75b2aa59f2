// Roster delivery over SFTP against a REAL OpenSSH sshd (test/support/sshd.ts) and the real PostgreSQL store:
// upload + atomic rename with exact bytes; a wrong host key or a refused login delivers nothing; a server that
// dies mid-upload is caught up exactly once on the next run; an operator's re-send becomes sequence 02.
import t, { type Test } from 'tap'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { deliverPending, type DeliveryContext } from '../../exporter/deliver-rosters.js'
import { readExportHistory } from '../../exporter/export-history.js'
import { exporterStatus } from '../../exporter/exporter-status.js'
import { postgresRosterSource } from '../../exporter/roster-source.js'
import { runExportCommand } from '../../exporter/cli.js'
import { startDailyExport } from '../../exporter/daily-export.js'
import { loadConfig } from '../../commands/platform/config.js'
import type { Schedule } from '../../domain/types.js'
import { startSshd, type TestSshd } from '../support/sshd.js'
import { applicant, caseWriter, exporterEnv, noFindings, routing, terms, type ExporterTestEnv } from './exporter-fixtures.js'

const weekly: Schedule = { kind: 'weekly', from: '2024-03-11', to: '2024-06-30', weekdays: [1, 3, 5], windows: [{ start: '08:00', end: '12:00' }, { start: '14:00', end: '17:00' }] }

/** `n` approved registrations with business time `at` (case numbers from `serial`). */
async function approvedCases(env: ExporterTestEnv, at: string, n: number, serial: number) {
  const write = caseWriter(env.store)
  for (let i = 0; i < n; i++) {
    const caseId = `10000000-0000-4000-8000-${String(serial + i).padStart(12, '0')}`
    await write(caseId, at,
      { type: 'ReportDrafted', data: { caseId, applicant: applicant('A123456789', 'A', '0101090517'), filedBy: { role: 'professional', id: 'A123456789' }, terms: terms('3501200000', '01', weekly), routing, attachments: [] } },
      { type: 'ReportSubmitted', data: { caseNumber: `1130301${String(serial + i).padStart(7, '0')}`, findings: noFindings } },
      { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: `N${serial + i}` } })
  }
}

async function setup(t: Test) {
  const env = await exporterEnv(t)
  const sshd = await startSshd()
  t.teardown(() => sshd.close())
  const out = await mkdtemp(join(tmpdir(), 'roster-sftp-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const ctx: DeliveryContext = {
    store: env.store,
    source: postgresRosterSource(env.db),
    senderCode: 'BAOBEI0001',
    logger: env.logger,
    now: () => new Date('2024-03-03T01:00:00+08:00'),
    actor: { role: 'system', id: 'exporter', via: 'system' },
    outDir: out,
    db: env.db,
    sftp: { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.userKey, hostKeySha256: sshd.hostKeyFingerprint, remoteDir: sshd.uploadDir },
  }
  return { env, sshd, out, ctx }
}

const remoteFiles = async (sshd: TestSshd) => (await readdir(sshd.uploadDir)).sort()

t.test('delivers every day up to yesterday, in order, with exact bytes, once', async (t) => {
  const { env, sshd, out, ctx } = await setup(t)
  await approvedCases(env, '2024-03-01T02:00:00.000Z', 2, 1)
  await approvedCases(env, '2024-03-02T02:00:00.000Z', 1, 3)
  const run = await deliverPending(ctx)
  t.equal(run.from, '2024-03-01')
  t.equal(run.through, '2024-03-02')
  t.same(run.delivered.map((d) => [d.day, d.fileName, d.status]), [['2024-03-01', 'SUPPORT_1130301_01.txt', 'delivered'], ['2024-03-02', 'SUPPORT_1130302_01.txt', 'delivered']])
  t.same(await remoteFiles(sshd), ['SUPPORT_1130301_01.txt', 'SUPPORT_1130302_01.txt'], 'renamed into place, no .part left')
  for (const f of ['SUPPORT_1130301_01.txt', 'SUPPORT_1130302_01.txt']) {
    t.ok((await readFile(join(sshd.uploadDir, f))).equals(await readFile(join(out, f))), `${f}: exact bytes`)
  }
  t.equal((await readFile(join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'))).length, 102 * (2 + 4))
  const h = await readExportHistory(env.store, '2024-03-01')
  t.match([...h.delivered.values()], [{ sequence: 1, fileName: 'SUPPORT_1130301_01.txt', remotePath: join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'), hostKeyFingerprint: sshd.hostKeyFingerprint }])
  t.equal(h.delivered.get(1)!.fileSha256, h.generated.get(1)!.fileSha256)

  const second = await deliverPending(ctx)
  t.same(second.delivered, [], 'nothing is sent twice')
  t.equal(second.alreadyDelivered, 2)
  t.equal((await readExportHistory(env.store, '2024-03-01')).version, 2, 'RosterGenerated + RosterDelivered, nothing more')
  const status = await exporterStatus(env.store)
  t.match(status, { lastDelivered: { day: '2024-03-02', sequence: 1 }, deliveredDays: 2, failing: [] })

  // The daily job `baobei serve` starts: a run now finds nothing left and schedules tomorrow 01:00 Taipei.
  const config = loadConfig({ SFTP_HOST: sshd.host, SFTP_PORT: String(sshd.port), SFTP_USER: 'root', SFTP_KEY_FILE: sshd.userKeyFile, SFTP_HOST_KEY_SHA256: sshd.hostKeyFingerprint, SFTP_REMOTE_DIR: sshd.uploadDir, DATA_DIR: out })
  const job = startDailyExport({ ...env, config, now: ctx.now })
  t.teardown(() => job.stop())
  t.equal(job.nextRunAt()?.toISOString(), '2024-03-03T17:00:00.000Z')
  const jobRun = await job.runNow()
  t.same(jobRun?.delivered, [])
  t.equal(jobRun?.alreadyDelivered, 2)
})

t.test('a wrong host key or a refused login: refused, nothing delivered, the failure recorded', async (t) => {
  const { env, sshd, ctx } = await setup(t)
  await approvedCases(env, '2024-03-02T02:00:00.000Z', 1, 1)
  const wrongKey = { ...ctx, sftp: { ...ctx.sftp, hostKeySha256: 'SHA256:' + 'A'.repeat(43) } }
  const run = await deliverPending(wrongKey)
  t.match(run.failed, { day: '2024-03-02', status: 'failed', code: 'HOST_KEY_MISMATCH' })
  t.same(await remoteFiles(sshd), [], 'not even a temporary file')
  let h = await readExportHistory(env.store, '2024-03-02')
  t.equal(h.delivered.size, 0, 'no RosterDelivered')
  t.match(h.failures, [{ day: '2024-03-02', sequence: 1, attempt: 1, reason: /主機金鑰不符/ }])

  // ssh2's ed25519 key generation strips leading zero bytes of the key, so ~1 key in 256 cannot be parsed back
  // (mscdex/ssh2 issues 1390 and 1513; it failed this test once): take a key ssh2 itself can read
  let stranger = ssh2.utils.generateKeyPairSync('ed25519')
  while (ssh2.utils.parseKey(stranger.private) instanceof Error || ssh2.utils.parseKey(stranger.public) instanceof Error) stranger = ssh2.utils.generateKeyPairSync('ed25519')
  const refused = await deliverPending({ ...ctx, sftp: { ...ctx.sftp, privateKey: stranger.private } })
  t.match(refused.failed, { code: 'SFTP_DELIVERY_FAILED', reason: /authentication/i })
  h = await readExportHistory(env.store, '2024-03-02')
  t.equal(h.delivered.size, 0)
  t.match(h.failures.map((f) => f.attempt), [1, 2])
  t.match(await exporterStatus(env.store), { failing: [{ day: '2024-03-02', attempt: 2 }] })

  const fixed = await deliverPending(ctx)
  t.same(fixed.delivered.map((d) => d.day), ['2024-03-02'])
  t.same(await remoteFiles(sshd), ['SUPPORT_1130302_01.txt'])
  t.match(await exporterStatus(env.store), { failing: [], lastDelivered: { day: '2024-03-02' } })
})

t.test('server killed mid-upload, down on the next run, then back: the day is delivered exactly once, exact bytes', async (t) => {
  const { env, sshd, out, ctx } = await setup(t)
  await approvedCases(env, '2024-03-01T02:00:00.000Z', 1, 1)
  await approvedCases(env, '2024-03-02T02:00:00.000Z', 200, 100) // 2 x 200 cases x 2 windows = 800 records, ~80 KiB
  await approvedCases(env, '2024-03-02T03:00:00.000Z', 200, 300)
  let killed = false
  const cutting: DeliveryContext = {
    ...ctx,
    onUploadProgress: async ({ day, sent, total }) => {
      if (day === '2024-03-02' && !killed && sent < total) {
        killed = true
        await sshd.stop()
      }
    },
  }
  const run = await deliverPending(cutting)
  t.ok(killed, 'the server was killed during the upload of day 2')
  t.same(run.delivered.map((d) => d.day), ['2024-03-01'])
  t.match(run.failed, { day: '2024-03-02', code: 'SFTP_DELIVERY_FAILED' })
  t.notOk(existsSync(join(sshd.uploadDir, 'SUPPORT_1130302_01.txt')), 'no final file for the interrupted day')

  const down = await deliverPending(ctx)
  t.match(down.failed, { day: '2024-03-02', reason: /ECONNREFUSED|connect/ })

  await sshd.start()
  const again = await deliverPending(ctx)
  t.same(again.delivered.map((d) => d.day), ['2024-03-02'])
  t.equal(again.alreadyDelivered, 1)
  t.same(await remoteFiles(sshd), ['SUPPORT_1130301_01.txt', 'SUPPORT_1130302_01.txt'], 'the temporary file was overwritten and renamed')
  const local = await readFile(join(out, 'SUPPORT_1130302_01.txt'))
  t.ok(local.length > 64 * 1024, 'day 2 is more than two SFTP chunks')
  t.ok((await readFile(join(sshd.uploadDir, 'SUPPORT_1130302_01.txt'))).equals(local), 'exact bytes')
  const h = await readExportHistory(env.store, '2024-03-02')
  t.equal(h.delivered.size, 1)
  t.equal(h.generated.size, 1)
  t.same(h.failures.map((f) => f.attempt), [1, 2])
  t.same((await readExportHistory(env.store, '2024-03-01')).delivered.size, 1, 'day 1 was not sent again')
})

t.test('baobei export --resend --day sends the same content as sequence 02; --deliver does not send it again', async (t) => {
  const { env, sshd, out, ctx } = await setup(t)
  await approvedCases(env, '2024-03-01T02:00:00.000Z', 2, 1)
  const config = loadConfig({ SFTP_HOST: sshd.host, SFTP_PORT: String(sshd.port), SFTP_USER: 'root', SFTP_KEY_FILE: sshd.userKeyFile, SFTP_HOST_KEY_SHA256: sshd.hostKeyFingerprint, SFTP_REMOTE_DIR: sshd.uploadDir, DATA_DIR: out })
  let text = ''
  const sink = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream
  const runtime = { ...env, config, now: ctx.now, out: sink, err: sink }
  t.equal(await runExportCommand(['--resend', '--day', '1130301', '--out', out], runtime), 1, 'a day never delivered cannot be re-sent')
  t.match(text, /ROSTER_NOT_GENERATED/)
  text = ''
  t.equal(await runExportCommand(['--deliver', '--out', out], runtime), 0)
  t.match(text, /2024-03-01 SUPPORT_1130301_01.txt delivered/)
  text = ''
  t.equal(await runExportCommand(['--resend', '--day', '1130301', '--out', out], runtime), 0)
  t.match(text, /SUPPORT_1130301_02.txt delivered/)
  const first = await readFile(join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'), 'latin1')
  const second = await readFile(join(sshd.uploadDir, 'SUPPORT_1130301_02.txt'), 'latin1')
  t.equal(second, first.slice(0, 10) + '02' + first.slice(12), 'same content, only the header sequence differs')
  const h = await readExportHistory(env.store, '2024-03-01')
  t.same([...h.delivered.keys()], [1, 2])
  t.equal(h.generated.get(2)!.createdAt, h.generated.get(1)!.createdAt)
  text = ''
  t.equal(await runExportCommand(['--deliver', '--out', out], runtime), 0)
  t.match(text, /days 2024-03-01 .. 2024-03-02: 2 already delivered, 0 delivered now/)
  t.equal(await runExportCommand(['--verify', join(sshd.uploadDir, 'SUPPORT_1130301_02.txt')], runtime), 0)
})
