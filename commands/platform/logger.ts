import { AsyncLocalStorage } from 'node:async_hooks'
import { pino, type Logger } from 'pino'

/** Correlation id of the work in progress (request, command, projection batch); mixed into every log line. */
const context = new AsyncLocalStorage<{ correlationId: string }>()

export const withCorrelation = <T>(correlationId: string, fn: () => T): T => context.run({ correlationId }, fn)
export const currentCorrelationId = (): string | undefined => context.getStore()?.correlationId

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'baobei' },
      mixin: () => {
        const id = currentCorrelationId()
        return id ? { correlationId: id } : {}
      },
      redact: { paths: ['pin', '*.pin', 'password', '*.password', 'otp', '*.otp', 'req.headers.cookie'], remove: true },
    },
    destination as pino.DestinationStream | undefined,
  )
}

export type { Logger }
