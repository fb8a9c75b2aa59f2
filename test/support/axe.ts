// axe-core in a Chromium page (WCAG 2.1 AA and best practice): the violations, and the serious or critical ones that
// fail a page. The context must be opened with bypassCSP: the test injects axe-core; the app's CSP stays strict.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { BrowserContext, Page } from 'playwright-core'

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export interface Violation { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }

/**
 * axe-core evaluated by every page of the context as it loads (an init script), for a test that checks many pages:
 * Chromium compiles it there in ~70 ms, against ~340 ms for the same script sent in by `axe` after the load (a
 * 550 kB script tag through the DevTools protocol), measured per page in the accessibility test.
 */
export async function axeOnEveryPage(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: AXE })
}

export async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE })
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }
    // resultTypes: only the violations get their nodes' selectors and summaries (axe's documented way to skip that
    // work for the passing nodes, most of a page's cost); every rule still runs on every node
    const r = await w.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }))
  })
}

/** The violations that fail a page (serious or critical). */
export const seriousViolations = async (page: Page) => (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical')
