// A virtual NHI card: answers the NHI SELECT and GET DATA with the 57-byte basic data.
import { encodeNhiBasicData, NHI_AID, type NhiCardData } from '../nhi-card.js'
import { makeAtr, parseApdu, sw, SW, type VirtualCard } from './virtual-card.js'

export class NhiVirtualCard implements VirtualCard {
  readonly atr = makeAtr(Buffer.from('BAOBEI-NHI', 'ascii'))
  readonly label: string
  private selected = false
  private readonly basic: Buffer

  constructor(readonly data: NhiCardData) {
    this.basic = encodeNhiBasicData(data)
    this.label = `NHI ${data.cardNumber} ${data.name}`
  }

  reset() {
    this.selected = false
  }

  transmit(raw: Buffer): Buffer {
    const c = parseApdu(raw)
    if (!c) return SW.WRONG_LENGTH()
    if (c.cla !== 0x00) return SW.CLA_NOT_SUPPORTED()
    if (c.ins === 0xa4) {
      if (c.p1 !== 0x04) return SW.WRONG_P1P2()
      this.selected = c.data.equals(NHI_AID)
      return this.selected ? SW.OK() : SW.FILE_NOT_FOUND()
    }
    if (c.ins === 0xca) {
      if (!this.selected) return SW.CONDITIONS_NOT_SATISFIED()
      if (c.p1 !== 0x11 || c.p2 !== 0x00) return SW.WRONG_P1P2()
      return sw(0x90, 0x00, this.basic)
    }
    return SW.INS_NOT_SUPPORTED()
  }
}
