// How long a review took, as the statistics count it: from the (re)filing to the decision, in WHOLE days elapsed
// (滿日數: under 24 hours is 0 days, 24 h to under 48 h is 1 day, ...). Pages show the median of these whole days,
// so a median is exact from per-day counts (a histogram) and can be kept pre-aggregated.
const DAY_SECONDS = 86_400

/** Review time in seconds from filing to decision (never negative), or null when the filing time is unknown. */
export const reviewSeconds = (filedAt: string | null | undefined, decidedAt: string): number | null =>
  filedAt ? Math.max(0, (Date.parse(decidedAt) - Date.parse(filedAt)) / 1000) : null

/** Whole days elapsed in a review time (null stays null). */
export const reviewDays = (seconds: number | null): number | null => (seconds === null ? null : Math.floor(seconds / DAY_SECONDS))
