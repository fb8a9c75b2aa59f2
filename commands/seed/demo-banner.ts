// The block `baobei serve --demo` prints at start: where to go, which demo cards exist, the PIN, where to swap cards.
import { KIND_LABELS, type CatalogueEntry, type RackSlot } from '../../reader/virtual/rack.js'

export interface DemoBannerInput {
  url: string
  pin: string
  cards: Array<Pick<CatalogueEntry, 'kind' | 'name' | 'holder' | 'id'>>
  /** The agent the login page calls, and how it holds its cards. */
  agent?: { url: string; how: string }
  slots?: RackSlot[]
}

const wrap = (items: string[], width: number, indent: string): string[] => {
  const lines: string[] = []
  let line = ''
  for (const it of items) {
    if (line && line.length + it.length + 2 > width) {
      lines.push(`${indent}${line},`)
      line = ''
    }
    line = line ? `${line}, ${it}` : it
  }
  if (line) lines.push(`${indent}${line}`)
  return lines
}

export function demoBanner(b: DemoBannerInput): string {
  const base = b.url.replace(/\/+$/, '')
  const rule = '─'.repeat(72)
  const byId = new Map(b.cards.map((c) => [c.id, c]))
  const out = [
    rule,
    ' 報備支援系統 — 示範模式 (demo: fictitious people, demo PKI, NOT for real data)',
    `  Open:            ${base}/`,
    `  示範讀卡機:      ${base}/dev/cards   ← pick which demo card is in which reader`,
    b.agent ? `  Reader agent:    ${b.agent.url} (${b.agent.how})` : '  Reader agent:    not started (--no-reader)',
    `  Demo card PIN:   ${b.pin}   (three wrong PINs lock a card until the next start)`,
    `  Demo cards (${b.cards.length}):`,
  ]
  for (const kind of ['professional', 'nhi', 'institution', 'staff'] as const) {
    const cards = b.cards.filter((c) => c.kind === kind)
    if (!cards.length) continue
    out.push(`    ${KIND_LABELS[kind]}:`)
    out.push(...wrap(cards.map((c) => `${c.name} ${c.holder}`), 64, '      '))
  }
  if (b.slots?.length) {
    const now = b.slots.map((s) => {
      const c = s.card ? byId.get(s.card) : undefined
      return `讀卡機 ${s.slot + 1}: ${c ? `${KIND_LABELS[c.kind]} ${c.name}` : '（空）'}`
    })
    out.push(`  Inserted now:    ${now.join('；')}`)
  }
  out.push(rule)
  return out.join('\n')
}
