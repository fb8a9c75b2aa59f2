import iconv from 'iconv-lite'
import t from 'tap'
import { decodeNhiBasicData, encodeNhiBasicData, NHI_BASIC_DATA_LENGTH, readNhiCard } from '../../reader/nhi-card.js'
import { NhiVirtualCard } from '../../reader/virtual/nhi-virtual-card.js'

/** 57 bytes laid out by hand, independent of the encoder. */
function raw(cardNo: string, nameBig5: Buffer, id: string, birth: string, sex: string, issue: string): Buffer {
  const b = Buffer.alloc(57)
  b.write(cardNo, 0, 'latin1')
  nameBig5.copy(b, 12)
  b.write(id, 32, 'latin1')
  b.write(birth, 42, 'latin1')
  b.write(sex, 49, 'latin1')
  b.write(issue, 50, 'latin1')
  return b
}

t.test('decodes the 57-byte basic data with a Big5 name', async (t) => {
  // 王小明 in Big5 is A4FD A470 A9FA
  const b = raw('000012345678', Buffer.from('a4fda470a9fa', 'hex'), 'A123456789', '0690512', 'M', '1100301')
  t.equal(b.length, NHI_BASIC_DATA_LENGTH)
  t.same(decodeNhiBasicData(b), {
    cardNumber: '000012345678',
    name: '王小明',
    nationalId: 'A123456789',
    birthDate: '0690512',
    sex: 'M',
    issueDate: '1100301',
  })
})

t.test('rarer characters and a full 20-byte name', async (t) => {
  // 堃 (FB69) and 峯 (FBDF) sit in the extension area of Big5
  const b = raw('000000000001', Buffer.from('aa4cfb69', 'hex'), 'F222334455', '0010101', 'F', '1130101')
  t.equal(decodeNhiBasicData(b).name, '林堃')
  const ten = '陳峯游喆黃珮瑜王小明' // 10 characters = 20 bytes, no NUL terminator
  const full = raw('000000000002', iconv.encode(ten, 'big5'), 'F222334455', '0010101', 'F', '1130101')
  t.equal(decodeNhiBasicData(full).name, ten)
  t.equal(decodeNhiBasicData(full).nationalId, 'F222334455', 'the name does not run into the ID')
})

t.test('encode is the inverse of decode and refuses what does not fit', async (t) => {
  const d = { cardNumber: '000012345678', name: '林堃', nationalId: 'A123456789', birthDate: '0690512', sex: 'M', issueDate: '1100301' }
  t.same(decodeNhiBasicData(encodeNhiBasicData(d)), d)
  t.throws(() => encodeNhiBasicData({ ...d, name: '一二三四五六七八九十壹' }), /longer than 20/)
  t.throws(() => decodeNhiBasicData(Buffer.alloc(56)), /expected 57/)
})

t.test('the virtual NHI card answers SELECT and GET DATA', async (t) => {
  const card = new NhiVirtualCard({ cardNumber: '000012345678', name: '王小明', nationalId: 'A123456789', birthDate: '0690512', sex: 'M', issueDate: '1100301' })
  const seen: string[] = []
  const transmit = async (apdu: Buffer) => {
    seen.push(apdu.toString('hex'))
    return card.transmit(apdu)
  }
  t.equal((await readNhiCard(transmit)).name, '王小明')
  const spaced = (s: string) => s.replace(/ /g, '').toLowerCase()
  t.same(seen, [spaced('00 A4 04 00 10 D1 58 00 00 01 00 00 00 00 00 00 00 00 00 11 00 00'), spaced('00 CA 11 00 02 00 00')])
  card.reset()
  t.same(card.transmit(Buffer.from(spaced('00 CA 11 00 02 00 00'), 'hex')), Buffer.from('6985', 'hex'), 'GET DATA needs the SELECT')
})
