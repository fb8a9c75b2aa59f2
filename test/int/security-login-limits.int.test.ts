// Issue #13, brute-force limits: every try is charged before it is judged, atomically, so parallel tries cannot slip
// past a limit; the address gets a growing delay instead of a hard lock (a NAT must not lock everyone behind it);
// a person's lock is per method; one-time codes are charged to the person, the address and a global budget, and the
// answer tells nobody whether an ID is registered. Real app, real PostgreSQL.
import t from 'tap'
import { createLoginThrottle, DEFAULT_THROTTLE, networkOf } from '../../http/auth/login-throttle.js'
import { createLoginServices } from '../../http/auth/login-service.js'
import { DEMO_NHI_PASSWORD } from '../../http/auth/login-demo.js'
import { issueDemoCard } from '../../commands/pki/demo-pki.js'
import { listOutbox } from '../../http/auth/sms.js'
import { loadConfig } from '../../commands/platform/config.js'
import { makePersonId } from '../../domain/national-id.js'
import { buildLoginApp, certificateB64, codeFrom, getChallenge, loginPost, openLoginPage, signAsCard } from '../support/login.js'

const h = await buildLoginApp(t)
const { app, tdb, clock } = h
const login = app.services.login!

// counts the secrets really judged
let passwordsJudged = 0
const realPasswords = login.passwords
login.passwords = { verify: async (id, pw) => { passwordsJudged++; return realPasswords.verify(id, pw) } }
let codesJudged = 0
const realOtp = login.otp
login.otp = { send: (...a) => realOtp.send(...a), verify: async (...a) => { codesJudged++; return realOtp.verify(...a) } }

const ipN = (n: number) => `10.${20 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`

t.test('60 parallel wrong web passwords for one person: at most 5 are judged', async (t) => {
  const id = 'A123456789'
  const pre = await openLoginPage(app)
  passwordsJudged = 0
  const body = (i: number) => ({ nationalId: id, password: `wrong-${i}-pw`, cardNumber: '000012345678', cardNationalId: id })
  const all = await Promise.all(Array.from({ length: 60 }, (_, i) => loginPost(app, pre, '/login/nhi-password', body(i), { ip: ipN(i) })))
  const codes = all.map((r) => r.json.error?.code)
  t.ok(passwordsJudged <= DEFAULT_THROTTLE.perSubject, `judged ${passwordsJudged} ≤ ${DEFAULT_THROTTLE.perSubject}`)
  t.equal(codes.filter((c) => c === 'PASSWORD_WRONG').length, passwordsJudged, 'each judged try answered PASSWORD_WRONG')
  t.equal(codes.filter((c) => c === 'LOGIN_LOCKED').length, 60 - passwordsJudged, 'the rest were refused unjudged')
  const audited = await tdb.db.query(`SELECT 1 FROM login_audit WHERE subject_id = $1 AND outcome = 'PASSWORD_WRONG'`, [id])
  t.equal(audited.rows.length, passwordsJudged, 'the audit agrees')
  passwordsJudged = 0
  const right = await loginPost(app, pre, '/login/nhi-password', { ...body(0), password: DEMO_NHI_PASSWORD }, { ip: '10.99.0.1' })
  t.equal(right.json.error?.code, 'LOGIN_LOCKED', 'even the right password waits out the lock')
  t.equal(passwordsJudged, 0, 'and is not judged')
})

t.test('a person\'s lock is per method: wrong web passwords do not lock the card login', async (t) => {
  const card = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王大明' }, { dir: h.pkiDir })
  const pre = await openLoginPage(app)
  const challenge = await getChallenge(app, pre, '10.98.0.1')
  const r = await loginPost(app, pre, '/login/card', { role: 'professional', challenge, certificate: certificateB64(card), signature: signAsCard(card, challenge) }, { ip: '10.98.0.1' })
  t.equal(r.status, 200, JSON.stringify(r.json))
})

t.test('the web password (knowledge only) has a daily cap on top of the 15-minute limit', async (t) => {
  const id = 'F122334458'
  const pre = await openLoginPage(app)
  const body = { nationalId: id, password: 'wrong-wrong', cardNumber: '000034567890', cardNationalId: id }
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5; i++) t.equal((await loginPost(app, pre, '/login/nhi-password', body, { ip: ipN(100 + round * 10 + i) })).json.error?.code, 'PASSWORD_WRONG')
    clock.advance(15 * 60_000 + 1000)
  }
  const r = await loginPost(app, pre, '/login/nhi-password', { ...body, password: DEMO_NHI_PASSWORD }, { ip: '10.97.0.1' })
  t.equal(r.json.error?.code, 'LOGIN_LOCKED', 'ten wrong in a day: locked for the day')
  t.ok((r.json.error?.details?.retryAfterMinutes as number) > 60)
})

t.test('60 parallel wrong one-time codes: at most 5 judged, and the code is burnt', async (t) => {
  const id = 'H220112234'
  const pre = await openLoginPage(app)
  t.equal((await loginPost(app, pre, '/login/otp/request', { nationalId: id }, { ip: '10.96.0.1' })).status, 200)
  const code = codeFrom((await listOutbox(tdb.db, 1))[0]!.body)
  const bad = code === '111111' ? '222222' : '111111'
  codesJudged = 0
  const all = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    loginPost(app, pre, '/login/otp/verify', { nationalId: id, code: bad, cardNumber: '000056789012' }, { ip: ipN(1000 + i) })))
  t.ok(codesJudged <= 5, `judged ${codesJudged} ≤ 5`)
  t.equal(all.filter((r) => r.json.error?.code === 'OTP_WRONG').length, codesJudged)
  const row = await tdb.db.query<{ attempts: number }>(`SELECT attempts FROM login_otps WHERE national_id = $1 ORDER BY id DESC LIMIT 1`, [id])
  t.ok(row.rows[0]!.attempts <= 5, 'the code row counted at most 5 tries')
  const right = await loginPost(app, pre, '/login/otp/verify', { nationalId: id, code, cardNumber: '000056789012' }, { ip: '10.96.0.2' })
  t.not(right.status, 200, 'the right code after that opens nothing')
})

t.test('the OTP service alone: parallel wrong codes charge the row before judging', async (t) => {
  const otp = realOtp
  const id = 'Q134567894'
  await otp.send(id, '0911222333', 'pre-x', clock.now)
  const code = codeFrom((await listOutbox(tdb.db, 1))[0]!.body)
  const bad = code === '333333' ? '444444' : '333333'
  const results = await Promise.allSettled(Array.from({ length: 40 }, () => otp.verify(id, 'pre-x', bad, clock.now)))
  const judged = results.filter((r) => r.status === 'rejected' && (r.reason as { details?: { remaining?: number } }).details?.remaining !== 0 || false).length
  t.ok(judged <= 5, `tries with tries left: ${judged}`)
  const row = await tdb.db.query<{ attempts: number }>(`SELECT attempts FROM login_otps WHERE national_id = $1 ORDER BY id DESC LIMIT 1`, [id])
  t.equal(row.rows[0]!.attempts, 5)
  await t.rejects(otp.verify(id, 'pre-x', code, clock.now), { code: 'OTP_WRONG' }, 'burnt')
})

t.test('an address is slowed down, not locked: a growing delay, IPv6 by /64', async (t) => {
  const pre = await openLoginPage(app)
  const ip = '10.95.0.1'
  const wrong = (n: number, from = ip) => loginPost(app, pre, '/login/nhi-password', { nationalId: makePersonId('N', '1', 3000 + n), password: 'guess-guess', cardNumber: '000000000000', cardNationalId: makePersonId('N', '1', 3000 + n) }, { ip: from })
  for (let i = 0; i < DEFAULT_THROTTLE.perNetFree; i++) t.equal((await wrong(i)).json.error?.code, 'PASSWORD_WRONG')
  t.equal((await wrong(100)).json.error?.code, 'PASSWORD_WRONG', 'the first try past the free ones passes and sets a delay')
  const slowed = await wrong(101)
  t.equal(slowed.status, 429)
  t.equal(slowed.json.error?.code, 'TOO_MANY_TRIES')
  t.equal(slowed.json.error?.details?.retryAfterSeconds, 1)
  t.match(slowed.json.error?.message, '秒後再試')
  clock.advance(1000)
  t.equal((await wrong(102)).json.error?.code, 'PASSWORD_WRONG', 'after the delay the address may try again')
  t.equal((await wrong(103)).json.error?.details?.retryAfterSeconds, 2, 'the delay doubles')
  // someone else behind the same address logs in after the delay: no lock-out
  clock.advance(2000)
  const ok = await loginPost(app, pre, '/login/nhi-password', { nationalId: 'A223456012', password: DEMO_NHI_PASSWORD, cardNumber: '000023456789', cardNationalId: 'A223456012' }, { ip })
  t.equal(ok.status, 200, JSON.stringify(ok.json))
  t.equal((await wrong(104, '10.95.0.2')).json.error?.code, 'PASSWORD_WRONG', 'another address is not slowed')

  // parallel tries past the free ones: only one passes per delay
  passwordsJudged = 0
  clock.advance(120_000)
  const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => wrong(200 + i)))
  t.ok(burst.filter((r) => r.json.error?.code === 'PASSWORD_WRONG').length <= 1, 'one judged try per delay')

  t.equal(networkOf('2001:db8:1:2:aaaa::1'), networkOf('2001:db8:1:2:bbbb::9'), 'one IPv6 /64 is one address')
  t.not(networkOf('2001:db8:1:2::1'), networkOf('2001:db8:1:3::1'))
  t.equal(networkOf('::ffff:10.0.0.1'), '10.0.0.1')
})

t.test('one-time code requests: same answer for unknown IDs, last 3 digits only, per person and global budgets', async (t) => {
  const pre = await openLoginPage(app)
  const known = await loginPost(app, pre, '/login/otp/request', { nationalId: 'K219876541' }, { ip: '10.94.0.1' })
  const unknownId = makePersonId('Y', '2', 555)
  const unknown = await loginPost(app, pre, '/login/otp/request', { nationalId: unknownId }, { ip: '10.94.0.1' })
  t.equal(known.status, 200)
  t.equal(unknown.status, 200, 'an unknown ID is not told apart')
  t.same(Object.keys(unknown.json).sort(), Object.keys(known.json).sort())
  t.equal(known.json.phone, '*******000', 'at most the last 3 digits')
  t.match(unknown.json.phone, /^\*{7}\d{3}$/)
  t.equal((await loginPost(app, pre, '/login/otp/request', { nationalId: unknownId }, { ip: '10.94.0.2' })).json.phone, unknown.json.phone, 'the same made-up tail every time')

  // 60 parallel requests for one person: at most 5 codes sent
  const before = (await listOutbox(tdb.db, 200)).filter((m) => m.phone === '0977888999').length
  await Promise.all(Array.from({ length: 60 }, (_, i) => loginPost(app, pre, '/login/otp/request', { nationalId: 'E109908762' }, { ip: ipN(2000 + i) })))
  const sent = (await listOutbox(tdb.db, 200)).filter((m) => m.phone === '0977888999').length - before
  t.ok(sent <= 5 && sent > 0, `sent ${sent} ≤ 5`)

  // the global budget
  const saved = login.throttle
  login.throttle = createLoginThrottle(tdb.db, { ...DEFAULT_THROTTLE, smsPerHour: 2 })
  t.teardown(() => { login.throttle = saved })
  await tdb.db.query(`DELETE FROM login_limits WHERE key = 'sms:all'`)
  const n0 = (await listOutbox(tdb.db, 200)).length
  const ids = ['A212345679', 'A223456012', 'F122334458', 'Q134567894']
  const rs = await Promise.all(ids.map((id, i) => loginPost(app, pre, '/login/otp/request', { nationalId: id }, { ip: ipN(3000 + i) })))
  t.equal((await listOutbox(tdb.db, 200)).length - n0, 2, 'no more SMS than the budget')
  t.equal(rs.filter((r) => r.status === 429).length, 2)
})

t.test('without an SMS gateway, outside demo mode, the card-less method is off', async (t) => {
  const config = loadConfig({}, { SESSION_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' })
  t.equal(createLoginServices({ config, db: tdb.db }).cardless, false)
  t.equal(createLoginServices({ config: { ...config, SMS_GATEWAY_URL: 'https://sms.example/send' }, db: tdb.db }).cardless, true)
  login.cardless = false
  t.teardown(() => { login.cardless = true })
  const pre = await openLoginPage(app)
  const r = await loginPost(app, pre, '/login/otp/request', { nationalId: 'K219876541' }, { ip: '10.93.0.1' })
  t.equal(r.json.error?.code, 'CARDLESS_LOGIN_UNAVAILABLE')
  t.equal(r.status, 503)
})
