// The NHI card (健保卡): SELECT its applet, GET DATA the 57-byte basic data, decode it.
// Layout: card number 0–11 ASCII, name 12–31 Big5 NUL-padded, national ID 32–41, birth date 42–48 ROC yyyMMdd,
// sex 49 ('M' / 'F'), issue date 50–56 ROC yyyMMdd.
import iconv from 'iconv-lite'
import { hex, sendApdu, swHex, type Transmit } from './apdu.js'

export const NHI_SELECT = hex('00 A4 04 00 10 D1 58 00 00 01 00 00 00 00 00 00 00 00 00 11 00 00')
export const NHI_AID = hex('D1 58 00 00 01 00 00 00 00 00 00 00 00 00 11 00')
export const NHI_GET_BASIC_DATA = hex('00 CA 11 00 02 00 00')
export const NHI_BASIC_DATA_LENGTH = 57

export interface NhiCardData {
  cardNumber: string
  name: string
  /** National or resident ID. */
  nationalId: string
  /** ROC yyyMMdd. */
  birthDate: string
  sex: string
  /** ROC yyyMMdd. */
  issueDate: string
}

const ascii = (b: Buffer) => b.toString('latin1').replace(/[\0 ]+$/, '')

export function decodeNhiBasicData(b: Buffer): NhiCardData {
  if (b.length < NHI_BASIC_DATA_LENGTH) throw new Error(`NHI basic data: ${b.length} bytes, expected ${NHI_BASIC_DATA_LENGTH}`)
  const nameBytes = b.subarray(12, 32)
  const end = nameBytes.indexOf(0)
  return {
    cardNumber: ascii(b.subarray(0, 12)),
    name: iconv.decode(end >= 0 ? nameBytes.subarray(0, end) : nameBytes, 'big5').trim(),
    nationalId: ascii(b.subarray(32, 42)),
    birthDate: ascii(b.subarray(42, 49)),
    sex: ascii(b.subarray(49, 50)),
    issueDate: ascii(b.subarray(50, 57)),
  }
}

const field = (s: string, len: number, what: string) => {
  const b = Buffer.from(s, 'latin1')
  if (b.length > len || !/^[\x20-\x7e]*$/.test(s)) throw new Error(`NHI basic data: ${what} must be at most ${len} ASCII characters`)
  return Buffer.concat([b, Buffer.alloc(len - b.length)])
}

export function encodeNhiBasicData(d: NhiCardData): Buffer {
  const name = iconv.encode(d.name, 'big5')
  if (name.length > 20) throw new Error('NHI basic data: name longer than 20 Big5 bytes')
  if (iconv.decode(name, 'big5') !== d.name) throw new Error(`NHI basic data: name ${d.name} has characters outside Big5`)
  return Buffer.concat([
    field(d.cardNumber, 12, 'card number'),
    name,
    Buffer.alloc(20 - name.length),
    field(d.nationalId, 10, 'national ID'),
    field(d.birthDate, 7, 'birth date'),
    field(d.sex, 1, 'sex'),
    field(d.issueDate, 7, 'issue date'),
  ])
}

export class NotThisCard extends Error {}

/** Reads the basic data; throws NotThisCard when the card has no NHI applet. */
export async function readNhiCard(transmit: Transmit): Promise<NhiCardData> {
  const sel = await sendApdu(transmit, NHI_SELECT)
  if (sel.sw !== 0x9000) throw new NotThisCard(`not an NHI card (SELECT answered ${swHex(sel.sw)})`)
  const r = await sendApdu(transmit, NHI_GET_BASIC_DATA)
  if (r.sw !== 0x9000) throw new Error(`NHI card: GET DATA answered ${swHex(r.sw)}`)
  return decodeNhiBasicData(r.data)
}
