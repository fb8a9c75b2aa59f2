// The decision notifier (issue #16) against a real PostgreSQL event store and an SMTP TEST DOUBLE (smtp-server):
// a decision on an opted-in professional's case → exactly one e-mail with the case number and the reason; a crash
// between sending and the checkpoint → the same message id sent again, not a different one; not opted in → nothing;
// opted out before the decision → nothing; a failing mail server is retried with backoff, then given up and visible.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { runMigrations } from '../../commands/platform/migrations.js'
import { createLogger } from '../../commands/platform/logger.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { createPreferenceService } from '../../commands/notify/preference-service.js'
import { loginMigrations } from '../../http/auth/login-migrations.js'
import { embeddedSmsOutbox, listOutbox } from '../../http/auth/sms.js'
import { notifyMigrations } from '../../http/notify/notify-migrations.js'
import { smtpEmailGateway } from '../../http/notify/email.js'
import { createNotifier, type NotifierDeps } from '../../http/notify/notifier.js'
import { startServeNotifier } from '../../http/notify/serve-notifier.js'
import { loadConfig } from '../../commands/platform/config.js'
import { reportStream } from '../../domain/events.js'
import { CaseBuilder, applicant, routingFor, terms, weekly } from '../support/report-fixtures.js'
import { CLINIC_63, HOSPITAL_63 } from '../support/report-decider-fixtures.js'
import { freshDatabase } from '../support/db.js'
import { startSmtpDouble } from '../support/smtp-double.js'
import type { Actor } from '../../domain/types.js'

const tdb = await freshDatabase('notify')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...loginMigrations, ...notifyMigrations])
const logger = createLogger('silent')
const store = createPostgresEventStore(tdb.db, { logger })
t.teardown(() => store.close())
const smtp = await startSmtpDouble()
t.teardown(() => smtp.close())
const mail = smtpEmailGateway(smtp.url, '報備支援系統 <no-reply@baobei.test>')
t.teardown(() => mail.close?.())
const preferences = createPreferenceService({ store })

const notifier = (extra: Partial<NotifierDeps> = {}) =>
  createNotifier({ store, db: tdb.db, logger, preferences, channels: { email: mail, sms: embeddedSmsOutbox(tdb.db) }, siteOrigin: () => 'https://baobei.test', retry: { attempts: 3, baseMs: 5, maxMs: 20 }, ...extra })

let n = 0
const person = (name: string) => {
  n++
  const id = ['A123456789', 'F122334458', 'A223456012', 'H220112234', 'B120887765'][n - 1]!
  return applicant(id, name, HOSPITAL_63)
}
const actorOf = (a: { nationalId: string }): Actor => ({ role: 'professional', id: a.nationalId, via: 'hca-professional-card' })
const optIn = (a: { nationalId: string }, fields: { channel: string; email?: string; phone?: string }) =>
  preferences.set({ recipient: { kind: 'professional', id: a.nationalId }, ...fields }, { commandId: randomUUID(), actor: actorOf(a) })

/** Files a case and returns it for correction (or another decision), appended as the reviewer would. */
async function decide(a: ReturnType<typeof applicant>, caseNumber: string, how: (b: CaseBuilder) => CaseBuilder) {
  const tm = terms(CLINIC_63, weekly('2024-03-01', '2024-03-31', [1]))
  const b = how(new CaseBuilder(randomUUID(), a, tm, routingFor(tm)).draft().submit(caseNumber))
  await store.append(reportStream(b.caseId), b.events, 'no_stream')
  return b
}

// the checkpoint starts at the head: decisions made before notifications existed are never sent
await notifier().runOnce()

t.test('a decision on an opted-in professional\'s case → exactly one e-mail with the case number and the reason', async (t) => {
  const a = person('王大明')
  await optIn(a, { channel: 'email', email: ' wang@example.com.tw ' })
  const before = smtp.received.length
  const b = await decide(a, '11303010000001', (x) => x.return('請補附支援同意書'))
  t.equal(await notifier().runOnce(), 1, 'one decision handled')
  const got = smtp.received.slice(before)
  t.equal(got.length, 1, 'exactly one message')
  const m = got[0]!
  t.same(m.to, ['wang@example.com.tw'])
  t.match(m.subject, '案件 11303010000001 登錄申請退回補正')
  t.match(m.text, '案件編號 11303010000001')
  t.match(m.text, '審查意見：請補附支援同意書')
  t.match(m.text, '請修正：支援時段')
  t.match(m.text, `https://baobei.test/reports/${b.caseId}`)
  t.match(m.messageId, /^<[0-9a-f-]{36}\.email\.p[0-9a-f]{16}@notify\.baobei>$/)
  t.equal(await notifier().runOnce(), 0, 'a second run sends nothing more')
  t.equal(smtp.received.length, before + 1)
})

t.test('a crash between sending and the checkpoint → the same message id is sent again, not a different one', async (t) => {
  const a = person('陳志豪')
  await optIn(a, { channel: 'email', email: 'chen@example.com.tw' })
  await decide(a, '11303010000002', (x) => x.reject('支援時段與門診時間衝突'))
  const before = smtp.received.length
  const crashing = notifier({ afterSend: () => { throw new Error('killed after sending') } })
  await t.rejects(crashing.runOnce(), /killed after sending/)
  t.equal(smtp.received.length, before + 1, 'the message went out before the crash')
  const first = smtp.received[before]!
  t.equal(await notifier().runOnce(), 1, 'the restarted notifier handles the decision again')
  t.equal(smtp.received.length, before + 2, 'sent again (at least once)')
  const again = smtp.received[before + 1]!
  t.equal(again.messageId, first.messageId, 'the same Message-ID: recognisably the same message')
  t.equal(again.text, first.text)
  t.match(first.subject, '未核准')
  t.equal(await notifier().runOnce(), 0, 'and then the checkpoint stands')
})

t.test('not opted in → nothing is sent; the checkpoint still moves past the decision', async (t) => {
  const a = person('林美玲')
  const before = smtp.received.length
  await decide(a, '11303010000003', (x) => x.approve('府授衛字第1130001號'))
  t.equal(await notifier().runOnce(), 1)
  t.equal(smtp.received.length, before, 'no e-mail')
  t.same((await listOutbox(tdb.db)).filter((m) => m.body.includes('11303010000003')), [], 'no SMS')
})

t.test('opted in, then opted out before the decision → nothing', async (t) => {
  const a = person('陳怡君')
  await optIn(a, { channel: 'email', email: 'yijun@example.com.tw' })
  await optIn(a, { channel: 'none' })
  const before = smtp.received.length
  await decide(a, '11303010000004', (x) => x.return('請修正時段'))
  t.equal(await notifier().runOnce(), 1)
  t.equal(smtp.received.length, before, 'no e-mail after opting out')
})

t.test('SMS: one message per id in the embedded outbox, even when sent twice', async (t) => {
  const a = person('黃建國')
  await optIn(a, { channel: 'sms', phone: '0912-345-678' })
  await decide(a, '11303010000005', (x) => x.approve('府授衛字第1130002號'))
  await t.rejects(notifier({ afterSend: () => { throw new Error('crash') } }).runOnce())
  await notifier().runOnce()
  const rows = (await listOutbox(tdb.db)).filter((m) => m.body.includes('11303010000005'))
  t.equal(rows.length, 1, 'the outbox dedupes by the message id')
  t.equal(rows[0]!.phone, '0912345678')
  t.match(rows[0]!.body, '案件 11303010000005 登錄申請已核准')
})

t.test('a failing mail server: retried with backoff, then given up, visible in the notifier state and notify_failures', async (t) => {
  const a = { nationalId: 'A123456789' } // opted in by e-mail in the first test
  const b = await decide(applicant(a.nationalId, '王大明', HOSPITAL_63), '11303010000006', (x) => x.reject('重複申請'))
  const before = smtp.received.length
  smtp.failNext(2)
  const ok = notifier()
  t.equal(await ok.runOnce(), 1)
  t.equal(smtp.received.length, before + 1, 'the third try went through')
  t.equal(ok.state().lastFailure?.resolved, true, 'the failure is marked resolved')
  smtp.failNext(10)
  await decide(applicant(a.nationalId, '王大明', HOSPITAL_63), '11303010000007', (x) => x.reject('重複申請'))
  const failing = notifier()
  t.equal(await failing.runOnce(), 1, 'the decision is passed after the bounded retries')
  smtp.failNext(0)
  const s = failing.state()
  t.equal(s.givenUp, 1)
  t.equal(s.lastFailure?.attempt, 3)
  t.equal(s.lastFailure?.resolved, false)
  const rows = await tdb.db.query<{ channel: string; attempts: number }>(`SELECT channel, attempts FROM notify_failures`)
  t.same(rows.rows, [{ channel: 'email', attempts: 3 }])
  t.ok(b.caseId)
})

t.test('serve\'s notifier over SMTP_URL: a given-up message is visible in its /status view (ok false, the reason)', async (t) => {
  const config = loadConfig({}, { SMTP_URL: smtp.url, NOTIFY_FROM: 'no-reply@baobei.test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/none' })
  const serve = startServeNotifier({ store, db: tdb.db, config, logger, demo: false, siteOrigin: () => 'https://baobei.test', retry: { attempts: 2, baseMs: 5, maxMs: 10 }, pollMs: 3_600_000 })
  t.teardown(() => serve.stop())
  await serve.runNow().catch(() => 0) // the first poll may be running already
  t.match(await serve.status(), { enabled: true, channels: { email: 'smtp', sms: 'off' } })
  smtp.failNext(5)
  await decide(applicant('A123456789', '王大明', HOSPITAL_63), '11303010000008', (x) => x.return('請補件'))
  t.equal(await serve.runNow(), 1)
  smtp.failNext(0)
  const s = await serve.status()
  t.equal(s.ok, false, 'not ok while the last message failed')
  t.match(s.lastFailure, { channel: 'email', attempt: 2, resolved: false, reason: /SMTP 451/ })
  t.ok(s.givenUp >= 2, 'given-up messages counted from notify_failures')
  t.match(s.lastGivenUp, { channel: 'email', attempts: 2 })
  await decide(applicant('A123456789', '王大明', HOSPITAL_63), '11303010000009', (x) => x.approve('府授衛字第1130009號'))
  t.equal(await serve.runNow(), 1)
  t.equal((await serve.status()).ok, true, 'ok again once a message goes through')
  t.equal(smtp.received.at(-1)?.from, 'no-reply@baobei.test')
})

t.test('an institution that opted in is told of the decisions on its staff\'s cases, under its own message id', async (t) => {
  const hospital: Actor = { role: 'institution', id: HOSPITAL_63.code, via: 'hca-institution-card', institutionCode: HOSPITAL_63.code }
  await preferences.set({ recipient: { kind: 'institution', id: HOSPITAL_63.code }, channel: 'email', email: 'hr@hospital.example.tw' }, { commandId: randomUUID(), actor: hospital })
  const before = smtp.received.length
  await decide(applicant('A223456012', '林美玲', HOSPITAL_63), '11303010000010', (x) => x.approve('府授衛字第1130010號'))
  t.equal(await notifier().runOnce(), 1)
  const got = smtp.received.slice(before)
  t.same(got.map((m) => m.to), [['hr@hospital.example.tw']], 'the home institution only (the applicant did not opt in)')
  t.match(got[0]!.text, '申請人 林美玲')
  t.match(got[0]!.text, '核准文號：府授衛字第1130010號')
  t.match(got[0]!.messageId, /\.email\.i[0-9a-f]{16}@/)
})
