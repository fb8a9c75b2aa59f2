// Generic command handling over a decider (DESIGN.md §4): read the stream, fold, decide, append with the folded
// version as expected version. Same commandId twice = the first result, no second event. On a concurrency conflict
// the stream is re-read and the command RE-DECIDED (never blindly re-appended), a bounded number of times.
import type { Actor, Instant } from '../domain/types.js'
import type { EventMeta } from '../domain/events.js'
import { DomainError, isDomainError } from '../domain/errors.js'
import type { Logger } from './platform/logger.js'
import { START, type EventStore, type EventToAppend, type LogPosition, type RecordedEvent } from './event-store/port.js'

/** An event as a decider produces it. */
export interface DecidedEvent {
  type: string
  data: unknown
}

/** Emmett-style decider: pure functions, the clock and look-ups come in through the command/context. */
export interface Decider<S, C, E extends DecidedEvent, Ctx = void> {
  /** The state before the first event (a value, or a function making a fresh one). */
  initialState: S | (() => S)
  /** Folds one event; recorded events (with meta, position...) are passed as they are. */
  evolve: (state: S, event: E & { meta?: EventMeta }) => S
  /** Events for the command, or a DomainError. */
  decide: (command: C, state: S, ctx: Ctx) => E[]
}

export interface CommandMeta {
  /** Idempotency key: the same id again returns the first result and writes nothing. */
  commandId: string
  actor: Actor
  correlationId: string
  /** Defaults to commandId. */
  causationId?: string
  /** Business time of the command (the domain has no clock). */
  occurredAt: Instant
}

/** A value, or something computed from the current state (re-evaluated on every retry). */
export type FromState<S, T> = T | ((state: S) => T | Promise<T>)

export interface HandleInput<S, C, Ctx> {
  stream: string
  command: FromState<S, C>
  ctx: FromState<S, Ctx>
  meta: CommandMeta
}

export interface HandleResult<S, E extends DecidedEvent> {
  /** The events of this command: newly appended, or (duplicate) the ones its first run appended. */
  events: Array<E & { meta: EventMeta }>
  /** Stream version after the command. */
  nextVersion: number
  /** Log position of the command's last event (of the stream's last event when nothing was decided). */
  position: LogPosition
  /** True when this commandId had already been handled: nothing was written now. */
  duplicate: boolean
  /** State after the command's events. */
  state: S
}

export interface CommandHandlerOptions {
  /** Attempts on CONCURRENCY_CONFLICT (each one re-reads and re-decides). Default 5. */
  maxAttempts?: number
  logger?: Logger
}

export interface CommandHandler<S, C, E extends DecidedEvent, Ctx> {
  handle(input: HandleInput<S, C, Ctx>): Promise<HandleResult<S, E>>
  /** Current state of a stream (fold of all its events) and its version. */
  load(stream: string): Promise<{ state: S; version: number; events: RecordedEvent[] }>
}

const resolve = async <S, T>(v: FromState<S, T>, state: S): Promise<T> =>
  typeof v === 'function' ? await (v as (s: S) => T | Promise<T>)(state) : v

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function createCommandHandler<S, C, E extends DecidedEvent, Ctx>(
  store: EventStore,
  decider: Decider<S, C, E, Ctx>,
  options: CommandHandlerOptions = {},
): CommandHandler<S, C, E, Ctx> {
  const maxAttempts = options.maxAttempts ?? 5
  const initial = (): S =>
    typeof decider.initialState === 'function' ? (decider.initialState as () => S)() : decider.initialState
  const fold = (events: readonly RecordedEvent[], from: S = initial()): S =>
    events.reduce((s, e) => decider.evolve(s, e as unknown as E & { meta: EventMeta }), from)

  async function load(stream: string) {
    const events = await store.readStream(stream)
    return { state: fold(events), version: events.length, events }
  }

  /** The result of an earlier run of this command on this stream, from the stream itself. */
  function earlierRun(events: RecordedEvent[], commandId: string): HandleResult<S, E> | undefined {
    const mine = events.filter((e) => e.meta?.commandId === commandId)
    const last = mine.at(-1)
    if (!last) return undefined
    return {
      events: mine as unknown as Array<E & { meta: EventMeta }>,
      nextVersion: last.streamVersion,
      position: last.position,
      duplicate: true,
      state: fold(events),
    }
  }

  async function handle(input: HandleInput<S, C, Ctx>): Promise<HandleResult<S, E>> {
    const { stream } = input
    const meta: EventMeta = {
      commandId: input.meta.commandId,
      actor: input.meta.actor,
      correlationId: input.meta.correlationId,
      causationId: input.meta.causationId ?? input.meta.commandId,
      occurredAt: input.meta.occurredAt,
    }
    if (!meta.commandId) throw new DomainError('VALIDATION_FAILED', { fields: ['commandId'] })
    for (let attempt = 1; ; attempt++) {
      const { state, version, events: history } = await load(stream)
      // Checked BEFORE deciding: a repeated command gets its first result even if the state has moved on since.
      const earlier = earlierRun(history, meta.commandId)
      if (earlier) return earlier
      const command = await resolve(input.command, state)
      const ctx = await resolve(input.ctx, state)
      const decided = decider.decide(command, state, ctx) // a DomainError propagates: nothing is appended
      const toAppend: Array<EventToAppend & E & { meta: EventMeta }> = decided.map((e) => ({ ...e, meta }))
      if (toAppend.length === 0) {
        return { events: [], nextVersion: version, position: history.at(-1)?.position ?? START, duplicate: false, state }
      }
      try {
        const r = await store.append(stream, toAppend, version === 0 ? 'no_stream' : version)
        if (r.duplicate) {
          // raced with ourselves (same commandId): report what the first run wrote
          const again = await load(stream)
          return (
            earlierRun(again.events, meta.commandId) ?? {
              events: [],
              nextVersion: r.nextVersion,
              position: r.lastPosition,
              duplicate: true,
              state: again.state,
            }
          )
        }
        return {
          events: toAppend,
          nextVersion: r.nextVersion,
          position: r.lastPosition,
          duplicate: false,
          state: fold(toAppend as unknown as RecordedEvent[], state),
        }
      } catch (e) {
        if (!(isDomainError(e) && e.code === 'CONCURRENCY_CONFLICT') || attempt >= maxAttempts) throw e
        options.logger?.debug({ stream, attempt, commandId: meta.commandId }, 'concurrency conflict: re-reading and re-deciding')
        await sleep(Math.floor(Math.random() * 10 * attempt))
      }
    }
  }

  return { handle, load }
}

/** One-off form of createCommandHandler(store, decider, options).handle(input). */
export const handleCommand = <S, C, E extends DecidedEvent, Ctx>(
  store: EventStore,
  decider: Decider<S, C, E, Ctx>,
  input: HandleInput<S, C, Ctx>,
  options?: CommandHandlerOptions,
): Promise<HandleResult<S, E>> => createCommandHandler(store, decider, options).handle(input)
