// ISO 7816-4 transport over any "transmit one APDU" function: status words, 61xx GET RESPONSE chaining and 6Cxx
// re-sending with the right Le. Card-specific files (nhi-card.ts, hca-card.ts) build on this.
export type Transmit = (apdu: Buffer) => Promise<Buffer>

export interface ResponseApdu {
  data: Buffer
  /** SW1 << 8 | SW2 */
  sw: number
}

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
export const swHex = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0')

/** Sends one APDU; follows 61xx with GET RESPONSE (concatenating the data) and 6Cxx by re-sending with Le = xx. */
export async function sendApdu(transmit: Transmit, apdu: Buffer): Promise<ResponseApdu> {
  let raw = await transmit(apdu)
  if (raw.length < 2) throw new Error(`card answered ${raw.length} bytes, no status word`)
  let sw = raw.readUInt16BE(raw.length - 2)
  if (sw >> 8 === 0x6c) {
    raw = await transmit(Buffer.concat([apdu.subarray(0, apdu.length === 4 ? 4 : apdu.length - 1), Buffer.from([sw & 0xff])]))
    sw = raw.readUInt16BE(raw.length - 2)
  }
  const chunks: Buffer[] = [raw.subarray(0, raw.length - 2)]
  for (let guard = 0; sw >> 8 === 0x61 && guard < 64; guard++) {
    raw = await transmit(Buffer.from([apdu[0]! & 0x03, 0xc0, 0x00, 0x00, sw & 0xff]))
    if (raw.length < 2) throw new Error('GET RESPONSE: no status word')
    sw = raw.readUInt16BE(raw.length - 2)
    chunks.push(raw.subarray(0, raw.length - 2))
  }
  return { data: Buffer.concat(chunks), sw }
}

/** APDU with optional data and Le (short form only). */
export function apdu(cla: number, ins: number, p1: number, p2: number, data?: Buffer, le?: number): Buffer {
  const parts: Buffer[] = [Buffer.from([cla, ins, p1, p2])]
  if (data && data.length) {
    if (data.length > 255) throw new Error('APDU: data longer than 255 bytes')
    parts.push(Buffer.from([data.length]), data)
  }
  if (le !== undefined) parts.push(Buffer.from([le & 0xff]))
  return Buffer.concat(parts)
}
