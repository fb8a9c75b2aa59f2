// What the registry said on a given day (the history tables of the registry projection).
import type { Sql } from '../platform/database.js'
import { licensedAndActiveOn, type InstitutionFacts, type ProfessionalFacts } from '../../domain/registry/facts.js'
import type { IsoDate } from '../../domain/types.js'

export interface InForce<F> {
  facts: F
  validFrom: IsoDate
  /** Exclusive; null: still in force. */
  validTo: IsoDate | null
}

const iso = (d: unknown): string => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10))

async function on<F>(db: Sql, table: string, key: string, id: string, day: IsoDate): Promise<InForce<F> | undefined> {
  const r = await db.query<{ facts: F; valid_from: unknown; valid_to: unknown }>(
    `SELECT facts, valid_from, valid_to FROM ${table} WHERE ${key} = $1 AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to > $2::date)
     ORDER BY valid_from DESC LIMIT 1`,
    [id, day],
  )
  const row = r.rows[0]
  return row ? { facts: row.facts, validFrom: iso(row.valid_from), validTo: row.valid_to == null ? null : iso(row.valid_to) } : undefined
}

export const professionalOn = (db: Sql, nationalId: string, day: IsoDate) =>
  on<ProfessionalFacts>(db, 'registry_professional_history', 'national_id', nationalId, day)

export const institutionOn = (db: Sql, code: string, day: IsoDate) =>
  on<InstitutionFacts>(db, 'registry_institution_history', 'code', code, day)

/** Was this person licensed and practising on day D? undefined: the registry knew nothing of them that day. */
export async function licensedAndActive(db: Sql, nationalId: string, day: IsoDate): Promise<boolean | undefined> {
  const v = await professionalOn(db, nationalId, day)
  return v ? licensedAndActiveOn(v.facts, day) : undefined
}

/** Every version of a person's registry facts, oldest first. */
export async function professionalHistory(db: Sql, nationalId: string): Promise<InForce<ProfessionalFacts>[]> {
  const r = await db.query<{ facts: ProfessionalFacts; valid_from: unknown; valid_to: unknown }>(
    `SELECT facts, valid_from, valid_to FROM registry_professional_history WHERE national_id = $1 ORDER BY valid_from`, [nationalId])
  return r.rows.map((row) => ({ facts: row.facts, validFrom: iso(row.valid_from), validTo: row.valid_to == null ? null : iso(row.valid_to) }))
}
