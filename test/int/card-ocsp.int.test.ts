// OCSP (RFC 6960) for card certificates naming a responder in their authorityInfoAccess, against a local responder
// TEST DOUBLE (test/support/ocsp-responder.ts) that signs with the demo CA: good settles, revoked refuses, an answer
// we cannot trust (a stranger's signature, a responder certificate without id-kp-OCSPSigning, no nonce, stale) or a
// responder that is down falls back to the CRL, and with neither the login is refused. One login goes end to end over
// HTTP against real PostgreSQL.
import { sign as rsaSign, randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import forge from 'node-forge'
import t from 'tap'
import { ensureDemoPki, issueDemoCard, type DemoCard } from '../../commands/pki/demo-pki.js'
import { loginPayload } from '../../domain/card/login-payload.js'
import { buildOcspRequest, checkOcspResponse, ocspUrlsOf } from '../../domain/card/ocsp.js'
import { createCardVerifier } from '../../http/auth/certificates.js'
import { postOcsp } from '../../http/auth/ocsp-client.js'
import { buildLoginApp, certificateB64, getChallenge, loginPost, openLoginPage, signAsCard } from '../support/login.js'
import { startOcspResponder } from '../support/ocsp-responder.js'

const tmp = mkdtempSync(join(tmpdir(), 'bb-ocsp-'))
t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
const dir = join(tmp, 'pki')
const pki = ensureDemoPki(dir)
const responder = await startOcspResponder(pki.families.hca.issuing)
t.teardown(() => responder.close())

const der = (card: DemoCard) => Buffer.from(forge.pem.decode(card.certificatePem)[0]!.body, 'binary')
const SITE = 'https://baobei.test'
const proofOf = (card: DemoCard) => {
  const payload = loginPayload({ origin: SITE, challenge: randomBytes(32) })
  return { certificate: der(card), signature: rsaSign('sha256', payload, card.privateKeyPem), payloads: [payload], wanted: 'professional' as const, now: new Date() }
}
const problems: string[] = []
const verifier = createCardVerifier({ trustDir: pki.trustDir, onOcspProblem: (_url, reason) => problems.push(reason) })
const card = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王大明', profile: { ocspUrl: responder.url } }, { dir })
const issuingCrl = join(pki.trustDir, 'crl', 'hca-issuing.crl')
const savedCrl = join(tmp, 'hca-issuing.crl.saved')
copyFileSync(issuingCrl, savedCrl)
const reset = () => {
  Object.assign(responder.state, { down: false, signer: 'ca', echoNonce: true, shiftMs: 0 })
  responder.state.status.clear()
  problems.length = 0
}

t.test('the request and the answer (RFC 6960) as the domain builds and checks them', async (t) => {
  reset()
  t.same(ocspUrlsOf(der(card)), [responder.url], 'the AIA names the responder')
  const nonce = randomBytes(16)
  const answerDer = await postOcsp(responder.url, buildOcspRequest(der(card), Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(pki.families.hca.issuing.cert)).getBytes(), 'binary'), nonce))
  const issuerDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(pki.families.hca.issuing.cert)).getBytes(), 'binary')
  t.same(checkOcspResponse(answerDer, { certificate: der(card), issuer: issuerDer, nonce, now: new Date() }), { status: 'good' })
  t.throws(() => checkOcspResponse(answerDer, { certificate: der(card), issuer: issuerDer, nonce: randomBytes(16), now: new Date() }), /nonce/, 'a replayed answer (another nonce)')
  const other = issueDemoCard({ kind: 'professional', holderId: 'D123456782', name: '別人' }, { dir })
  t.throws(() => checkOcspResponse(answerDer, { certificate: der(other), issuer: issuerDer, nonce, now: new Date() }), /no answer for this certificate/)
  t.throws(() => checkOcspResponse(answerDer, { certificate: der(card), issuer: issuerDer, nonce, now: new Date(Date.now() + 3 * 3600_000) }), /stale/)
})

t.test('the OCSP exchange is bounded: answer size, time, scheme', async (t) => {
  const { createServer } = await import('node:http')
  const big = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.alloc(100 * 1024)))
  const chunked = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/ocsp-response' }) // no content-length: the limit holds while streaming
    for (let i = 0; i < 10; i++) res.write(Buffer.alloc(16 * 1024))
    res.end()
  })
  const silent = createServer(() => {}) // accepts, never answers
  for (const s of [big, chunked, silent]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of [big, chunked, silent]) { s.closeAllConnections(); s.close() }
  })
  const url = (s: typeof big) => `http://127.0.0.1:${(s.address() as { port: number }).port}/`
  await t.rejects(postOcsp(url(big), Buffer.from('x')), /larger than 65536/, 'declared too large')
  await t.rejects(postOcsp(url(chunked), Buffer.from('x')), /larger than 65536/, 'streamed too large')
  await t.rejects(postOcsp(url(silent), Buffer.from('x'), { timeoutMs: 300 }), /abort|timeout/i, 'no answer: given up')
  await t.rejects(postOcsp('file:///etc/passwd', Buffer.from('x')), /must be http\(s\)/)
})

t.test('without a CRL of the issuer, the OCSP answer alone decides', async (t) => {
  rmSync(issuingCrl)
  t.teardown(() => copyFileSync(savedCrl, issuingCrl))
  reset()
  t.equal((await verifier.verify(proofOf(card))).holderId, 'A123456789', 'good (signed by the CA): accepted without a CRL')
  t.ok(responder.state.requests > 0, 'the responder was asked')
  responder.state.signer = 'delegated'
  t.equal((await verifier.verify(proofOf(card))).holderId, 'A123456789', 'good from a delegated responder with id-kp-OCSPSigning')

  for (const [label, change, why] of [
    ['a key the CA never certified', { signer: 'stranger' }, /neither the issuer nor a delegated responder|not issued by/],
    ['a CA-issued responder certificate without id-kp-OCSPSigning', { signer: 'delegated-without-eku' }, /OCSPSigning/],
    ['an answer without our nonce', { echoNonce: false }, /nonce/],
    ['a stale answer', { shiftMs: -3 * 3600_000 }, /stale/],
    ['a responder that is down', { down: true }, /HTTP 503/],
  ] as const) {
    reset()
    Object.assign(responder.state, change)
    await t.rejects(() => verifier.verify(proofOf(card)), { code: 'CERT_REVOCATION_UNKNOWN' }, `${label}: no CRL either, refused`)
    t.match(problems.join(' | '), why, `${label}: the reason is told`)
  }
  reset()
  responder.state.status.set(card.serial, 'unknown')
  await t.rejects(() => verifier.verify(proofOf(card)), { code: 'CERT_REVOCATION_UNKNOWN' }, 'unknown and no CRL: refused')
})

t.test('with a current CRL: revoked by OCSP refuses, a responder down or unknown falls back to the CRL', async (t) => {
  const r2 = await startOcspResponder(pki.families.hca.issuing)
  t.teardown(() => r2.close())
  const c2 = issueDemoCard({ kind: 'professional', holderId: 'F122334458', name: '陳志豪', profile: { ocspUrl: r2.url } }, { dir })
  t.equal((await verifier.verify(proofOf(c2))).holderId, 'F122334458', 'good')
  r2.state.status.set(c2.serial, 'revoked')
  await t.rejects(() => verifier.verify(proofOf(c2)), { code: 'CERT_REVOKED' }, 'revoked by OCSP though the CRL does not list it yet')
  r2.state.status.set(c2.serial, 'unknown')
  t.equal((await verifier.verify(proofOf(c2))).holderId, 'F122334458', 'unknown: the CRL decides')
  r2.state.down = true
  t.equal((await verifier.verify(proofOf(c2))).holderId, 'F122334458', 'responder down: the CRL decides')
  await r2.close()
  t.equal((await verifier.verify(proofOf(c2))).holderId, 'F122334458', 'responder gone (connection refused): the CRL decides')
  const ftp = issueDemoCard({ kind: 'professional', holderId: 'A212345679', name: '吳佩珊', profile: { ocspUrl: 'ftp://127.0.0.1/ocsp' } }, { dir })
  problems.length = 0
  t.equal((await verifier.verify(proofOf(ftp))).holderId, 'A212345679', 'a non-http(s) OCSP URL is never fetched; the CRL decides')
  t.match(problems.join(' | '), /must be http\(s\)/)
})

t.test('end to end over HTTP: a card revoked by OCSP cannot log in, a good one can', async (t) => {
  const h = await buildLoginApp(t)
  const r3 = await startOcspResponder(h.pki.families.hca.issuing)
  t.teardown(() => r3.close())
  const good = await h.issueCard({ kind: 'professional', holderId: 'A123456789', name: '王大明', profile: { ocspUrl: r3.url } })
  const bad = await h.issueCard({ kind: 'professional', holderId: 'pro-ocsp-revoked', name: '王大明', profile: { ocspUrl: r3.url, subjectSerialNumber: 'A123456789' } })
  r3.state.status.set(bad.serial, 'revoked')
  let n = 0
  const login = async (c: DemoCard) => {
    const ip = `10.9.0.${++n}`
    const pre = await openLoginPage(h.app)
    const challenge = await getChallenge(h.app, pre, ip)
    return loginPost(h.app, pre, '/login/card', { role: 'professional', challenge, certificate: certificateB64(c), signature: signAsCard(c, challenge) }, { ip })
  }
  const ok = await login(good)
  t.equal(ok.status, 200, JSON.stringify(ok.json))
  t.ok(ok.session)
  const refused = await login(bad)
  t.equal(refused.json.error?.code, 'CERT_REVOKED')
  t.equal(refused.json.error?.message, '卡片憑證已廢止')
  t.notOk(refused.session)
  t.ok(r3.state.requests >= 2, 'the server asked the responder')
})
