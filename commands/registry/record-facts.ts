// Records registry facts as events: compares each entry with what the registry says now and appends an event only
// for what changed (an unchanged entry appends nothing, so a re-run is idempotent and a killed run re-run finishes
// the rest), many streams in one statement, projected in the same transaction.
import type { Database, Sql } from '../platform/database.js'
import { batchAppend, type BatchItem } from '../event-store/postgres-batch-append.js'
import type { EventMeta } from '../../domain/events.js'
import {
  changedInstitutionFields, changedProfessionalFields, effectiveDateOf, institutionStream, personStream,
  type InstitutionFacts, type InstitutionRecorded, type ProfessionalFacts, type ProfessionalRecorded, type RegistrySource,
} from '../../domain/registry/facts.js'
import type { Actor, IsoDate } from '../../domain/types.js'
import { lockRegistry, projectRegistry, type VersionedRegistryEvent } from './registry-projection.js'

export interface RecordOptions {
  asOf: IsoDate
  source: RegistrySource
  actor: Actor
  correlationId: string
  /** Business time of the events. */
  now: string
  /** Count only (nothing appended). */
  dryRun?: boolean
}

export interface RecordCounts {
  recorded: number
  unchanged: number
  /** Demo entries not recorded because the entry is a real one. */
  fenced: number
}

const iso = (d: unknown): string | null => (d == null ? null : d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10))

interface Current<F> {
  facts: F
  effectiveFrom: string | null
  version: number
  demo: boolean
}

export async function currentInstitutions(tx: Sql, codes: string[]): Promise<Map<string, Current<InstitutionFacts>>> {
  const r = await tx.query<Record<string, unknown>>(
    `SELECT * FROM registry_institutions WHERE code = ANY($1::text[]) AND stream_version IS NOT NULL`, [codes])
  return new Map(r.rows.map((x) => [x.code as string, {
    facts: {
      code: x.code as string, name: x.name as string, county: x.county as string, district: (x.district as string | null) ?? null,
      kind: x.kind as InstitutionFacts['kind'], status: x.status as InstitutionFacts['status'], statusDate: iso(x.status_date),
      ownPhysicians: (x.own_physicians as number | null) ?? null, ownPharmacists: (x.own_pharmacists as number | null) ?? null,
      weeklySessions: (x.weekly_sessions as number | null) ?? null,
      cardIssuerDn: (x.card_issuer_dn as string | null) ?? null, cardSerial: (x.card_serial as string | null) ?? null,
    },
    effectiveFrom: iso(x.effective_from), version: Number(x.stream_version), demo: x.demo as boolean,
  }]))
}

export async function currentProfessionals(tx: Sql, ids: string[]): Promise<Map<string, Current<ProfessionalFacts>>> {
  const r = await tx.query<Record<string, unknown>>(
    `SELECT * FROM registry_professionals WHERE national_id = ANY($1::text[]) AND stream_version IS NOT NULL`, [ids])
  return new Map(r.rows.map((x) => [x.national_id as string, {
    facts: {
      nationalId: x.national_id as string, name: x.name as string, profession: x.profession as string,
      department: (x.department as string | null) ?? null, licenseNumber: x.license_number as string,
      licenseValidFrom: iso(x.license_valid_from)!, licenseValidTo: iso(x.license_valid_to)!,
      practiceStatus: x.practice_status as ProfessionalFacts['practiceStatus'], statusDate: iso(x.status_date),
      homeInstitutionCode: x.home_institution_code as string, phone: (x.phone as string | null) ?? null,
      nhiCardNumber: (x.nhi_card_number as string | null) ?? null, birthDate: iso(x.birth_date), sex: (x.sex as 'M' | 'F' | null) ?? null,
      cardIssuerDn: (x.card_issuer_dn as string | null) ?? null, cardSerial: (x.card_serial as string | null) ?? null,
    },
    effectiveFrom: iso(x.effective_from), version: Number(x.stream_version), demo: x.demo as boolean,
  }]))
}

/** Stream version of entries the read model has no event-made row for (rows from before events): 0 or the stream's. */
async function streamVersions(tx: Sql, streams: string[]): Promise<Map<string, number>> {
  if (!streams.length) return new Map()
  const r = await tx.query<{ stream_id: string; version: number }>(`SELECT stream_id, version FROM streams WHERE stream_id = ANY($1::text[])`, [streams])
  return new Map(r.rows.map((x) => [x.stream_id, Number(x.version)]))
}

interface Incoming<F> {
  facts: F
  row?: number
  absent?: true
}

async function record<F extends InstitutionFacts | ProfessionalFacts>(
  db: Database,
  kind: 'institution' | 'professional',
  entries: readonly Incoming<F>[],
  opts: RecordOptions,
): Promise<RecordCounts> {
  const counts: RecordCounts = { recorded: 0, unchanged: 0, fenced: 0 }
  if (!entries.length) return counts
  const keyOf = (f: F) => (kind === 'institution' ? (f as InstitutionFacts).code : (f as ProfessionalFacts).nationalId)
  const streamOf = (k: string) => (kind === 'institution' ? institutionStream(k) : personStream(k))
  const statusOf = (f: F) => (kind === 'institution' ? (f as InstitutionFacts).status : (f as ProfessionalFacts).practiceStatus)
  const work = async (tx: Sql) => {
    if (!opts.dryRun) await lockRegistry(tx)
    const keys = entries.map((e) => keyOf(e.facts))
    const current = (kind === 'institution' ? await currentInstitutions(tx, keys) : await currentProfessionals(tx, keys)) as Map<string, Current<F>>
    const missing = keys.filter((k) => !current.has(k)).map(streamOf)
    const versions = await streamVersions(tx, missing)
    const items: BatchItem[] = []
    const events: VersionedRegistryEvent[] = []
    for (const given of entries) {
      const k = keyOf(given.facts)
      const cur = current.get(k)
      // an entry whose file has no card columns keeps the card recorded for it (see cardCertificate)
      const e = given.facts.cardIssuerDn === undefined && cur
        ? { ...given, facts: { ...given.facts, cardIssuerDn: cur.facts.cardIssuerDn ?? null, cardSerial: cur.facts.cardSerial ?? null } }
        : given
      if (opts.source.kind === 'demo' && cur && !cur.demo) {
        counts.fenced++
        continue
      }
      const changed = kind === 'institution'
        ? changedInstitutionFields(cur?.facts as InstitutionFacts | undefined, e.facts as InstitutionFacts)
        : changedProfessionalFields(cur?.facts as ProfessionalFacts | undefined, e.facts as ProfessionalFacts)
      // a demo entry becoming real is a change even with the same facts
      if (changed.length === 0 && !(cur?.demo && opts.source.kind !== 'demo')) {
        counts.unchanged++
        continue
      }
      const statusChanged = !cur || statusOf(cur.facts) !== statusOf(e.facts)
      const effectiveDate = effectiveDateOf(opts.asOf, cur?.effectiveFrom ?? null, statusChanged && cur !== undefined, e.facts.statusDate)
      const expected = cur?.version ?? versions.get(streamOf(k)) ?? 0
      const stream = streamOf(k)
      const source: RegistrySource = { ...opts.source, ...(e.row !== undefined ? { row: e.row } : {}) }
      const data = { facts: e.facts, effectiveDate, changed, source, ...(e.absent ? { absent: true as const } : {}) }
      const type = kind === 'institution' ? 'InstitutionRecorded' : 'ProfessionalRecorded'
      const meta: EventMeta = {
        commandId: `registry:${stream}:${expected + 1}`,
        actor: opts.actor,
        correlationId: opts.correlationId,
        causationId: opts.correlationId,
        occurredAt: opts.now,
      }
      items.push({ stream, expected, event: { type, data, meta } })
      events.push({ type, data, version: expected + 1 } as InstitutionRecorded & { version: number } | ProfessionalRecorded & { version: number })
      counts.recorded++
    }
    if (opts.dryRun || !items.length) return
    const r = await batchAppend(tx, items)
    if (r.refused.length) throw new Error(`registry: streams changed meanwhile (${r.refused.slice(0, 3).join(', ')}); run the import again`)
    await projectRegistry(tx, events)
  }
  if (opts.dryRun) await work(db)
  else await db.transaction(work)
  return counts
}

/** One transaction: entries must be unique by code. */
export const recordInstitutions = (db: Database, entries: readonly Incoming<InstitutionFacts>[], opts: RecordOptions) =>
  record(db, 'institution', entries, opts)

/** One transaction: entries must be unique by national ID; their home institutions must be in the registry. */
export const recordProfessionals = (db: Database, entries: readonly Incoming<ProfessionalFacts>[], opts: RecordOptions) =>
  record(db, 'professional', entries, opts)
