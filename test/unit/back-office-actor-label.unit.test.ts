// The 操作者 column of a case's history: a name, the role and the card, and never a raw national ID.
import t from 'tap'
import { showActor, actorKey } from '../../http/back-office/actor-label.js'

t.test('a professional without a name snapshot: the name from the lookup, the ID masked, the card named', async (t) => {
  const a = { role: 'professional' as const, id: 'A123456789', via: 'hca-professional-card' as const }
  t.same(showActor(a, new Map([[actorKey(a), '王大明']])), { name: '王大明', id: 'A1234XXXX9', role: '醫事人員', card: '醫事人員卡' })
  t.same(showActor(a), { name: '（醫事人員，姓名未登錄）', id: 'A1234XXXX9', role: '醫事人員', card: '醫事人員卡' }, 'unknown: said so, still masked')
})

t.test('the event\'s own snapshot wins; every card has a zh-TW name', async (t) => {
  t.same(showActor({ role: 'professional', id: 'F122334458', name: '陳志豪', via: 'nhi-card-password' }, new Map([['professional:F122334458', '別人']])),
    { name: '陳志豪', id: 'F1223XXXX8', role: '醫事人員', card: '健保卡' })
  t.same(showActor({ role: 'institution', id: '0163010001', name: '示範大學附設醫院', via: 'hca-institution-card' }),
    { name: '示範大學附設醫院', id: '0163010001', role: '醫事機構', card: '機構卡' })
  t.same(showActor({ role: 'system', id: 'exporter', via: 'system' }), { name: '系統', id: 'exporter', role: '系統', card: '系統' })
  t.equal(showActor({ role: 'reviewer', id: 'TPE-R001', via: 'staff-card' }).role, '衛生局審查人員')
  t.equal(showActor({ role: 'operator', id: 'ops', via: 'cli' }).card, '系統（命令列）')
  t.equal(showActor({ role: 'professional', id: 'A123456789', via: 'nhi-cardless-otp' }).card, '健保卡號＋簡訊驗證')
})

t.test('a person ID in any role is masked', async (t) => {
  t.equal(showActor({ role: 'operator', id: 'A223456012', via: 'cli' }).id, 'A2234XXXX2')
  t.equal(showActor({ role: 'professional', id: 'AC01234567', via: 'hca-professional-card' }).id, 'AC012XXXX7', 'resident ID, old form')
})
