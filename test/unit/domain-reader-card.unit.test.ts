import t from 'tap'
import { holderHint, maskPersonName, READER_CARD_LABELS, readerCard } from '../../domain/card/reader-card.js'

t.test('a person\'s name keeps its first and last character only', async (t) => {
  t.equal(maskPersonName('王大明'), '王○明')
  t.equal(maskPersonName('林堃'), '林○')
  t.equal(maskPersonName('歐陽小芬'), '歐○○芬')
  t.equal(maskPersonName('𡘙'), '○', 'a character outside the BMP is one character')
  t.equal(maskPersonName(' 陳𡘙豪 '), '陳○豪')
  t.equal(maskPersonName(''), '')
})

t.test('the hint: institutions whole, people masked, none when the card names nobody', async (t) => {
  t.equal(holderHint('institution', '示範大學附設醫院'), '示範大學附設醫院')
  t.equal(holderHint('professional', '王大明'), '王○明')
  t.equal(holderHint('staff', '周文華'), '周○華')
  t.equal(holderHint('nhi', '林堃'), '林○')
  t.equal(holderHint('professional', '  '), undefined)
  t.equal(holderHint('nhi', undefined), undefined)
})

t.test('the listing kind: the certificate\'s kind, an unplaced PKI card, an NHI card, or unknown', async (t) => {
  t.same(readerCard('pki', 'professional', '王大明'), { kind: 'professional', holderHint: '王○明' })
  t.same(readerCard('pki', 'institution', '示範大學附設醫院'), { kind: 'institution', holderHint: '示範大學附設醫院' })
  t.same(readerCard('pki', 'unknown', ''), { kind: 'pki' })
  t.same(readerCard('pki', undefined, '某機關'), { kind: 'pki', holderHint: '某○關' })
  t.same(readerCard('nhi', undefined, '林堃'), { kind: 'nhi', holderHint: '林○' })
  t.same(readerCard('unknown', undefined, 'x'), { kind: 'unknown' }, 'an unknown card names nobody')
  t.equal(READER_CARD_LABELS.nhi, '健保卡')
  t.equal(READER_CARD_LABELS.professional, '醫事人員卡')
  t.equal(READER_CARD_LABELS.institution, '醫事機構卡')
})
