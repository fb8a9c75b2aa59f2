// 通知方式 as a decider (given/when/then) and the zh-TW decision messages: validation with zh-TW messages naming the
// field, only one's own preference, an unchanged choice appends nothing, only the chosen channel's address is kept.
import t from 'tap'
import { deciderSpec } from '../support/decider-spec.js'
import {
  decidePreference, deliveryOf, evolvePreference, initialPreference,
  type NotificationPreference, type NotifyEvent, type NotifyRecipient, type SetNotificationPreference,
} from '../../domain/notify/preference.js'
import { emailMessage, smsMessage, SMS_REASON_MAX, type DecisionNotice } from '../../domain/notify/decision-message.js'
import type { Actor } from '../../domain/types.js'

const spec = deciderSpec<NotificationPreference, NotifyEvent, SetNotificationPreference, { actor: Actor }>({ initialState: initialPreference, evolve: evolvePreference, decide: decidePreference })
const me: Actor = { role: 'professional', id: 'A123456789', via: 'hca-professional-card' }
const recipient: NotifyRecipient = { kind: 'professional', id: 'A123456789' }
const set = (data: Omit<SetNotificationPreference['data'], 'recipient'>, r = recipient): SetNotificationPreference => ({ type: 'SetNotificationPreference', data: { recipient: r, ...data } })
const setEvent = (p: NotificationPreference): NotifyEvent => ({ type: 'NotificationPreferenceSet', data: { recipient, ...p } })

t.test('default 不通知; e-mail and SMS normalised; only the chosen address kept', async (t) => {
  t.same(spec(t).given().state(), { channel: 'none', email: null, phone: null })
  t.equal(deliveryOf(initialPreference()), undefined)
  spec(t).given().when(set({ channel: 'email', email: ' a.b@example.com.tw ', phone: '0912345678' }), { actor: me })
    .then([setEvent({ channel: 'email', email: 'a.b@example.com.tw', phone: null })])
  spec(t).given().when(set({ channel: 'sms', phone: '0912-345 678', email: 'x@y.tw' }), { actor: me })
    .then([setEvent({ channel: 'sms', email: null, phone: '0912345678' })])
  spec(t).given(setEvent({ channel: 'sms', email: null, phone: '0912345678' })).when(set({ channel: 'none', phone: '0912345678' }), { actor: me })
    .then([setEvent({ channel: 'none', email: null, phone: null })])
  t.same(deliveryOf({ channel: 'sms', email: null, phone: '0912345678' }), { channel: 'sms', address: '0912345678' })
})

t.test('the same choice again appends nothing', async (t) => {
  spec(t).given(setEvent({ channel: 'email', email: 'a@b.tw', phone: null })).when(set({ channel: 'email', email: 'a@b.tw' }), { actor: me }).then([])
  spec(t).given().when(set({ channel: 'none' }), { actor: me }).then([])
})

t.test('bad input: NOTIFY_PREFERENCE_INVALID naming the field, with a zh-TW message', async (t) => {
  const bad: [Omit<SetNotificationPreference['data'], 'recipient'>, string, RegExp][] = [
    [{ channel: 'email' }, 'email', /請填寫電子郵件地址/],
    [{ channel: 'email', email: 'a@b' }, 'email', /格式不正確/],
    [{ channel: 'email', email: 'a b@c.tw' }, 'email', /格式不正確/],
    [{ channel: 'email', email: 'a@@c.tw' }, 'email', /格式不正確/],
    [{ channel: 'email', email: `${'a'.repeat(65)}@c.tw` }, 'email', /格式不正確/],
    [{ channel: 'email', email: `a@${'b'.repeat(250)}.tw` }, 'email', /過長/],
    [{ channel: 'sms' }, 'phone', /請填寫手機號碼/],
    [{ channel: 'sms', phone: '0223456789' }, 'phone', /09 開頭/],
    [{ channel: 'sms', phone: '091234567' }, 'phone', /09 開頭/],
    [{ channel: 'sms', phone: '+886912345678' }, 'phone', /09 開頭/],
    [{ channel: 'pager' }, 'channel', /請選擇通知方式/],
  ]
  for (const [data, field, message] of bad) {
    spec(t).given().when(set(data), { actor: me }).thenFails('NOTIFY_PREFERENCE_INVALID', { field }, JSON.stringify(data))
    t.throws(() => decidePreference(set(data), initialPreference(), { actor: me }), { message }, JSON.stringify(data))
  }
})

t.test('only one\'s own preference: another person, an institution for a person, a reviewer', async (t) => {
  spec(t).given().when(set({ channel: 'none' }, { kind: 'professional', id: 'F122334458' }), { actor: me }).thenFails('FORBIDDEN')
  spec(t).given().when(set({ channel: 'none' }), { actor: { role: 'institution', id: '0163010001', via: 'hca-institution-card' } }).thenFails('FORBIDDEN')
  spec(t).given().when(set({ channel: 'none' }), { actor: { role: 'reviewer', id: 'R1', via: 'staff-card', county: '63' } }).thenFails('FORBIDDEN')
  spec(t).given().when(set({ channel: 'email', email: 'hr@h.tw' }, { kind: 'institution', id: '0163010001' }), { actor: { role: 'institution', id: '0163010001', via: 'hca-institution-card' } })
    .thenMatch([{ type: 'NotificationPreferenceSet', data: { recipient: { kind: 'institution', id: '0163010001' } } }])
})

t.test('the messages: case number, outcome, reason, fields to fix, link; an SMS keeps the reason short', async (t) => {
  const n: DecisionNotice = { caseNumber: '11303010000001', outcome: 'returned', applicationType: 'change', applicantName: '王大明', supportedName: '仁愛家醫診所', approvalNumber: null, reason: '請更正時段', fieldLabels: ['支援時段', '備註'], link: 'https://x.tw/reports/1' }
  const m = emailMessage(n)
  t.equal(m.subject, '【報備支援】案件 11303010000001 變更申請退回補正')
  t.match(m.text, '審查意見：請更正時段')
  t.match(m.text, '請修正：支援時段、備註')
  t.match(m.text, '案件內容：https://x.tw/reports/1')
  const approved = emailMessage({ ...n, outcome: 'approved', applicationType: 'register', reason: null, fieldLabels: [], approvalNumber: '府衛字第1號' })
  t.match(approved.subject, '登錄申請已核准')
  t.match(approved.text, '核准文號：府衛字第1號')
  t.notMatch(approved.text, '審查意見')
  const long = smsMessage({ ...n, outcome: 'rejected', reason: '理'.repeat(200) })
  t.match(long, '變更申請未核准')
  t.ok(long.includes(`${'理'.repeat(SMS_REASON_MAX)}…`) && !long.includes('理'.repeat(SMS_REASON_MAX + 1)), 'the reason cut')
  t.match(long, 'https://x.tw/reports/1')
})
