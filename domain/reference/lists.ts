// The reference lists a filing is checked against (支援科別, 支援目的, 縣市及鄉鎮市區, 醫事人員類別). They are versioned
// data (rules-<name> streams, commands/rules): the caller passes the version in force at the command's instant; the
// constants of this folder are only the first version, used where no version was passed. Pure.
import { COUNTIES, type County } from './counties.js'
import { DEPARTMENTS, type Department } from './departments.js'
import { PROFESSIONS, type Profession } from './professions.js'
import { PURPOSES, type Purpose } from './purposes.js'

export interface ReferenceLists {
  departments: readonly Department[]
  purposes: readonly Purpose[]
  counties: readonly County[]
  professions: readonly Profession[]
}

/** The first version of every list (today's constants). */
export const FIRST_REFERENCE: ReferenceLists = { departments: DEPARTMENTS, purposes: PURPOSES, counties: COUNTIES, professions: PROFESSIONS }

// the codes of a list, built once per list (imports check every row of a large file against the same list)
const CODES = new WeakMap<readonly { code: string }[], ReadonlySet<string>>()
const codesOf = (list: readonly { code: string }[]): ReadonlySet<string> => {
  let set = CODES.get(list)
  if (!set) CODES.set(list, (set = new Set(list.map((x) => x.code))))
  return set
}

/** True when `code` is on the list (lists are never mutated once made: the code set is built once per list). */
export const onList = (list: readonly { code: string }[], code: unknown): boolean =>
  typeof code === 'string' && codesOf(list).has(code)

/** The name of `code` on the list, or undefined. */
export const nameOn = (list: readonly { code: string; name: string }[], code: string): string | undefined =>
  list.find((x) => x.code === code)?.name

export const districtOn = (counties: readonly County[], county: string, district: string): boolean =>
  counties.find((c) => c.code === county)?.districts.some((d) => d.name === district) ?? false

/** Names of codes: from the lists given (in force now), else from the first version (a code since withdrawn). */
export function referenceNamer(lists: ReferenceLists) {
  const pick = (now: readonly { code: string; name: string }[], first: readonly { code: string; name: string }[]) =>
    (code: string): string | undefined => nameOn(now, code) ?? nameOn(first, code)
  return {
    department: pick(lists.departments, FIRST_REFERENCE.departments),
    purpose: pick(lists.purposes, FIRST_REFERENCE.purposes),
    profession: pick(lists.professions, FIRST_REFERENCE.professions),
    county: pick(lists.counties, FIRST_REFERENCE.counties),
  }
}

/** What turns codes into names (referenceNamer of the lists in force); the first version when none is given. */
export type ReferenceNames = ReturnType<typeof referenceNamer>
export const FIRST_NAMES: ReferenceNames = referenceNamer(FIRST_REFERENCE)
