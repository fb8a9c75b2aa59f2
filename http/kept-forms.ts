// Nothing typed is lost (issue #16): a full-page form sent after its session ended is kept server-side, and the
// same person logging in again is taken back to that form with the values typed. Session-like data (like sessions
// and login challenges), never a fact and never a read model:
//   kept_form_owners  which person opened which session (hash of the session id), written at login, so a form that
//                     arrives with an ended session's cookie is bound to that session's person;
//   kept_forms        the kept form: one per person (the latest), text fields only, 64 KB at most, 24 hours at most,
//                     reachable only through a random id in an HttpOnly cookie (the table holds its hash).
// After login the kept form is taken (deleted) whoever logs in; only its own person gets it back, as the form's
// flash (http/form-flash.ts) shown on the form's page. It is never submitted by itself: the person sees it and sends it.
import { createHash, randomBytes } from 'node:crypto'
import type { Sql } from '../commands/platform/database.js'
import type { Actor } from '../domain/types.js'
import type { RawForm } from './forms/form-values.js'
import { CSRF_FIELD } from './session.js'

export const KEPT_FORM_TTL_MS = 24 * 3600 * 1000
/** Upper bound of a kept form's fields, as JSON (the report form with its 400 sessions is about 20 KB). */
export const KEPT_FORM_MAX_BYTES = 64 * 1024
/** The longest path a kept form returns to. */
const MAX_PATH = 300

/** Text fields of a form, as typed. */
export type FormFields = Record<string, string | string[]>

export interface KeptForm {
  owner: string
  /** The form's page (GET) to return to. */
  path: string
  fields: FormFields
}

/** Who a kept form belongs to: the same role and id is the same person or account. */
export const ownerOf = (actor: Actor): string => `${actor.role}:${actor.id}`

const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url')

function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (v && typeof v === 'object' && (v as { type?: unknown }).type !== 'file' && typeof (v as { value?: unknown }).value === 'string') return (v as { value: string }).value
  return undefined
}

/**
 * The text fields of a parsed form body (url-encoded or multipart): files and the CSRF token left out. Undefined
 * when they are larger than `maxBytes` as JSON (the form is then not kept; nothing is cut short).
 */
export function formFields(body: RawForm | undefined, maxBytes = KEPT_FORM_MAX_BYTES): FormFields | undefined {
  const out: FormFields = {}
  let bytes = 2
  for (const [name, raw] of Object.entries(body ?? {})) {
    if (name === CSRF_FIELD) continue
    const values = (Array.isArray(raw) ? raw : [raw]).map(textOf).filter((x): x is string => x !== undefined)
    if (!values.length) continue
    bytes += Buffer.byteLength(JSON.stringify(name)) + 2 + values.reduce((n, v) => n + Buffer.byteLength(JSON.stringify(v)) + 1, 1)
    if (bytes > maxBytes) return undefined
    out[name] = Array.isArray(raw) ? values : values[0]!
  }
  return out
}

export class KeptFormStore {
  constructor(
    private readonly db: Sql,
    private readonly now: () => number = Date.now,
    readonly ttlMs: number = KEPT_FORM_TTL_MS,
  ) {}

  /** At login: this session is this person's until `untilMs` (its longest life plus the keeping time). */
  async bindSession(sessionId: string, owner: string, untilMs: number): Promise<void> {
    await this.db.query(`DELETE FROM kept_form_owners WHERE expires_at < $1`, [new Date(this.now())])
    await this.db.query(
      `INSERT INTO kept_form_owners (session_hash, owner, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (session_hash) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at`,
      [hashOf(sessionId), owner, new Date(untilMs)],
    )
  }

  /** The person an (ended) session belonged to, or undefined. */
  async ownerOfSession(sessionId: string): Promise<string | undefined> {
    const r = await this.db.query<{ owner: string }>(`SELECT owner FROM kept_form_owners WHERE session_hash = $1 AND expires_at >= $2`, [hashOf(sessionId), new Date(this.now())])
    return r.rows[0]?.owner
  }

  /** At logout: the session ended on purpose, nothing is kept for it. */
  async forgetSession(sessionId: string): Promise<void> {
    await this.db.query(`DELETE FROM kept_form_owners WHERE session_hash = $1`, [hashOf(sessionId)])
  }

  /**
   * Keeps a form for its person, replacing the person's previous one; answers the id for the cookie, or undefined
   * when the form is too large or the path unusable.
   */
  async keep(form: KeptForm): Promise<string | undefined> {
    const json = JSON.stringify(form.fields)
    if (Buffer.byteLength(json) > KEPT_FORM_MAX_BYTES || form.path.length > MAX_PATH || !form.path.startsWith('/') || form.path.startsWith('//')) return undefined
    const t = this.now()
    await this.sweep()
    const id = randomBytes(32).toString('base64url')
    await this.db.query(
      `INSERT INTO kept_forms (id_hash, owner, path, fields, expires_at) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (owner) DO UPDATE SET id_hash = EXCLUDED.id_hash, path = EXCLUDED.path, fields = EXCLUDED.fields, expires_at = EXCLUDED.expires_at`,
      [hashOf(id), form.owner, form.path, json, new Date(t + this.ttlMs)],
    )
    return id
  }

  /**
   * Takes the kept form of this id back (deleted whoever asks): the form when it belongs to `owner` and has not
   * expired, undefined otherwise (another person logged in: they get nothing).
   */
  async claim(id: string, owner: string): Promise<KeptForm | undefined> {
    const r = await this.db.query<{ owner: string; path: string; fields: FormFields; expires_at: Date }>(
      `DELETE FROM kept_forms WHERE id_hash = $1 RETURNING owner, path, fields, expires_at`, [hashOf(id)],
    )
    const row = r.rows[0]
    if (!row || row.owner !== owner || new Date(row.expires_at).getTime() < this.now()) return undefined
    return { owner: row.owner, path: row.path, fields: row.fields }
  }

  /** Drops kept forms and session owners past their time. */
  async sweep(): Promise<number> {
    const at = new Date(this.now())
    const a = await this.db.query(`DELETE FROM kept_forms WHERE expires_at < $1`, [at])
    const b = await this.db.query(`DELETE FROM kept_form_owners WHERE expires_at < $1`, [at])
    return a.rowCount + b.rowCount
  }
}
