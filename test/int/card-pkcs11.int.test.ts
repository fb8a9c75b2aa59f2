// Card login through the agent's PKCS#11 backend against Debian's SoftHSM2 (the real module), end to end over HTTP
// against real PostgreSQL: a good card of each kind logs in; every refusal a person or an attacker can cause is
// answered with its code and no session: wrong PIN (tries left), locked token, expired certificate, revoked
// certificate, CRL past nextUpdate, card of the wrong kind, and a signature made for another origin.
import t from 'tap'
import { certificateNamesFromPem } from '../../commands/accounts/certificate-names.js'
import { reissueDemoCrls, revokeDemoCard } from '../../commands/pki/demo-pki.js'
import { findProfessional, upsertProfessionals } from '../../commands/registry/registry.js'
import { startReaderAgent } from '../../reader/agent.js'
import { openPkcs11Backend } from '../../reader/pkcs11-backend.js'
import { buildLoginApp, getChallenge, loginPost, openLoginPage, TEST_SITE, type PreLogin } from '../support/login.js'
import { CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED, createSoftHsm } from '../support/softhsm.js'

const h = await buildLoginApp(t)
const { app } = h
const day = 86400_000
const now = h.clock.now.getTime()

const pro = await h.issueCard({ kind: 'professional', holderId: 'A123456789', name: '王大明', pin: '246810' })
const inst = await h.issueCard({ kind: 'institution', holderId: '0163010001', name: '示範大學附設醫院', pin: '112233' })
const staff = await h.issueCard({ kind: 'staff', holderId: 'TPE-R001', name: '周文華', unit: '63', pin: '135790' })
const expired = await h.issueCard({ kind: 'professional', holderId: 'A212345679', name: '吳佩珊', pin: '246810', notBefore: new Date(now - 400 * day), notAfter: new Date(now - day) })
const revoked = await h.issueCard({ kind: 'professional', holderId: 'F122334458', name: '陳志豪', pin: '246810' })
revokeDemoCard(revoked.serial, { dir: h.pkiDir })
// a professional card whose certificate names no national ID: mapped by issuer + serial registered for its holder
const noId = await h.issueCard({ kind: 'professional', holderId: 'pro-no-id', name: '王大明', pin: '246810', profile: { subjectSerialNumber: null } })

// tokens first: SoftHSM2 scans them when the module initialises
const hsm = createSoftHsm()
t.teardown(() => hsm.close())
hsm.addToken('PRO', pro)
hsm.addToken('INST', inst)
hsm.addToken('STAFF', staff)
hsm.addToken('EXPIRED', expired)
hsm.addToken('REVOKED', revoked)
hsm.addToken('LASTTRY', pro, { flags: CKF_USER_PIN_FINAL_TRY })
hsm.addToken('LOCKED', pro, { flags: CKF_USER_PIN_LOCKED })
hsm.addToken('NOID', noId)

const backend = openPkcs11Backend(hsm.module)
const agent = await startReaderAgent({ backend, origin: TEST_SITE, port: 0 })
const evilAgent = await startReaderAgent({ backend, origin: 'https://evil.example', port: 0 })
t.teardown(async () => {
  await agent.close()
  await evilAgent.close()
  await backend.close()
})

const sign = async (challenge: string, pin: string, reader: string, via = agent, origin = TEST_SITE) => {
  const res = await fetch(`${via.url}/sign`, {
    method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ challenge, pin, reader }),
  })
  return { status: res.status, json: (await res.json()) as Record<string, any> }
}

async function login(pre: PreLogin, role: string, reader: string, pin: string, ip: string) {
  const challenge = await getChallenge(app, pre, ip)
  const signed = await sign(challenge, pin, reader)
  if (signed.status !== 200) return { agentError: signed.json.error as { code: string; message: string; details?: Record<string, unknown> } }
  return loginPost(app, pre, '/login/card', { role, challenge, certificate: signed.json.certificate, signature: signed.json.signature }, { ip })
}

t.test('the agent lists the tokens as readers with the card kind and holder', async (t) => {
  const res = await fetch(`${agent.url}/readers`, { headers: { origin: TEST_SITE } })
  const { readers } = (await res.json()) as { readers: Array<{ name: string; kind?: string; cardKind?: string; holderHint?: string; token?: string }> }
  t.equal(readers.length, 8)
  t.match(readers.find((r) => r.token === 'PRO'), { cardKind: 'professional', kind: 'professional', holderHint: '王○明' }, 'the holder masked')
  t.match(readers.find((r) => r.token === 'INST'), { kind: 'institution', holderHint: '示範大學附設醫院' }, "an institution's name whole")
  t.match(readers.find((r) => r.token === 'STAFF'), { kind: 'staff', holderHint: '周○華' })
  t.equal(new Set(readers.map((r) => r.name)).size, 8, 'each token in a reader (slot) of its own name')
})

t.test('several tokens of one kind: the agent signs with the token asked for, by token label or by slot', async (t) => {
  const res = await fetch(`${agent.url}/readers`, { headers: { origin: TEST_SITE } })
  const { readers } = (await res.json()) as { readers: Array<{ name: string; kind?: string; token?: string }> }
  const slotOf = (label: string) => readers.find((r) => r.token === label)!.name
  t.ok(readers.filter((r) => r.kind === 'professional').length >= 2, 'more than one professional card to choose from')
  const challenge = Buffer.alloc(32, 9).toString('base64')
  for (const [asked, label, card] of [['PRO', 'PRO', pro], ['EXPIRED', 'EXPIRED', expired], [slotOf('REVOKED'), 'REVOKED', revoked], [slotOf('NOID'), 'NOID', noId]] as const) {
    const r = await sign(challenge, '246810', asked)
    t.equal(r.status, 200, JSON.stringify(r.json))
    t.equal(r.json.reader, slotOf(label), `${asked}: the answer names the slot`)
    t.equal(r.json.card.certificateSerial, card.serial, `${asked}: that token's certificate signed`)
  }
})

t.test('a good card of each kind logs in through PKCS#11', async (t) => {
  for (const [reader, role, pin, home, who] of [
    ['PRO', 'professional', '246810', '/home', 'A123456789'],
    ['INST', 'institution', '112233', '/institution', '0163010001'],
    ['STAFF', 'staff', '135790', '/review', 'TPE-R001'],
  ] as const) {
    const pre = await openLoginPage(app)
    const r = await login(pre, role, reader, pin, '10.1.0.1')
    t.notOk('agentError' in r, `${reader}: the token signed`)
    if ('agentError' in r) continue
    t.equal(r.status, 200, `${reader}: ${JSON.stringify(r.json)}`)
    t.equal(r.json.redirect, home)
    t.ok(r.session, 'a session cookie')
    const audit = await h.tdb.db.query<{ subject_id: string }>(`SELECT subject_id FROM login_audit WHERE outcome = 'success' ORDER BY id DESC LIMIT 1`)
    t.equal(audit.rows[0]?.subject_id, who)
  }
})

t.test('refusals: each with its code, no session', async (t) => {
  const ip = '10.1.0.2'
  const pre = await openLoginPage(app)
  const refused = async (label: string, r: Awaited<ReturnType<typeof login>>, code: string) => {
    if ('agentError' in r) {
      t.equal(r.agentError.code, code, `${label}: ${code} (from the agent)`)
      return r.agentError
    }
    t.equal(r.json.error?.code, code, `${label}: ${code}`)
    t.notOk(r.session, `${label}: no session`)
    return r.json.error
  }

  const wrong = await refused('wrong PIN', await login(pre, 'professional', 'PRO', '000000', ip), 'PIN_WRONG')
  t.equal(wrong?.message, 'PIN 碼錯誤')
  const last = await refused('wrong PIN, last try', await login(pre, 'professional', 'LASTTRY', '000000', ip), 'PIN_WRONG')
  t.match(last, { details: { remaining: 1 }, message: 'PIN 碼錯誤，剩最後 1 次機會' }, 'tries left as the token reports them')
  await refused('locked token', await login(pre, 'professional', 'LOCKED', '246810', ip), 'PIN_LOCKED')
  await refused('malformed PIN never reaches the module', await login(pre, 'professional', 'PRO', '12ab', ip), 'VALIDATION_FAILED')
  await refused('no such reader', await login(pre, 'professional', 'NOPE', '246810', ip), 'READER_ABSENT')

  await refused('expired certificate', await login(pre, 'professional', 'EXPIRED', '246810', ip), 'CERT_EXPIRED')
  await refused('revoked certificate', await login(pre, 'professional', 'REVOKED', '246810', ip), 'CERT_REVOKED')
  await refused('institution card as professional', await login(pre, 'professional', 'INST', '112233', ip), 'CERT_WRONG_TYPE')
  await refused('professional card as institution', await login(pre, 'institution', 'PRO', '246810', ip), 'CERT_WRONG_TYPE')
  await refused('staff (GCA) card as professional', await login(pre, 'professional', 'STAFF', '135790', ip), 'CERT_WRONG_TYPE')
  await refused('professional (HCA) card as staff', await login(pre, 'staff', 'PRO', '246810', '10.1.0.3'), 'CERT_WRONG_TYPE')
})

t.test('a card naming no national ID: refused until its issuer + serial are in the registry, then logs in', async (t) => {
  const ip = '10.1.0.7'
  const pre = await openLoginPage(app)
  const before = await login(pre, 'professional', 'NOID', '246810', ip)
  t.equal('json' in before && before.json.error?.code, 'CARD_NOT_REGISTERED')
  const person = (await findProfessional(h.tdb.db, 'A123456789'))!
  const names = certificateNamesFromPem(noId.certificatePem)
  await upsertProfessionals(h.tdb.db, [{ ...person, cardIssuerDn: names.issuerDn, cardSerial: names.serialHex }])
  const after = await login(pre, 'professional', 'NOID', '246810', ip)
  t.equal('json' in after && after.status, 200, 'the registered card logs in')
  t.equal('json' in after && after.json.redirect, '/home')
})

t.test('CRL past its nextUpdate (beyond the grace): refused until a fresh CRL arrives', async (t) => {
  const ip = '10.1.0.4'
  const pre = await openLoginPage(app)
  reissueDemoCrls({ dir: h.pkiDir, thisUpdate: new Date(now - 9 * day), nextUpdate: new Date(now - 2 * day) })
  const r = await login(pre, 'professional', 'PRO', '246810', ip)
  t.equal('json' in r && r.json.error?.code, 'CERT_REVOCATION_UNKNOWN')
  t.equal('json' in r && r.json.error?.message, '目前無法確認卡片憑證的廢止狀態，請稍後再試')
  reissueDemoCrls({ dir: h.pkiDir, thisUpdate: new Date(now - day), nextUpdate: new Date(now + 7 * day) })
  const ok = await login(pre, 'professional', 'PRO', '246810', ip)
  t.equal('json' in ok && ok.status, 200, 'a fresh CRL lets the card in again')
})

t.test('a signature made for another origin is refused (relay of our challenge by another site)', async (t) => {
  const ip = '10.1.0.5'
  const pre = await openLoginPage(app)
  const challenge = await getChallenge(app, pre, ip)
  // the other site's page asked the holder's agent to sign our challenge: the agent names that site in the payload
  const relayed = await sign(challenge, '246810', 'PRO', evilAgent, 'https://evil.example')
  t.equal(relayed.status, 200, 'the agent signs for the origin it serves')
  const r = await loginPost(app, pre, '/login/card', { role: 'professional', challenge, certificate: relayed.json.certificate, signature: relayed.json.signature }, { ip })
  t.equal(r.json.error?.code, 'SIGNATURE_INVALID')
  t.notOk(r.session)
  // and our agent answers no other origin
  const foreign = await sign(challenge, '246810', 'PRO', agent, 'https://evil.example')
  t.equal(foreign.status, 403)
})

t.test('the agent refuses to serve a plain-http origin on the network', async (t) => {
  await t.rejects(startReaderAgent({ backend, origin: 'http://baobei.example.tw', port: 0 }), /not an origin cards may sign for/)
})

t.test('`baobei reader --pkcs11 MODULE` (the kiosk): the CLI agent signs a login the server accepts', async (t) => {
  const { spawn } = await import('node:child_process')
  const child = spawn(process.execPath, ['bin/baobei.js', 'reader', '--pkcs11', hsm.module, '--port', '0', '--origin', TEST_SITE], {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGTERM')
  })
  let out = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no agent line in 60 s: ${out}`)), 60_000)
    const seen = (b: Buffer) => {
      out += b.toString()
      const m = /reader agent on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout.on('data', seen)
    child.stderr.on('data', seen)
    child.once('exit', (code) => reject(new Error(`reader exited ${code}: ${out}`)))
  })
  t.match(out, /PKCS#11 module/)
  const pre = await openLoginPage(app)
  const challenge = await getChallenge(app, pre, '10.1.0.6')
  const res = await fetch(`${url}/sign`, { method: 'POST', headers: { origin: TEST_SITE, 'content-type': 'application/json' }, body: JSON.stringify({ challenge, pin: '246810', reader: 'PRO' }) })
  const signed = (await res.json()) as Record<string, string>
  t.equal(res.status, 200, JSON.stringify(signed))
  const r = await loginPost(app, pre, '/login/card', { role: 'professional', challenge, certificate: signed.certificate, signature: signed.signature }, { ip: '10.1.0.6' })
  t.equal(r.json.redirect, '/home')
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))
  t.equal(child.exitCode, 0, 'stops cleanly on SIGTERM')
})
