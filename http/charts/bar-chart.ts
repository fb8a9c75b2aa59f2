// Horizontal bar chart as an SVG string (one series, or several grouped per category), rendered on the server:
// no script, no CDN. Accessible: role="img" with a <title>, and every bar carries its value as text and <title>.
import { colourAt, escapeXml, n2, niceScale, textWidth } from './svg.js'

export interface BarSeries {
  name: string
  values: readonly number[]
  colour?: string
}

export interface BarChartInput {
  title: string
  categories: readonly string[]
  series: readonly BarSeries[]
  /** Unit shown after values, e.g. '件'. */
  unit?: string
  width?: number
}

const FONT = 12
const BAR = 14
const GAP = 4
const GROUP_GAP = 10

export function barChart(input: BarChartInput): string {
  const { title, categories, series } = input
  const width = input.width ?? 720
  const unit = input.unit ?? ''
  for (const s of series) {
    if (s.values.length !== categories.length) throw new Error(`series ${s.name}: ${s.values.length} values for ${categories.length} categories`)
    if (s.values.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`series ${s.name}: values must be finite and ≥ 0`)
  }
  const labelW = Math.min(220, Math.max(40, ...categories.map((c) => textWidth(c, FONT))) + 8)
  const legendH = series.length > 1 ? 22 : 0
  const top = 28 + legendH
  const groupH = series.length * (BAR + GAP) - GAP + GROUP_GAP
  const plotH = Math.max(groupH, categories.length * groupH)
  const axisH = 22
  const height = top + plotH + axisH
  const valueRoom = 56
  const plotW = width - labelW - valueRoom - 8
  const max = Math.max(0, ...series.flatMap((s) => s.values))
  const scale = niceScale(max)
  const x = (v: number) => labelW + (v / scale.max) * plotW

  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" role="img" viewBox="0 0 ${width} ${n2(height)}" width="${width}" height="${n2(height)}" font-family="'Noto Sans CJK TC','Noto Sans TC',sans-serif" font-size="${FONT}">`,
    `<title>${escapeXml(title)}</title>`,
    `<text x="0" y="16" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  )
  if (series.length > 1) {
    let lx = 0
    series.forEach((s, i) => {
      const c = s.colour ?? colourAt(i)
      out.push(`<rect x="${n2(lx)}" y="${28}" width="10" height="10" fill="${c}"/><text x="${n2(lx + 14)}" y="${37}">${escapeXml(s.name)}</text>`)
      lx += 14 + textWidth(s.name, FONT) + 16
    })
  }
  // grid and axis ticks
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    const gx = x(v)
    out.push(`<line x1="${n2(gx)}" y1="${top}" x2="${n2(gx)}" y2="${n2(top + plotH)}" stroke="#ddd"/>`)
    out.push(`<text x="${n2(gx)}" y="${n2(top + plotH + 15)}" text-anchor="middle" fill="#555">${n2(v)}</text>`)
  }
  categories.forEach((cat, ci) => {
    const gy = top + ci * groupH
    out.push(`<text x="${n2(labelW - 6)}" y="${n2(gy + (groupH - GROUP_GAP) / 2 + FONT / 2 - 1)}" text-anchor="end">${escapeXml(cat)}</text>`)
    series.forEach((s, si) => {
      const v = s.values[ci] ?? 0
      const y = gy + si * (BAR + GAP)
      const w = x(v) - labelW
      const label = `${cat} ${s.name}：${v}${unit}`
      out.push(
        `<rect class="bar" x="${n2(labelW)}" y="${n2(y)}" width="${n2(w)}" height="${BAR}" fill="${s.colour ?? colourAt(si)}" data-value="${v}"><title>${escapeXml(label)}</title></rect>`,
        `<text x="${n2(labelW + w + 4)}" y="${n2(y + BAR - 3)}" fill="#333">${v}${escapeXml(unit)}</text>`,
      )
    })
  })
  out.push(`<line x1="${n2(labelW)}" y1="${top}" x2="${n2(labelW)}" y2="${n2(top + plotH)}" stroke="#333"/>`)
  out.push('</svg>')
  return out.join('')
}
