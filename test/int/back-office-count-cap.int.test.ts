// 報備支援案件查詢 at national size: the county's matches are counted up to 1,000 (QUERY_COUNT_UP_TO), the page says
// 共超過 1,000 件 without a last-page number, and 下一頁 still pages on while pages are full.
import t from 'tap'
import { QUERY_COUNT_UP_TO } from '../../http/back-office/case-routes.js'
import { bulkLoad } from '../../bench/lib/load.js'
import { PROJECTIONS } from '../../projections/read-models/all.js'
import { waitForProjections } from '../../projections/status.js'
import { generateCases, makeInstitutions } from '../support/data-generator.js'
import { buildTestApp, login, reviewer } from '../support/http.js'

const h = await buildTestApp(t, {}, { now: '2024-03-01T02:00:00.000Z' })
const institutions = makeInstitutions(7)
const focus = institutions.find((i) => i.kind === 'regional_hospital' && i.county === '63')!
await bulkLoad(h.tdb.db, generateCases({ seed: 7, cases: 1_500, institutions, focus: { institution: focus, share: 0.9 } }))
// the app's own wait gives up after 5 s (a request's read-your-writes); a bulk load under a busy suite needs longer
const head = await h.services.store.headPosition()
t.ok(await waitForProjections(h.tdb.db, head, PROJECTIONS.map((p) => p.name), 120_000), 'the read models have every generated case')

t.test('more matches than the count goes to: 共超過 1,000 件, and the pages go on', async (t) => {
  const county = await h.tdb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM events WHERE type = 'ReportDrafted'`)
  t.ok(Number(county.rows[0]!.n) > QUERY_COUNT_UP_TO, 'more cases than the count goes to')
  const s = await login(h.app, reviewer())
  const r = await h.app.inject({ url: '/review/cases?pageSize=50', headers: { cookie: s.cookie } })
  t.equal(r.statusCode, 200)
  t.match(r.body, /共<strong id="total">超過 1,000<\/strong> 件，第 1 頁/, 'the total says there are more than 1,000')
  t.notMatch(r.body, /第 1／\d+ 頁/, 'no last-page number')
  t.match(r.body, /page=2[^"]*"[^>]*>下一頁/, 'the next page is offered')
  const far = await h.app.inject({ url: '/review/cases?pageSize=50&page=21', headers: { cookie: s.cookie } })
  t.equal(far.statusCode, 200)
  t.match(far.body, /上一頁/, 'a page past the first 1,000 matches is served')
})
