// What a card signs to log in: never the bare challenge, but a login payload that names the format, the purpose, the
// site origin and the server's one-time challenge, so a signature made for another site (or another purpose) proves
// nothing here. The reader agent builds it from the Origin its caller presented, the HiPKI page path builds the same
// bytes in the browser, and the server rebuilds it with its own origin before verifying.
//
// Byte layout (ASCII, LF = 0x0A), version 1:
//   offset 0   "BAOBEI-CARD-SIGN/1" LF       19 bytes: the fixed prefix (format and version)
//   then       purpose LF                    "login" (the only purpose today)
//   then       origin LF                     scheme "://" host [":" port], lowercase, no path, as URL.origin serialises
//                                            it: "https://baobei.example.tw", "http://127.0.0.1:3000"
//   then       challenge                     the 32 random bytes the server issued (raw, not base64)
// e.g. 19 + 6 + 26 + 32 bytes for https://baobei.example.tw. The card signs SHA-256 of these bytes (RSA PKCS#1 v1.5).
//
// An origin is signable when it is https, or http on a loopback host (127.0.0.1, localhost, [::1]); anything else
// (a plain-http site on the network, a path, credentials) is refused before a PIN is asked.
import { DomainError } from '../errors.js'

export const LOGIN_PAYLOAD_PREFIX = 'BAOBEI-CARD-SIGN/1\n'
export const SIGN_PURPOSES = ['login'] as const
export type SignPurpose = (typeof SIGN_PURPOSES)[number]
export const CHALLENGE_LENGTH = 32
const MAX_ORIGIN = 255

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** The origin in its canonical form, or undefined when it is not one the agent may sign for. */
export function signableOrigin(origin: string): string | undefined {
  if (typeof origin !== 'string' || origin.length > MAX_ORIGIN) return undefined
  let u: URL
  try {
    u = new URL(origin)
  } catch {
    return undefined
  }
  if (u.origin !== origin.replace(/\/+$/, '').toLowerCase() || u.username || u.password) return undefined
  if (u.protocol === 'https:') return u.origin
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return u.origin
  return undefined
}

/** The exact bytes a card signs for `purpose` at `origin` with `challenge`. Refuses anything off the shape. */
export function loginPayload(input: { origin: string; challenge: Buffer; purpose?: SignPurpose }): Buffer {
  const purpose = input.purpose ?? 'login'
  if (!SIGN_PURPOSES.includes(purpose)) throw new DomainError('VALIDATION_FAILED', { field: 'purpose' })
  const origin = signableOrigin(input.origin)
  if (!origin) throw new DomainError('ORIGIN_NOT_SIGNABLE', { origin: String(input.origin).slice(0, MAX_ORIGIN) })
  if (!Buffer.isBuffer(input.challenge) || input.challenge.length !== CHALLENGE_LENGTH) {
    throw new DomainError('VALIDATION_FAILED', { field: 'challenge', expectedBytes: CHALLENGE_LENGTH })
  }
  return Buffer.concat([Buffer.from(`${LOGIN_PAYLOAD_PREFIX}${purpose}\n${origin}\n`, 'ascii'), input.challenge])
}

/** The origins a site listening at `url` is reached by: SITE_ORIGIN when set, else itself plus localhost ⇄ 127.0.0.1. */
export function siteOrigins(url: string, siteOrigin?: string): string[] {
  if (siteOrigin) return [siteOrigin.replace(/\/+$/, '')]
  const u = new URL(url)
  const out = new Set([u.origin])
  if (['127.0.0.1', 'localhost', '0.0.0.0', '[::]', '[::1]'].includes(u.hostname)) {
    out.add(`${u.protocol}//127.0.0.1:${u.port}`)
    out.add(`${u.protocol}//localhost:${u.port}`)
  }
  return [...out]
}
