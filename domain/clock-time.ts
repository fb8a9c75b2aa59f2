// Clock times of day ('HH:MM', Asia/Taipei). Pure.
import { fail } from './errors.js'
import type { ClockTime } from './types.js'

const CLOCK = /^([01]\d|2[0-4]):([0-5]\d)$/

/** True for '00:00'..'23:59' and, when `allowEndOfDay`, '24:00'. */
export const isClockTime = (s: unknown, allowEndOfDay = true): s is ClockTime => {
  if (typeof s !== 'string') return false
  const m = CLOCK.exec(s)
  if (!m) return false
  if (m[1] === '24') return allowEndOfDay && m[2] === '00'
  return true
}

const MINUTES = new Map<string, number>()

/** Minutes since midnight ('08:30' → 510, '24:00' → 1440). Throws INVALID_TIME. */
export const clockToMinutes = (s: ClockTime): number => {
  const known = MINUTES.get(s) // hot: every occurrence comparison and session count (at most 1441 valid keys)
  if (known !== undefined) return known
  if (!isClockTime(s)) return fail('INVALID_TIME', { value: s })
  const n = Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))
  MINUTES.set(s, n)
  return n
}

/** 510 → '08:30'; 1440 → '24:00'. */
export const minutesToClock = (minutes: number): ClockTime => {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1440) return fail('INVALID_TIME', { value: minutes })
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

const HHMM = new Map<string, string>()

/** '08:00' → '0800' (screens and the roster file). */
export const clockToHHmm = (s: ClockTime): string => {
  const known = HHMM.get(s) // hot: every line of a roster (at most 1441 valid keys)
  if (known !== undefined) return known
  if (!isClockTime(s)) return fail('INVALID_TIME', { value: s })
  const hhmm = s.slice(0, 2) + s.slice(3, 5)
  HHMM.set(s, hhmm)
  return hhmm
}

/** 'HHmm' as typed on forms and written in the roster: '0800' → '08:00'; '2400' only when `allowEndOfDay`. */
export const parseHHmm = (s: unknown, allowEndOfDay = true): ClockTime | undefined => {
  if (typeof s !== 'string' || !/^\d{4}$/.test(s)) return undefined
  const c = `${s.slice(0, 2)}:${s.slice(2, 4)}`
  return isClockTime(c, allowEndOfDay) ? c : undefined
}

const VALID_HHMM = new Set<unknown>() // those found valid with allowEndOfDay (at most 1441)

/** True for 'HHmm' '0000'..'2359' and, when `allowEndOfDay`, '2400'. */
export const isHHmm = (s: unknown, allowEndOfDay = true): s is string => {
  if (allowEndOfDay && VALID_HHMM.has(s)) return true // hot: two per roster record
  const valid = parseHHmm(s, allowEndOfDay) !== undefined
  if (valid && allowEndOfDay) VALID_HHMM.add(s)
  return valid
}

/** '0800' → '08:00'. Throws INVALID_TIME. */
export const hhmmToClock = (s: string): ClockTime => parseHHmm(s) ?? fail('INVALID_TIME', { value: s })
