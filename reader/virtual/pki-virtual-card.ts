// A virtual HCA-style PKI card (professional / institution / staff): the applet profile described in
// ../hca-card.ts, with the demo card's certificate and private key. PIN tries survive resets (as on a real card).
import { createPrivateKey, privateEncrypt, constants, type KeyObject } from 'node:crypto'
import forge from 'node-forge'
import { maskPersonId } from '../../domain/national-id.js'
import type { DemoCard } from '../../commands/pki/demo-pki.js'
import { HCA_AID, HCA_CERT_FID } from '../hca-card.js'
import { makeAtr, parseApdu, sw, SW, type VirtualCard } from './virtual-card.js'

export const PIN_TRIES = 3

export class PkiVirtualCard implements VirtualCard {
  readonly atr = makeAtr(Buffer.from('BAOBEI-HCA', 'ascii'))
  readonly label: string
  readonly certificate: Buffer
  private readonly key: KeyObject
  private readonly pin: string
  private appletSelected = false
  private certSelected = false
  private verified = false
  private pending: Buffer | undefined
  triesLeft = PIN_TRIES

  constructor(readonly demo: DemoCard) {
    this.certificate = Buffer.from(forge.pem.decode(demo.certificatePem)[0]!.body, 'binary')
    this.key = createPrivateKey(demo.privateKeyPem)
    this.pin = demo.pin
    this.label = `${demo.kind} ${demo.kind === 'professional' ? maskPersonId(demo.holderId) : demo.holderId} ${demo.name}`
  }

  reset() {
    this.appletSelected = false
    this.certSelected = false
    this.verified = false
    this.pending = undefined
  }

  /** Hands out `data` through 61xx + GET RESPONSE, at most 256 bytes a time. */
  private viaGetResponse(data: Buffer): Buffer {
    this.pending = data
    return sw(0x61, data.length >= 256 ? 0x00 : data.length)
  }

  transmit(raw: Buffer): Buffer {
    const c = parseApdu(raw)
    if (!c) return SW.WRONG_LENGTH()
    if (c.ins !== 0xc0) this.pending = undefined
    if (c.cla !== 0x00) return SW.CLA_NOT_SUPPORTED()
    switch (c.ins) {
      case 0xa4: // SELECT
        if (c.p1 === 0x04) {
          this.appletSelected = c.data.equals(HCA_AID)
          this.certSelected = false
          return this.appletSelected ? SW.OK() : SW.FILE_NOT_FOUND()
        }
        if (c.p1 === 0x02 && this.appletSelected) {
          this.certSelected = c.data.equals(HCA_CERT_FID)
          return this.certSelected ? SW.OK() : SW.FILE_NOT_FOUND()
        }
        return SW.FILE_NOT_FOUND()
      case 0xb0: {
        // READ BINARY of the current EF
        if (!this.certSelected) return SW.CONDITIONS_NOT_SATISFIED()
        const offset = ((c.p1 & 0x7f) << 8) | c.p2
        if (offset >= this.certificate.length) return SW.WRONG_P1P2()
        const chunk = this.certificate.subarray(offset, offset + (c.le ?? 256))
        // the first block goes through 61xx/GET RESPONSE, as a T=0 card would do
        if (offset === 0) return this.viaGetResponse(chunk)
        return sw(0x90, 0x00, chunk)
      }
      case 0xc0: {
        // GET RESPONSE
        if (!this.pending) return SW.CONDITIONS_NOT_SATISFIED()
        const n = c.le ?? 256
        const out = this.pending.subarray(0, n)
        const rest = this.pending.subarray(n)
        this.pending = rest.length ? rest : undefined
        return rest.length ? sw(0x61, rest.length >= 256 ? 0 : rest.length, out) : sw(0x90, 0x00, out)
      }
      case 0x20: {
        // VERIFY
        if (!this.appletSelected) return SW.CONDITIONS_NOT_SATISFIED()
        if (c.p1 !== 0x00 || c.p2 !== 0x81) return SW.WRONG_P1P2()
        if (this.triesLeft === 0) return SW.AUTH_BLOCKED()
        if (c.data.length === 0) return this.verified ? SW.OK() : sw(0x63, 0xc0 | this.triesLeft)
        if (c.data.toString('latin1') === this.pin) {
          this.triesLeft = PIN_TRIES
          this.verified = true
          return SW.OK()
        }
        this.triesLeft--
        this.verified = false
        return sw(0x63, 0xc0 | this.triesLeft)
      }
      case 0x2a: {
        // PSO: COMPUTE DIGITAL SIGNATURE
        if (c.p1 !== 0x9e || c.p2 !== 0x9a) return SW.WRONG_P1P2()
        if (!this.appletSelected || !this.verified) return SW.SECURITY_NOT_SATISFIED()
        if (!c.data.length) return SW.WRONG_DATA()
        const signature = privateEncrypt({ key: this.key, padding: constants.RSA_PKCS1_PADDING }, c.data)
        return this.viaGetResponse(signature)
      }
      default:
        return SW.INS_NOT_SUPPORTED()
    }
  }
}
