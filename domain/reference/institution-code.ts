// 醫事機構代碼: 10 characters. Shape check only: the county comes from the institution registry, never from the code.
import { fail } from '../errors.js'

const SHAPE = /^[0-9A-Z]{10}$/

export const isInstitutionCode = (s: unknown): s is string => typeof s === 'string' && SHAPE.test(s)

/** Trims, upper-cases and checks the shape; throws INVALID_INSTITUTION_CODE. */
export const assertInstitutionCode = (s: string): string => {
  const code = typeof s === 'string' ? s.trim().toUpperCase() : ''
  if (!SHAPE.test(code)) return fail('INVALID_INSTITUTION_CODE', { value: s })
  return code
}
