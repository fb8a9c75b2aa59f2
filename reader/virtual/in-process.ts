// In-process virtual readers: the agent talks APDUs straight to the virtual cards, without pcscd, vpcd or pcsclite.
// Used by the demo (`baobei serve --demo`, `baobei reader --virtual=inprocess`) and wherever PC/SC is missing.
// Each slot is a reader named `${IN_PROCESS_READER_PREFIX}<n>`; inserting a card = putting it in a slot (power on:
// reset), removing = taking it out. Sessions on one reader run one after the other; each session starts from a card
// reset (security state cleared) while the PIN tries survive, as on a real card.
import { DomainError } from '../../domain/errors.js'
import type { Transmit } from '../apdu.js'
import type { CardReaders } from '../pcsc-backend.js'
import type { PcscReaderState } from '../pcsc.js'
import type { SlotDriver, SlotLink } from './rack.js'
import type { VirtualCard } from './virtual-card.js'

export const IN_PROCESS_READER_PREFIX = 'Baobei Virtual Reader '

interface Slot {
  name: string
  card?: VirtualCard
  atr?: Buffer
  insertion: number
  /** Resolves the `closed` promise of the current insertion. */
  out?: () => void
  queue: Promise<unknown>
}

export class InProcessReaders implements CardReaders {
  private readonly slots: Slot[]
  private insertions = 0
  private closed = false
  readonly error: string | undefined = undefined

  constructor(slotCount: number) {
    this.slots = Array.from({ length: slotCount }, (_, i) => ({ name: `${IN_PROCESS_READER_PREFIX}${i}`, insertion: 0, queue: Promise.resolve() }))
  }

  /** The rack's slot driver: inserting puts the card into slot `slot` of these readers. */
  readonly driver: SlotDriver = async (card: VirtualCard, slot: number): Promise<SlotLink> => {
    const s = this.slots[slot]
    if (!s) throw new Error(`no virtual reader slot ${slot}`)
    if (this.closed) throw new Error('virtual readers closed')
    this.pull(s)
    card.reset() // power on
    s.card = card
    s.atr = card.atr
    s.insertion = ++this.insertions
    let resolveClosed!: () => void
    const closed = new Promise<void>((r) => (resolveClosed = r))
    s.out = resolveClosed
    return {
      closed,
      remove: async () => {
        if (s.card === card && s.out === resolveClosed) this.pull(s)
        return closed
      },
    }
  }

  private pull(s: Slot) {
    const out = s.out
    s.card = undefined
    s.atr = undefined
    s.out = undefined
    out?.()
  }

  async settled(): Promise<void> {}

  readers(): PcscReaderState[] {
    return this.slots.map((s) => ({ name: s.name, present: Boolean(s.card), ...(s.atr ? { atr: s.atr } : {}), insertion: s.insertion }))
  }

  withCard<T>(readerName: string, fn: (transmit: Transmit) => Promise<T>): Promise<T> {
    const s = this.slots.find((x) => x.name === readerName)
    if (!s || this.closed) return Promise.reject(new DomainError('READER_ABSENT', { reader: readerName }))
    const run = async (): Promise<T> => {
      const card = s.card
      if (!card) throw new DomainError('CARD_ABSENT', { reader: readerName })
      const insertion = s.insertion
      card.reset()
      const transmit: Transmit = async (apdu) => {
        // the card was pulled (or swapped) during the session
        if (s.card !== card || s.insertion !== insertion) throw new DomainError('CARD_ABSENT', { reader: readerName })
        try {
          return Buffer.from(card.transmit(Buffer.from(apdu)))
        } catch {
          return Buffer.from([0x6f, 0x00]) // no precise diagnosis, as over vpcd
        }
      }
      return fn(transmit)
    }
    const result = s.queue.then(run, run)
    s.queue = result.catch(() => undefined)
    return result
  }

  close(): void {
    this.closed = true
    for (const s of this.slots) this.pull(s)
  }
}
