import { sign as rsaSign, randomBytes } from 'node:crypto'
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import forge from 'node-forge'
import t from 'tap'
import { cardHolderOf, certificateFromDer, CARD_KIND_OIDS, subjectTypeOids } from '../../domain/card/certificate-profile.js'
import { createCardVerifier } from '../../http/auth/certificates.js'
import { parseCrl } from '../../domain/card/crl.js'
import { ensureDemoPki, issueDemoCard, listDemoCards, reissueDemoCrls, revokeDemoCard, type DemoCard } from '../../commands/pki/demo-pki.js'
import { loginPayload } from '../../domain/card/login-payload.js'
import { buildCrl } from '../../domain/card/crl.js'

const tmp = mkdtempSync(join(tmpdir(), 'bb-pki-'))
t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
const dir = join(tmp, 'pki')
const NOW = new Date('2025-03-01T02:00:00Z')
const pki = ensureDemoPki(dir, NOW)
// A pristine copy of this PKI (no cards, no revocations): tests that need a PKI of their own to change (its CRLs,
// its trust store) start from a copy instead of generating four more RSA-2048 CA keys. Each copy is a separate
// folder with its own verifier; which CA keys it holds does not matter to what those tests prove.
const pristine = join(tmp, 'pristine-pki')
cpSync(dir, pristine, { recursive: true })
const copyOfPki = (to: string) => {
  cpSync(pristine, to, { recursive: true })
  return ensureDemoPki(to, NOW)
}

const der = (card: DemoCard) => Buffer.from(forge.pem.decode(card.certificatePem)[0]!.body, 'binary')
const SITE = 'https://baobei.test'
/** What the card does: RSA PKCS#1 v1.5 over a SHA-256 DigestInfo of the login payload. */
const cardSign = (card: DemoCard, payload: Buffer) => rsaSign('sha256', payload, card.privateKeyPem)
const proofOf = (card: DemoCard, wanted: 'professional' | 'institution' | 'staff' = 'professional') => {
  const payload = loginPayload({ origin: SITE, challenge: randomBytes(32) })
  return { certificate: der(card), signature: cardSign(card, payload), payloads: [payload], wanted, now: NOW }
}

const pro = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王小明' }, { dir, now: NOW })
const inst = issueDemoCard({ kind: 'institution', holderId: '0101090517', name: '臺大醫院' }, { dir, now: NOW })
const staff = issueDemoCard({ kind: 'staff', holderId: 'TPE0001', name: '林堃', unit: '63' }, { dir, now: NOW })
const verifier = createCardVerifier({ trustDir: pki.trustDir })

t.test('a good professional card logs in as its holder', async (t) => {
  const holder = await verifier.verify(proofOf(pro))
  t.match(holder, { kind: 'professional', holderId: 'A123456789', name: '王小明', certificateSerial: pro.serial })
  t.match(holder.issuerDn, /^C=TW,O=baobei demo PKI \(NOT TRUSTED\),CN=baobei demo issuing CA \(HCA stand-in\)$/)
  t.match(holder.subjectDn, /CN=王小明,serialNumber=A123456789$/)
  t.same((await verifier.verify(proofOf(inst, 'institution'))).holderId, '0101090517')
  t.match(await verifier.verify(proofOf(staff, 'staff')), { kind: 'staff', holderId: 'TPE0001', name: '林堃', unit: '63' })
})

t.test('the certificate carries the HCA subject-type attribute', async (t) => {
  t.same(subjectTypeOids(certificateFromDer(der(pro))), [CARD_KIND_OIDS.professional])
  t.same(subjectTypeOids(certificateFromDer(der(inst))), ['2.16.886.1.100.3.2.21'])
  t.equal(cardHolderOf(certificateFromDer(der(inst)))?.kind, 'institution')
})

t.test('issueDemoCard is idempotent per holder and listed', async (t) => {
  const again = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: 'ignored' }, { dir })
  t.equal(again.serial, pro.serial)
  t.same(
    listDemoCards(dir).map((c) => c.id),
    ['institution-0101090517', 'professional-A123456789', 'staff-TPE0001'],
  )
})

t.test('wrong card type for the login is refused', async (t) => {
  await t.rejects(() => verifier.verify(proofOf(inst, 'professional')), { code: 'CERT_WRONG_TYPE' })
  await t.rejects(() => verifier.verify(proofOf(pro, 'institution')), { code: 'CERT_WRONG_TYPE' })
  await t.rejects(() => verifier.verify({ ...proofOf(pro), wanted: ['institution', 'staff'] }), { code: 'CERT_WRONG_TYPE' })
  t.equal((await verifier.verify({ ...proofOf(staff), wanted: ['institution', 'staff'] })).kind, 'staff')
})

t.test('validity dates are checked against the given now', async (t) => {
  const old = issueDemoCard(
    { kind: 'professional', holderId: 'B223456782', name: '過期', notBefore: new Date('2019-01-01Z'), notAfter: new Date('2024-12-31Z') },
    { dir },
  )
  await t.rejects(() => verifier.verify(proofOf(old)), { code: 'CERT_EXPIRED' })
  const future = issueDemoCard(
    { kind: 'professional', holderId: 'C123456781', name: '未生效', notBefore: new Date('2025-06-01Z'), notAfter: new Date('2030-01-01Z') },
    { dir },
  )
  await t.rejects(() => verifier.verify(proofOf(future)), { code: 'CERT_NOT_YET_VALID' })
  t.equal((await verifier.verify({ ...proofOf(future), now: new Date('2025-07-01Z') })).holderId, 'C123456781')
  t.equal((await verifier.verify({ ...proofOf(old), now: new Date('2024-06-01Z') })).holderId, 'B223456782')
})

t.test('a card from another CA is untrusted', async (t) => {
  const other = join(tmp, 'other-pki')
  ensureDemoPki(other, NOW)
  const stranger = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王小明' }, { dir: other, now: NOW })
  await t.rejects(() => verifier.verify(proofOf(stranger)), { code: 'CERT_UNTRUSTED' })
  await t.rejects(() => verifier.verify({ ...proofOf(pro), certificate: Buffer.from('not a certificate') }), { code: 'CERT_UNTRUSTED' })
  // the issuing CA alone is not a root: without the root file the chain does not close
  const onlyIssuing = join(tmp, 'only-issuing')
  mkdirSync(onlyIssuing)
  mkdirSync(join(onlyIssuing, 'hca'))
  copyFileSync(join(pki.trustDir, 'hca', 'issuing-ca.pem'), join(onlyIssuing, 'hca', 'issuing-ca.pem'))
  await t.rejects(() => createCardVerifier({ trustDir: onlyIssuing }).verify(proofOf(pro)), { code: 'CERT_UNTRUSTED' })
})

t.test('a tampered signature or another challenge is refused', async (t) => {
  const p = proofOf(pro)
  const bad = Buffer.from(p.signature)
  bad[10] = bad[10]! ^ 0x01
  await t.rejects(() => verifier.verify({ ...p, signature: bad }), { code: 'SIGNATURE_INVALID' })
  await t.rejects(() => verifier.verify({ ...p, payloads: [loginPayload({ origin: SITE, challenge: randomBytes(32) })] }), { code: 'SIGNATURE_INVALID' })
  // signed by another card's key (certificate swapped)
  await t.rejects(() => verifier.verify({ ...p, signature: cardSign(inst, p.payloads[0]!) }), { code: 'SIGNATURE_INVALID' })
  // the bare challenge (the old protocol) or the payload of another site
  const challenge = p.payloads[0]!.subarray(-32)
  await t.rejects(() => verifier.verify({ ...p, signature: cardSign(pro, challenge) }), { code: 'SIGNATURE_INVALID' }, 'bare challenge')
  const elsewhere = loginPayload({ origin: 'https://evil.example', challenge })
  await t.rejects(() => verifier.verify({ ...p, signature: cardSign(pro, elsewhere) }), { code: 'SIGNATURE_INVALID' }, 'another origin')
  t.ok(await verifier.verify({ ...p, payloads: [elsewhere, p.payloads[0]!] }), 'any of the site\'s own origins')
})

t.test('revocation: the CRL is reloaded when it changes and its signature is checked', async (t) => {
  const card = issueDemoCard({ kind: 'professional', holderId: 'D123456782', name: '廢止' }, { dir, now: NOW })
  t.equal((await verifier.verify(proofOf(card))).holderId, 'D123456782')
  revokeDemoCard(card.serial, { dir, now: NOW })
  utimesSync(pki.crlFile, new Date(), new Date(Date.now() + 5000)) // make sure the mtime moves even on coarse clocks
  reissueDemoCrls({ dir, thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + 86400_000) })
  await t.rejects(() => verifier.verify(proofOf(card)), { code: 'CERT_REVOKED' })
  t.equal((await verifier.verify(proofOf(pro))).holderId, 'A123456789', 'others are not affected')
  t.ok(parseCrl(await import('node:fs').then((fs) => fs.readFileSync(pki.crlFile))).revoked.has(card.serial.replace(/^0+/, '')))

  // a CRL signed by a CA outside the trust store stops card logins (fail closed)
  const other = ensureDemoPki(join(tmp, 'other-pki'))
  t.throws(() => createCardVerifier({ trustDir: pki.trustDir, crlFile: other.crlFile }), { code: 'INTERNAL' })
})

t.test('revocation fails closed: no CRL of an issuer, or one past nextUpdate beyond the grace, refuses', async (t) => {
  const d = join(tmp, 'crl-pki')
  const p = copyOfPki(d)
  const card = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王小明' }, { dir: d, now: NOW })
  const v = createCardVerifier({ trustDir: p.trustDir, crlGraceMs: 3600_000 })
  const day = 86400_000
  reissueDemoCrls({ dir: d, thisUpdate: new Date(NOW.getTime() - 8 * day), nextUpdate: new Date(NOW.getTime() - 30 * 60_000) })
  t.equal((await v.verify(proofOf(card))).holderId, 'A123456789', 'past nextUpdate by 30 minutes: inside the grace')
  reissueDemoCrls({ dir: d, thisUpdate: new Date(NOW.getTime() - 8 * day), nextUpdate: new Date(NOW.getTime() - day) })
  await t.rejects(() => v.verify(proofOf(card)), { code: 'CERT_REVOCATION_UNKNOWN' }, 'a day past nextUpdate')
  reissueDemoCrls({ dir: d, thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + day) })
  t.equal((await v.verify(proofOf(card))).holderId, 'A123456789', 'fresh again')
  // the root's CRL (covering the issuing CA) missing: the intermediate's revocation is unknown
  rmSync(join(p.trustDir, 'crl', 'hca-root.crl'))
  await t.rejects(() => v.verify(proofOf(card)), { code: 'CERT_REVOCATION_UNKNOWN' }, 'no CRL for a CA of the chain')
  // a revoked intermediate stops every card under it
  writeFileSync(
    join(p.trustDir, 'crl', 'hca-root.crl'),
    buildCrl({ issuer: p.families.hca.root.cert, issuerKey: p.families.hca.root.key, revoked: [{ serial: p.families.hca.issuing.cert.serialNumber, revokedAt: NOW }], thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + day) }),
  )
  await t.rejects(() => v.verify(proofOf(card)), { code: 'CERT_REVOKED' }, 'issuing CA revoked by its root')
})

t.test('each kind chains to its own family: a CA trusted for one kind cannot mint another', async (t) => {
  const d = join(tmp, 'family-pki')
  const p = copyOfPki(d)
  const v = createCardVerifier({ trustDir: p.trustDir })
  // a certificate with the professional subject type, minted by the government (staff) CA
  // any key will do (the CA's signature is what is judged): a demo card's, instead of generating one
  const key = { privateKey: forge.pki.privateKeyFromPem(pro.privateKeyPem) as forge.pki.rsa.PrivateKey }
  const publicKey = forge.pki.setRsaPublicKey(key.privateKey.n, key.privateKey.e)
  const cert = forge.pki.createCertificate()
  cert.serialNumber = '0badc0de'
  cert.publicKey = publicKey
  cert.validity.notBefore = new Date(NOW.getTime() - 86400_000)
  cert.validity.notAfter = new Date(NOW.getTime() + 86400_000)
  cert.setSubject([{ shortName: 'C', value: 'TW' }, { shortName: 'CN', value: 'mint' }, { type: '2.5.4.5', value: 'A123456789' }])
  cert.setIssuer(p.families.gca.issuing.cert.subject.attributes)
  const { subjectDirectoryAttributesDer } = await import('../../domain/card/certificate-profile.js')
  cert.setExtensions([{ name: 'keyUsage', digitalSignature: true }, { id: '2.5.29.9', value: subjectDirectoryAttributesDer('professional') }])
  cert.sign(p.families.gca.issuing.key, forge.md.sha256.create())
  const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary')
  const payload = loginPayload({ origin: SITE, challenge: randomBytes(32) })
  const md = forge.md.sha256.create()
  md.update(payload.toString('binary'))
  const signature = Buffer.from(key.privateKey.sign(md), 'binary')
  const proof = { certificate: certDer, signature, payloads: [payload], now: NOW }
  await t.rejects(() => v.verify({ ...proof, wanted: 'professional' }), { code: 'CERT_WRONG_TYPE' }, 'GCA-minted professional card')
  t.equal((await v.verify({ ...proof, wanted: 'staff' })).kind, 'staff', 'whatever it carries, a GCA card is a staff card')
  // and an HCA card marked as staff is no staff card
  const hcaStaff = issueDemoCard({ kind: 'professional', holderId: 'B123456780', name: 'x' }, { dir: d, now: NOW })
  await t.rejects(() => v.verify({ ...proofOf(hcaStaff), wanted: 'staff' }), { code: 'CERT_WRONG_TYPE' })
  // a trust store with only the HCA family: staff cards are untrusted
  const onlyHca = join(tmp, 'only-hca')
  mkdirSync(join(onlyHca, 'hca'), { recursive: true })
  mkdirSync(join(onlyHca, 'crl'))
  for (const f of ['root-ca.pem', 'issuing-ca.pem']) copyFileSync(join(p.trustDir, 'hca', f), join(onlyHca, 'hca', f))
  for (const f of ['hca-root.crl', 'hca-issuing.crl']) copyFileSync(join(p.trustDir, 'crl', f), join(onlyHca, 'crl', f))
  const staffCard = issueDemoCard({ kind: 'staff', holderId: 'TPE0001', name: '林堃' }, { dir: d, now: NOW })
  await t.rejects(() => createCardVerifier({ trustDir: onlyHca }).verify(proofOf(staffCard, 'staff')), { code: 'CERT_UNTRUSTED' })
})
