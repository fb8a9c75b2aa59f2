// 帳號管理 against real PostgreSQL: accounts as events (created, changed, disabled, never deleted), the bureau
// administrator's county scope (refused commands append nothing), sessions re-reading their rights at the next
// request (a disabled account's session ends; a reviewer moved to another county acts for the new county), the
// card login mapping a staff certificate through the accounts, and the CSV import (UTF-8 and Big5, per-row errors,
// idempotent).
import t from 'tap'
import iconv from 'iconv-lite'
import { buildTestApp, followForm, form, login, multipart, reviewer, type Login } from '../support/http.js'
import type { SessionUser } from '../../http/session-store.js'
import { findAccount, findAccountByCertificate } from '../../commands/accounts/find-account.js'
import { importAccounts } from '../../commands/accounts/import-accounts.js'
import { demoStaffSubjectDn } from '../../commands/seed/demo-accounts.js'
import { certificateNamesFromPem } from '../../commands/accounts/certificate-names.js'
import { ensureDemoPki, issueDemoCard } from '../../commands/pki/demo-pki.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Actor } from '../../domain/types.js'

const { app, tdb, parts } = await buildTestApp(t)
const db = tdb.db
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }
const bureauAdmin: SessionUser = { actor: { role: 'bureau_admin', id: 'TPE-A001', name: '陳建宏', via: 'staff-card', county: '63' }, name: '陳建宏' }
const eventCount = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]!.n)

const post = (s: Login, url: string, fields: Record<string, string | string[]>) =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ ...fields, _csrf: s.csrf }) })
const get = (s: Login, url: string) => app.inject({ method: 'GET', url, headers: { cookie: s.cookie } })

const newReviewer = (id: string, county: string, extra: Record<string, string | string[]> = {}) => ({
  accountId: id, name: '張審查', agency: '某縣市衛生局', role: 'reviewer', county,
  certIssuer: ['C=TW,O=行政院,OU=政府憑證管理中心'], certSerial: [`0A${id.length}F${county}`], certSubject: [''], reason: '新進人員', ...extra,
})

t.test('the demo staff are accounts, with their history; the card login maps a certificate through them', async (t) => {
  const a = await findAccount(db, 'TPE-R001')
  t.match(a, { accountId: 'TPE-R001', role: 'reviewer', county: '63', disabled: false })
  t.match(await findAccount(db, 'MOHW-A001'), { role: 'admin', county: null })
  t.match(await findAccount(db, 'TPE-A001'), { role: 'bureau_admin', county: '63' })
  // a demo staff card (any demo PKI) names the account by its subject
  const dir = mkdtempSync(join(tmpdir(), 'bb-acc-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  ensureDemoPki(dir)
  const card = issueDemoCard({ kind: 'staff', holderId: 'TPE-R001', name: '周文華', unit: '63' }, { dir })
  const names = certificateNamesFromPem(card.certificatePem)
  t.equal(names.subjectDn, demoStaffSubjectDn({ accountId: 'TPE-R001', name: '周文華', county: '63' }), 'subject DN as the seed writes it')
  t.equal((await findAccountByCertificate(db, names))?.accountId, 'TPE-R001')
  t.equal(await findAccountByCertificate(db, { issuerDn: names.issuerDn, serialHex: 'ff' }), undefined, 'an unknown serial of that issuer, no subject: nobody')
})

t.test('a MOHW admin creates a reviewer; the account is an event stream, listed, and its certificate logs it in', async (t) => {
  const s = await login(app, admin)
  const page = await get(s, '/review/admin/accounts/new')
  t.equal(page.statusCode, 200)
  t.match(page.body, '新增帳號')
  const r = await post(s, '/review/admin/accounts', newReviewer('KHH-R001', '64'))
  t.equal(r.statusCode, 303, r.body.slice(0, 300))
  const detail = await get(s, String(r.headers.location))
  t.match(detail.body, '已建立帳號')
  t.match(detail.body, '新進人員', 'the reason in the history')
  const ev = await parts.accounts.load('KHH-R001')
  t.match(ev.state, { exists: true, profile: { county: '64', role: 'reviewer' } })
  const acc = await findAccountByCertificate(db, { issuerDn: 'C=TW, O=行政院, OU=政府憑證管理中心', serialHex: '0a8f64' })
  t.equal(acc?.accountId, 'KHH-R001', 'issuer DN + serial find it (spaces and case normalised)')
  const list = await get(s, '/review/admin/accounts?q=KHH')
  t.match(list.body, 'KHH-R001')
  // the same certificate for another account is refused, nothing appended
  const before = await eventCount()
  // refused: 303 back to the form (POST-redirect-GET), which says why and keeps what was typed
  const dup = await followForm(app, await post(s, '/review/admin/accounts', newReviewer('KHH-R002', '64', { certSerial: ['0a8f64'] })), s.cookie)
  t.equal(dup.status, 303)
  t.match(dup.location, /^\/review\/admin\/accounts\/new\?form=/)
  t.match(dup.body, '此憑證已對應其他帳號')
  t.match(dup.body, 'value="KHH-R002"', 'the account code typed is shown again')
  t.match(dup.body, 'value="0a8f64"', 'and the certificate')
  t.equal(await eventCount(), before, 'nothing appended')
})

t.test('a bureau administrator manages only their county: other counties and national roles are refused', async (t) => {
  const s = await login(app, bureauAdmin)
  const before = await eventCount()
  // refused on the form: 303 back to it, saying why
  const other = await followForm(app, await post(s, '/review/admin/accounts', newReviewer('NTP-R009', '65')), s.cookie)
  t.equal(other.status, 303)
  t.match(other.body, '只能管理所屬縣市')
  const stat = await followForm(app, await post(s, '/review/admin/accounts', { ...newReviewer('TPE-S009', ''), role: 'statistician' }), s.cookie)
  t.equal(stat.status, 303)
  t.match(stat.body, 'id="form-error"')
  t.equal(await eventCount(), before, 'refused commands append nothing')
  const own = await post(s, '/review/admin/accounts', newReviewer('TPE-R009', '63', { certSerial: ['7777'] }))
  t.equal(own.statusCode, 303)
  // another county's account does not exist for them
  t.equal((await get(s, '/review/admin/accounts/NTP-R001')).statusCode, 404)
  const list = await get(s, '/review/admin/accounts')
  t.match(list.body, 'TPE-R009')
  t.notMatch(list.body, 'NTP-R001', 'the list is the county only')
  // and they may not disable another county's reviewer
  const dis = await post(s, '/review/admin/accounts/NTP-R001/status', { action: 'disable', reason: 'x' })
  t.equal(dis.statusCode, 404)
})

t.test('a disabled account loses its open session at the next request; a reviewer moved to another county sees the new county', async (t) => {
  const adminS = await login(app, admin)
  // TPE-R001 is logged in and working
  const rev = await login(app, reviewer())
  // a case of 臺北市 (the supported institution's county) that the reviewer sees
  const pro: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card', institutionCode: '0163010001' }
  const filed = await parts.reports.file({ applicantId: 'A123456789', terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from: '2024-03-04', to: '2024-03-29', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] } } }, { commandId: 'b8f0c1de-7a41-4c55-9a0e-5d2b9f3c1a77', actor: pro })
  await parts.waitFor(filed.position)
  const caseNumber = filed.state.exists ? filed.state.caseNumber! : ''
  const list = await get(rev, '/review/cases')
  t.equal(list.statusCode, 200)
  t.match(list.body, caseNumber, 'the 臺北市 reviewer sees the 臺北市 case')
  // moved to 桃園市 (68): the next request acts for 68
  const move = await post(adminS, '/review/admin/accounts/TPE-R001', {
    name: '周文華', agency: '桃園市政府衛生局', role: 'reviewer', county: '68',
    certIssuer: [''], certSerial: [''], certSubject: [demoStaffSubjectDn({ accountId: 'TPE-R001', name: '周文華', county: '63' })], reason: '調職桃園市',
  })
  t.equal(move.statusCode, 303, move.body.slice(0, 300))
  const after = await get(rev, '/review/cases')
  t.equal(after.statusCode, 200)
  t.match(after.body, '桃園市政府衛生局', 'the header names the new bureau')
  t.notMatch(after.body, '臺北市政府衛生局')
  t.notMatch(after.body, caseNumber, 'and no longer the 臺北市 case')
  t.equal((await get(rev, `/review/cases/${filed.caseId}`)).statusCode, 404, 'nor its case file')
  // disabled: the very next request is refused and the session is gone
  const off = await post(adminS, '/review/admin/accounts/TPE-R001/status', { action: 'disable', reason: '離職' })
  t.equal(off.statusCode, 303)
  const refused = await get(rev, '/review/cases')
  t.equal(refused.statusCode, 401)
  t.match(refused.body, /閒置過久|請先登入|重新登入/)
  t.equal((await get(rev, '/review/cases')).statusCode, 401, 'and stays ended')
  t.match(await findAccount(db, 'TPE-R001'), { disabled: true }, 'never deleted: disabled')
  const detail = await get(adminS, '/review/admin/accounts/TPE-R001')
  t.match(detail.body, '調職桃園市')
  t.match(detail.body, '離職')
  // re-enabled
  t.equal((await post(adminS, '/review/admin/accounts/TPE-R001/status', { action: 'enable', reason: '復職' })).statusCode, 303)
  t.match(await findAccount(db, 'TPE-R001'), { disabled: false })
  // the actions are in 紀錄查詢
  const audit = await get(adminS, '/review/admin/audit?tab=admin')
  t.equal(audit.statusCode, 200)
  for (const w of ['停用帳號', '重新啟用帳號', '離職', '林雅惠']) t.match(audit.body, w)
  const logins = await get(adminS, '/review/admin/audit?tab=logins')
  t.equal(logins.statusCode, 200)
})

t.test('CSV import: UTF-8 and Big5, errors per row, idempotent', async (t) => {
  const actor: Actor = { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }
  const header = '帳號代碼,姓名,機關,縣市代碼,角色,憑證簽發者,憑證序號,憑證主體\r\n'
  const rows = [
    'CYI-R001,王小明,嘉義市政府衛生局,20,審查人員,"C=TW,O=行政院,OU=政府憑證管理中心",1001,',
    'CYI-R002,李小華,嘉義市政府衛生局,20,reviewer,"C=TW,O=行政院,OU=政府憑證管理中心",1002,',
    'CYI-X,錯誤列,嘉義市政府衛生局,,reviewer,,,',
    'CYI-R003,陳大同,嘉義市政府衛生局,20,bureau_admin,,,"C=TW,OU=20,CN=陳大同,serialNumber=CYI-R003"',
  ]
  const csv = `${header}${rows.join('\r\n')}\r\n`
  const first = await importAccounts(parts.accounts, Buffer.from(csv, 'utf8'), { actor, fileName: 'bureaus.csv' })
  t.equal(first.encoding, 'utf-8')
  t.same(first.counts, { created: 3, changed: 0, unchanged: 0, error: 1 })
  t.match(first.rows.find((r) => r.accountId === 'CYI-X'), { outcome: 'error', code: 'ACCOUNT_INVALID', line: 4 })
  const again = await importAccounts(parts.accounts, Buffer.from(csv, 'utf8'), { actor })
  t.same(again.counts, { created: 0, changed: 0, unchanged: 3, error: 1 }, 'importing the same file again changes nothing')
  // Big5, one changed row (another agency name) and one new
  const big5 = iconv.encode(`${header}CYI-R001,王小明,嘉義市衛生局,20,審查人員,"C=TW,O=行政院,OU=政府憑證管理中心",1001,\r\nCYI-R004,林志玲,嘉義市政府衛生局,20,審查人員,,,"C=TW,CN=林志玲"\r\n`, 'big5')
  const b = await importAccounts(parts.accounts, big5, { actor })
  t.equal(b.encoding, 'big5')
  t.same(b.counts, { created: 1, changed: 1, unchanged: 0, error: 0 })
  t.ok(b.last, 'the import says where its last event is')
  t.ok(await parts.waitFor(b.last!), 'read-your-writes')
  t.match(await findAccount(db, 'CYI-R001'), { agency: '嘉義市衛生局' })
  t.match(await findAccount(db, 'CYI-R004'), { name: '林志玲' }, 'Big5 names decoded')
  // a wrong header refuses the whole file
  await t.rejects(importAccounts(parts.accounts, Buffer.from('a,b,c\r\n1,2,3\r\n'), { actor }), { code: 'IMPORT_FILE_INVALID' })
  // a bureau administrator importing another county's rows: per-row refusals
  const ba: Actor = { role: 'bureau_admin', id: 'TPE-A001', name: '陳建宏', via: 'staff-card', county: '63' }
  const scoped = await importAccounts(parts.accounts, Buffer.from(`${header}HSZ-R001,某人,新竹市衛生局,18,reviewer,,,"C=TW,CN=某人"\r\n`), { actor: ba })
  t.match(scoped.rows[0], { outcome: 'error', code: 'ACCOUNT_OUT_OF_SCOPE' })
  // through the back office
  const s = await login(app, admin)
  const m = multipart({ _csrf: s.csrf }, [{ name: 'file', filename: 'more.csv', type: 'text/csv', content: Buffer.from(`${header}CYI-R005,周杰,嘉義市政府衛生局,20,reviewer,,,"C=TW,CN=周杰"\r\n`) }])
  const r = await app.inject({ method: 'POST', url: '/review/admin/accounts/import', headers: { cookie: s.cookie, ...m.headers }, payload: m.payload })
  t.equal(r.statusCode, 200, r.body.slice(0, 300))
  t.match(r.body, /新增 <strong>1<\/strong> 筆/)
})

t.test('baobei accounts import FILE: one line per row, exit 1 when a row is refused, 0 on a clean file', async (t) => {
  const { runAccountsCommand } = await import('../../commands/accounts/cli.js')
  const { writeFileSync } = await import('node:fs')
  const dir = mkdtempSync(join(tmpdir(), 'bb-acc-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'bureaus.csv')
  writeFileSync(file, iconv.encode('帳號代碼,姓名,機關,縣市代碼,角色,憑證簽發者,憑證序號,憑證主體\r\nPEN-R001,洪大海,澎湖縣政府衛生局,16,審查人員,,,"C=TW,CN=洪大海"\r\nPEN-X,無縣市,澎湖縣政府衛生局,,審查人員,,,"C=TW,CN=無縣市"\r\n', 'big5'))
  const lines: string[] = []
  t.equal(await runAccountsCommand(['import', file], parts.accounts, (s) => lines.push(s)), 1)
  t.match(lines.join('\n'), /PEN-R001\s+新增/)
  t.match(lines.join('\n'), /PEN-X\s+錯誤：/)
  t.match(lines.at(-1), '編碼 big5；新增 1，變更 0，未變更 0，錯誤 1')
  writeFileSync(file, iconv.encode('帳號代碼,姓名,機關,縣市代碼,角色,憑證簽發者,憑證序號,憑證主體\r\nPEN-R001,洪大海,澎湖縣政府衛生局,16,審查人員,,,"C=TW,CN=洪大海"\r\n', 'big5'))
  t.equal(await runAccountsCommand(['import', file], parts.accounts, () => {}), 0, 'again: unchanged, exit 0')
  t.equal(await runAccountsCommand([], parts.accounts, () => {}), 2, 'usage')
  t.equal(await runAccountsCommand(['--help'], parts.accounts, () => {}), 0)
})

t.test('baobei registry import --staff FILE: the staff become accounts through the accounts import (one path)', async (t) => {
  const { runRegistryCommand } = await import('../../commands/registry/cli.js')
  const { staffImporter } = await import('../../commands/accounts/cli.js')
  const { writeFileSync } = await import('node:fs')
  const { PassThrough } = await import('node:stream')
  const dir = mkdtempSync(join(tmpdir(), 'bb-reg-staff-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'staff.csv')
  writeFileSync(file, '帳號代碼,姓名,機關,縣市代碼,角色,憑證簽發者,憑證序號,憑證主體\r\nKMN-R001,金大同,金門縣衛生局,71,審查人員,,,"C=TW,CN=金大同"\r\n')
  const said: string[] = []
  const out = new PassThrough()
  const err = new PassThrough()
  out.on('data', (c) => said.push(String(c)))
  err.on('data', (c) => said.push(String(c)))
  const importStaff = staffImporter(parts.accounts)
  t.equal(await runRegistryCommand(['import', '--staff', file], db, { out, err }, undefined, { importStaff }), 0)
  t.match(said.join(''), /KMN-R001\s+新增/, 'the accounts import\'s report')
  await parts.waitFor(await app.services.store!.headPosition())
  t.match(await findAccount(db, 'KMN-R001'), { name: '金大同', county: '71', role: 'reviewer', disabled: false })
  const events = await app.services.store!.readStream('account-KMN-R001')
  t.same(events.map((e) => e.type), ['AccountCreated'], 'an account stream, not a registry table')
  t.equal(await runRegistryCommand(['import', '--staff', file], db, { out, err }, undefined, { importStaff }), 0, 'again: unchanged')
  t.equal((await app.services.store!.readStream('account-KMN-R001')).length, 1)
  t.equal((await db.query(`SELECT to_regclass('registry_staff') AS t`)).rows[0]!.t, null, 'the registry_staff table is gone')
})
