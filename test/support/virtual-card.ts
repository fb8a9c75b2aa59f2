// Helpers for tests that drive real pcscd + vpcd with virtual cards.
// vpcd has two slots (ports 35963/35964) shared by the whole machine: tests (and e2e runs) that plug virtual cards
// in hold them with `holdVpcd(t)` (the lock of reader/virtual/vpcd-lock.ts, also taken by `baobei reader --virtual`).
import type { PcscManager } from '../../reader/pcsc.js'
import { insertVirtualCard, VPCD_BASE_PORT, VPCD_HOST, vpcdListening, type InsertOptions, type VpcdLink } from '../../reader/virtual/vpcd-link.js'
import type { VirtualCard } from '../../reader/virtual/virtual-card.js'

import { lockVpcd } from '../../reader/virtual/vpcd-lock.js'

/** The file's timeout as tap was given it (TAP_TIMEOUT, seconds: the tap config's, from either runner; tap's default 30). */
const fileTimeoutMs = () => Number(process.env.TAP_TIMEOUT || 30) * 1000

/**
 * Holds the machine's vpcd slots for the rest of a test file. In the suite up to three files run at once and another
 * file may hold the slots for minutes (card-choice-login.e2e takes ~3 min on a busy 2-core machine), so this waits up
 * to 10 minutes, says in the TAP output whom it waits for, and lengthens the file's timeout by the time it waited:
 * the wait is the other file's time, not this one's.
 */
export async function holdVpcd(t: { comment(...m: unknown[]): void; teardown(fn: () => unknown): void; setTimeout(ms: number): void }): Promise<void> {
  const since = Date.now()
  const release = await lockVpcd(600_000, (pid) => t.comment(`waiting for the vpcd slots, held by pid ${pid}`))
  t.teardown(release)
  const waited = Date.now() - since
  if (waited > 1000) {
    t.comment(`waited ${Math.round(waited / 1000)} s for the vpcd slots`)
    t.setTimeout(fileTimeoutMs() + waited)
  }
}

/** Throws a clear error when pcscd's vpcd driver does not listen (the tests must fail loudly, never skip). */
export async function requireVpcd(): Promise<void> {
  if (!vpcdListening()) {
    throw new Error(
      `pcscd with the vpcd driver is required and does not listen on ${VPCD_HOST}:${VPCD_BASE_PORT}: run test/support/services.sh (needs pcscd and vsmartcard-vpcd)`,
    )
  }
}

/** Waits until pcscd reports `reader` with (or without) a card (up to 30 s: pcscd polls vpcd, slowly on a saturated machine). */
export async function waitForCard(pcsc: PcscManager, reader: string, present: boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    const r = pcsc.readers().find((x) => x.name === reader)
    if (r && r.present === present) return
    await new Promise((res) => setTimeout(res, 20))
  }
  throw new Error(`reader ${reader}: card ${present ? 'never came' : 'never left'} within ${timeoutMs} ms`)
}

/** The vpcd reader names in slot order (slot n = port 35963 + n), once pcscd listed them. */
export async function vpcdReaders(pcsc: PcscManager, timeoutMs = 30_000): Promise<string[]> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    const names = pcsc.readers().map((r) => r.name).filter((n) => /^Virtual PCD/.test(n))
    if (names.length >= 2) return names.sort()
    await new Promise((res) => setTimeout(res, 20))
  }
  throw new Error(`pcscd lists no vpcd readers after ${timeoutMs} ms (readers: ${pcsc.readers().map((r) => r.name).join(', ') || 'none'}; ${pcsc.error ?? ''})`)
}

/** The two vpcd readers of a test file: a card plugged into a slot (once pcscd sees it), and all of them taken out. */
export async function vpcdSlots(pcsc: PcscManager): Promise<{
  readers: [string, string]
  plug(card: VirtualCard, slot: 0 | 1, opts?: InsertOptions): Promise<void>
  unplugAll(): Promise<void>
}> {
  const readers = (await vpcdReaders(pcsc)) as [string, string]
  const links: VpcdLink[] = []
  return {
    readers,
    async plug(card, slot, opts = {}) {
      links.push(await insertVirtualCard(card, slot, opts))
      await waitForCard(pcsc, readers[slot], true)
    },
    async unplugAll() {
      for (const l of links.splice(0)) await l.remove().catch(() => undefined)
      for (const r of readers) await waitForCard(pcsc, r, false)
    },
  }
}
