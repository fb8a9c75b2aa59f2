// The PKI card protocol between reader/hca-card.ts and the virtual card, without pcscd: 61xx chaining, PIN counter,
// signature, and that the signature verifies for the server.
import { randomBytes, verify as rsaVerify, createPublicKey } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { issueDemoCard } from '../../commands/pki/demo-pki.js'
import { sendApdu } from '../../reader/apdu.js'
import { readCertificate, selectHcaApplet, signSha256, verifyPin } from '../../reader/hca-card.js'
import { PkiVirtualCard } from '../../reader/virtual/pki-virtual-card.js'
import { makeAtr } from '../../reader/virtual/virtual-card.js'

const dir = mkdtempSync(join(tmpdir(), 'bb-apdu-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const demo = issueDemoCard({ kind: 'institution', holderId: '0163010001', name: '示範大學附設醫院', pin: '8642' }, { dir })

const wire = (card: PkiVirtualCard) => {
  const log: string[] = []
  const transmit = async (apdu: Buffer) => {
    const r = card.transmit(apdu)
    log.push(`${apdu.subarray(0, 2).toString('hex')}>${r.subarray(r.length - 2).toString('hex')}`)
    return r
  }
  return { transmit, log }
}

t.test('reads the certificate through READ BINARY with a 61xx GET RESPONSE', async (t) => {
  const card = new PkiVirtualCard(demo)
  const { transmit, log } = wire(card)
  await selectHcaApplet(transmit)
  const der = await readCertificate(transmit)
  t.same(der, card.certificate)
  t.ok(card.certificate.length > 512, 'several READ BINARY steps')
  t.ok(log.includes('00b0>6100') && log.includes('00c0>9000'), log.join(' '))
})

t.test('PIN: wrong answers with the tries left, right resets, three wrong lock', async (t) => {
  const card = new PkiVirtualCard(demo)
  const { transmit } = wire(card)
  await selectHcaApplet(transmit)
  await t.rejects(verifyPin(transmit, '0000'), { code: 'PIN_WRONG', details: { remaining: 2 } })
  await t.resolves(verifyPin(transmit, '8642'))
  await t.rejects(verifyPin(transmit, '0000'), { code: 'PIN_WRONG', details: { remaining: 2 } })
  await t.rejects(verifyPin(transmit, '0000'), { code: 'PIN_WRONG', details: { remaining: 1 } })
  await t.rejects(verifyPin(transmit, '0000'), { code: 'PIN_LOCKED' })
  await t.rejects(verifyPin(transmit, '8642'), { code: 'PIN_LOCKED' })
  t.equal((await sendApdu(transmit, Buffer.from('0020008100', 'hex').subarray(0, 4))).sw, 0x6983)
})

t.test('signing needs the PIN and yields a PKCS#1 v1.5 SHA-256 signature', async (t) => {
  const card = new PkiVirtualCard(demo)
  const { transmit } = wire(card)
  await selectHcaApplet(transmit)
  const challenge = randomBytes(32)
  await t.rejects(signSha256(transmit, challenge), { code: 'PIN_WRONG' })
  await verifyPin(transmit, '8642')
  const sig = await signSha256(transmit, challenge)
  t.equal(sig.length, 256)
  t.ok(rsaVerify('sha256', challenge, createPublicKey(demo.certificatePem), sig))
  card.reset()
  await selectHcaApplet(transmit)
  await t.rejects(signSha256(transmit, challenge), { code: 'PIN_WRONG' }, 'a reset forgets the verified PIN')
})

t.test('ATR carries a correct TCK', async (t) => {
  const atr = makeAtr(Buffer.from('BAOBEI-HCA'))
  let x = 0
  for (const b of atr.subarray(1)) x ^= b
  t.equal(x, 0)
  t.equal(atr[0], 0x3b)
})
