// A smart card simulated in TypeScript: what the vpcd link hands each APDU to.
export interface VirtualCard {
  /** Short label for logs and the agent's virtual-card list. */
  readonly label: string
  readonly atr: Buffer
  /** Power off / on / reset: clears the security state (verified PIN) as a real card does. */
  reset(): void
  /** One command APDU in, one response APDU (data + SW1 SW2) out. */
  transmit(apdu: Buffer): Buffer
}

/**
 * An ATR announcing T=0 and T=1 with the given historical bytes (at most 15), with its TCK:
 * TS=3B, T0=8k (TD1 present, k historical bytes), TD1=80 (TD2 present, T=0), TD2=01 (T=1), historical bytes, TCK.
 */
export function makeAtr(historical: Buffer): Buffer {
  if (historical.length > 15) throw new Error('ATR: at most 15 historical bytes')
  const body = Buffer.from([0x80 | historical.length, 0x80, 0x01, ...historical])
  let tck = 0
  for (const b of body) tck ^= b
  return Buffer.from([0x3b, ...body, tck])
}

export const sw = (sw1: number, sw2: number, data?: Buffer): Buffer =>
  Buffer.concat([data ?? Buffer.alloc(0), Buffer.from([sw1, sw2])])

export const SW = {
  OK: () => sw(0x90, 0x00),
  WRONG_LENGTH: () => sw(0x67, 0x00),
  SECURITY_NOT_SATISFIED: () => sw(0x69, 0x82),
  AUTH_BLOCKED: () => sw(0x69, 0x83),
  CONDITIONS_NOT_SATISFIED: () => sw(0x69, 0x85),
  WRONG_DATA: () => sw(0x6a, 0x80),
  FILE_NOT_FOUND: () => sw(0x6a, 0x82),
  WRONG_P1P2: () => sw(0x6b, 0x00),
  INS_NOT_SUPPORTED: () => sw(0x6d, 0x00),
  CLA_NOT_SUPPORTED: () => sw(0x6e, 0x00),
}

/** Parsed short APDU (ISO 7816-4 cases 1-4). */
export interface CommandApdu {
  cla: number
  ins: number
  p1: number
  p2: number
  data: Buffer
  /** Expected response length; 256 when Le = 00; undefined when absent. */
  le?: number
}

export function parseApdu(apdu: Buffer): CommandApdu | undefined {
  if (apdu.length < 4) return undefined
  const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!]
  if (apdu.length === 4) return { cla, ins, p1, p2, data: Buffer.alloc(0) }
  if (apdu.length === 5) return { cla, ins, p1, p2, data: Buffer.alloc(0), le: apdu[4] || 256 }
  const lc = apdu[4]!
  if (lc === 0 || apdu.length < 5 + lc) return undefined
  const data = apdu.subarray(5, 5 + lc)
  if (apdu.length === 5 + lc) return { cla, ins, p1, p2, data }
  if (apdu.length === 6 + lc) return { cla, ins, p1, p2, data, le: apdu[5 + lc] || 256 }
  return undefined
}
