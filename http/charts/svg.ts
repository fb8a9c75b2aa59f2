// Small helpers for server-rendered SVG: escaping, number formatting, a colour palette. Pure.

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

/** Rounds to at most 2 decimals for coordinates (keeps the markup short and stable). */
export const n2 = (x: number): string => String(Math.round(x * 100) / 100)

/** Colour-blind-safe palette (Okabe–Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'] as const
export const colourAt = (i: number): string => PALETTE[i % PALETTE.length] as string

/** A "nice" axis maximum ≥ max (1, 2, 2.5, 5 × 10^k), and its tick step. */
export function niceScale(max: number, ticks = 5): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 }
  const raw = max / ticks
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag)
  const intStep = max >= ticks ? Math.max(1, Math.ceil(step)) : step
  return { max: Math.ceil(max / intStep) * intStep, step: intStep }
}

/** Approximate text width in px: CJK characters are full width, others about half. */
export const textWidth = (s: string, fontSize: number): number =>
  [...s].reduce((w, ch) => w + (/[\u2E80-\uFFFF]/.test(ch) ? fontSize : fontSize * 0.6), 0)
