// 通知設定 over HTTP (issue #16): the default is 不通知; a professional's and an institution's choice is an event on
// their own stream; bad input gets a zh-TW message on the field and appends nothing; sizes are bounded.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildTestApp, followForm, form, institution, login, professional } from '../support/http.js'
import { notifyStream } from '../../domain/notify/preference.js'

const { app, services } = await buildTestApp(t)
const pro = await login(app, professional())
const inst = await login(app, institution())
const post = (who: typeof pro, fields: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/settings/notifications', headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ commandId: randomUUID(), _csrf: who.csrf, ...fields }) })
const events = (kind: 'professional' | 'institution', id: string) => services.store.readStream(notifyStream({ kind, id }))

t.test('the default is 不通知, shown checked', async (t) => {
  const r = await app.inject({ url: '/settings/notifications', headers: { cookie: pro.cookie } })
  t.equal(r.statusCode, 200)
  t.match(r.body, /value="none" checked/)
  t.match(r.body, '通知方式')
})

t.test('bad input: a zh-TW message on the field, nothing appended', async (t) => {
  const cases: [Record<string, string>, string, string][] = [
    [{ channel: 'email', email: 'not-an-address' }, 'email', '電子郵件地址格式不正確'],
    [{ channel: 'email', email: '' }, 'email', '請填寫電子郵件地址'],
    [{ channel: 'email', email: `${'a'.repeat(250)}@example.tw` }, 'email', '電子郵件地址過長'],
    [{ channel: 'sms', phone: '0212345678' }, 'phone', '09 開頭的 10 位數字'],
    [{ channel: 'sms', phone: '09123' }, 'phone', '09 開頭的 10 位數字'],
    [{ channel: 'fax' }, 'channel', '請選擇通知方式'],
  ]
  for (const [fields, field, message] of cases) {
    // refused: 303 back to the page (POST-redirect-GET), which shows the error at its field
    const r = await followForm(app, await post(pro, fields), pro.cookie)
    t.equal(r.status, 303, JSON.stringify(fields))
    t.match(r.location, /^\/settings\/notifications\?form=/)
    t.match(r.body, `id="err-${field}"`)
    t.match(r.body, message)
  }
  const tooLong = await post(pro, { channel: 'email', email: 'x'.repeat(5000) })
  t.equal(tooLong.statusCode, 400, 'beyond the edge bound: refused before the domain')
  t.same(await events('professional', 'A123456789'), [], 'nothing appended')
})

t.test('a professional opts in by e-mail, then SMS, then out: each a fact on their stream', async (t) => {
  const r = await post(pro, { channel: 'email', email: 'wang@example.com.tw' })
  t.equal(r.statusCode, 303)
  t.equal(r.headers.location, '/settings/notifications?saved=1')
  const page = await app.inject({ url: '/settings/notifications?saved=1', headers: { cookie: pro.cookie } })
  t.match(page.body, '已儲存通知設定：電子郵件（wang@example.com.tw）')
  t.equal((await post(pro, { channel: 'email', email: 'wang@example.com.tw' })).statusCode, 303, 'the same again')
  t.equal((await post(pro, { channel: 'sms', phone: '0912 345 678', email: 'kept@example.tw' })).statusCode, 303)
  t.equal((await post(pro, { channel: 'none' })).statusCode, 303)
  const evs = await events('professional', 'A123456789')
  t.same(evs.map((e) => e.data), [
    { recipient: { kind: 'professional', id: 'A123456789' }, channel: 'email', email: 'wang@example.com.tw', phone: null },
    { recipient: { kind: 'professional', id: 'A123456789' }, channel: 'sms', email: null, phone: '0912345678' },
    { recipient: { kind: 'professional', id: 'A123456789' }, channel: 'none', email: null, phone: null },
  ], 'the unchanged repeat appended nothing; only the chosen channel\'s address is kept')
  t.equal(evs[0]!.meta.actor.id, 'A123456789')
})

t.test('an institution sets its own, on its own stream', async (t) => {
  t.equal((await post(inst, { channel: 'email', email: 'hr@hospital.example.tw' })).statusCode, 303)
  const evs = await events('institution', '0163010001')
  t.equal(evs.length, 1)
  t.same(evs[0]!.data, { recipient: { kind: 'institution', id: '0163010001' }, channel: 'email', email: 'hr@hospital.example.tw', phone: null })
})
