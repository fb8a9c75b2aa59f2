import { sign as rsaSign, randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import forge from 'node-forge'
import t from 'tap'
import { cardHolderOf, certificateFromDer, CARD_KIND_OIDS, subjectTypeOids } from '../../domain/card/certificate-profile.js'
import { createCardVerifier } from '../../http/auth/certificates.js'
import { parseCrl } from '../../domain/card/crl.js'
import { ensureDemoPki, issueDemoCard, listDemoCards, revokeDemoCard, type DemoCard } from '../../commands/pki/demo-pki.js'

const tmp = mkdtempSync(join(tmpdir(), 'bb-pki-'))
t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
const dir = join(tmp, 'pki')
const NOW = new Date('2025-03-01T02:00:00Z')
const pki = ensureDemoPki(dir, NOW)

const der = (card: DemoCard) => Buffer.from(forge.pem.decode(card.certificatePem)[0]!.body, 'binary')
/** What the card does: RSA PKCS#1 v1.5 over a SHA-256 DigestInfo of the challenge. */
const cardSign = (card: DemoCard, challenge: Buffer) => rsaSign('sha256', challenge, card.privateKeyPem)
const proofOf = (card: DemoCard, wanted: 'professional' | 'institution' | 'staff' = 'professional') => {
  const challenge = randomBytes(32)
  return { certificate: der(card), signature: cardSign(card, challenge), challenge, wanted, now: NOW }
}

const pro = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王小明' }, { dir, now: NOW })
const inst = issueDemoCard({ kind: 'institution', holderId: '0101090517', name: '臺大醫院' }, { dir, now: NOW })
const staff = issueDemoCard({ kind: 'staff', holderId: 'TPE0001', name: '林堃', unit: '63' }, { dir, now: NOW })
const verifier = createCardVerifier({ trustDir: pki.trustDir, crlFile: pki.crlFile })

t.test('a good professional card logs in as its holder', async (t) => {
  const holder = verifier.verify(proofOf(pro))
  t.same(holder, { kind: 'professional', holderId: 'A123456789', name: '王小明', certificateSerial: pro.serial })
  t.same(verifier.verify(proofOf(inst, 'institution')).holderId, '0101090517')
  t.match(verifier.verify(proofOf(staff, 'staff')), { kind: 'staff', holderId: 'TPE0001', name: '林堃', unit: '63' })
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
  t.throws(() => verifier.verify(proofOf(inst, 'professional')), { code: 'CERT_WRONG_TYPE' })
  t.throws(() => verifier.verify(proofOf(pro, 'institution')), { code: 'CERT_WRONG_TYPE' })
  t.throws(() => verifier.verify({ ...proofOf(pro), wanted: ['institution', 'staff'] }), { code: 'CERT_WRONG_TYPE' })
  t.equal(verifier.verify({ ...proofOf(staff), wanted: ['institution', 'staff'] }).kind, 'staff')
})

t.test('validity dates are checked against the given now', async (t) => {
  const old = issueDemoCard(
    { kind: 'professional', holderId: 'B223456780', name: '過期', notBefore: new Date('2019-01-01Z'), notAfter: new Date('2024-12-31Z') },
    { dir },
  )
  t.throws(() => verifier.verify(proofOf(old)), { code: 'CERT_EXPIRED' })
  const future = issueDemoCard(
    { kind: 'professional', holderId: 'C123456781', name: '未生效', notBefore: new Date('2025-06-01Z'), notAfter: new Date('2030-01-01Z') },
    { dir },
  )
  t.throws(() => verifier.verify(proofOf(future)), { code: 'CERT_NOT_YET_VALID' })
  t.equal(verifier.verify({ ...proofOf(future), now: new Date('2025-07-01Z') }).holderId, 'C123456781')
  t.equal(verifier.verify({ ...proofOf(old), now: new Date('2024-06-01Z') }).holderId, 'B223456780')
})

t.test('a card from another CA is untrusted', async (t) => {
  const other = join(tmp, 'other-pki')
  ensureDemoPki(other, NOW)
  const stranger = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王小明' }, { dir: other, now: NOW })
  t.throws(() => verifier.verify(proofOf(stranger)), { code: 'CERT_UNTRUSTED' })
  t.throws(() => verifier.verify({ ...proofOf(pro), certificate: Buffer.from('not a certificate') }), { code: 'CERT_UNTRUSTED' })
  // the issuing CA alone is not a root: without the root file the chain does not close
  const onlyIssuing = join(tmp, 'only-issuing')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(onlyIssuing)
  copyFileSync(join(pki.trustDir, 'issuing-ca.pem'), join(onlyIssuing, 'issuing-ca.pem'))
  t.throws(() => createCardVerifier({ trustDir: onlyIssuing }).verify(proofOf(pro)), { code: 'CERT_UNTRUSTED' })
})

t.test('a tampered signature or another challenge is refused', async (t) => {
  const p = proofOf(pro)
  const bad = Buffer.from(p.signature)
  bad[10] = bad[10]! ^ 0x01
  t.throws(() => verifier.verify({ ...p, signature: bad }), { code: 'SIGNATURE_INVALID' })
  t.throws(() => verifier.verify({ ...p, challenge: randomBytes(32) }), { code: 'SIGNATURE_INVALID' })
  // signed by another card's key (certificate swapped)
  t.throws(() => verifier.verify({ ...p, signature: cardSign(inst, p.challenge) }), { code: 'SIGNATURE_INVALID' })
})

t.test('revocation: the CRL is reloaded when it changes and its signature is checked', async (t) => {
  const card = issueDemoCard({ kind: 'professional', holderId: 'D123456782', name: '廢止' }, { dir, now: NOW })
  t.equal(verifier.verify(proofOf(card)).holderId, 'D123456782')
  revokeDemoCard(card.serial, { dir, now: NOW })
  utimesSync(pki.crlFile, new Date(), new Date(Date.now() + 5000)) // make sure the mtime moves even on coarse clocks
  t.throws(() => verifier.verify(proofOf(card)), { code: 'CERT_REVOKED' })
  t.equal(verifier.verify(proofOf(pro)).holderId, 'A123456789', 'others are not affected')
  t.ok(parseCrl(await import('node:fs').then((fs) => fs.readFileSync(pki.crlFile))).revoked.has(card.serial.replace(/^0+/, '')))

  // a CRL signed by a CA outside the trust store stops card logins (fail closed)
  const other = ensureDemoPki(join(tmp, 'other-pki'))
  const v2 = createCardVerifier({ trustDir: pki.trustDir, crlFile: other.crlFile })
  t.throws(() => v2.verify(proofOf(pro)), { code: 'INTERNAL' })
})
