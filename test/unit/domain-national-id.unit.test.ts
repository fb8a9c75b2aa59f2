import fc from 'fast-check'
import t from 'tap'
import {
  assertPersonId, ID_LETTER_VALUES, makePersonId, maskPersonId, personIdCheckDigit, validatePersonId, type PersonIdSecond,
} from '../../domain/national-id.js'

t.test('known ids', async (t) => {
  t.same(validatePersonId('A123456789'), { ok: true, kind: 'national', id: 'A123456789', sex: 'M' })
  t.same(validatePersonId(' a123456789 '), { ok: true, kind: 'national', id: 'A123456789', sex: 'M' })
  t.same(validatePersonId('A123456788'), { ok: false, code: 'INVALID_NATIONAL_ID', reason: 'checksum' })
  t.same(validatePersonId('A323456789'), { ok: false, code: 'INVALID_NATIONAL_ID', reason: 'format' })
  t.same(validatePersonId('A12345678'), { ok: false, code: 'INVALID_NATIONAL_ID', reason: 'format' })
  t.equal(validatePersonId('1123456789').ok, false)
})

t.test('letters out of order (I, O, W, Z) use the table', async (t) => {
  t.equal(ID_LETTER_VALUES.I, 34)
  t.equal(ID_LETTER_VALUES.O, 35)
  t.equal(ID_LETTER_VALUES.W, 32)
  t.equal(ID_LETTER_VALUES.Z, 33)
  // I = 34: 3*1 + 4*9 + 1*8 + 2*7 + 3*6 + 4*5 + 5*4 + 6*3 + 7*2 + 8*1 = 169 → check 1
  t.equal(personIdCheckDigit('I12345678'), 1)
  t.ok(validatePersonId('I123456781').ok)
})

t.test('resident ids: old form converts the second letter, new form uses 8/9', async (t) => {
  // A + 'C'(12 → 2): 1 + 0 + 2*8 + 2*7+3*6+4*5+5*4+6*3+7*2+8*1 = 1+16+132 = 149 → check 1
  t.equal(personIdCheckDigit('AC2345678'), 1)
  t.same(validatePersonId('AC23456781'), { ok: true, kind: 'resident_old', id: 'AC23456781' })
  const n = makePersonId('A', '8', 1234567)
  t.match(validatePersonId(n), { ok: true, kind: 'resident_new', sex: 'M' })
  t.match(validatePersonId(makePersonId('B', '9', 7)), { ok: true, kind: 'resident_new', sex: 'F' })
  t.equal(validatePersonId('AE23456781').ok, false, 'only A–D as old second letter')
})

t.test('mask and assert', async (t) => {
  t.equal(maskPersonId('A123456789'), 'A1234XXXX9')
  t.equal(maskPersonId('ab1'), 'XXX')
  t.equal(assertPersonId('a123456789'), 'A123456789')
  t.throws(() => assertPersonId('A123456780'), { code: 'INVALID_NATIONAL_ID' })
  t.equal(makePersonId('A', '1', 2345678), 'A123456789')
})

const letter = fc.constantFrom(...Object.keys(ID_LETTER_VALUES))
const second = fc.constantFrom<PersonIdSecond>('1', '2', '8', '9', 'A', 'B', 'C', 'D')
const seed = fc.integer({ min: 0, max: 9_999_999 })

t.test('property: generated ids validate with the right kind', async (t) => {
  fc.assert(fc.property(letter, second, seed, (l, s, n) => {
    const id = makePersonId(l, s, n)
    const r = validatePersonId(id)
    const kind = s === '1' || s === '2' ? 'national' : s === '8' || s === '9' ? 'resident_new' : 'resident_old'
    return r.ok && r.kind === kind && r.id === id && maskPersonId(id) === `${id.slice(0, 5)}XXXX${id[9]}`
  }))
  t.pass('valid')
})

t.test('property: a changed digit is caught exactly when weight × change is not a multiple of 10', async (t) => {
  const weight = (pos: number) => (pos === 9 ? 1 : 9 - pos)
  fc.assert(fc.property(letter, fc.constantFrom<PersonIdSecond>('1', '2', '8', '9'), seed, fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1, max: 9 }), (l, s, n, pos, delta) => {
    const id = makePersonId(l, s, n)
    const changed = id.slice(0, pos) + String((Number(id[pos]) + delta) % 10) + id.slice(pos + 1)
    return validatePersonId(changed).ok === ((weight(pos) * delta) % 10 === 0)
  }))
  t.pass('checksum behaves as the standard says')
})
