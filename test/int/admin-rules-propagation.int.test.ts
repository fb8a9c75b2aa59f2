// Rule changes propagate explicitly: two instances of the application on one database; the administrator publishes
// a 支援科別 on the first; the administration projection NOTIFYs on its commit and the second instance (its rules
// cache set to an hour, so no TTL can explain it) offers the new entry on its very next request.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildSecondInstance, buildTestApp, form, login, professional } from '../support/http.js'
import { DEPARTMENTS } from '../../domain/reference/departments.js'
import { RULES_CHANNEL } from '../../commands/rules/rules-channel.js'
import type { SessionUser } from '../../http/session-store.js'

const first = await buildTestApp(t) // 2024-02-20 10:00 Taipei
const second = await buildSecondInstance(t, first, { rulesCacheMs: 3600_000 })
const admin: SessionUser = { actor: { role: 'admin', id: 'MOHW-A001', name: '林雅惠', via: 'staff-card' }, name: '林雅惠' }

t.test('a change made in one instance is used by the other on its next request', async (t) => {
  const pro = await login(second.app, professional())
  const formPage = () => second.app.inject({ url: '/reports/new', headers: { cookie: pro.cookie } })
  t.notMatch((await formPage()).body, 'value="ZC"', 'the second instance has the first version cached')

  // wait for the notification itself (on the second instance's connection), not for a time
  let announce: (name: string) => void = () => {}
  const notified = new Promise<string>((resolve) => { announce = resolve })
  const unlisten = await second.db.listen(RULES_CHANNEL, (name) => announce(name))
  t.teardown(unlisten)
  const s = await login(first.app, admin)
  const published = await first.app.inject({
    method: 'POST', url: '/review/admin/settings/departments', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ _csrf: s.csrf, commandId: randomUUID(), content: JSON.stringify([...DEPARTMENTS, { code: 'ZC', name: '遠距會診科' }]), effectiveDate: '1130220', effectiveTime: '1000', reason: '新增遠距會診科' }),
  })
  t.equal(published.statusCode, 303, published.body.slice(0, 300))
  t.equal(await notified, 'departments', 'the projection announced the rule set')
  t.match((await formPage()).body, '<option value="ZC">ZC 遠距會診科</option>', 'the second instance offers it at once')
  const v = await second.parts.rules.at('departments', first.clock.now.toISOString())
  t.ok(v.content.some((d) => d.code === 'ZC'))
})
