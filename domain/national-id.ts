// National ID (身分證統一編號) and resident ID (統一證號) checks, masking and test generators. Pure.
//   national:      letter + 1/2 + 7 digits + check digit
//   resident, old: letter + A–D + 7 digits + check digit (second letter converted by the old rule: its number's units digit)
//   resident, new: letter + 8/9 + 7 digits + check digit (since 2021)
// Checksum: the first letter becomes two digits (table below), weights 1 9 8 7 6 5 4 3 2 1 1, sum ≡ 0 (mod 10).
import type { ErrorCode } from './errors.js'
import { fail } from './errors.js'

/** Letter → number, the standard table (I, O, W, Z and friends are out of order). */
export const ID_LETTER_VALUES: Readonly<Record<string, number>> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
}

export type PersonIdKind = 'national' | 'resident_old' | 'resident_new'

export type PersonIdCheck =
  | { ok: true; kind: PersonIdKind; id: string; sex?: 'M' | 'F' }
  | { ok: false; code: Extract<ErrorCode, 'INVALID_NATIONAL_ID'>; reason: 'format' | 'checksum' }

const SHAPE = /^[A-Z]([12ABCD89])\d{8}$/

const secondDigit = (c: string): number => {
  if (c >= '0' && c <= '9') return Number(c)
  return (ID_LETTER_VALUES[c] ?? 0) % 10 // old resident rule
}

/** The check digit for the first 9 characters (letter + second char + 7 digits). */
export const personIdCheckDigit = (first9: string): number => {
  const letter = ID_LETTER_VALUES[first9[0] ?? '']
  if (letter === undefined || first9.length !== 9) return fail('INVALID_NATIONAL_ID', { value: first9 })
  let sum = Math.floor(letter / 10) + (letter % 10) * 9 + secondDigit(first9[1] ?? '') * 8
  for (let i = 2; i < 9; i++) sum += Number(first9[i]) * (9 - i)
  return (10 - (sum % 10)) % 10
}

/** Trims and upper-cases. */
export const normalizePersonId = (s: string): string => s.trim().toUpperCase()

export const validatePersonId = (input: string): PersonIdCheck => {
  const id = normalizePersonId(typeof input === 'string' ? input : '')
  const m = SHAPE.exec(id)
  if (!m) return { ok: false, code: 'INVALID_NATIONAL_ID', reason: 'format' }
  if (personIdCheckDigit(id.slice(0, 9)) !== Number(id[9])) return { ok: false, code: 'INVALID_NATIONAL_ID', reason: 'checksum' }
  const second = m[1] as string
  if (second === '1' || second === '2') return { ok: true, kind: 'national', id, sex: second === '1' ? 'M' : 'F' }
  if (second === '8' || second === '9') return { ok: true, kind: 'resident_new', id, sex: second === '8' ? 'M' : 'F' }
  return { ok: true, kind: 'resident_old', id }
}

export const isValidPersonId = (s: string): boolean => validatePersonId(s).ok

/** Returns the normalized id or throws DomainError INVALID_NATIONAL_ID. */
export const assertPersonId = (s: string): string => {
  const r = validatePersonId(s)
  if (!r.ok) return fail('INVALID_NATIONAL_ID', { value: maskPersonId(s), reason: r.reason })
  return r.id
}

/** 'A123456789' → 'A1234XXXX9': first 5 and last 1 shown. Anything shorter than 7 characters is fully masked. */
export const maskPersonId = (s: string): string => {
  const id = normalizePersonId(s)
  if (id.length < 7) return 'X'.repeat(id.length)
  return id.slice(0, 5) + 'X'.repeat(id.length - 6) + id.slice(-1)
}

/** Second character by kind: national M/F → 1/2, resident_new M/F → 8/9, resident_old → A–D as given. */
export type PersonIdSecond = '1' | '2' | '8' | '9' | 'A' | 'B' | 'C' | 'D'

/**
 * A valid id for tests and demo data: letter + second + 7 digits of `seed` (seed mod 10^7, zero-padded) + check digit.
 * makePersonId('A', '1', 2345678) → 'A123456789'.
 */
export const makePersonId = (letter: string, second: PersonIdSecond, seed: number): string => {
  const L = letter.toUpperCase()
  if (ID_LETTER_VALUES[L] === undefined) return fail('INVALID_NATIONAL_ID', { value: letter })
  const digits = String(Math.abs(Math.trunc(seed)) % 10_000_000).padStart(7, '0')
  const first9 = `${L}${second}${digits}`
  return first9 + String(personIdCheckDigit(first9))
}
