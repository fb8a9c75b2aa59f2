// HCA-style PKI cards (professional, institution and staff cards): an ISO 7816-4/-8 PKI applet.
// The real HCA cards' command set is not public (HiPKI middleware / PKCS#11 drives them); this is our own applet
// profile, which the virtual cards implement and a PKCS#11 backend can replace (see card-protocol.ts):
//   SELECT applet           00 A4 04 00 0A F0 42 41 4F 42 45 49 48 43 41   (AID: proprietary RID F0 + "BAOBEIHCA")
//   SELECT certificate EF   00 A4 02 0C 02 C0 01
//   READ BINARY             00 B0 <offset hi> <offset lo> 00   (the card may answer 61xx → GET RESPONSE)
//   VERIFY PIN              00 20 00 81 <len> <PIN as ASCII digits>; no data = ask the remaining tries
//                           → 90 00 | 63 Cx (wrong, x tries left) | 69 83 (locked)
//   PSO: COMPUTE DIGITAL SIGNATURE  00 2A 9E 9A <len> <DigestInfo(SHA-256)> 00 → 61 00, GET RESPONSE → signature
//                           (RSA PKCS#1 v1.5; needs the PIN verified since the last reset)
import { createHash } from 'node:crypto'
import { DomainError } from '../domain/errors.js'
import { apdu, hex, sendApdu, swHex, type Transmit } from './apdu.js'
import { NotThisCard } from './nhi-card.js'

export const HCA_AID = hex('F0 42 41 4F 42 45 49 48 43 41')
export const HCA_CERT_FID = hex('C0 01')
export const SHA256_DIGEST_INFO_PREFIX = hex('30 31 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20')
export const PIN_PATTERN = /^[0-9]{4,12}$/

export const digestInfoSha256 = (message: Buffer): Buffer =>
  Buffer.concat([SHA256_DIGEST_INFO_PREFIX, createHash('sha256').update(message).digest()])

export async function selectHcaApplet(transmit: Transmit): Promise<void> {
  const r = await sendApdu(transmit, apdu(0x00, 0xa4, 0x04, 0x00, HCA_AID))
  if (r.sw !== 0x9000) throw new NotThisCard(`not an HCA-style PKI card (SELECT answered ${swHex(r.sw)})`)
}

/** Reads the certificate file (DER) in 256-byte READ BINARY steps, up to the length its DER header announces. */
export async function readCertificate(transmit: Transmit): Promise<Buffer> {
  const sel = await sendApdu(transmit, apdu(0x00, 0xa4, 0x02, 0x0c, HCA_CERT_FID))
  if (sel.sw !== 0x9000) throw new Error(`HCA card: no certificate file (${swHex(sel.sw)})`)
  const chunks: Buffer[] = []
  let have = 0
  let total = Infinity
  while (have < total) {
    if (have > 0x7fff) throw new Error('HCA card: certificate file too long')
    const r = await sendApdu(transmit, apdu(0x00, 0xb0, (have >> 8) & 0x7f, have & 0xff, undefined, 0x00))
    if (r.sw !== 0x9000 && r.sw !== 0x6282) throw new Error(`HCA card: READ BINARY answered ${swHex(r.sw)}`)
    if (!r.data.length) break
    chunks.push(r.data)
    have += r.data.length
    if (total === Infinity) total = derLength(Buffer.concat(chunks))
    if (r.sw === 0x6282) break
  }
  const all = Buffer.concat(chunks)
  if (all.length < total) throw new Error('HCA card: certificate file shorter than its DER header says')
  return all.subarray(0, total)
}

function derLength(head: Buffer): number {
  if (head.length < 2 || head[0] !== 0x30) throw new Error('HCA card: certificate file is not DER')
  const l = head[1]!
  if (l < 0x80) return 2 + l
  const n = l & 0x7f
  if (n < 1 || n > 3 || head.length < 2 + n) throw new Error('HCA card: bad DER length')
  let len = 0
  for (let i = 0; i < n; i++) len = (len << 8) | head[2 + i]!
  return 2 + n + len
}

/** VERIFY PIN. Wrong → PIN_WRONG { remaining }; no tries left / blocked → PIN_LOCKED. The PIN goes to the card only. */
export async function verifyPin(transmit: Transmit, pin: string): Promise<void> {
  if (!PIN_PATTERN.test(pin)) throw new DomainError('VALIDATION_FAILED', { field: 'pin' }, ['PIN 碼須為 4 至 12 位數字'])
  const r = await sendApdu(transmit, apdu(0x00, 0x20, 0x00, 0x81, Buffer.from(pin, 'ascii')))
  if (r.sw === 0x9000) return
  if (r.sw === 0x6983 || r.sw === 0x63c0) throw new DomainError('PIN_LOCKED')
  if (r.sw >> 4 === 0x63c) throw new DomainError('PIN_WRONG', { remaining: r.sw & 0x0f }, [r.sw & 0x0f])
  throw new Error(`HCA card: VERIFY answered ${swHex(r.sw)}`)
}

/** PSO: COMPUTE DIGITAL SIGNATURE over DigestInfo(SHA-256(message)). */
export async function signSha256(transmit: Transmit, message: Buffer): Promise<Buffer> {
  const r = await sendApdu(transmit, apdu(0x00, 0x2a, 0x9e, 0x9a, digestInfoSha256(message), 0x00))
  if (r.sw === 0x6982) throw new DomainError('PIN_WRONG', { remaining: null, reason: 'PIN 碼尚未驗證' })
  if (r.sw !== 0x9000) throw new Error(`HCA card: PSO COMPUTE DIGITAL SIGNATURE answered ${swHex(r.sw)}`)
  return r.data
}
