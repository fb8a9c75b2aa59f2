// The virtual cards of a demo or test run and the slots they sit in. A slot driver does the inserting: by default
// vpcd (connecting the card to its slot's vpcd port inside pcscd; removing = disconnecting), or the in-process
// readers (in-process.ts) when there is no pcscd. A card keeps its state (PIN tries) between insertions.
import { listDemoCards, issueDemoCard, type DemoCard } from '../../commands/pki/demo-pki.js'
import type { CardKind } from '../../domain/card/certificate-profile.js'
import { maskPersonId } from '../../domain/national-id.js'
import { NhiVirtualCard } from './nhi-virtual-card.js'
import { PkiVirtualCard } from './pki-virtual-card.js'
import type { VirtualCard } from './virtual-card.js'
import { insertVirtualCard, VPCD_SLOTS, type InsertOptions } from './vpcd-link.js'

export interface RackSlot {
  slot: number
  card?: string
}

/** A card sitting in a slot. */
export interface SlotLink {
  /** Takes the card out; resolves once it is out. */
  remove(): Promise<void>
  /** Resolves once the card is out (removed here, or the link dropped). */
  readonly closed: Promise<void>
}

/** Puts a card into a slot. */
export type SlotDriver = (card: VirtualCard, slot: number, opts: InsertOptions) => Promise<SlotLink>

/** The vpcd driver: the card goes into pcscd's vpcd slot `slot`. */
export const vpcdDriver: SlotDriver = (card, slot, opts) => insertVirtualCard(card, slot, opts)

export type CatalogueKind = CardKind | 'nhi'

/** One virtual card as the rack lists it: names and masked IDs only (the label is for logs and pickers). */
export interface CatalogueEntry {
  id: string
  label: string
  kind: CatalogueKind
  name: string
  /** Masked national ID for people; institution code / staff id otherwise. */
  holder: string
}

export const KIND_LABELS: Record<CatalogueKind, string> = {
  professional: '醫事人員卡',
  institution: '醫事機構卡',
  staff: '衛生局人員卡',
  nhi: '健保卡',
}

function entryOf(id: string, c: VirtualCard): CatalogueEntry {
  if (c instanceof PkiVirtualCard) {
    const holder = c.demo.kind === 'professional' ? maskPersonId(c.demo.holderId) : c.demo.holderId
    return { id, label: c.label, kind: c.demo.kind, name: c.demo.name, holder }
  }
  if (c instanceof NhiVirtualCard) return { id, label: c.label, kind: 'nhi', name: c.data.name, holder: maskPersonId(c.data.nationalId) }
  return { id, label: c.label, kind: 'professional', name: c.label, holder: '' }
}

export class VirtualCardRack {
  private readonly links = new Map<number, { id: string; link: SlotLink }>()

  constructor(
    readonly cards: ReadonlyMap<string, VirtualCard>,
    private readonly slotCount = VPCD_SLOTS,
    private readonly driver: SlotDriver = vpcdDriver,
  ) {}

  catalogue(): CatalogueEntry[] {
    return [...this.cards].map(([id, c]) => entryOf(id, c))
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
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slotCount) throw new Error(`no slot ${slot}`)
    await this.remove(slot)
    for (const [s, l] of this.links) if (l.id === id) await this.remove(s)
    const link = await this.driver(card, slot, opts)
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
export function demoRack(pkiDir?: string, opts: { driver?: SlotDriver; slots?: number } = {}): VirtualCardRack {
  let cards = listDemoCards(pkiDir)
  if (!cards.length) {
    for (const c of FALLBACK_DEMO_CARDS) issueDemoCard({ ...c, ...('nhi' in c ? { nhi: { ...c.nhi } } : {}) }, pkiDir ? { dir: pkiDir } : {})
    cards = listDemoCards(pkiDir)
  }
  return new VirtualCardRack(virtualCardsFor(cards), opts.slots ?? VPCD_SLOTS, opts.driver ?? vpcdDriver)
}
