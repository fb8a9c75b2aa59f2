// CardBackend over PC/SC: finds the right reader, tells NHI cards from HCA-style PKI cards, reads and signs.
// It needs only a set of readers with card sessions (CardReaders): pcscd through pcsclite (PcscManager), or the
// in-process virtual readers (virtual/in-process.ts) that hand APDUs straight to virtual cards.
import { DomainError } from '../domain/errors.js'
import type { Transmit } from './apdu.js'
import { cardBasicData } from './card-certificate.js'
import type { CardBackend, ReaderInfo } from './card-protocol.js'
import { readCertificate, selectHcaApplet, signSha256, verifyPin, PIN_PATTERN } from './hca-card.js'
import { NHI_SELECT, NotThisCard, readNhiCard } from './nhi-card.js'
import { READER_CARD_LABELS, readerCard } from '../domain/card/reader-card.js'
import { sendApdu } from './apdu.js'
import type { PcscReaderState } from './pcsc.js'

/** What the backend needs from "the readers": PcscManager implements it, and so does InProcessReaders. */
export interface CardReaders {
  /** Resolves once the readers' first states are known (or it is clear there are none). */
  settled(): Promise<void>
  readers(): PcscReaderState[]
  /** Runs `fn` with a card session on the reader; CARD_ABSENT / READER_ABSENT when it cannot. */
  withCard<T>(readerName: string, fn: (transmit: Transmit) => Promise<T>): Promise<T>
  /** Why there may be no readers, for diagnostics. */
  readonly error: string | undefined
  close(): void
}


/** What card is in the reader, without a PIN: an NHI card (its kind only), a PKI card (its certificate's holder, masked), or neither. */
async function probe(transmit: Transmit): Promise<Omit<ReaderInfo, 'name' | 'cardPresent'>> {
  // an NHI card is named by its kind only: its data (name, ID) is read only after the page asks with a fresh
  // challenge (DESIGN §5), never for a listing
  if ((await sendApdu(transmit, NHI_SELECT)).sw === 0x9000) return { cardType: 'nhi', ...readerCard('nhi', undefined, undefined) }
  try {
    await selectHcaApplet(transmit)
  } catch (e) {
    if (e instanceof NotThisCard) return { cardType: 'unknown', kind: 'unknown' }
    throw e
  }
  const card = cardBasicData(await readCertificate(transmit))
  return { cardType: 'hca', ...(card.kind !== 'unknown' ? { cardKind: card.kind } : {}), ...readerCard('pki', card.kind, card.name) }
}

export function createPcscBackend(pcsc: CardReaders): CardBackend {
  const known = new Map<string, { insertion: number; info: Omit<ReaderInfo, 'name' | 'cardPresent'> }>()

  const describe = async (name: string, insertion: number): Promise<Omit<ReaderInfo, 'name' | 'cardPresent'>> => {
    const k = known.get(name)
    if (k && k.insertion === insertion) return k.info
    const info = await pcsc.withCard(name, probe)
    known.set(name, { insertion, info })
    return info
  }

  const readers = async (): Promise<ReaderInfo[]> => {
    await pcsc.settled()
    const out: ReaderInfo[] = []
    for (const r of pcsc.readers()) {
      if (!r.present) {
        out.push({ name: r.name, cardPresent: false })
        continue
      }
      try {
        out.push({ name: r.name, cardPresent: true, ...(await describe(r.name, r.insertion)) })
      } catch (e) {
        const gone = e instanceof DomainError && e.code === 'CARD_ABSENT'
        out.push(gone ? { name: r.name, cardPresent: false } : { name: r.name, cardPresent: true, cardType: 'unknown', kind: 'unknown' })
      }
    }
    return out
  }

  /** The reader to use: the named one, else the first holding a card of the wanted type. */
  const pick = async (type: 'nhi' | 'hca', reader?: string): Promise<string> => {
    const all = await readers()
    if (!all.length) throw new DomainError('READER_ABSENT', pcsc.error ? { pcsc: pcsc.error } : {})
    if (reader) {
      const r = all.find((x) => x.name === reader)
      if (!r) throw new DomainError('READER_ABSENT', { reader })
      if (!r.cardPresent) throw new DomainError('CARD_ABSENT', { reader, wanted: type })
      // the named reader only: another reader's card is never used instead
      if (r.cardType !== type) {
        const kind = r.kind ?? 'unknown'
        throw new DomainError('CARD_ABSENT', { reader, wanted: type, found: kind }, `讀卡機「${reader}」中的是${READER_CARD_LABELS[kind]}，${type === 'nhi' ? '不是健保卡' : '不是可簽章的憑證卡'}`)
      }
      return r.name
    }
    const r = all.find((x) => x.cardPresent && x.cardType === type)
    if (!r) throw new DomainError('CARD_ABSENT', { wanted: type })
    return r.name
  }

  return {
    readers,
    async readNhiCard(reader) {
      const name = await pick('nhi', reader)
      const data = await pcsc.withCard(name, readNhiCard)
      return { ...data, reader: name }
    },
    async signChallenge(challenge, pin, reader) {
      if (!PIN_PATTERN.test(pin)) throw new DomainError('VALIDATION_FAILED', { field: 'pin' }, ['PIN 碼須為 4 至 12 位數字'])
      if (challenge.length < 16 || challenge.length > 1024) throw new DomainError('VALIDATION_FAILED', { field: 'challenge' })
      const name = await pick('hca', reader)
      return pcsc.withCard(name, async (transmit) => {
        await selectHcaApplet(transmit)
        await verifyPin(transmit, pin)
        const certificate = await readCertificate(transmit)
        const signature = await signSha256(transmit, challenge)
        return { certificate, signature, card: cardBasicData(certificate), reader: name }
      })
    },
    async close() {
      pcsc.close()
    },
  }
}
