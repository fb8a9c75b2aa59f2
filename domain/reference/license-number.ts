// 執業執照: the registry keeps the licence as one string ('醫字第012345號', '新北府板衛藥師執字第X220477731號'); the seed's
// profile shows it as two fields, 字號 (the issuing word, up to 字) and 第號 (第…號). Pure.
export interface LicenseParts {
  /** 字號: '醫字', '新北府板衛藥師執字' */
  word: string
  /** 第號: '第012345號'; '' when the registry string has no 第…號 part */
  number: string
}

export function licenseParts(license: string): LicenseParts {
  const s = license.trim()
  const m = /^(.*?)(第[^第]*號)$/.exec(s)
  return m ? { word: m[1]!, number: m[2]! } : { word: s, number: '' }
}
