// Login end to end over HTTP (fastify inject) against real PostgreSQL, with real pcscd + vpcd + virtual cards for the
// card signatures that succeed: professional / institution / staff card logins, every refusal of a card proof,
// NHI card + web password, card-less one-time SMS code, the lock-outs (per card, per person, per IP), logout,
// session-id rotation and the last-login time.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { issueDemoCard, revokeDemoCard, type DemoCard } from '../../commands/pki/demo-pki.js'
import { DEMO_NHI_PASSWORD } from '../../http/auth/login-demo.js'
import { listOutbox } from '../../http/auth/sms.js'
import { startReaderAgent } from '../../reader/agent.js'
import { createPcscBackend } from '../../reader/pcsc-backend.js'
import { PcscManager } from '../../reader/pcsc.js'
import { NhiVirtualCard } from '../../reader/virtual/nhi-virtual-card.js'
import { PkiVirtualCard } from '../../reader/virtual/pki-virtual-card.js'
import { makePersonId } from '../../domain/national-id.js'
import { login as testLogin, professional } from '../support/http.js'
import { buildApp } from '../../http/app.js'
import type { Services } from '../../http/services.js'
import { loadConfig } from '../../commands/platform/config.js'
import { buildLoginApp, certificateB64, codeFrom, getChallenge, loginPost, openLoginPage, signAsCard, TEST_SITE as SITE, type PreLogin } from '../support/login.js'
import { holdVpcd, requireVpcd, vpcdSlots } from '../support/virtual-card.js'


await requireVpcd()
await holdVpcd(t)

const h = await buildLoginApp(t)
const { app, tdb, clock } = h
const dir = { dir: h.pkiDir }
const proCard = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王大明', pin: '246810' }, dir)
const instCard = issueDemoCard({ kind: 'institution', holderId: '0163010001', name: '示範大學附設醫院', pin: '112233' }, dir)
const staffCard = await h.issueCard({ kind: 'staff', holderId: 'TPE-R001', name: '周文華', unit: '63', pin: '135790' })
const statCard = await h.issueCard({ kind: 'staff', holderId: 'MOHW-S001', name: '蔡明哲', pin: '135790' })

const pcsc = new PcscManager()
const backend = createPcscBackend(pcsc)
const agent = await startReaderAgent({ backend, origin: SITE, port: 0 })
t.teardown(async () => {
  await agent.close()
  await backend.close()
})
const { plug, unplugAll } = await vpcdSlots(pcsc)
t.afterEach(unplugAll)
const agentCall = async (path: string, body?: unknown) => {
  const res = await fetch(`${agent.url}${path}`, {
    method: body ? 'POST' : 'GET', headers: { origin: SITE, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, json: (await res.json()) as Record<string, any> }
}

/** The page's card flow: challenge from the server, signature from the card through the agent, proof to the server. */
async function cardLoginViaAgent(pre: PreLogin, role: string, pin: string, ip?: string) {
  const challenge = await getChallenge(app, pre, ip)
  const signed = await agentCall('/sign', { challenge, pin })
  if (signed.status !== 200) return { agentError: signed.json.error as { code: string; details?: Record<string, unknown> } }
  return loginPost(app, pre, '/login/card', { role, challenge, certificate: signed.json.certificate, signature: signed.json.signature }, ip ? { ip } : {})
}

/** The same proof computed in-process with the demo card's key (for refusals that need odd certificates). */
async function cardLoginInProcess(pre: PreLogin, role: string, card: DemoCard, ip: string, tamper?: (sig: Buffer) => void) {
  const challenge = await getChallenge(app, pre, ip)
  const sig = Buffer.from(signAsCard(card, challenge), 'base64')
  tamper?.(sig)
  return loginPost(app, pre, '/login/card', { role, challenge, certificate: certificateB64(card), signature: sig.toString('base64') }, { ip })
}

const page = async (cookie: string, url: string) => app.inject({ method: 'GET', url, headers: { cookie } })

t.test('card + PIN through pcscd/vpcd: each card lands on its home page with its role', async (t) => {
  const cases = [
    { card: proCard, pin: '246810', role: 'professional', home: '/home', see: '王大明' },
    { card: instCard, pin: '112233', role: 'institution', home: '/institution', see: '示範大學附設醫院' },
    { card: staffCard, pin: '135790', role: 'staff', home: '/review', see: '周文華' },
    { card: statCard, pin: '135790', role: 'staff', home: '/review', see: '蔡明哲' },
  ]
  for (const c of cases) {
    await unplugAll()
    await plug(new PkiVirtualCard(c.card), 1)
    const pre = await openLoginPage(app)
    const r = await cardLoginViaAgent(pre, c.role, c.pin, '10.0.1.1')
    t.notOk('agentError' in r && r.agentError, `${c.card.id}: the agent signed`)
    if ('agentError' in r) continue
    t.equal(r.status, 200, `${c.card.id}: ${JSON.stringify(r.json)}`)
    t.equal(r.json.redirect, c.home)
    t.ok(r.session, 'a session cookie')
    const home = await page(r.session!, c.home === '/review' ? '/review/cases' : c.home)
    t.equal(home.statusCode, 200, `${c.home} opens`)
    t.match(home.body, c.see)
  }
  const audit = await tdb.db.query<{ role: string; subject_id: string; method: string }>(`SELECT role, subject_id, method FROM login_audit WHERE outcome = 'success' ORDER BY id`)
  t.same(audit.rows.map((r) => [r.role, r.subject_id, r.method]), [
    ['professional', 'A123456789', 'hca-professional-card'],
    ['institution', '0163010001', 'hca-institution-card'],
    ['reviewer', 'TPE-R001', 'staff-card'],
    ['statistician', 'MOHW-S001', 'staff-card'],
  ], 'the staff registry decides reviewer or statistician')
})

t.test('wrong PIN and a locked card are the agent\'s answers; nothing reaches the server', async (t) => {
  const card = new PkiVirtualCard(instCard)
  await plug(card, 1)
  const pre = await openLoginPage(app)
  const w = await cardLoginViaAgent(pre, 'institution', '000000')
  t.match(w, { agentError: { code: 'PIN_WRONG', details: { remaining: 2 } } })
  await cardLoginViaAgent(pre, 'institution', '000001')
  t.match(await cardLoginViaAgent(pre, 'institution', '000002'), { agentError: { code: 'PIN_LOCKED' } })
  t.match(await cardLoginViaAgent(pre, 'institution', '112233'), { agentError: { code: 'PIN_LOCKED' } }, 'even with the right PIN')
})

t.test('card proofs refused with their codes, and no session', async (t) => {
  const ip = '10.0.2.1'
  const day = 86400_000
  const now = clock.now.getTime()
  const expired = issueDemoCard({ kind: 'professional', holderId: 'A212345679', name: '吳佩珊', notBefore: new Date(now - 400 * day), notAfter: new Date(now - day) }, dir)
  const future = issueDemoCard({ kind: 'professional', holderId: 'Q134567894', name: '劉冠宇', notBefore: new Date(now + day), notAfter: new Date(now + 400 * day) }, dir)
  const revoked = issueDemoCard({ kind: 'professional', holderId: 'F122334458', name: '陳志豪' }, dir)
  revokeDemoCard(revoked.serial, dir)
  const otherPkiDir = mkdtempSync(join(tmpdir(), 'bb-other-ca-'))
  t.teardown(() => rmSync(otherPkiDir, { recursive: true, force: true }))
  const foreign = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王大明' }, { dir: otherPkiDir })
  const stranger = issueDemoCard({ kind: 'professional', holderId: makePersonId('Z', '1', 4242), name: '路人甲' }, dir)

  const expect = async (label: string, r: Awaited<ReturnType<typeof cardLoginInProcess>>, code: string) => {
    t.equal(r.json.error?.code, code, `${label}: ${code}`)
    t.equal(r.status, 401, `${label}: 401`)
    t.notOk(r.session, `${label}: no session`)
  }
  const pre = await openLoginPage(app)
  await expect('expired', await cardLoginInProcess(pre, 'professional', expired, ip), 'CERT_EXPIRED')
  await expect('not yet valid', await cardLoginInProcess(pre, 'professional', future, ip), 'CERT_NOT_YET_VALID')
  await expect('revoked (CRL)', await cardLoginInProcess(pre, 'professional', revoked, ip), 'CERT_REVOKED')
  await expect('wrong CA', await cardLoginInProcess(pre, 'professional', foreign, ip), 'CERT_UNTRUSTED')
  await expect('professional card as institution', await cardLoginInProcess(pre, 'institution', proCard, ip), 'CERT_WRONG_TYPE')
  await expect('institution card as professional', await cardLoginInProcess(pre, 'professional', instCard, ip), 'CERT_WRONG_TYPE')
  await expect('staff card as professional', await cardLoginInProcess(pre, 'professional', staffCard, ip), 'CERT_WRONG_TYPE')
  await expect('tampered signature', await cardLoginInProcess(pre, 'professional', proCard, ip, (s) => { s[10] = s[10]! ^ 1 }), 'SIGNATURE_INVALID')
  // a signature the card made for another site (the same challenge, relayed by that site) proves nothing here
  {
    const c = await getChallenge(app, pre, ip)
    const relayed = { role: 'professional', challenge: c, certificate: certificateB64(proCard), signature: signAsCard(proCard, c, 'https://evil.example') }
    await expect('signature made for another origin', await loginPost(app, pre, '/login/card', relayed, { ip }), 'SIGNATURE_INVALID')
  }
  await expect('unknown holder', await cardLoginInProcess(pre, 'professional', stranger, ip), 'HOLDER_UNKNOWN')
  const ghostClinic = issueDemoCard({ kind: 'institution', holderId: '3599999999', name: '不存在診所' }, dir)
  await expect('unknown institution', await cardLoginInProcess(pre, 'institution', ghostClinic, ip), 'HOLDER_UNKNOWN')
  const ghostStaff = issueDemoCard({ kind: 'staff', holderId: 'XXX-R999', name: '無此人', unit: '63' }, dir)
  await expect('unknown staff', await cardLoginInProcess(pre, 'staff', ghostStaff, ip), 'HOLDER_UNKNOWN')
  t.equal((await cardLoginInProcess(pre, 'staff', ghostStaff, ip)).json.error?.message, '查無此卡片持有人的登記資料')
  const refused = await tdb.db.query<{ outcome: string }>(`SELECT outcome FROM login_audit WHERE ip = $1 AND outcome <> 'success' ORDER BY id`, [ip])
  t.same(refused.rows.map((r) => r.outcome).slice(0, 5), ['CERT_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_WRONG_TYPE'], 'refusals are audited with their code')
  t.match((await cardLoginInProcess(pre, 'professional', expired, ip)).json.error?.message, '卡片憑證已過期', 'zh-TW message')

  // replay: a used challenge, even with its valid signature
  const challenge = await getChallenge(app, pre, ip)
  const proof = { role: 'professional', challenge, certificate: certificateB64(proCard), signature: signAsCard(proCard, challenge) }
  const ok = await loginPost(app, pre, '/login/card', proof, { ip })
  t.equal(ok.status, 200, 'the first use logs in')
  const pre2 = await openLoginPage(app)
  await expect('replayed challenge', await loginPost(app, pre, '/login/card', proof, { ip }), 'CHALLENGE_INVALID')
  // a challenge issued to another browser (pre-login cookie)
  const theirs = await getChallenge(app, pre2, ip)
  await expect('someone else\'s challenge', await loginPost(app, pre, '/login/card', { ...proof, challenge: theirs, signature: signAsCard(proCard, theirs) }, { ip }), 'CHALLENGE_INVALID')
  // expired: 2 minutes
  const late = await getChallenge(app, pre, ip)
  clock.advance(2 * 60_000 + 1000)
  await expect('expired challenge', await loginPost(app, pre, '/login/card', { ...proof, challenge: late, signature: signAsCard(proCard, late) }, { ip }), 'CHALLENGE_EXPIRED')

  // without the page's login token: refused before anything else
  const noToken = await loginPost(app, { cookie: pre.cookie, token: 'x' }, '/login/challenge', {}, { ip })
  t.equal(noToken.json.error?.code, 'LOGIN_FORM_EXPIRED')
  t.equal(noToken.status, 403)
})

t.test('failed card proofs lock the card out for 15 minutes', async (t) => {
  const ip = '10.0.3.1'
  const card = issueDemoCard({ kind: 'professional', holderId: 'E109908762', name: '李承翰' }, dir)
  const pre = await openLoginPage(app)
  for (let i = 0; i < 5; i++) {
    t.equal((await cardLoginInProcess(pre, 'professional', card, ip, (s) => { s[3] = s[3]! ^ 0xff })).json.error?.code, 'SIGNATURE_INVALID')
  }
  const locked = await cardLoginInProcess(pre, 'professional', card, '10.0.3.2')
  t.equal(locked.status, 429)
  t.equal(locked.json.error?.code, 'LOGIN_LOCKED', 'even a right proof from another address')
  t.equal(locked.json.error?.message, '嘗試次數過多，請於 15 分鐘後再試')
  clock.advance(15 * 60_000 + 1000)
  const ok = await cardLoginInProcess(pre, 'professional', card, ip)
  t.equal(ok.status, 200, 'open again after the window')
  const failures = await tdb.db.query(`SELECT 1 FROM login_limits WHERE key = $1`, [`card:${card.serial}`])
  t.equal(failures.rows.length, 0, 'a success forgets the card\'s failures')
})

t.test('NHI card (through the agent) + 身分證號 + web password; wrong password; lock-out', async (t) => {
  const ip = '10.0.4.1'
  await plug(new NhiVirtualCard({ cardNumber: '000023456789', name: '林美玲', nationalId: 'A223456012', birthDate: '0741103', sex: 'F', issueDate: '1100101' }), 0)
  const pre = await openLoginPage(app)
  const nhi = await agentCall('/nhi-card')
  t.equal(nhi.status, 200)
  const body = { nationalId: 'a223456012', password: DEMO_NHI_PASSWORD, cardNumber: nhi.json.cardNumber, cardNationalId: nhi.json.nationalId }
  const ok = await loginPost(app, pre, '/login/nhi-password', body, { ip })
  t.equal(ok.status, 200, JSON.stringify(ok.json))
  t.equal(ok.json.redirect, '/home')
  t.match((await page(ok.session!, '/home')).body, '林美玲')

  const pre2 = await openLoginPage(app)
  const wrong = await loginPost(app, pre2, '/login/nhi-password', { ...body, password: 'nope-nope' }, { ip })
  t.equal(wrong.status, 401)
  t.equal(wrong.json.error?.code, 'PASSWORD_WRONG')
  t.equal(wrong.json.error?.details?.remaining, 4)
  t.equal(wrong.json.error?.message, '身分證號或健保卡網路服務註冊密碼錯誤，尚可嘗試 4 次')
  const otherCard = await loginPost(app, pre2, '/login/nhi-password', { ...body, cardNationalId: 'A123456789', cardNumber: '000012345678' }, { ip })
  t.equal(otherCard.json.error?.code, 'NHI_CARD_MISMATCH', 'the inserted card must be the person\'s')
  for (let i = 0; i < 3; i++) await loginPost(app, pre2, '/login/nhi-password', { ...body, password: `bad-${i}-pass` }, { ip })
  const locked = await loginPost(app, pre2, '/login/nhi-password', body, { ip: '10.0.4.2' })
  t.equal(locked.json.error?.code, 'LOGIN_LOCKED', 'the right password is refused while locked')
  t.equal(locked.json.error?.message, '嘗試次數過多，請於 15 分鐘後再試')
  clock.advance(10 * 60_000)
  t.match((await loginPost(app, pre2, '/login/nhi-password', body, { ip })).json.error, { code: 'LOGIN_LOCKED', details: { retryAfterMinutes: 5 } })
  clock.advance(5 * 60_000 + 1000)
  t.equal((await loginPost(app, pre2, '/login/nhi-password', body, { ip })).status, 200)
})

t.test('card-less: 身分證號 → SMS code → code + NHI card number', async (t) => {
  const ip = '10.0.5.1'
  const id = 'H220112234'
  const pre = await openLoginPage(app)
  const sent = await loginPost(app, pre, '/login/otp/request', { nationalId: id }, { ip })
  t.equal(sent.status, 200, JSON.stringify(sent.json))
  t.equal(sent.json.phone, '*******777', 'the phone masked to its last 3 digits')
  const [sms] = await listOutbox(tdb.db, 1)
  t.equal(sms?.phone, '0955666777', 'sent to the registered phone')
  const code = codeFrom(sms!.body)
  t.match(code, /^\d{6}$/)
  const stored = await tdb.db.query<{ code_hash: string }>(`SELECT code_hash FROM login_otps WHERE national_id = $1`, [id])
  t.notOk(stored.rows[0]!.code_hash.includes(code), 'hashed at rest')
  t.match(stored.rows[0]!.code_hash, /^scrypt\$/)

  const other = await openLoginPage(app)
  t.equal((await loginPost(app, other, '/login/otp/verify', { nationalId: id, code, cardNumber: '000056789012' }, { ip })).json.error?.code, 'OTP_NOT_REQUESTED', 'bound to the browser that asked')
  const wrongCode = await loginPost(app, pre, '/login/otp/verify', { nationalId: id, code: code === '000000' ? '000001' : '000000', cardNumber: '000056789012' }, { ip })
  t.equal(wrongCode.json.error?.code, 'OTP_WRONG')
  t.equal(wrongCode.json.error?.details?.remaining, 3, 'the try from the other browser counted against the person too')
  const ok = await loginPost(app, pre, '/login/otp/verify', { nationalId: id, code, cardNumber: '000056789012' }, { ip })
  t.equal(ok.status, 200, JSON.stringify(ok.json))
  t.equal(ok.json.redirect, '/home')
  const again = await loginPost(app, pre, '/login/otp/verify', { nationalId: id, code, cardNumber: '000056789012' }, { ip })
  t.equal(again.json.error?.code, 'OTP_WRONG', 'single use')

  // the card number must match
  await loginPost(app, pre, '/login/otp/request', { nationalId: id }, { ip })
  const code2 = codeFrom((await listOutbox(tdb.db, 1))[0]!.body)
  t.equal((await loginPost(app, pre, '/login/otp/verify', { nationalId: id, code: code2, cardNumber: '000012345678' }, { ip })).json.error?.code, 'NHI_CARD_MISMATCH')

  // 5 minutes
  await loginPost(app, pre, '/login/otp/request', { nationalId: id }, { ip })
  const code3 = codeFrom((await listOutbox(tdb.db, 1))[0]!.body)
  clock.advance(5 * 60_000)
  t.equal((await loginPost(app, pre, '/login/otp/verify', { nationalId: id, code: code3, cardNumber: '000056789012' }, { ip })).json.error?.code, 'OTP_EXPIRED')

  const unknown = await loginPost(app, pre, '/login/otp/request', { nationalId: makePersonId('Y', '2', 77) }, { ip })
  t.equal(unknown.status, 200, 'an ID not in the registry gets the same answer (test/int/security-login-limits)')
  t.equal((await loginPost(app, pre, '/login/otp/request', { nationalId: 'A123' }, { ip })).json.error?.code, 'INVALID_NATIONAL_ID')
})

t.test('card-less lock-out: five wrong codes lock the person out', async (t) => {
  const ip = '10.0.6.1'
  const id = 'K219876541'
  const pre = await openLoginPage(app)
  await loginPost(app, pre, '/login/otp/request', { nationalId: id }, { ip })
  const code = codeFrom((await listOutbox(tdb.db, 1))[0]!.body)
  const bad = code === '111111' ? '222222' : '111111'
  const tries = []
  for (let i = 0; i < 5; i++) tries.push((await loginPost(app, pre, '/login/otp/verify', { nationalId: id, code: bad, cardNumber: '000089012345' }, { ip })).json.error)
  t.same(tries.map((e) => e?.details?.remaining), [4, 3, 2, 1, 0])
  const locked = await loginPost(app, pre, '/login/otp/verify', { nationalId: id, code, cardNumber: '000089012345' }, { ip })
  t.equal(locked.json.error?.code, 'LOGIN_LOCKED')
  t.equal((await loginPost(app, pre, '/login/otp/request', { nationalId: id }, { ip })).json.error?.code, 'LOGIN_LOCKED', 'no new code while locked')
})

t.test('session id rotated at login; last login in the header; logout with CSRF', async (t) => {
  const ip = '10.0.8.1'
  const before = await testLogin(app, professional())
  const pre = await openLoginPage(app, before.cookie)
  t.match(pre.html, '您目前以「王大明」登入中')
  const challenge = await getChallenge(app, pre, ip)
  const first = await loginPost(app, pre, '/login/card', { role: 'professional', challenge, certificate: certificateB64(proCard), signature: signAsCard(proCard, challenge) }, { ip, cookie: before.cookie })
  t.equal(first.status, 200)
  t.ok(first.session && first.session !== before.cookie, 'a new session id')
  t.equal((await page(before.cookie, '/home')).statusCode, 401, 'the old id is dead')
  const firstAt = new Date(clock.now)

  clock.advance(3600_000)
  const pre2 = await openLoginPage(app)
  const c2 = await getChallenge(app, pre2, ip)
  const second = await loginPost(app, pre2, '/login/card', { role: 'professional', challenge: c2, certificate: certificateB64(proCard), signature: signAsCard(proCard, c2) }, { ip })
  const home = await page(second.session!, '/home')
  t.equal(home.statusCode, 200)
  const { rocInstant } = await import('../../http/present.js')
  t.match(home.body, `上次登入：${rocInstant(firstAt)}`, 'the previous login is shown')

  const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1]
  t.ok(csrf)
  const noCsrf = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: second.session! } })
  t.equal(noCsrf.statusCode, 403, 'logout needs the CSRF token')
  t.equal((await page(second.session!, '/home')).statusCode, 200, 'still logged in')
  const out = await app.inject({ method: 'POST', url: '/logout', headers: { cookie: second.session!, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(csrf!)}` })
  t.equal(out.statusCode, 303)
  t.equal(out.headers.location, '/login?loggedOut=1', 'the login page says 已登出')
  t.equal((await page(second.session!, '/home')).statusCode, 401, 'the session is gone')
})

t.test('idle timeout: 20 minutes without a request ends the session', async (t) => {
  const pre = await openLoginPage(app)
  const c = await getChallenge(app, pre, '10.0.9.1')
  const r = await loginPost(app, pre, '/login/card', { role: 'staff', challenge: c, certificate: certificateB64(staffCard), signature: signAsCard(staffCard, c) }, { ip: '10.0.9.1' })
  const cases = await page(r.session!, '/review/cases')
  t.equal(cases.statusCode, 200)
  t.match(cases.body, 'id="idle-countdown"', 'the reviewer pages show the countdown')
  t.match(cases.body, '上次登入：', 'and the previous login (the staff card login of the first test)')
  clock.advance(19 * 60_000)
  t.equal((await page(r.session!, '/review/cases')).statusCode, 200)
  clock.advance(20 * 60_000 + 1000)
  const gone = await page(r.session!, '/review/cases')
  t.equal(gone.statusCode, 401)
  t.match(gone.body, '閒置過久')
})

t.test('/dev/sms is there in demo mode only', async (t) => {
  const r = await app.inject({ method: 'GET', url: '/dev/sms' })
  t.equal(r.statusCode, 200)
  t.match(r.body, '簡訊外寄匣')
  // the same services without demo mode (a second app on this file's database: a fresh database adds nothing here)
  // (without the demo app's login services: buildApp makes them anew from the plain configuration)
  const services: Services = { ...h.services, config: loadConfig({}, { SESSION_SECRET: 'test-secret-test-secret-test-secret-0123', LOG_LEVEL: 'silent' }) }
  delete services.login
  const plain = await buildApp(services)
  t.teardown(() => plain.close())
  t.equal(plain.services.config.DEMO, false, 'not in demo mode')
  t.equal((await plain.inject({ method: 'GET', url: '/dev/sms' })).statusCode, 404)
  t.equal((await plain.inject({ method: 'GET', url: '/login' })).statusCode, 200, 'the login page exists there too')
})
