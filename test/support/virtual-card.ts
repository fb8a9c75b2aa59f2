// Helpers for tests that drive real pcscd + vpcd with virtual cards.
// vpcd has two slots (ports 35963/35964) shared by the whole machine: tests (and e2e runs) that plug virtual cards
// in hold `lockVpcd()` (reader/virtual/vpcd-lock.ts, also taken by `baobei reader --virtual`).
import type { PcscManager } from '../../reader/pcsc.js'
import { insertVirtualCard, VPCD_BASE_PORT, VPCD_HOST, vpcdListening, type InsertOptions, type VpcdLink } from '../../reader/virtual/vpcd-link.js'
import type { VirtualCard } from '../../reader/virtual/virtual-card.js'

export { lockVpcd } from '../../reader/virtual/vpcd-lock.js'

/** Throws a clear error when pcscd's vpcd driver does not listen (the tests must fail loudly, never skip). */
export async function requireVpcd(): Promise<void> {
  if (!vpcdListening()) {
    throw new Error(
      `pcscd with the vpcd driver is required and does not listen on ${VPCD_HOST}:${VPCD_BASE_PORT}: run test/support/services.sh (needs pcscd and vsmartcard-vpcd)`,
    )
  }
}

/** Waits until pcscd reports `reader` with (or without) a card. */
export async function waitForCard(pcsc: PcscManager, reader: string, present: boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    const r = pcsc.readers().find((x) => x.name === reader)
    if (r && r.present === present) return
    await new Promise((res) => setTimeout(res, 20))
  }
  throw new Error(`reader ${reader}: card ${present ? 'never came' : 'never left'} within ${timeoutMs} ms`)
}

/** The vpcd reader names in slot order (slot n = port 35963 + n), once pcscd listed them. */
export async function vpcdReaders(pcsc: PcscManager, timeoutMs = 5000): Promise<string[]> {
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
