// Real Chromium for e2e tests (playwright-core, the system's chromium).
import { chromium, type Browser, type Page } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots')

/**
 * How long a page wait may take before it fails (Playwright's own default is 30 s). The suite runs three files at
 * once on two cores beside Chromium and PostgreSQL, so a wait that takes a second alone can take many; a wait ends
 * as soon as its condition holds, so a longer limit slows nothing that works.
 */
export const PAGE_WAIT_MS = 60_000

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  // every context (browser.newPage makes one too) waits PAGE_WAIT_MS unless a wait names its own limit
  const newContext = browser.newContext.bind(browser)
  browser.newContext = async (options) => {
    const context = await newContext(options)
    context.setDefaultTimeout(PAGE_WAIT_MS)
    if (!SCREENSHOTS_ON) context.on('page', skipScreenshots)
    return context
  }
  return browser
}

/**
 * Screenshots are for people to look at (test-output/screenshots), never asserted on: a full-page one costs Chromium
 * ~0.65 s of CPU (the page laid out at its full height, rasterised in software, encoded, laid out again), and the
 * suite takes ~185 of them, so they are taken only with BAOBEI_SCREENSHOTS=1 (e.g. BAOBEI_SCREENSHOTS=1 npm test --
 * test/e2e). Without it a page's screenshot() writes nothing and returns an empty buffer.
 */
export const SCREENSHOTS_ON = process.env.BAOBEI_SCREENSHOTS === '1'

function skipScreenshots(page: Page): void {
  page.screenshot = async () => Buffer.alloc(0)
}

export const shot = (name: string) => join(SCREENSHOTS, `${name}.png`)

/** The weekly terms of a filing form (報備支援 登錄, or the back office's 單筆申請), typed as a person would. */
export interface WeeklyTermsInput {
  supportedCode?: string
  department: string
  purpose: string
  /** ROC dates as typed, e.g. 1130301. */
  from: string
  to: string
  /** ISO weekday 1..7. */
  weekday: number
  /** HHmm. */
  winStart: string
  winEnd: string
}

export async function fillWeeklyTerms(page: Page, v: WeeklyTermsInput): Promise<void> {
  if (v.supportedCode !== undefined) await page.fill('#supportedCode', v.supportedCode)
  await page.selectOption('#department', v.department)
  await page.selectOption('#purpose', v.purpose)
  await page.fill('#from', v.from)
  await page.fill('#to', v.to)
  await page.check(`input[name="weekdays"][value="${v.weekday}"]`)
  await page.fill('input[name="winStart"]', v.winStart)
  await page.fill('input[name="winEnd"]', v.winEnd)
}

/** A fresh context on the login page, once its script is ready. */
export async function openLoginPage(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-TW', viewport })
  const page = await context.newPage()
  await page.goto(url)
  await page.waitForSelector('#login[data-ready="1"]')
  return page
}

/** The login page's error message, once shown (within the context's PAGE_WAIT_MS). */
export async function loginErrorText(page: Page): Promise<string> {
  await page.locator('#login-error:not([hidden])').waitFor()
  return (await page.textContent('#login-error')) ?? ''
}

/**
 * Does `act` (a click that sends an htmx request) and resolves once htmx has settled new content into `target`
 * (its htmx:afterSettle event). Waiting for a selector instead can be met by what the target showed before the
 * request (a list that already had the row looked for) and a check made then reads the old content.
 */
export async function htmxSwapInto(page: Page, target: string, act: () => Promise<void>, timeout = PAGE_WAIT_MS): Promise<void> {
  // wrapped in an object: a promise returned bare would be awaited here, before the click
  const armed = await page.evaluateHandle(([sel, ms]) => ({ settled: new Promise<string>((resolve, reject) => {
    const el = document.querySelector(sel)
    if (!el) return reject(new Error(`no ${sel} to swap into`))
    const timer = setTimeout(() => reject(new Error(`no htmx swap into ${sel} within ${ms} ms`)), ms)
    // (no named function in here: the test loader would wrap it in a helper the page does not have)
    const done = new AbortController()
    document.body.addEventListener('htmx:afterSettle', (e) => {
      const t = (e as CustomEvent<{ target?: Element }>).detail?.target
      if (t && (t === el || t.id === el.id)) {
        clearTimeout(timer)
        done.abort()
        resolve('settled')
      }
    }, { signal: done.signal })
  }) }), [target, timeout] as const)
  await act()
  await armed.evaluate((o) => o.settled)
}
