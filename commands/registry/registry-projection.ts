// The registry projection: the only writer of registry_institutions, registry_professionals and their history.
// It runs inline, in the transaction that appends the registry events (record-facts.ts), so the registry is never
// behind its events; rebuildRegistry() replays every registry event into emptied tables (under the same lock).
import type { Database, Sql } from '../platform/database.js'
import { certificateKey } from '../../domain/accounts/account.js'
import { registryMigrations } from './registry-migrations.js'
import type { InstitutionFacts, InstitutionRecorded, ProfessionalFacts, ProfessionalRecorded, RegistryEvent } from '../../domain/registry/facts.js'

/** Serialises every writer of the registry (imports, seed, rebuild). */
export const lockRegistry = (tx: Sql) => tx.query(`SELECT pg_advisory_xact_lock(hashtext('baobei-registry'))`)

/** A registry event with the stream version it got. */
export type VersionedRegistryEvent = RegistryEvent & { version: number }

const isDemo = (e: RegistryEvent) => e.data.source.kind === 'demo'

/** The look-up key of the holder's card certificate (NULL when none is registered). */
const cardKey = (f: { cardIssuerDn?: string | null; cardSerial?: string | null }): string | null =>
  f.cardIssuerDn && f.cardSerial ? certificateKey({ issuerDn: f.cardIssuerDn, serialHex: f.cardSerial }) : null

async function projectInstitutions(tx: Sql, events: (InstitutionRecorded & { version: number })[]): Promise<void> {
  if (!events.length) return
  const f = events.map((e) => e.data.facts)
  await tx.query(
    `INSERT INTO registry_institutions (code, name, county, district, kind, status, status_date, own_physicians, own_pharmacists,
       weekly_sessions, effective_from, stream_version, demo, card_cert_key, card_issuer_dn, card_serial)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::int[], $9::int[],
       $10::int[], $11::date[], $12::int[], $13::boolean[], $14::text[], $15::text[], $16::text[])
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, county = EXCLUDED.county, district = EXCLUDED.district,
       kind = EXCLUDED.kind, status = EXCLUDED.status, status_date = EXCLUDED.status_date,
       own_physicians = EXCLUDED.own_physicians, own_pharmacists = EXCLUDED.own_pharmacists,
       weekly_sessions = EXCLUDED.weekly_sessions, effective_from = EXCLUDED.effective_from,
       stream_version = EXCLUDED.stream_version, demo = EXCLUDED.demo, card_cert_key = EXCLUDED.card_cert_key,
       card_issuer_dn = EXCLUDED.card_issuer_dn, card_serial = EXCLUDED.card_serial
     WHERE registry_institutions.demo OR NOT EXCLUDED.demo OR registry_institutions.stream_version IS NULL`,
    [
      f.map((x) => x.code), f.map((x) => x.name), f.map((x) => x.county), f.map((x) => x.district), f.map((x) => x.kind),
      f.map((x) => x.status), f.map((x) => x.statusDate), f.map((x) => x.ownPhysicians), f.map((x) => x.ownPharmacists),
      f.map((x) => x.weeklySessions), events.map((e) => e.data.effectiveDate), events.map((e) => e.version), events.map(isDemo), f.map(cardKey),
      f.map((x) => x.cardIssuerDn ?? null), f.map((x) => x.cardSerial ?? null),
    ],
  )
  await history(tx, 'registry_institution_history', 'code', f.map((x) => x.code), events)
}

async function projectProfessionals(tx: Sql, events: (ProfessionalRecorded & { version: number })[]): Promise<void> {
  if (!events.length) return
  // one JSON document per batch (no per-element array escaping on the client)
  await tx.query(
    `INSERT INTO registry_professionals (national_id, name, profession, department, license_number, license_valid_from,
       license_valid_to, practice_status, status_date, home_institution_code, phone, nhi_card_number, birth_date, sex,
       effective_from, stream_version, demo, card_cert_key, card_issuer_dn, card_serial)
     SELECT national_id, name, profession, department, license_number, license_valid_from, license_valid_to, practice_status,
       status_date, home_institution_code, phone, nhi_card_number, birth_date, sex, effective_from, stream_version, demo, card_cert_key,
       card_issuer_dn, card_serial
     FROM jsonb_to_recordset($1::jsonb) AS t(national_id text, name text, profession text, department text, license_number text,
       license_valid_from date, license_valid_to date, practice_status text, status_date date, home_institution_code text, phone text,
       nhi_card_number text, birth_date date, sex text, effective_from date, stream_version int, demo boolean, card_cert_key text,
       card_issuer_dn text, card_serial text)
     ON CONFLICT (national_id) DO UPDATE SET name = EXCLUDED.name, profession = EXCLUDED.profession,
       department = EXCLUDED.department, license_number = EXCLUDED.license_number,
       license_valid_from = EXCLUDED.license_valid_from, license_valid_to = EXCLUDED.license_valid_to,
       practice_status = EXCLUDED.practice_status, status_date = EXCLUDED.status_date,
       home_institution_code = EXCLUDED.home_institution_code, phone = EXCLUDED.phone,
       nhi_card_number = EXCLUDED.nhi_card_number, birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex,
       effective_from = EXCLUDED.effective_from, stream_version = EXCLUDED.stream_version, demo = EXCLUDED.demo,
       card_cert_key = EXCLUDED.card_cert_key, card_issuer_dn = EXCLUDED.card_issuer_dn, card_serial = EXCLUDED.card_serial
     WHERE registry_professionals.demo OR NOT EXCLUDED.demo OR registry_professionals.stream_version IS NULL`,
    [JSON.stringify(events.map((e) => {
      const x = e.data.facts
      return {
        national_id: x.nationalId, name: x.name, profession: x.profession, department: x.department, license_number: x.licenseNumber,
        license_valid_from: x.licenseValidFrom, license_valid_to: x.licenseValidTo, practice_status: x.practiceStatus, status_date: x.statusDate,
        home_institution_code: x.homeInstitutionCode, phone: x.phone, nhi_card_number: x.nhiCardNumber, birth_date: x.birthDate, sex: x.sex,
        effective_from: e.data.effectiveDate, stream_version: e.version, demo: isDemo(e), card_cert_key: cardKey(x),
        card_issuer_dn: x.cardIssuerDn ?? null, card_serial: x.cardSerial ?? null,
      }
    }))],
  )
  await history(tx, 'registry_professional_history', 'national_id', events.map((e) => e.data.facts.nationalId), events)
}

/** Closes each key's open version at the new effective date and opens the new one (same day: replaced). */
async function history(tx: Sql, table: string, key: string, keys: string[], events: (RegistryEvent & { version: number })[]): Promise<void> {
  const days = events.map((e) => e.data.effectiveDate)
  // only entries with an earlier version have a version to close (a first event has none); the ANY() keeps the
  // update on the primary key's index however the planner estimates the unnest
  const later = events.flatMap((e, i) => (e.version > 1 ? [i] : []))
  if (later.length) {
    const k = later.map((i) => keys[i]!)
    await tx.query(
      `UPDATE ${table} h SET valid_to = i.day FROM unnest($1::text[], $2::date[]) AS i(k, day)
       WHERE h.${key} = ANY($1::text[]) AND h.${key} = i.k AND h.valid_to IS NULL AND h.valid_from < i.day`,
      [k, later.map((i) => days[i]!)],
    )
  }
  await tx.query(
    `INSERT INTO ${table} (${key}, valid_from, valid_to, facts)
     SELECT k, day, NULL, facts FROM jsonb_to_recordset($1::jsonb) AS i(k text, day date, facts jsonb)
     ON CONFLICT (${key}, valid_from) DO UPDATE SET facts = EXCLUDED.facts, valid_to = NULL`,
    [JSON.stringify(events.map((e, i) => ({ k: keys[i], day: days[i], facts: e.data.facts })))],
  )
}

/** Demo events whose entry is already a real one are not applied (the demo is fenced). */
async function withoutFencedDemo<E extends RegistryEvent>(tx: Sql, table: string, key: string, events: E[], keyOf: (e: E) => string): Promise<E[]> {
  const demo = events.filter(isDemo)
  if (!demo.length) return events
  const r = await tx.query<{ k: string }>(`SELECT ${key} AS k FROM ${table} WHERE ${key} = ANY($1::text[]) AND NOT demo AND stream_version IS NOT NULL`, [demo.map(keyOf)])
  const real = new Set(r.rows.map((x) => x.k))
  return events.filter((e) => !isDemo(e) || !real.has(keyOf(e)))
}

/**
 * Applies registry events (at most one per entry: the caller batches so) inside the caller's transaction:
 * institutions first (professionals refer to them).
 */
export async function projectRegistry(tx: Sql, events: readonly VersionedRegistryEvent[]): Promise<void> {
  const inst = events.filter((e): e is InstitutionRecorded & { version: number } => e.type === 'InstitutionRecorded')
  const prof = events.filter((e): e is ProfessionalRecorded & { version: number } => e.type === 'ProfessionalRecorded')
  await projectInstitutions(tx, await withoutFencedDemo(tx, 'registry_institutions', 'code', inst, (e) => e.data.facts.code))
  await projectProfessionals(tx, await withoutFencedDemo(tx, 'registry_professionals', 'national_id', prof, (e) => e.data.facts.nationalId))
}

/**
 * Rebuilds the registry read model from the log, in one transaction (readers see the old tables until it commits;
 * a crash rolls it back whole). Tables that are gone are created again (the registry migrations are re-run then: they
 * must stay idempotent); every row an event made is dropped and made again from the events, in log
 * order. Entries that never had an event (rows from before the registry had events) are kept as they are.
 */
export async function rebuildRegistry(db: Database, pageSize = 5000): Promise<{ events: number }> {
  return db.transaction(async (tx) => {
    await lockRegistry(tx)
    // only when a table is gone: the migrations' ALTERs would lock out readers for the whole rebuild
    const gone = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM unnest($1::text[]) AS t(name) WHERE to_regclass(t.name) IS NULL`,
      [['registry_institutions', 'registry_professionals', 'registry_institution_history', 'registry_professional_history']],
    )
    if (Number(gone.rows[0]?.n ?? 0) > 0) for (const m of registryMigrations) await tx.exec(m.sql)
    await tx.query(`DELETE FROM registry_professional_history`)
    await tx.query(`DELETE FROM registry_institution_history`)
    await tx.query(`DELETE FROM registry_professionals WHERE stream_version IS NOT NULL`)
    await tx.query(`DELETE FROM registry_institutions WHERE stream_version IS NOT NULL`)
    let n = 0
    for (const type of ['InstitutionRecorded', 'ProfessionalRecorded'] as const) {
      // every registry writer holds the lock we hold: all registry events are committed and visible here
      let after = 0n
      for (;;) {
        const r = await tx.query<{ p: string; type: string; data: RegistryEvent['data']; stream_version: number }>(
          `SELECT global_position::text AS p, type, data, stream_version FROM events WHERE type = $1 AND global_position > $2
           ORDER BY global_position LIMIT $3`,
          [type, after.toString(), pageSize],
        )
        if (!r.rows.length) break
        // a chunk holds each entry at most once (set-based writes); a repeated entry starts the next chunk
        let chunk: VersionedRegistryEvent[] = []
        let keys = new Set<string>()
        const flush = async () => {
          if (chunk.length) await projectRegistry(tx, chunk)
          chunk = []
          keys = new Set()
        }
        for (const row of r.rows) {
          const e = { type: row.type, data: row.data, version: Number(row.stream_version) } as VersionedRegistryEvent
          const k = e.type === 'InstitutionRecorded' ? e.data.facts.code : e.data.facts.nationalId
          if (keys.has(k)) await flush()
          keys.add(k)
          chunk.push(e)
        }
        await flush()
        n += r.rows.length
        after = BigInt(r.rows.at(-1)!.p)
      }
    }
    return { events: n }
  })
}

export type { InstitutionFacts, ProfessionalFacts }
