// The query scope of the logged-in user: a professional sees their own cases, an institution its own.
import type { Scope } from '../projections/queries/scope.js'
import { DomainError } from '../domain/errors.js'
import type { SessionUser } from './session-store.js'

export function scopeOf(user: SessionUser): Scope {
  const a = user.actor
  if (a.role === 'professional') return { kind: 'professional', nationalId: a.id }
  if (a.role === 'institution') return { kind: 'institution', code: a.institutionCode ?? a.id }
  if (a.role === 'reviewer' && a.county) return { kind: 'county', county: a.county }
  if (a.role === 'statistician') return { kind: 'national' }
  throw new DomainError('FORBIDDEN')
}
