// 支援目的. Our own list (not an official code set); the legacy system's wording may differ. Data.
export interface Purpose {
  code: string
  name: string
}

export const PURPOSES: readonly Purpose[] = [
  { code: '01', name: '門診' },
  { code: '02', name: '手術' },
  { code: '03', name: '會診' },
  { code: '04', name: '值班' },
  { code: '05', name: '巡迴醫療' },
  { code: '06', name: '教學' },
  { code: '07', name: '藥事服務' },
  { code: '08', name: '護理服務' },
  { code: '09', name: '其他' },
]

const BY_CODE = new Map(PURPOSES.map((p) => [p.code, p]))
export const isPurpose = (code: string): boolean => BY_CODE.has(code)
export const purposeName = (code: string): string | undefined => BY_CODE.get(code)?.name
