// The card certificate profiles (README 登入, 卡片憑證的欄位), against real PostgreSQL over HTTP: certificates
// issued by the demo PKI in the shapes the HCA profile allows are mapped to the registry as the README says: by the
// national ID / institution code the certificate names, else by the card certificate (issuer DN + serial) recorded
// in the registry as a registry fact; a card naming neither and not registered is refused with a zh-TW message; a
// certificate without the shape of a card's signing certificate is refused.
import t from 'tap'
import { certificateNamesFromPem } from '../../commands/accounts/certificate-names.js'
import type { DemoCard } from '../../commands/pki/demo-pki.js'
import { findInstitution, findProfessional, upsertInstitutions, upsertProfessionals } from '../../commands/registry/registry.js'
import { cardHolderOf, cardProfileProblem, certificateFromDer } from '../../domain/card/certificate-profile.js'
import { buildLoginApp, certificateB64, getChallenge, loginPost, openLoginPage, signAsCard } from '../support/login.js'

const h = await buildLoginApp(t)
const { app } = h
const der = (c: DemoCard) => Buffer.from(certificateB64(c), 'base64')

// a registered professional and institution of the demo registry
const person = (await findProfessional(h.tdb.db, 'A123456789'))!
const clinic = (await findInstitution(h.tdb.db, person.homeInstitutionCode))!

const withId = await h.issueCard({ kind: 'professional', holderId: 'A123456789', name: person.name })
const noId = await h.issueCard({ kind: 'professional', holderId: 'pro-no-id', name: person.name, profile: { subjectSerialNumber: null } })
// a subject serialNumber that is no national ID (a card number, as MOICA's subject carries): not relied on
const cardNo = await h.issueCard({ kind: 'professional', holderId: 'pro-card-no', name: person.name, profile: { subjectSerialNumber: '0000000112831644' } })
const stranger = await h.issueCard({ kind: 'professional', holderId: 'pro-stranger', name: '林小華', profile: { subjectSerialNumber: null } })
const instNoCode = await h.issueCard({ kind: 'institution', holderId: 'inst-no-code', name: clinic.name, profile: { subjectSerialNumber: null } })
const encryption = await h.issueCard({ kind: 'professional', holderId: 'pro-enc', name: person.name, profile: { keyUsage: 'encryption' } })
const both = await h.issueCard({ kind: 'professional', holderId: 'pro-both', name: person.name, profile: { subjectKinds: ['professional', 'institution'] } })

let n = 0
async function login(card: DemoCard, role: 'professional' | 'institution') {
  const ip = `10.7.0.${++n}`
  const pre = await openLoginPage(app)
  const challenge = await getChallenge(app, pre, ip)
  return loginPost(app, pre, '/login/card', { role, challenge, certificate: certificateB64(card), signature: signAsCard(card, challenge) }, { ip })
}

t.test('the profile read from each shape (pure)', async (t) => {
  t.equal(cardHolderOf(certificateFromDer(der(withId)))?.holderId, 'A123456789', 'a valid national ID in serialNumber is the holder')
  t.equal(cardHolderOf(certificateFromDer(der(noId)))?.holderId, '', 'no serialNumber: no ID')
  t.equal(cardHolderOf(certificateFromDer(der(cardNo)))?.holderId, '', 'a serialNumber that is no valid ID is not taken for one')
  t.equal(cardHolderOf(certificateFromDer(der(instNoCode)))?.kind, 'institution')
  t.equal(cardHolderOf(certificateFromDer(der(both))), undefined, 'two subject types: no card kind')
  t.match(cardProfileProblem(certificateFromDer(der(encryption))), /不可用於簽章/)
  t.equal(cardProfileProblem(certificateFromDer(der(withId))), undefined)
  t.match(cardProfileProblem(h.pki.issuing.cert), /憑證中心/, 'a CA certificate is no card')
})

t.test('a card without national ID: refused until its issuer + serial are registered, then logs in', async (t) => {
  const before = await login(noId, 'professional')
  t.equal(before.json.error?.code, 'CARD_NOT_REGISTERED')
  t.match(before.json.error?.message, /尚未登記/, 'the zh-TW message says to register the card')
  t.notOk(before.session)

  const names = certificateNamesFromPem(noId.certificatePem)
  const recorded = await upsertProfessionals(h.tdb.db, [{ ...person, cardIssuerDn: names.issuerDn, cardSerial: names.serialHex }])
  t.ok(recorded, 'recorded as a registry fact')
  const ev = await h.tdb.db.query<{ data: { facts: { cardIssuerDn?: string; cardSerial?: string }; changed: string[] } }>(
    `SELECT data FROM events WHERE type = 'ProfessionalRecorded' AND stream_id = $1 ORDER BY stream_version DESC LIMIT 1`,
    ['registry-person-A123456789'],
  )
  t.equal(ev.rows[0]?.data.facts.cardSerial, names.serialHex, 'the event carries the card serial')
  t.same(ev.rows[0]?.data.changed.sort(), ['cardIssuerDn', 'cardSerial'], 'and only the card fields changed')
  const again = await upsertProfessionals(h.tdb.db, [{ ...person, cardIssuerDn: names.issuerDn, cardSerial: names.serialHex }])
  t.match(again, { recorded: 0, unchanged: 1 }, 'recording the same card again appends nothing')

  const after = await login(noId, 'professional')
  t.equal(after.status, 200, JSON.stringify(after.json))
  t.equal(after.json.redirect, '/home')
  t.ok(after.session)
  const audit = await h.tdb.db.query<{ subject_id: string }>(`SELECT subject_id FROM login_audit WHERE outcome = 'success' ORDER BY id DESC LIMIT 1`)
  t.equal(audit.rows[0]?.subject_id, 'A123456789', 'the session is the registered professional')

  // another card naming no ID is still refused; the card with the ID still logs in by the ID
  t.equal((await login(stranger, 'professional')).json.error?.code, 'CARD_NOT_REGISTERED')
  t.equal((await login(withId, 'professional')).status, 200)
  // a serialNumber that is no ID is not looked up as one: unregistered
  t.equal((await login(cardNo, 'professional')).json.error?.code, 'CARD_NOT_REGISTERED')
})

t.test('the registry file columns 卡片憑證簽發者 + 卡片憑證序號: both or neither, hex serial', async (t) => {
  const { professionalFromRow } = await import('../../domain/registry/registry-rows.js')
  const base = {
    身分證號: 'A123456789', 姓名: '王大明', 醫事人員類別: 'A', 執照字號: '醫字', 執照號碼: '1', 執照起日: '1100101', 執照迄日: '1201231',
    執業狀態: '執業', 執業機構代碼: person.homeInstitutionCode,
  }
  const ok = professionalFromRow(2, { ...base, 卡片憑證簽發者: 'C=TW, O=行政院, OU=醫事憑證管理中心', 卡片憑證序號: '00:3A:F0:11' })
  t.match(ok, { ok: true, value: { cardIssuerDn: 'C=TW,O=行政院,OU=醫事憑證管理中心', cardSerial: '3af011' } })
  const half = professionalFromRow(3, { ...base, 卡片憑證序號: '3af011' })
  t.match(half, { ok: false, errors: [{ column: '卡片憑證簽發者' }] })
  const bad = professionalFromRow(4, { ...base, 卡片憑證簽發者: 'C=TW', 卡片憑證序號: 'xyz' })
  t.match(bad, { ok: false, errors: [{ column: '卡片憑證序號' }] })
})

t.test('a registry rebuild keeps the card registration (it is a fact, not a row)', async (t) => {
  const { rebuildRegistry } = await import('../../commands/registry/registry-projection.js')
  await rebuildRegistry(h.tdb.db)
  t.equal((await login(noId, 'professional')).status, 200)
})

t.test('a registry file without the card columns keeps the registered card (the feed of 醫事管理系統 need not carry it)', async (t) => {
  const { professionalFromRow } = await import('../../domain/registry/registry-rows.js')
  const { recordProfessionals } = await import('../../commands/registry/record-facts.js')
  const card = async () => (await h.tdb.db.query<{ card_issuer_dn: string | null; card_serial: string | null }>(
    `SELECT card_issuer_dn, card_serial FROM registry_professionals WHERE national_id = $1`, [person.nationalId])).rows[0]!
  const registered = await card()
  t.ok(registered.card_serial && registered.card_issuer_dn, 'registered by the tests above')
  const row = professionalFromRow(2, {
    身分證號: person.nationalId, 姓名: person.name, 醫事人員類別: person.profession, 執照字號: '醫字', 執照號碼: '9', 執照起日: '1100101',
    執照迄日: '1201231', 執業狀態: '執業', 執業機構代碼: person.homeInstitutionCode, 電話: '02-23456789',
  })
  if (!row.ok) return t.fail(JSON.stringify(row.errors))
  t.notOk('cardIssuerDn' in row.value, 'no card columns: the row says nothing of the card')
  const now = new Date().toISOString()
  const counts = await recordProfessionals(h.tdb.db, [{ facts: row.value, row: 2 }], {
    asOf: now.slice(0, 10), source: { kind: 'delta' }, actor: { role: 'system', id: 'test', via: 'system' }, correlationId: 'test', now,
  })
  t.equal(counts.recorded, 1, 'the other facts changed')
  const after = (await findProfessional(h.tdb.db, person.nationalId))!
  t.equal(after.phone, '02-23456789')
  t.same(await card(), registered, 'the card stays registered')
  t.equal((await login(noId, 'professional')).status, 200, 'and still logs in')
})

t.test('an institution card without code maps by its registered issuer + serial', async (t) => {
  t.equal((await login(instNoCode, 'institution')).json.error?.code, 'CARD_NOT_REGISTERED')
  const names = certificateNamesFromPem(instNoCode.certificatePem)
  await upsertInstitutions(h.tdb.db, [{ ...clinic, cardIssuerDn: names.issuerDn, cardSerial: names.serialHex }])
  const r = await login(instNoCode, 'institution')
  t.equal(r.status, 200, JSON.stringify(r.json))
  t.equal(r.json.redirect, '/institution')
})

t.test('certificates without the card shape are refused', async (t) => {
  const enc = await login(encryption, 'professional')
  t.equal(enc.json.error?.code, 'CERT_PROFILE_INVALID')
  t.match(enc.json.error?.message, /卡片憑證格式不符/)
  t.notOk(enc.session)
  t.equal((await login(both, 'professional')).json.error?.code, 'CERT_WRONG_TYPE', 'both subject types: no kind')
})
