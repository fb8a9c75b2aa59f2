// Plugs a VirtualCard into a vpcd slot: connect to the vpcd driver inside pcscd = insert the card, close = remove.
// Protocol (vsmartcard vpcd): frames are a 2-byte big-endian length + payload. A 1-byte payload is a control message
// (0 power off, 1 power on, 2 reset, 4 get ATR → we answer with the ATR); anything else is an APDU → we answer with
// the response APDU.
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import type { VirtualCard } from './virtual-card.js'

export const VPCD_HOST = '127.0.0.1'
/** vpcd's first slot; slot n listens on VPCD_BASE_PORT + n (CHANNELID 0x8C7B in /etc/reader.conf.d/vpcd). */
export const VPCD_BASE_PORT = 35963
export const VPCD_SLOTS = 2

/**
 * Whether pcscd's vpcd driver listens on its first slot, probed by reading /proc/net/tcp* (connecting would "insert"
 * an empty card). False where /proc is missing (not Linux): the in-process readers are used there.
 */
export function vpcdListening(port = VPCD_BASE_PORT): boolean {
  const text = ['/proc/net/tcp', '/proc/net/tcp6']
    .map((f) => {
      try {
        return readFileSync(f, 'utf8')
      } catch {
        return ''
      }
    })
    .join('\n')
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')} `
  return text.split('\n').some((l) => l.toUpperCase().includes(hexPort) && / 0A /.test(l))
}

const CTRL = { OFF: 0, ON: 1, RESET: 2, ATR: 4 } as const

export interface VpcdLink {
  readonly card: VirtualCard
  readonly port: number
  /** Resolves once the socket is closed (card removed). */
  remove(): Promise<void>
  readonly closed: Promise<void>
}

export interface InsertOptions {
  host?: string
  /** Called before each APDU is answered; return 'remove' to pull the card out instead of answering. */
  onApdu?: (apdu: Buffer) => 'remove' | void
}

/** Inserts the card into vpcd slot `slot` (port VPCD_BASE_PORT + slot). Rejects if vpcd does not listen. */
export function insertVirtualCard(card: VirtualCard, slot = 0, opts: InsertOptions = {}): Promise<VpcdLink> {
  const port = VPCD_BASE_PORT + slot
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: opts.host ?? VPCD_HOST, port })
    let buf = Buffer.alloc(0)
    let resolveClosed!: () => void
    const closed = new Promise<void>((r) => (resolveClosed = r))
    const send = (payload: Buffer) => {
      const head = Buffer.alloc(2)
      head.writeUInt16BE(payload.length)
      socket.write(Buffer.concat([head, payload]))
    }
    const handle = (msg: Buffer) => {
      if (msg.length === 1) {
        const c = msg[0]
        if (c === CTRL.ATR) send(card.atr)
        else if (c === CTRL.OFF || c === CTRL.ON || c === CTRL.RESET) card.reset()
        return
      }
      if (opts.onApdu?.(msg) === 'remove') {
        socket.destroy()
        return
      }
      let response: Buffer
      try {
        response = card.transmit(msg)
      } catch {
        response = Buffer.from([0x6f, 0x00]) // no precise diagnosis
      }
      send(response)
    }
    socket.setNoDelay(true)
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0)
        if (buf.length < 2 + len) break
        const msg = buf.subarray(2, 2 + len)
        buf = buf.subarray(2 + len)
        handle(Buffer.from(msg))
      }
    })
    socket.once('connect', () => {
      socket.off('error', onConnectError)
      socket.on('error', () => socket.destroy())
      resolve({
        card,
        port,
        closed,
        remove: () => {
          socket.destroy()
          return closed
        },
      })
    })
    const onConnectError = (e: Error) =>
      reject(new Error(`vpcd does not listen on ${opts.host ?? VPCD_HOST}:${port} (is pcscd running with vsmartcard-vpcd? run test/support/services.sh): ${e.message}`))
    socket.once('error', onConnectError)
    socket.on('close', () => resolveClosed())
  })
}
