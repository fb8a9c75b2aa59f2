// The virtual cards of a demo or test run and the vpcd slots they sit in. Inserting = connecting the card to its
// slot's vpcd port; removing = disconnecting. A card keeps its state (PIN tries) between insertions.
import { listDemoCards, issueDemoCard, type DemoCard } from '../../http/auth/demo-pki.js'
import { NhiVirtualCard } from './nhi-virtual-card.js'
import { PkiVirtualCard } from './pki-virtual-card.js'
import type { VirtualCard } from './virtual-card.js'
import { insertVirtualCard, VPCD_SLOTS, type InsertOptions, type VpcdLink } from './vpcd-link.js'

export interface RackSlot {
  slot: number
  card?: string
}

export class VirtualCardRack {
  private readonly links = new Map<number, { id: string; link: VpcdLink }>()

  constructor(
    readonly cards: ReadonlyMap<string, VirtualCard>,
    private readonly slotCount = VPCD_SLOTS,
  ) {}

  catalogue(): Array<{ id: string; label: string }> {
    return [...this.cards].map(([id, c]) => ({ id, label: c.label }))
  }

  slots(): RackSlot[] {
    return Array.from({ length: this.slotCount }, (_, slot) => {
      const l = this.links.get(slot)
      return l ? { slot, card: l.id } : { slot }
    })
  }

  /** Puts card `id` into `slot` (removing what was there, and taking the card out of any other slot). */
  async insert(slot: number, id: string, opts: InsertOptions = {}): Promise<void> {
    const card = this.cards.get(id)
    if (!card) throw new Error(`no virtual card ${id}`)
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slotCount) throw new Error(`no vpcd slot ${slot}`)
    await this.remove(slot)
    for (const [s, l] of this.links) if (l.id === id) await this.remove(s)
    const link = await insertVirtualCard(card, slot, opts)
    this.links.set(slot, { id, link })
    void link.closed.then(() => {
      if (this.links.get(slot)?.link === link) this.links.delete(slot)
    })
  }

  async remove(slot: number): Promise<void> {
    const l = this.links.get(slot)
    if (!l) return
    this.links.delete(slot)
    await l.link.remove()
  }

  async close(): Promise<void> {
    for (const slot of [...this.links.keys()]) await this.remove(slot)
  }
}

/** Virtual cards for demo cards: each PKI card as `<kind>-<holderId>`, each NHI card as `nhi-<holderId>`. */
export function virtualCardsFor(cards: DemoCard[]): Map<string, VirtualCard> {
  const out = new Map<string, VirtualCard>()
  for (const c of cards) {
    out.set(c.id, new PkiVirtualCard(c))
    if (c.nhi) {
      out.set(
        `nhi-${c.holderId}`,
        new NhiVirtualCard({
          cardNumber: c.nhi.cardNumber,
          name: c.name,
          nationalId: c.holderId,
          birthDate: c.nhi.birthDate,
          sex: c.nhi.sex,
          issueDate: c.nhi.issueDate ?? '1100101',
        }),
      )
    }
  }
  return out
}

/** Demo holders used when the seed has issued no cards yet (they match commands/registry/demo-registry.ts). */
export const FALLBACK_DEMO_CARDS = [
  { kind: 'professional', holderId: 'A123456789', name: '王大明', nhi: { cardNumber: '000012345678', birthDate: '0690512', sex: 'M' } },
  { kind: 'institution', holderId: '0163010001', name: '示範大學附設醫院' },
  { kind: 'staff', holderId: 'TPE-R001', name: '周文華', unit: '63' },
] as const

/** The demo rack: every card of the demo PKI in `pkiDir` (issuing the fallback set when there is none). */
export function demoRack(pkiDir?: string): VirtualCardRack {
  let cards = listDemoCards(pkiDir)
  if (!cards.length) {
    for (const c of FALLBACK_DEMO_CARDS) issueDemoCard({ ...c, ...('nhi' in c ? { nhi: { ...c.nhi } } : {}) }, pkiDir ? { dir: pkiDir } : {})
    cards = listDemoCards(pkiDir)
  }
  return new VirtualCardRack(virtualCardsFor(cards))
}
