// The projections of this module, by name.
import type { Projection } from '../projection.js'
import { casesProjection } from './cases.js'
import { historyProjection } from './history.js'
import { institutionsProjection } from './institutions.js'
import { occurrencesProjection } from './occurrences.js'
import { statisticsProjection } from './statistics.js'
import { readAuditProjection } from './read-audit.js'
import { administrationProjection } from './administration.js'
import { noticesProjection } from './notices.js'

export const PROJECTIONS: readonly Projection[] = [
  casesProjection,
  occurrencesProjection,
  institutionsProjection,
  statisticsProjection,
  historyProjection,
  readAuditProjection,
  administrationProjection,
  noticesProjection,
]

export const PROJECTION_NAMES = PROJECTIONS.map((p) => p.name)
