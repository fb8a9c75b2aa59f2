// A day's roster details as the generator reads them: only after the log has settled (exporter/roster-source.ts,
// gap safety). Read at once, a test could miss an approval committed by now but still behind the horizon while some
// other transaction (a projection's batch) is in flight, and a "not in the roster" assertion would pass for nothing.
import { dayRosterDetails } from '../../exporter/day-roster.js'
import { logSettled, type RosterSource } from '../../exporter/roster-source.js'
import type { IsoDate } from '../../domain/types.js'

export async function settledRosterDetails(source: RosterSource, day: IsoDate) {
  if (!(await logSettled(source, 60_000))) throw new Error(`the log did not settle within 60 s before reading ${day}`)
  const details = []
  for await (const d of dayRosterDetails(source, day)) details.push(d)
  return details
}
