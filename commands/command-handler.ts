// Generic command handling over a decider (DESIGN.md §4): read the stream, fold, decide, append with the folded
// version as expected version. The read is skipped when the fold this process kept is at hand, or when the command
// opens its stream (probablyNew): both are guesses the append's expected version proves. Same commandId twice = the
// first result, no second event. On a concurrency conflict the stream is re-read and the command RE-DECIDED (never
// blindly re-appended), a bounded number of times.
import type { Actor, Instant } from '../domain/types.js'
import type { EventMeta } from '../domain/events.js'
import { DomainError, isDomainError } from '../domain/errors.js'
import type { Logger } from './platform/logger.js'
import { START, type EventStore, type EventToAppend, type LogPosition, type RecordedEvent } from './event-store/port.js'
import { setRecent } from './platform/recent-map.js'

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
  /**
   * The stream is most likely new (a command that opens it, e.g. 報備支援 登錄 on a case id derived from a fresh
   * command id): the first attempt decides on the initial state without reading the stream. Only a guess, proved
   * like a cached state: the append expects no stream, so a stream that exists after all (the same command again)
   * fails it, and the command is answered from the stream as read (its first result, or decided again on it).
   */
  probablyNew?: boolean
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
  /**
   * Streams whose folded state this handler keeps after its own reads and appends (least recently used dropped
   * first; default 5000, 0 = off). A cached state is only ever a starting guess: the append's expected version
   * proves it current, a conflict or a rejection decided on it re-reads the stream and decides again.
   */
  cachedStreams?: number
}

export interface CommandHandler<S, C, E extends DecidedEvent, Ctx> {
  handle(input: HandleInput<S, C, Ctx>): Promise<HandleResult<S, E>>
  /** Current state of a stream (fold of all its events) and its version. */
  load(stream: string): Promise<{ state: S; version: number; events: RecordedEvent<E>[] }>
}

const resolve = async <S, T>(v: FromState<S, T>, state: S): Promise<T> =>
  typeof v === 'function' ? await (v as (s: S) => T | Promise<T>)(state) : v

const caches = new WeakMap<EventStore, WeakMap<object, Map<string, unknown>>>()
function sharedCache(store: EventStore, evolve: object): Map<string, unknown> {
  let byEvolve = caches.get(store)
  if (!byEvolve) caches.set(store, (byEvolve = new WeakMap()))
  let m = byEvolve.get(evolve)
  if (!m) byEvolve.set(evolve, (m = new Map()))
  return m
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function createCommandHandler<S, C, E extends DecidedEvent, Ctx>(
  store: EventStore,
  decider: Decider<S, C, E, Ctx>,
  options: CommandHandlerOptions = {},
): CommandHandler<S, C, E, Ctx> {
  const maxAttempts = options.maxAttempts ?? 5
  const initial = (): S =>
    typeof decider.initialState === 'function' ? (decider.initialState as () => S)() : decider.initialState
  const fold = (events: readonly (E & { meta: EventMeta })[], from: S = initial()): S =>
    events.reduce((s, e) => decider.evolve(s, e), from)

  // stream -> folded state, version and the command ids already in it (to spot a repeated command). Shared by every
  // handler of this process over the same store and evolve function (e.g. two deciders over report streams), so
  // within one process the cache is never behind; another process's appends are caught by the expected version.
  const cacheSize = options.cachedStreams ?? 5000
  const cache = sharedCache(store, decider.evolve) as Map<string, { state: S; version: number; commandIds: Set<string> }>
  function remember(stream: string, state: S, version: number, commandIds: Set<string>) {
    if (cacheSize <= 0) return
    setRecent(cache, stream, { state, version, commandIds }, cacheSize)
  }

  async function load(stream: string) {
    const events = await store.readStream<E>(stream)
    const loaded = { state: fold(events), version: events.length, events }
    remember(stream, loaded.state, loaded.version, new Set(events.map((e) => e.meta?.commandId)))
    return loaded
  }

  /** The result of an earlier run of this command on this stream, from the stream itself. */
  function earlierRun(events: RecordedEvent<E>[], commandId: string, actor: EventMeta['actor']): HandleResult<S, E> | undefined {
    const mine = events.filter((e) => e.meta?.commandId === commandId)
    const last = mine.at(-1)
    if (!last) return undefined
    // a repeated command answers its own actor only: someone else's command id reveals nothing of what it did
    const first = mine[0]!.meta?.actor
    if (!first || first.role !== actor.role || first.id !== actor.id) throw new DomainError('COMMAND_ID_REUSED')
    return {
      events: mine,
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
    let trustCache = true
    // the stream as read after a refusal decided on a stream guessed new (taken by the next attempt)
    let reread: Awaited<ReturnType<typeof load>> | undefined
    for (let attempt = 1; ; attempt++) {
      // The cached fold (when this handler last saw the stream and the command is not already in it) saves the
      // read; everything decided on it is re-checked by the expected version of the append.
      const cached = trustCache ? cache.get(stream) : undefined
      const fromCache = cached !== undefined && !cached.commandIds.has(meta.commandId)
      // a guess of the first attempt only: any conflict or refusal turns trustCache off
      const guessedNew = trustCache && input.probablyNew === true && cached === undefined
      let state: S
      let version: number
      let history: RecordedEvent<E>[] | undefined
      if (fromCache) {
        state = cached.state
        version = cached.version
      } else if (guessedNew) {
        state = initial()
        version = 0
        history = []
      } else {
        ;({ state, version, events: history } = reread ?? (await load(stream)))
        reread = undefined
        // Checked BEFORE deciding: a repeated command gets its first result even if the state has moved on since.
        const earlier = earlierRun(history, meta.commandId, meta.actor)
        if (earlier) return earlier
      }
      let decided: E[]
      try {
        // (a command or context computed from the state may refuse too: a dry run before a number is spent)
        const command = await resolve(input.command, state)
        const ctx = await resolve(input.ctx, state)
        decided = decider.decide(command, state, ctx) // a DomainError propagates: nothing is appended
      } catch (e) {
        if ((!fromCache && !guessedNew) || !isDomainError(e)) throw e
        // a stream guessed new that is new: the refusal stands (not decided twice)
        if (guessedNew) {
          reread = await load(stream)
          if (reread.version === 0) throw e
        }
        // decided on a cached state that may be stale, or on a stream guessed new that exists (the same command
        // again on the stream it opened gets its first result there): decide again on the stream as it is now
        trustCache = false
        attempt--
        continue
      }
      const toAppend: Array<EventToAppend & E & { meta: EventMeta }> = decided.map((e) => ({ ...e, meta }))
      if (toAppend.length === 0) {
        if (fromCache || guessedNew) {
          // the result reports the stream's last position: read it (rare: a command that decides nothing)
          trustCache = false
          attempt--
          continue
        }
        return { events: [], nextVersion: version, position: history?.at(-1)?.position ?? START, duplicate: false, state }
      }
      try {
        const r = await store.append(stream, toAppend, version === 0 ? 'no_stream' : version)
        if (r.duplicate) {
          // raced with ourselves (same commandId): report what the first run wrote
          const again = await load(stream)
          return (
            earlierRun(again.events, meta.commandId, meta.actor) ?? {
              events: [],
              nextVersion: r.nextVersion,
              position: r.lastPosition,
              duplicate: true,
              state: again.state,
            }
          )
        }
        const next = fold(toAppend, state)
        const ids = fromCache ? cached.commandIds : new Set(history!.map((e) => e.meta?.commandId))
        ids.add(meta.commandId)
        remember(stream, next, r.nextVersion, ids)
        return {
          events: toAppend,
          nextVersion: r.nextVersion,
          position: r.lastPosition,
          duplicate: false,
          state: next,
        }
      } catch (e) {
        // this process moved the stream while we decided (the shared entry was replaced): a real race
        const racedHere = cache.get(stream) !== cached
        cache.delete(stream)
        trustCache = false
        if (!(isDomainError(e) && e.code === 'CONCURRENCY_CONFLICT')) throw e
        // a cached state that was stale already (another process appended) is no contention: re-read at once,
        // without using up an attempt
        if ((fromCache || guessedNew) && !racedHere) {
          attempt--
          continue
        }
        if (attempt >= maxAttempts) throw e
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
