// The PKCS#11 agent's listing beside PC/SC (withNhiCards): a reader a PKCS#11 slot already names is listed once,
// NHI cards come from PC/SC, and a card PC/SC alone sees cannot be offered for signing (signing goes through PKCS#11).
import t from 'tap'
import type { CardBackend, ReaderInfo } from '../../reader/card-protocol.js'
import { withNhiCards } from '../../reader/pkcs11-backend.js'

const backend = (readers: ReaderInfo[]): CardBackend => ({
  readers: async () => readers,
  readNhiCard: async () => { throw new Error('not here') },
  signChallenge: async () => { throw new Error('not here') },
  close: async () => undefined,
})

t.test('one row per reader; NHI from PC/SC; PC/SC-only PKI cards are not offered', async (t) => {
  const pki = backend([{ name: 'ACS ACR39U 00 00', cardPresent: true, cardType: 'hca', cardKind: 'professional', kind: 'professional', holderHint: '王○明', token: 'HCA' }])
  const pcsc = backend([
    { name: 'ACS ACR39U 00 00', cardPresent: true, cardType: 'unknown', kind: 'unknown' },
    { name: 'Generic USB 01 00', cardPresent: true, cardType: 'nhi', kind: 'nhi', holderHint: '林○' },
    { name: 'Virtual PCD 00 01', cardPresent: true, cardType: 'hca', cardKind: 'institution', kind: 'institution', holderHint: '示範醫院' },
    { name: 'Virtual PCD 00 00', cardPresent: false },
  ])
  t.same(await withNhiCards(pki, pcsc).readers(), [
    { name: 'ACS ACR39U 00 00', cardPresent: true, cardType: 'hca', cardKind: 'professional', kind: 'professional', holderHint: '王○明', token: 'HCA' },
    { name: 'Generic USB 01 00', cardPresent: true, cardType: 'nhi', kind: 'nhi', holderHint: '林○' },
    { name: 'Virtual PCD 00 01', cardPresent: true, cardType: 'unknown', kind: 'unknown' },
    { name: 'Virtual PCD 00 00', cardPresent: false },
  ])
})

t.test('PC/SC failing leaves the PKCS#11 tokens', async (t) => {
  const pki = backend([{ name: 'slot 1', cardPresent: true, cardType: 'hca', kind: 'pki', token: 'GCA' }])
  const broken: CardBackend = { ...backend([]), readers: async () => { throw new Error('pcscd down') } }
  t.same(await withNhiCards(pki, broken).readers(), [{ name: 'slot 1', cardPresent: true, cardType: 'hca', kind: 'pki', token: 'GCA' }])
})
