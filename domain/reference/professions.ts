// 醫事人員類別: the 28 categories, MOHW one-character codes (醫事司 list rev. 2022-01-28). Data.
// 公共衛生師 is not on that list: its code is configurable (default 'P', unused by the list).
import type { ProfessionCode } from '../types.js'

export interface Profession {
  code: ProfessionCode
  name: string
  /** True when the code is ours (configurable), not from the MOHW list. */
  configurable?: true
}

export const DEFAULT_PUBLIC_HEALTH_CODE = 'P'

const LISTED: readonly Profession[] = [
  { code: 'A', name: '西醫師' }, { code: 'B', name: '中醫師' }, { code: 'C', name: '牙醫師' },
  { code: 'D', name: '藥師' }, { code: 'E', name: '藥劑生' }, { code: 'F', name: '護理師' },
  { code: 'G', name: '護士' }, { code: 'H', name: '助產士' }, { code: 'I', name: '助產師' },
  { code: 'J', name: '醫事檢驗師' }, { code: 'K', name: '醫事檢驗生' }, { code: 'Q', name: '物理治療師' },
  { code: 'R', name: '職能治療師' }, { code: 'S', name: '醫事放射師' }, { code: 'T', name: '醫事放射士' },
  { code: 'U', name: '物理治療生' }, { code: 'V', name: '呼吸治療師' }, { code: 'W', name: '職能治療生' },
  { code: 'X', name: '諮商心理師' }, { code: 'Y', name: '臨床心理師' }, { code: 'Z', name: '營養師' },
  { code: '1', name: '語言治療師' }, { code: '2', name: '牙體技術師' }, { code: '3', name: '聽力師' },
  { code: '4', name: '牙體技術生' }, { code: '5', name: '驗光師' }, { code: '6', name: '驗光生' },
]

/** The 28 professions with 公共衛生師 under the given code. */
export const makeProfessions = (publicHealthCode: string = DEFAULT_PUBLIC_HEALTH_CODE): readonly Profession[] => {
  if (LISTED.some((p) => p.code === publicHealthCode)) throw new Error(`公共衛生師 code ${publicHealthCode} collides with a listed profession`)
  return [...LISTED, { code: publicHealthCode, name: '公共衛生師', configurable: true }]
}

export const PROFESSIONS: readonly Profession[] = makeProfessions()

const BY_CODE = new Map(PROFESSIONS.map((p) => [p.code, p]))
export const isProfession = (code: string, list: readonly Profession[] = PROFESSIONS): boolean =>
  list === PROFESSIONS ? BY_CODE.has(code) : list.some((p) => p.code === code)
export const professionName = (code: string, list: readonly Profession[] = PROFESSIONS): string | undefined =>
  (list === PROFESSIONS ? BY_CODE.get(code) : list.find((p) => p.code === code))?.name

/** Physicians (西醫師, 中醫師, 牙醫師). */
export const PHYSICIAN_CODES: readonly ProfessionCode[] = ['A', 'B', 'C']
/** Pharmacists and pharmacist assistants (藥師, 藥劑生). */
export const PHARMACY_CODES: readonly ProfessionCode[] = ['D', 'E']
