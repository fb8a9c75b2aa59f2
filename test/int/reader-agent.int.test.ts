// The reader agent end to end against REAL pcscd + vpcd: virtual cards on the vpcd socket, pcsclite in the agent,
// HTTP in front, the server-side verifier behind.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createCardVerifier } from '../../http/auth/certificates.js'
import { loginPayload } from '../../domain/card/login-payload.js'
import { createMemoryChallengeStore } from '../../http/auth/challenges.js'
import { ensureDemoPki, issueDemoCard } from '../../commands/pki/demo-pki.js'
import { startReaderAgent } from '../../reader/agent.js'
import { createPcscBackend } from '../../reader/pcsc-backend.js'
import { PcscManager } from '../../reader/pcsc.js'
import { NhiVirtualCard } from '../../reader/virtual/nhi-virtual-card.js'
import { PkiVirtualCard } from '../../reader/virtual/pki-virtual-card.js'
import { holdVpcd, requireVpcd, vpcdSlots, waitForCard } from '../support/virtual-card.js'

const SITE = 'https://baobei.test'

await requireVpcd()
await holdVpcd(t)

const tmp = mkdtempSync(join(tmpdir(), 'bb-reader-'))
t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
const pkiDir = join(tmp, 'pki')
const pki = ensureDemoPki(pkiDir)
const proCard = issueDemoCard({ kind: 'professional', holderId: 'A123456789', name: '王大明', pin: '246810' }, { dir: pkiDir })
const proCard2 = issueDemoCard({ kind: 'professional', holderId: 'F122334458', name: '陳志豪', pin: '135246' }, { dir: pkiDir })
const staffCard = issueDemoCard({ kind: 'staff', holderId: 'TPE-R001', name: '周文華', unit: '63', pin: '135790' }, { dir: pkiDir })

const pcsc = new PcscManager()
const backend = createPcscBackend(pcsc)
const agent = await startReaderAgent({ backend, origin: SITE, port: 0 })
t.teardown(async () => {
  await agent.close()
  await backend.close()
})
const { readers: [slot0, slot1], plug, unplugAll } = await vpcdSlots(pcsc)
t.afterEach(unplugAll)

const call = async (method: string, path: string, body?: unknown, origin: string | null = SITE) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (origin) headers.origin = origin
  const res = await fetch(`${agent.url}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) })
  return { status: res.status, headers: res.headers, json: (await res.json().catch(() => null)) as Record<string, any> | null }
}

t.test('only the site origin gets answers', async (t) => {
  t.equal((await call('GET', '/readers', undefined, null)).status, 403, 'no Origin')
  t.equal((await call('GET', '/readers', undefined, 'http://evil.test')).status, 403, 'foreign Origin')
  const ok = await call('GET', '/health')
  t.equal(ok.status, 200)
  t.equal(ok.headers.get('access-control-allow-origin'), SITE)
  const pre = await fetch(`${agent.url}/sign`, {
    method: 'OPTIONS',
    headers: { origin: SITE, 'access-control-request-method': 'POST', 'access-control-request-private-network': 'true' },
  })
  t.equal(pre.status, 204)
  t.equal(pre.headers.get('access-control-allow-private-network'), 'true')
  t.match(pre.headers.get('access-control-allow-methods'), /POST/)
})

t.test('readers without cards; card absent and reader absent', async (t) => {
  const r = await call('GET', '/readers')
  t.same(
    r.json?.readers.filter((x: { name: string }) => x.name === slot0 || x.name === slot1),
    [
      { name: slot0, cardPresent: false },
      { name: slot1, cardPresent: false },
    ],
  )
  const nhi = await call('GET', '/nhi-card')
  t.equal(nhi.status, 400)
  t.equal(nhi.json?.error.code, 'CARD_ABSENT')
  t.equal((await call('POST', '/sign', { challenge: Buffer.alloc(32).toString('base64'), pin: '1234' })).json?.error.code, 'CARD_ABSENT')
  const noReader = await call('POST', '/sign', { challenge: Buffer.alloc(32).toString('base64'), pin: '1234', reader: 'No Such Reader 00' })
  t.equal(noReader.json?.error.code, 'READER_ABSENT')
  t.equal(noReader.status, 400)
})

t.test('NHI card: basic data with a Big5 name, through pcscd', async (t) => {
  await plug(new NhiVirtualCard({ cardNumber: '000098765432', name: '林堃', nationalId: 'F122334458', birthDate: '0691231', sex: 'M', issueDate: '1120315' }), 0)
  const r = await call('GET', '/nhi-card')
  t.equal(r.status, 200)
  t.same(r.json, { cardNumber: '000098765432', name: '林堃', nationalId: 'F122334458', birthDate: '0691231', sex: 'M', issueDate: '1120315', reader: slot0 })
  const readers = await call('GET', '/readers')
  t.match(readers.json?.readers.find((x: { name: string }) => x.name === slot0), { cardPresent: true, cardType: 'nhi' })
})

t.test('professional card signs a challenge that the server verifies', async (t) => {
  await plug(new NhiVirtualCard({ cardNumber: '000012345678', name: '王大明', nationalId: 'A123456789', birthDate: '0690512', sex: 'M', issueDate: '1100101' }), 0)
  await plug(new PkiVirtualCard(proCard), 1)
  const readers = await call('GET', '/readers')
  t.match(readers.json?.readers.find((x: { name: string }) => x.name === slot1), { cardPresent: true, cardType: 'hca', cardKind: 'professional', kind: 'professional', holderHint: '王○明' })

  const challenges = createMemoryChallengeStore()
  const { challenge } = await challenges.issue('session-1')
  const r = await call('POST', '/sign', { challenge, pin: '246810' })
  t.equal(r.status, 200, JSON.stringify(r.json))
  t.match(r.json?.card, { kind: 'professional', holderId: 'A123456789', name: '王大明', certificateSerial: proCard.serial })
  t.equal(r.json?.reader, slot1)

  const verifier = createCardVerifier({ trustDir: pki.trustDir })
  const holder = await verifier.verify({
    certificate: Buffer.from(r.json?.certificate, 'base64'),
    signature: Buffer.from(r.json?.signature, 'base64'),
    payloads: [loginPayload({ origin: SITE, challenge: await challenges.consume('session-1', challenge) })],
    wanted: 'professional',
    now: new Date(),
  })
  t.match(holder, { kind: 'professional', holderId: 'A123456789', name: '王大明', certificateSerial: proCard.serial })
  await t.rejects(challenges.consume('session-1', challenge), { code: 'CHALLENGE_INVALID' }, 'the challenge cannot be replayed')
})

t.test('wrong PIN reports the tries left; three wrong lock the card', async (t) => {
  const card = new PkiVirtualCard(staffCard)
  await plug(card, 1)
  const challenge = Buffer.alloc(32, 7).toString('base64')
  const w1 = await call('POST', '/sign', { challenge, pin: '000000' })
  t.equal(w1.status, 401)
  t.match(w1.json?.error, { code: 'PIN_WRONG', details: { remaining: 2 } })
  t.equal((await call('POST', '/sign', { challenge, pin: '135790' })).status, 200, 'the right PIN resets the counter')
  t.equal(card.triesLeft, 3)
  t.match((await call('POST', '/sign', { challenge, pin: '111111' })).json?.error, { code: 'PIN_WRONG', details: { remaining: 2 } })
  t.match((await call('POST', '/sign', { challenge, pin: '222222' })).json?.error, { code: 'PIN_WRONG', details: { remaining: 1 } })
  const locked = await call('POST', '/sign', { challenge, pin: '333333' })
  t.equal(locked.status, 423)
  t.equal(locked.json?.error.code, 'PIN_LOCKED')
  t.equal((await call('POST', '/sign', { challenge, pin: '135790' })).json?.error.code, 'PIN_LOCKED', 'even the right PIN')
  t.equal((await call('POST', '/sign', { challenge, pin: '12ab' })).json?.error.code, 'VALIDATION_FAILED', 'malformed PIN never reaches the card')
})

t.test('card pulled out in the middle of signing', async (t) => {
  await plug(new PkiVirtualCard(proCard), 1, { onApdu: (apdu) => (apdu[1] === 0x2a ? 'remove' : undefined) })
  const r = await call('POST', '/sign', { challenge: Buffer.alloc(32, 1).toString('base64'), pin: '246810' })
  t.equal(r.json?.error.code, 'CARD_ABSENT', JSON.stringify(r.json))
  t.equal(r.status, 400)
  // the reader works again with the next card
  await waitForCard(pcsc, slot1, false)
  await plug(new PkiVirtualCard(proCard), 1)
  t.equal((await call('POST', '/sign', { challenge: Buffer.alloc(32, 2).toString('base64'), pin: '246810' })).status, 200)
})

t.test('two readers, two cards: the listing names both; signing uses the reader asked for and no other', async (t) => {
  await plug(new NhiVirtualCard({ cardNumber: '000012345678', name: '王大明', nationalId: 'A123456789', birthDate: '0690512', sex: 'M', issueDate: '1100101' }), 0)
  await plug(new PkiVirtualCard(proCard), 1)
  const listed = (await call('GET', '/readers')).json?.readers.filter((x: { name: string }) => x.name === slot0 || x.name === slot1)
  t.same(listed, [
    { name: slot0, cardPresent: true, cardType: 'nhi', kind: 'nhi' },
    { name: slot1, cardPresent: true, cardType: 'hca', cardKind: 'professional', kind: 'professional', holderHint: '王○明' },
  ], 'kind of each card by reader, the PKI card with its masked holder; nothing read from the NHI card without a challenge')

  const challenge = Buffer.alloc(32, 3).toString('base64')
  const wrong = await call('POST', '/sign', { challenge, pin: '246810', reader: slot0 })
  t.equal(wrong.status, 400)
  t.match(wrong.json?.error, { code: 'CARD_ABSENT', details: { reader: slot0, found: 'nhi' } }, 'the NHI card cannot sign, and the card next door is not used instead')
  t.equal(wrong.json?.error.message, `讀卡機「${slot0}」中的是健保卡，不是可簽章的憑證卡`)
  const right = await call('POST', '/sign', { challenge, pin: '246810', reader: slot1 })
  t.equal(right.status, 200)
  t.equal(right.json?.reader, slot1)
  t.equal(right.json?.card.certificateSerial, proCard.serial)
})

t.test('two professional cards: each reader asked for signs with its own card (PIN and certificate)', async (t) => {
  await plug(new PkiVirtualCard(proCard2), 0)
  await plug(new PkiVirtualCard(proCard), 1)
  const listed = (await call('GET', '/readers')).json?.readers.filter((x: { name: string }) => x.name === slot0 || x.name === slot1)
  t.match(listed, [
    { name: slot0, kind: 'professional', holderHint: '陳○豪' },
    { name: slot1, kind: 'professional', holderHint: '王○明' },
  ])
  const verifier = createCardVerifier({ trustDir: pki.trustDir })
  for (const [reader, card, pin, name] of [[slot0, proCard2, '135246', '陳志豪'], [slot1, proCard, '246810', '王大明']] as const) {
    const challenges = createMemoryChallengeStore()
    const { challenge } = await challenges.issue('session-2')
    const r = await call('POST', '/sign', { challenge, pin, reader })
    t.equal(r.status, 200, JSON.stringify(r.json))
    t.equal(r.json?.reader, reader)
    const holder = await verifier.verify({
      certificate: Buffer.from(r.json?.certificate, 'base64'),
      signature: Buffer.from(r.json?.signature, 'base64'),
      payloads: [loginPayload({ origin: SITE, challenge: await challenges.consume('session-2', challenge) })],
      wanted: 'professional',
      now: new Date(),
    })
    t.match(holder, { name, certificateSerial: card.serial }, `${reader}: ${name}'s card signed`)
  }
  // the other card's PIN at a reader is that card's wrong PIN: nothing falls over to the other reader
  const crossed = await call('POST', '/sign', { challenge: Buffer.alloc(32, 4).toString('base64'), pin: '246810', reader: slot0 })
  t.match(crossed.json?.error, { code: 'PIN_WRONG', details: { remaining: 2 } })
})
