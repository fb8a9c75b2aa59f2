// The reader agent over in-process virtual readers (no pcscd, no vpcd, no pcsclite): the demo's default. The demo
// cards of every demo holder are issued with the demo PKI, plugged into the in-process rack through the agent's
// /virtual endpoints, read and signed over HTTP, and the signatures verified by the server-side verifier.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { seedDemoCards, DEMO_PIN } from '../../commands/seed/demo-cards.js'
import { createCardVerifier } from '../../http/auth/certificates.js'
import { loginPayload } from '../../domain/card/login-payload.js'
import { createMemoryChallengeStore } from '../../http/auth/challenges.js'
import { ensureDemoPki } from '../../commands/pki/demo-pki.js'
import { startReaderAgent } from '../../reader/agent.js'
import { parseReaderArgs } from '../../reader/cli.js'
import { NO_PCSC_ENV, PcscManager } from '../../reader/pcsc.js'
import { createPcscBackend } from '../../reader/pcsc-backend.js'
import { IN_PROCESS_READER_PREFIX } from '../../reader/virtual/in-process.js'
import { openInProcessCards, openVirtualCards, pcscdUnavailable } from '../../reader/virtual/setup.js'

const SITE = 'http://127.0.0.1:3999'

const tmp = mkdtempSync(join(tmpdir(), 'bb-inproc-'))
t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
const pkiDir = join(tmp, 'pki')
const pki = ensureDemoPki(pkiDir)
seedDemoCards(pkiDir)

const cards = openInProcessCards(pkiDir)
const agent = await startReaderAgent({ backend: cards.backend, origin: SITE, port: 0, rack: cards.rack })
t.teardown(async () => {
  await agent.close()
  await cards.close()
})

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${agent.url}${path}`, {
    method,
    headers: { origin: SITE, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, any> | null }
}
const insert = async (slot: number, card: string) => {
  const r = await call('POST', '/virtual/insert', { slot, card })
  if (r.status !== 200) throw new Error(`insert ${card}: ${JSON.stringify(r.json)}`)
}
const reader = (slot: number) => `${IN_PROCESS_READER_PREFIX}${slot}`

t.afterEach(async () => {
  for (const s of cards.rack.slots()) await call('POST', '/virtual/remove', { slot: s.slot })
})

t.test('the rack lists every demo card with names and masked IDs, and readers start empty', async (t) => {
  const v = await call('GET', '/virtual')
  t.equal(v.status, 200)
  const ids = (v.json?.cards as Array<{ id: string }>).map((c) => c.id)
  t.ok(ids.includes('professional-A123456789') && ids.includes('nhi-A123456789'), 'professional HCA + NHI card')
  t.ok(ids.includes('institution-0163010001'), 'institution card')
  t.ok(ids.includes('staff-MOHW-S001'), 'statistician staff card')
  t.match(v.json?.cards.find((c: { id: string }) => c.id === 'nhi-H220112234'), { kind: 'nhi', name: '陳怡君', holder: 'H2201XXXX4' })
  const shown = (v.json?.cards as Array<{ label: string; holder: string }>).map((c) => `${c.label} ${c.holder}`)
  t.same(shown.filter((s) => /[A-Z][12]\d{8}/.test(s)), [], 'no full national ID in labels or holders')
  const r = await call('GET', '/readers')
  t.same(r.json?.readers, cards.rack.slots().map((s) => ({ name: reader(s.slot), cardPresent: false })))
  t.equal((await call('GET', '/nhi-card')).json?.error.code, 'CARD_ABSENT')
  t.equal((await call('POST', '/sign', { challenge: Buffer.alloc(32).toString('base64'), pin: DEMO_PIN, reader: 'Nope 0' })).json?.error.code, 'READER_ABSENT')
})

t.test('NHI card: basic data with a Big5 name, straight from the virtual card', async (t) => {
  await insert(0, 'nhi-H220112234')
  const r = await call('GET', '/nhi-card')
  t.equal(r.status, 200)
  t.same(r.json, { cardNumber: '000056789012', name: '陳怡君', nationalId: 'H220112234', birthDate: '0810229', sex: 'F', issueDate: '1100101', reader: reader(0) })
  const readers = await call('GET', '/readers')
  t.match(readers.json?.readers[0], { name: reader(0), cardPresent: true, cardType: 'nhi' })
})

t.test('each kind of demo card signs a challenge the server verifies against the demo CA', async (t) => {
  const verifier = createCardVerifier({ trustDir: pki.trustDir })
  const challenges = createMemoryChallengeStore()
  for (const [id, kind, holderId, name] of [
    ['professional-A223456012', 'professional', 'A223456012', '林美玲'],
    ['institution-0163010001', 'institution', '0163010001', '示範大學附設醫院'],
    ['staff-TPE-R001', 'staff', 'TPE-R001', '周文華'],
  ] as const) {
    await insert(0, 'nhi-A223456012')
    await insert(1, id)
    const { challenge } = await challenges.issue(`s-${id}`)
    const r = await call('POST', '/sign', { challenge, pin: DEMO_PIN })
    t.equal(r.status, 200, JSON.stringify(r.json))
    t.equal(r.json?.reader, reader(1), 'the reader holding the PKI card, not the NHI card')
    const holder = await verifier.verify({
      certificate: Buffer.from(r.json?.certificate, 'base64'),
      signature: Buffer.from(r.json?.signature, 'base64'),
      payloads: [loginPayload({ origin: SITE, challenge: await challenges.consume(`s-${id}`, challenge) })],
      wanted: kind,
      now: new Date(),
    })
    t.match(holder, { kind, holderId, name }, id)
  }
})

t.test('wrong PIN reports the tries left; three wrong lock the card, also across re-insertion', async (t) => {
  await insert(1, 'staff-NTP-R001')
  const challenge = Buffer.alloc(32, 7).toString('base64')
  const w1 = await call('POST', '/sign', { challenge, pin: '000000' })
  t.equal(w1.status, 401)
  t.match(w1.json?.error, { code: 'PIN_WRONG', details: { remaining: 2 } })
  t.equal((await call('POST', '/sign', { challenge, pin: DEMO_PIN })).status, 200, 'the right PIN resets the counter')
  t.match((await call('POST', '/sign', { challenge, pin: '111111' })).json?.error, { code: 'PIN_WRONG', details: { remaining: 2 } })
  t.match((await call('POST', '/sign', { challenge, pin: '222222' })).json?.error, { code: 'PIN_WRONG', details: { remaining: 1 } })
  await call('POST', '/virtual/remove', { slot: 1 })
  await insert(2, 'staff-NTP-R001')
  const locked = await call('POST', '/sign', { challenge, pin: '333333' })
  t.equal(locked.status, 423)
  t.equal(locked.json?.error.code, 'PIN_LOCKED')
  t.equal((await call('POST', '/sign', { challenge, pin: DEMO_PIN })).json?.error.code, 'PIN_LOCKED', 'even the right PIN')
  t.equal((await call('POST', '/sign', { challenge, pin: '12ab' })).json?.error.code, 'VALIDATION_FAILED', 'malformed PIN never reaches the card')
})

t.test('a card taken out of its slot is gone; a card moves between slots', async (t) => {
  await insert(0, 'professional-A123456789')
  await insert(1, 'professional-A123456789')
  t.same(cards.rack.slots().slice(0, 2), [{ slot: 0 }, { slot: 1, card: 'professional-A123456789' }], 'one card, one slot')
  await call('POST', '/virtual/remove', { slot: 1 })
  t.equal((await call('POST', '/sign', { challenge: Buffer.alloc(32, 1).toString('base64'), pin: DEMO_PIN })).json?.error.code, 'CARD_ABSENT')
  const bad = await call('POST', '/virtual/insert', { slot: 9, card: 'professional-A123456789' })
  t.equal(bad.status, 400)
  t.equal((await call('POST', '/virtual/insert', { slot: 0, card: 'nope' })).status, 400)
})

t.test('without pcsclite (simulated): auto falls back to in-process, pcscd mode refuses, the real backend says why', async (t) => {
  process.env[NO_PCSC_ENV] = '1'
  t.teardown(() => {
    delete process.env[NO_PCSC_ENV]
  })
  t.match(await pcscdUnavailable(), /pcsclite disabled/)
  const auto = await openVirtualCards('auto', pkiDir)
  t.teardown(() => auto.close())
  t.equal(auto.mode, 'inprocess')
  t.match(auto.fallbackReason, /pcsclite/)
  await t.rejects(openVirtualCards('pcscd', pkiDir), /--virtual=pcscd: pcsclite disabled/)

  const pcsc = new PcscManager()
  const backend = createPcscBackend(pcsc)
  t.teardown(() => backend.close())
  t.same(await backend.readers(), [])
  await t.rejects(backend.signChallenge(Buffer.alloc(32), DEMO_PIN), { code: 'READER_ABSENT', details: { pcsc: /pcsclite disabled/ } })
})

t.test('reader --virtual options', async (t) => {
  t.equal(parseReaderArgs(['--virtual']).virtual, 'auto')
  t.equal(parseReaderArgs(['--virtual=inprocess']).virtual, 'inprocess')
  t.equal(parseReaderArgs(['--virtual=pcscd']).virtual, 'pcscd')
  t.equal(parseReaderArgs([]).virtual, false)
  t.throws(() => parseReaderArgs(['--virtual=usb']), /--virtual: expected one of/)
})
