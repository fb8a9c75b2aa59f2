// PC/SC through pcsclite: tracks readers (added/removed) and cards (inserted/removed), runs card sessions one at a
// time per reader (connect SHARED, disconnect LEAVE_CARD), maps PC/SC failures to CARD_ABSENT / READER_ABSENT, and
// recreates the PC/SC context when pcscd goes away (restart) or is not there yet.
// pcsclite is an optional native dependency: it is loaded lazily (loadPcsclite), so the agent and `baobei serve`
// start on a machine that lacks it (or lacks pcscd) and can fall back to in-process virtual cards.
import { EventEmitter } from 'node:events'
import { DomainError } from '../domain/errors.js'
import type { Transmit } from './apdu.js'

// The part of pcsclite's API used here, typed locally so type checking does not need the optional package.
type Callback<T> = (err: Error | null | undefined, value: T) => void
interface CardReader extends EventEmitter {
  name: string
  SCARD_SHARE_SHARED: number
  SCARD_LEAVE_CARD: number
  SCARD_STATE_PRESENT: number
  SCARD_STATE_EMPTY: number
  connected: boolean
  connect(options: { share_mode?: number; protocol?: number }, cb: Callback<number>): void
  transmit(data: Buffer, resLen: number, protocol: number, cb: Callback<Buffer>): void
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void
  close(): void
}
interface PcscContext extends EventEmitter {
  close(): void
}
export type PcscliteFactory = () => PcscContext

/** Set to 1 to behave as if pcsclite were not installed (tests of the fallback; machines with a broken build). */
export const NO_PCSC_ENV = 'BAOBEI_NO_PCSC'

let pcscliteLoad: Promise<PcscliteFactory> | undefined
/** Imports the optional pcsclite module once; rejects with a clear message when it is missing or disabled. */
export function loadPcsclite(): Promise<PcscliteFactory> {
  if (/^(1|true|yes)$/i.test(process.env[NO_PCSC_ENV] ?? '')) return Promise.reject(new Error(`pcsclite disabled by ${NO_PCSC_ENV}`))
  pcscliteLoad ??= import('pcsclite' as string).then(
    (m: { default?: PcscliteFactory } & PcscliteFactory) => m.default ?? m,
    (e: Error) => {
      pcscliteLoad = undefined
      throw new Error(`the pcsclite module is not installed or not built (${e.message.split('\n')[0]})`)
    },
  )
  return pcscliteLoad
}

export interface PcscReaderState {
  name: string
  present: boolean
  atr?: Buffer
  /** Increments at each insertion: a cache key for what is known about the card. */
  insertion: number
}

export interface PcscLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
}

interface Tracked extends PcscReaderState {
  reader: CardReader
  queue: Promise<unknown>
  seenStatus: boolean
}

// PC/SC codes (pcsclite error messages end with "(0x8010xxxx)")
const CARD_GONE = /0x8010000C|0x80100069|0x80100068|0x80100067|0x80100066|0x8010002E|0x80100017|0x80100009|not connected/i

export class PcscManager extends EventEmitter {
  private ctx: PcscContext | undefined
  private readonly tracked = new Map<string, Tracked>()
  private restartTimer: NodeJS.Timeout | undefined
  private closed = false
  private lastError: string | undefined
  private insertions = 0
  private generation = 0
  private factory: PcscliteFactory | undefined
  /** Set when the pcsclite module itself cannot be loaded: no retry helps then. */
  private unavailable: string | undefined

  constructor(private readonly opts: { logger?: PcscLogger; retryMs?: number } = {}) {
    super()
    void loadPcsclite().then(
      (f) => {
        this.factory = f
        this.open()
      },
      (e: Error) => {
        this.unavailable = e.message
        this.lastError = e.message
        this.opts.logger?.warn({ err: e.message }, 'PC/SC not available')
      },
    )
  }

  private open() {
    if (this.closed || !this.factory) return
    const gen = ++this.generation
    let ctx: PcscContext
    try {
      ctx = this.factory() // throws at once when pcscd is not (yet) there
    } catch (e) {
      const message = (e as Error).message
      if (message !== this.lastError) this.opts.logger?.warn({ err: message }, 'PC/SC not available; retrying every 0.5 s')
      this.lastError = message
      clearTimeout(this.restartTimer)
      this.restartTimer = setTimeout(() => this.open(), this.opts.retryMs ?? 500)
      return
    }
    this.ctx = ctx
    ctx.on('error', (e: Error) => {
      if (gen !== this.generation || this.closed) return
      this.lastError = e.message
      this.opts.logger?.warn({ err: e.message }, 'PC/SC context failed; recreating it')
      this.resetContext()
    })
    ctx.on('reader', (r: CardReader) => {
      if (gen !== this.generation) return
      const reader = r as CardReader
      const t: Tracked = { name: reader.name, present: false, insertion: 0, reader, queue: Promise.resolve(), seenStatus: false }
      this.tracked.set(reader.name, t)
      this.lastError = undefined
      this.emit('reader-added', reader.name)
      reader.on('error', (e: Error) => this.opts.logger?.warn({ reader: reader.name, err: e.message }, 'reader error'))
      reader.on('status', (s: { state: number; atr?: Buffer }) => {
        t.seenStatus = true
        const present = (s.state & reader.SCARD_STATE_PRESENT) !== 0
        if (present && !t.present) {
          t.present = true
          t.atr = s.atr
          t.insertion = ++this.insertions
          this.emit('card-inserted', reader.name, s.atr)
        } else if (!present && t.present) {
          t.present = false
          t.atr = undefined
          this.emit('card-removed', reader.name)
        }
        this.emit('status', reader.name)
      })
      reader.on('end', () => {
        if (this.tracked.get(reader.name) !== t) return
        this.tracked.delete(reader.name)
        if (t.present) this.emit('card-removed', reader.name)
        this.emit('reader-removed', reader.name)
      })
    })
  }

  private resetContext() {
    const old = this.ctx
    this.ctx = undefined
    this.generation++
    for (const t of this.tracked.values()) {
      if (t.present) this.emit('card-removed', t.name)
      this.emit('reader-removed', t.name)
    }
    this.tracked.clear()
    try {
      old?.close()
    } catch {
      /* already gone */
    }
    clearTimeout(this.restartTimer)
    this.restartTimer = setTimeout(() => this.open(), this.opts.retryMs ?? 500)
  }

  /** Waits (up to `ms`) until every known reader reported its first status. */
  async settled(ms = 1500): Promise<void> {
    const end = Date.now() + ms
    while (Date.now() < end) {
      if (this.unavailable) return
      if (this.tracked.size > 0 && [...this.tracked.values()].every((t) => t.seenStatus)) return
      if (this.lastError && this.tracked.size === 0 && Date.now() > end - ms + 300) return
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  readers(): PcscReaderState[] {
    return [...this.tracked.values()]
      .map(({ name, present, atr, insertion }) => ({ name, present, ...(atr ? { atr } : {}), insertion }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Why there may be no readers (pcscd down), for diagnostics. */
  get error(): string | undefined {
    return this.lastError
  }

  /**
   * Runs `fn` with a card session on `readerName`: connect SHARED, transmit, disconnect LEAVE_CARD. Sessions on one
   * reader run one after the other. PC/SC failures that mean "no card" become CARD_ABSENT.
   */
  withCard<T>(readerName: string, fn: (transmit: Transmit) => Promise<T>): Promise<T> {
    const t = this.tracked.get(readerName)
    if (!t) return Promise.reject(new DomainError('READER_ABSENT', { reader: readerName }))
    const run = async (): Promise<T> => {
      const r = t.reader
      if (!this.tracked.has(readerName)) throw new DomainError('READER_ABSENT', { reader: readerName })
      if (!t.present) throw new DomainError('CARD_ABSENT', { reader: readerName })
      const protocol = await new Promise<number>((resolve, reject) =>
        r.connect({ share_mode: r.SCARD_SHARE_SHARED }, (err: Error | null | undefined, p: number) =>
          err ? reject(this.mapError(err, t)) : resolve(p),
        ),
      )
      const transmit: Transmit = (apdu) =>
        new Promise((resolve, reject) =>
          r.transmit(apdu, 258, protocol, (err: Error | null | undefined, data: Buffer) =>
            err ? reject(this.mapError(err, t)) : resolve(data),
          ),
        )
      try {
        return await fn(transmit)
      } catch (e) {
        if (e instanceof DomainError) throw e
        // pcscd notices a pulled card a moment after the failed transmit: give its status event time to arrive
        await this.waitForRemoval(t, 800)
        throw this.mapError(e as Error, t)
      } finally {
        await new Promise<void>((resolve) =>
          r.disconnect(r.SCARD_LEAVE_CARD, () => {
            r.connected = false // a failed disconnect (card gone) must not leave a stale handle behind
            resolve()
          }),
        )
      }
    }
    const result = t.queue.then(run, run)
    t.queue = result.catch(() => undefined)
    return result
  }

  private async waitForRemoval(t: Tracked, ms: number) {
    const end = Date.now() + ms
    while (Date.now() < end && t.present && this.tracked.get(t.name) === t) await new Promise((r) => setTimeout(r, 20))
  }

  private mapError(e: Error, t: Tracked): Error {
    if (e instanceof DomainError) return e
    if (this.tracked.get(t.name) !== t) return new DomainError('READER_ABSENT', { reader: t.name })
    if (!t.present || CARD_GONE.test(e.message)) return new DomainError('CARD_ABSENT', { reader: t.name, pcsc: e.message })
    return e
  }

  close() {
    this.closed = true
    clearTimeout(this.restartTimer)
    this.generation++
    try {
      this.ctx?.close()
    } catch {
      /* already gone */
    }
    for (const t of this.tracked.values()) {
      try {
        t.reader.close()
      } catch {
        /* ignore */
      }
    }
    this.tracked.clear()
  }
}
