// scrypt hashes for login secrets (NHI web passwords, one-time codes): `scrypt$N$r$p$<salt b64>$<key b64>`,
// compared in constant time. A missing hash still costs one scrypt, so timing does not tell a known ID apart.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const scrypt = (secret: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(secret.normalize('NFC'), salt, keylen, opts, (e, k) => (e ? reject(e) : resolve(k))))

export interface ScryptCost {
  N: number
  r: number
  p: number
}
/** Passwords: OWASP's scrypt minimum (N=2^17 r=8 p=1) costs 128 MiB; 2^15 keeps a 2-core box responsive. */
export const PASSWORD_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 }
/** One-time codes live 5 minutes: a lighter cost still makes offline guessing of a stolen row slower than its life. */
export const OTP_COST: ScryptCost = { N: 2 ** 14, r: 8, p: 1 }
const KEY_LEN = 32

export async function hashSecret(secret: string, cost: ScryptCost = PASSWORD_COST): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(secret, salt, KEY_LEN, { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r })
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

const DUMMY = `scrypt$${PASSWORD_COST.N}$${PASSWORD_COST.r}$${PASSWORD_COST.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LEN).toString('base64')}`

/** True when `secret` matches `stored`; with no stored hash, spends the same work and answers false. */
export async function verifySecret(secret: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? DUMMY).split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  const salt = Buffer.from(parts[4]!, 'base64')
  const want = Buffer.from(parts[5]!, 'base64')
  const got = await scrypt(secret, salt, want.length, { N, r, p, maxmem: 256 * N * r })
  return stored !== undefined && got.length === want.length && timingSafeEqual(got, want)
}
