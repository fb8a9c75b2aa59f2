// Given events / when command / then events-or-error, for any decider (Emmett style).
//   spec(t).given(e1, e2).when(command, ctx).then([...events])
//   spec(t).given(e1).when(command, ctx).thenFails('CODE', { details pattern })
import type { Test } from 'tap'

export interface Decider<State, Event, Command, Ctx> {
  initialState: () => State
  evolve: (state: State, event: Event) => State
  decide: (command: Command, state: State, ctx: Ctx) => Event[]
}

export const deciderSpec = <State, Event, Command, Ctx>(decider: Decider<State, Event, Command, Ctx>) => (t: Test) => ({
  given: (...events: Event[]) => {
    const state = () => events.reduce(decider.evolve, decider.initialState())
    return {
      /** The folded state, to assert on directly. */
      state,
      when: (command: Command, ctx: Ctx) => {
        const run = () => decider.decide(command, state(), ctx)
        return {
          /** Exactly these events (deep equality). Returns them. */
          then: (expected: Event[], message?: string): Event[] => {
            const out = run()
            t.same(out, expected, message ?? 'emits the expected events')
            return out
          },
          /** Events matching a tap pattern. Returns them. */
          thenMatch: (pattern: unknown, message?: string): Event[] => {
            const out = run()
            t.match(out, pattern, message ?? 'emits matching events')
            return out
          },
          /** Refused with this DomainError code (and details matching the pattern, when given). */
          thenFails: (code: string, details?: Record<string, unknown>, message?: string) =>
            t.throws(run, details ? { name: 'DomainError', code, details } : { name: 'DomainError', code }, message ?? `refused with ${code}`),
        }
      },
    }
  },
})
