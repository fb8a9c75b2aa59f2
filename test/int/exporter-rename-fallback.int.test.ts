// The rename fallback of the SFTP delivery (exporter/sftp-delivery.ts) against a REAL OpenSSH server that lacks
// posix-rename@openssh.com (and fsync@openssh.com): test/support/sshd.ts starts sshd with `internal-sftp -P
// posix-rename,fsync`, and this OpenSSH then leaves both extensions out of its SFTP version reply, exactly like a
// server without them (checked below: the atomic path is not taken). No in-process stand-in server is needed.
// The plain SFTP v3 rename refuses an existing target: a stale final file (a run that renamed the file into place but
// died before recording RosterDelivered) is replaced, and the day is delivered once with exact bytes.
import t, { type Test } from 'tap'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createLogger } from '../../commands/platform/logger.js'
import type { Schedule } from '../../domain/types.js'
import { deliverPending, type DeliveryContext } from '../../exporter/deliver-rosters.js'
import { readExportHistory } from '../../exporter/export-history.js'
import { postgresRosterSource } from '../../exporter/roster-source.js'
import { uploadFile, type SftpTarget } from '../../exporter/sftp-delivery.js'
import { startSshd, type SshdOptions } from '../support/sshd.js'
import { applicant, caseWriter, exporterEnv, noFindings, routing, terms } from './exporter-fixtures.js'

const weekly: Schedule = { kind: 'weekly', from: '2024-03-11', to: '2024-06-30', weekdays: [1, 3, 5], windows: [{ start: '08:00', end: '12:00' }] }

async function server(t: Test, opts: SshdOptions) {
  const sshd = await startSshd(opts)
  t.teardown(() => sshd.close())
  const target: SftpTarget = { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.userKey, hostKeySha256: sshd.hostKeyFingerprint, remoteDir: sshd.uploadDir }
  return { sshd, target }
}

async function localFile(t: Test, content: string) {
  const dir = await mkdtemp(join(tmpdir(), 'roster-rename-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'SUPPORT_1130301_01.txt')
  await writeFile(path, content)
  return { dir, path }
}

/** A pino logger whose lines are kept. */
function capturingLogger() {
  const lines: Array<{ msg: string; [k: string]: unknown }> = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      cb()
    },
  })
  return { logger: createLogger('info', stream), lines }
}

t.test('a server without posix-rename and fsync: plain rename, the file in place with exact bytes, warnings logged', async (t) => {
  const { sshd, target } = await server(t, { sftpDenyRequests: ['posix-rename', 'fsync'] })
  const { path } = await localFile(t, 'H01'.padEnd(100, ' ') + '\r\n')
  const { logger, lines } = capturingLogger()
  const r = await uploadFile(target, path, 'SUPPORT_1130301_01.txt', { logger })
  t.match(r, { atomicRename: false, fsynced: false, remotePath: join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'), bytes: 102 })
  t.same(await readdir(sshd.uploadDir), ['SUPPORT_1130301_01.txt'], 'no temporary file left')
  t.ok((await readFile(join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'))).equals(await readFile(path)), 'exact bytes')
  t.ok(lines.some((l) => /lacks posix-rename@openssh.com: using plain rename/.test(l.msg)), 'the fallback is logged')
  t.ok(lines.some((l) => /lacks fsync@openssh.com/.test(l.msg)), 'the missing remote fsync is logged')
})

t.test('a stale final file on a server without posix-rename is replaced (plain rename refuses an existing target)', async (t) => {
  const { sshd, target } = await server(t, { sftpDenyRequests: ['posix-rename'] })
  await writeFile(join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'), 'stale content of an earlier, unrecorded run')
  const { path } = await localFile(t, 'H01'.padEnd(100, ' ') + '\r\n' + 'T'.padEnd(100, '0') + '\r\n')
  const r = await uploadFile(target, path, 'SUPPORT_1130301_01.txt')
  t.equal(r.atomicRename, false)
  t.equal(r.fsynced, true, 'fsync is still there when only posix-rename is refused')
  t.same(await readdir(sshd.uploadDir), ['SUPPORT_1130301_01.txt'])
  t.ok((await readFile(join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'))).equals(await readFile(path)), 'the new bytes replaced the stale file')
})

t.test('control: the same sshd with the extensions uses the atomic rename', async (t) => {
  const { target } = await server(t, {})
  const { path } = await localFile(t, 'x')
  t.match(await uploadFile(target, path, 'SUPPORT_1130301_01.txt'), { atomicRename: true, fsynced: true })
})

t.test('a whole delivery run through the fallback: delivered once, recorded, not sent again', async (t) => {
  const env = await exporterEnv(t)
  const { sshd, target } = await server(t, { sftpDenyRequests: ['posix-rename', 'fsync'] })
  const out = await mkdtemp(join(tmpdir(), 'roster-rename-run-'))
  t.teardown(() => rm(out, { recursive: true, force: true }))
  const caseId = '50000000-0000-4000-8000-000000000001'
  await caseWriter(env.store)(caseId, '2024-03-01T02:00:00.000Z',
    { type: 'ReportDrafted', data: { caseId, applicant: applicant('A123456789', 'A', '0101090517'), filedBy: { role: 'professional', id: 'A123456789' }, terms: terms('3501200000', '01', weekly), routing, attachments: [] } },
    { type: 'ReportSubmitted', data: { caseNumber: '11303010000001', findings: noFindings } },
    { type: 'ReportApproved', data: { reviewerId: 'R001', approvalNumber: 'N1' } })
  // An earlier run put the file in place and died before recording RosterDelivered.
  await writeFile(join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'), 'partial')
  const { logger, lines } = capturingLogger()
  const ctx: DeliveryContext = {
    store: env.store, source: postgresRosterSource(env.db), senderCode: 'BAOBEI0001', logger,
    now: () => new Date('2024-03-02T01:00:00+08:00'), actor: { role: 'system', id: 'exporter', via: 'system' }, outDir: out, db: env.db, sftp: target,
  }
  const run = await deliverPending(ctx)
  t.same(run.delivered.map((d) => [d.day, d.status]), [['2024-03-01', 'delivered']])
  t.ok((await readFile(join(sshd.uploadDir, 'SUPPORT_1130301_01.txt'))).equals(await readFile(join(out, 'SUPPORT_1130301_01.txt'))), 'exact bytes')
  t.match(lines.find((l) => l.msg === 'roster delivered for 2024-03-01'), { atomicRename: false, fsynced: false })
  t.equal((await readExportHistory(env.store, '2024-03-01')).delivered.size, 1)
  t.same((await deliverPending(ctx)).delivered, [], 'not sent twice')
})
