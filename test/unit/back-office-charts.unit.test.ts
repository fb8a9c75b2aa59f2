// Server-side SVG charts: well-formed, escaped, bars proportional to values, no external resources.
import t from 'tap'
import { barChart } from '../../http/charts/bar-chart.js'
import { lineChart } from '../../http/charts/line-chart.js'
import { escapeXml, niceScale } from '../../http/charts/svg.js'

const bars = (svg: string) => [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*data-value="([\d.]+)"/g)].map((m) => ({ w: Number(m[2]), v: Number(m[3]) }))

t.test('bar chart: one bar per value, widths proportional, labels escaped', async (t) => {
  const svg = barChart({ title: '醫事人員類型 <申辦>', categories: ['西醫師', '護理師', 'A&B'], series: [{ name: '件數', values: [10, 5, 0] }], unit: '件' })
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  t.match(svg, /<\/svg>$/)
  t.match(svg, '<title>醫事人員類型 &lt;申辦&gt;</title>')
  t.match(svg, 'A&amp;B')
  t.notMatch(svg, /href=|<script|https?:\/\/(?!www\.w3\.org)/)
  const b = bars(svg)
  t.same(b.map((x) => x.v), [10, 5, 0])
  t.ok(b[0]!.w > 0)
  t.equal(Math.round((b[1]!.w / b[0]!.w) * 100), 50)
  t.equal(b[2]!.w, 0)
})

t.test('grouped bars: a legend and series × categories bars', async (t) => {
  const svg = barChart({
    title: '各縣市審理結果',
    categories: ['臺北市', '新北市'],
    series: [{ name: '核准', values: [3, 4] }, { name: '未核准', values: [1, 0] }, { name: '退回', values: [2, 2] }],
  })
  t.equal(bars(svg).length, 6)
  t.match(svg, '>核准</text>')
  t.match(svg, '>退回</text>')
  t.match(svg, '<title>臺北市 未核准：1</title>')
})

t.test('bad input is refused, not drawn', async (t) => {
  t.throws(() => barChart({ title: 'x', categories: ['a'], series: [{ name: 's', values: [1, 2] }] }))
  t.throws(() => barChart({ title: 'x', categories: ['a'], series: [{ name: 's', values: [-1] }] }))
  t.throws(() => lineChart({ title: 'x', periods: ['1'], series: [{ name: 's', values: [] }] }))
})

t.test('line chart: a point per period, highest value on top', async (t) => {
  const svg = lineChart({ title: '每月申辦件數', periods: ['11301', '11302', '11303'], series: [{ name: '申辦', values: [2, 8, 4] }] })
  const pts = [...svg.matchAll(/<circle class="point" cx="([\d.]+)" cy="([\d.]+)"[^>]*data-value="(\d+)"/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]), v: Number(m[3]) }))
  t.same(pts.map((p) => p.v), [2, 8, 4])
  t.ok(pts[1]!.cy < pts[2]!.cy && pts[2]!.cy < pts[0]!.cy, 'y grows downwards')
  t.ok(pts[0]!.cx < pts[1]!.cx && pts[1]!.cx < pts[2]!.cx)
})

t.test('nice scale and escaping', async (t) => {
  t.same(niceScale(0), { max: 1, step: 1 })
  t.same(niceScale(10), { max: 10, step: 2 })
  t.same(niceScale(37), { max: 40, step: 10 })
  t.ok(niceScale(37).max >= 37)
  t.ok(niceScale(3).max >= 3)
  t.equal(escapeXml(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;')
})
