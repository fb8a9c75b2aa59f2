// The login page's reading of the HiCOS component's answers (views/assets/hipki.js, browser code evaluated here with
// a bare window): each answer a person can cause gets its code and zh-TW message; ret_code / last_error may come as
// signed 32-bit numbers.
import { readFileSync } from 'node:fs'
import t from 'tap'

type ErrorOf = (answer: { ret_code: number; last_error?: number }) => (Error & { code: string; details: Record<string, unknown> }) | null
const win: { BaobeiHipki?: { errorOf: ErrorOf } } = {}
new Function('window', readFileSync(new URL('../../views/assets/hipki.js', import.meta.url), 'utf8'))(win)
const errorOf = win.BaobeiHipki!.errorOf

t.test('success is no error', async (t) => {
  t.equal(errorOf({ ret_code: 0, last_error: 0 }), null)
})

t.test('what a person can cause, by ret_code and last_error', async (t) => {
  const cases: Array<[number, number, string, RegExp]> = [
    [0x76000006, 0, 'CARD_ABSENT', /沒有卡片/],
    [0x76100003, 0, 'READER_ABSENT', /找不到讀卡機/],
    [0x76100006, 0xa0, 'PIN_WRONG', /^PIN 碼錯誤$/],
    [0x76100006, 0x80000002, 'PIN_WRONG', /尚可嘗試 2 次/],
    [0x76100006, -2147483647, 'PIN_WRONG', /尚可嘗試 1 次/],
    [0x76100006, 0xa4, 'PIN_LOCKED', /鎖卡/],
    [0x76000999, 0, 'CANCELLED', /取消/],
    [0x7600000d, 0, 'HIPKI_TIMEOUT', /逾時/],
    [0x7600000f, 0, 'HIPKI_SITE_REFUSED', /信任網站/],
    [0x76000031, 0, 'HIPKI_SITE_REFUSED', /信任網站/],
    [0x76000998, 0, 'VALIDATION_FAILED', /PIN/],
    [0x76200008, 0, 'HIPKI_ERROR', /0x76200008/],
  ]
  for (const [rc, last, code, message] of cases) {
    const e = errorOf({ ret_code: rc, last_error: last })
    t.equal(e?.code, code, `0x${rc.toString(16)}/${last}: ${code}`)
    t.match(e?.message, message)
  }
  t.equal(errorOf({ ret_code: 0x76000006 - 0x100000000 })?.code, 'CARD_ABSENT', 'a signed ret_code')
  t.same(errorOf({ ret_code: 0x76100006, last_error: 0x80000001 })?.details, { remaining: 1 })
})
