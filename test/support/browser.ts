// Real Chromium for e2e tests (playwright-core, the system's chromium).
import { chromium, type Browser } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots')

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

export const shot = (name: string) => join(SCREENSHOTS, `${name}.png`)
