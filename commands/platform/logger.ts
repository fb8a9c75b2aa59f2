import { AsyncLocalStorage } from 'node:async_hooks'
import { pino, type Logger } from 'pino'

/** Correlation id of the work in progress (request, command, projection batch); mixed into every log line. */
const context = new AsyncLocalStorage<{ correlationId: string }>()

export const withCorrelation = <T>(correlationId: string, fn: () => T): T => context.run({ correlationId }, fn)
export const currentCorrelationId = (): string | undefined => context.getStore()?.correlationId

/** What a request log line says about the request: method, path (query string cut off), client address. */
export function requestForLog(req: { method?: string; url?: string; ip?: string }): Record<string, unknown> {
  const url = req.url ?? ''
  const q = url.indexOf('?')
  return { method: req.method, url: q < 0 ? url : `${url.slice(0, q)}?[redacted]`, remoteAddress: req.ip }
}

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'baobei' },
      mixin: () => {
        const id = currentCorrelationId()
        return id ? { correlationId: id } : {}
      },
      // request logs carry the path only: a query string may hold a national ID (search forms use GET)
      serializers: { req: requestForLog },
      redact: { paths: ['pin', '*.pin', 'password', '*.password', 'otp', '*.otp', 'req.headers.cookie'], remove: true },
    },
    destination as pino.DestinationStream | undefined,
  )
}

export type { Logger }
