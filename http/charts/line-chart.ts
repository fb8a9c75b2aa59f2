// Line chart over periods (e.g. months) as an SVG string, one line per series, rendered on the server.
import { colourAt, escapeXml, n2, niceScale, textWidth } from './svg.js'

export interface LineChartInput {
  title: string
  /** X axis labels, in order (e.g. ROC months '11301'). */
  periods: readonly string[]
  series: readonly { name: string; values: readonly number[]; colour?: string }[]
  unit?: string
  width?: number
  height?: number
}

export function lineChart(input: LineChartInput): string {
  const { title, periods, series } = input
  const width = input.width ?? 720
  const height = input.height ?? 300
  const unit = input.unit ?? ''
  for (const s of series) {
    if (s.values.length !== periods.length) throw new Error(`series ${s.name}: ${s.values.length} values for ${periods.length} periods`)
  }
  const left = 48
  const right = 16
  const top = 50
  const bottom = 36
  const plotW = width - left - right
  const plotH = height - top - bottom
  const scale = niceScale(Math.max(0, ...series.flatMap((s) => s.values)))
  const x = (i: number) => left + (periods.length <= 1 ? plotW / 2 : (i / (periods.length - 1)) * plotW)
  const y = (v: number) => top + plotH - (v / scale.max) * plotH
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="'Noto Sans CJK TC','Noto Sans TC',sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<text x="0" y="16" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ]
  let lx = 0
  series.forEach((s, i) => {
    out.push(`<rect x="${n2(lx)}" y="26" width="10" height="10" fill="${s.colour ?? colourAt(i)}"/><text x="${n2(lx + 14)}" y="35">${escapeXml(s.name)}</text>`)
    lx += 14 + textWidth(s.name, 12) + 16
  })
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    out.push(`<line x1="${left}" y1="${n2(y(v))}" x2="${width - right}" y2="${n2(y(v))}" stroke="#ddd"/>`)
    out.push(`<text x="${left - 6}" y="${n2(y(v) + 4)}" text-anchor="end" fill="#555">${n2(v)}</text>`)
  }
  const every = Math.max(1, Math.ceil(periods.length / 12))
  periods.forEach((p, i) => {
    if (i % every === 0) out.push(`<text x="${n2(x(i))}" y="${height - bottom + 18}" text-anchor="middle" fill="#555">${escapeXml(p)}</text>`)
  })
  series.forEach((s, si) => {
    const c = s.colour ?? colourAt(si)
    const pts = s.values.map((v, i) => `${n2(x(i))},${n2(y(v))}`).join(' ')
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts}"/>`)
    s.values.forEach((v, i) => {
      out.push(`<circle class="point" cx="${n2(x(i))}" cy="${n2(y(v))}" r="3" fill="${c}" data-value="${v}"><title>${escapeXml(`${periods[i]} ${s.name}：${v}${unit}`)}</title></circle>`)
    })
  })
  out.push('</svg>')
  return out.join('')
}
