// The local reader agent: HTTP on 127.0.0.1 only, answering only the configured site origin (Origin check + CORS,
// others get 403; Host must be loopback against DNS rebinding). Endpoints:
//   GET  /readers    → { readers: ReaderInfo[] }
//   GET  /nhi-card   → NHI basic data (+ reader)            ?reader=<name> optional
//   POST /sign       { challenge: base64 (32 bytes), pin, reader? } → { certificate: base64 DER, signature: base64, card,
//                    reader }: the card signs the login payload (domain/card/login-payload.ts) built here from the
//                    caller's Origin and the challenge, never caller-chosen bytes; a non-loopback http origin is refused
//   GET  /health     → { ok: true }
// Demo/test only (when started with a virtual rack):
//   GET  /virtual            → { slots, cards }
//   POST /virtual/insert     { slot, card }
//   POST /virtual/remove     { slot }
// Errors: { error: { code, message (zh-TW), details } } with the catalogue's HTTP status. The PIN is never logged.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loginPayload, signableOrigin } from '../domain/card/login-payload.js'
import { DomainError, ERRORS, isDomainError } from '../domain/errors.js'
import type { CardBackend } from './card-protocol.js'
import type { VirtualCardRack } from './virtual/rack.js'

export interface AgentLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface ReaderAgentOptions {
  backend: CardBackend
  /**
   * The site origin(s) allowed to call, e.g. 'http://127.0.0.1:3000'; or a function asked at each request (an
   * agent started before its site knows its own port).
   */
  origin: string | string[] | (() => Iterable<string>)
  /** Default 7443; 0 = any free port. */
  port?: number
  logger?: AgentLogger
  /** Demo mode: exposes /virtual endpoints driving these virtual cards. */
  rack?: VirtualCardRack
}

export interface ReaderAgent {
  url: string
  port: number
  close(): Promise<void>
}

const MAX_BODY = 16 * 1024
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req) {
    size += (c as Buffer).length
    if (size > MAX_BODY) throw new HttpError(413, 'VALIDATION_FAILED', '請求內容過大')
    chunks.push(c as Buffer)
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {
    /* fall through */
  }
  throw new DomainError('VALIDATION_FAILED', { body: 'JSON object expected' })
}

const optionalString = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined
  if (typeof v !== 'string') throw new DomainError('VALIDATION_FAILED', { field })
  return v
}

export async function startReaderAgent(opts: ReaderAgentOptions): Promise<ReaderAgent> {
  if (typeof opts.origin !== 'function') {
    for (const o of typeof opts.origin === 'string' ? [opts.origin] : opts.origin) {
      if (!signableOrigin(o.replace(/\/+$/, ''))) throw new Error(`reader agent: ${o} is not an origin cards may sign for (https, or http on a loopback host)`)
    }
  }
  const norm = (list: Iterable<string>) => new Set([...list].map((o) => o.replace(/\/+$/, '')))
  const fixed = typeof opts.origin === 'function' ? undefined : norm(typeof opts.origin === 'string' ? [opts.origin] : opts.origin)
  const originsNow = () => fixed ?? norm((opts.origin as () => Iterable<string>)())
  const log = opts.logger

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const json = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(json) })
    res.end(json)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const origin = req.headers.origin
    if (!LOOPBACK_HOST.test(req.headers.host ?? '')) throw new HttpError(403, 'FORBIDDEN', 'Host not allowed')
    if (!origin || !originsNow().has(origin)) throw new HttpError(403, 'FORBIDDEN', 'Origin not allowed')
    res.setHeader('access-control-allow-origin', origin)
    res.setHeader('vary', 'Origin')
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
        // Chrome's Private Network Access: a public site may call this loopback agent
        ...(req.headers['access-control-request-private-network'] ? { 'access-control-allow-private-network': 'true' } : {}),
      })
      res.end()
      return
    }
    const route = `${req.method} ${url.pathname}`
    switch (route) {
      case 'GET /health':
        return send(res, 200, { ok: true, virtual: Boolean(opts.rack) })
      case 'GET /readers':
        return send(res, 200, { readers: await opts.backend.readers() })
      case 'GET /nhi-card':
        return send(res, 200, await opts.backend.readNhiCard(url.searchParams.get('reader') ?? undefined))
      case 'POST /sign': {
        const body = await readJson(req)
        const challengeB64 = optionalString(body.challenge, 'challenge')
        const pin = optionalString(body.pin, 'pin')
        if (!challengeB64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(challengeB64)) throw new DomainError('VALIDATION_FAILED', { field: 'challenge' })
        if (!pin) throw new DomainError('VALIDATION_FAILED', { field: 'pin' }, ['請輸入 PIN 碼'])
        if (!signableOrigin(origin)) throw new DomainError('ORIGIN_NOT_SIGNABLE', { origin })
        const payload = loginPayload({ origin, challenge: Buffer.from(challengeB64, 'base64'), purpose: 'login' })
        const r = await opts.backend.signChallenge(payload, pin, optionalString(body.reader, 'reader'))
        return send(res, 200, {
          certificate: r.certificate.toString('base64'),
          signature: r.signature.toString('base64'),
          card: r.card,
          reader: r.reader,
        })
      }
    }
    if (opts.rack) {
      const rack = opts.rack
      switch (route) {
        case 'GET /virtual':
          return send(res, 200, { slots: rack.slots(), cards: rack.catalogue() })
        case 'POST /virtual/insert': {
          const body = await readJson(req)
          const card = optionalString(body.card, 'card')
          if (typeof body.slot !== 'number' || !card) throw new DomainError('VALIDATION_FAILED', { fields: ['slot', 'card'] })
          await rack.insert(body.slot, card).catch((e: Error) => {
            throw new HttpError(400, 'VALIDATION_FAILED', e.message)
          })
          return send(res, 200, { slots: rack.slots() })
        }
        case 'POST /virtual/remove': {
          const body = await readJson(req)
          if (typeof body.slot !== 'number') throw new DomainError('VALIDATION_FAILED', { field: 'slot' })
          await rack.remove(body.slot)
          return send(res, 200, { slots: rack.slots() })
        }
      }
    }
    throw new HttpError(404, 'NOT_FOUND', 'no such endpoint')
  }

  const server = createServer((req, res) => {
    const started = Date.now()
    handle(req, res)
      .catch((e: unknown) => {
        if (res.headersSent) return
        if (isDomainError(e)) {
          send(res, e.status, { error: { code: e.code, message: e.message, details: e.details } })
        } else if (e instanceof HttpError) {
          send(res, e.status, { error: { code: e.code, message: e.message } })
        } else {
          log?.error({ err: (e as Error).message, path: req.url }, 'reader agent failure')
          send(res, 500, { error: { code: 'INTERNAL', message: ERRORS.INTERNAL.zh } })
        }
      })
      .finally(() => {
        // path and outcome only: never the body (it carries the PIN)
        log?.info({ method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode, ms: Date.now() - started }, 'reader agent request')
      })
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 60_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 7443, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  log?.info({ port, origins: [...originsNow()], virtual: Boolean(opts.rack) }, 'reader agent listening on 127.0.0.1')
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
