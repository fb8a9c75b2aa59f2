// Read model `accounts`: one row per staff account (帳號管理) with its current profile and whether it is disabled,
// and one row per certificate identifier (issuer DN + serial, or subject DN) for the card login's look-up. The
// source of staff logins and of the rights a session re-reads (commands/accounts/find-account.ts).
import type { RecordedEvent } from '../../commands/event-store/port.js'
import { certificateKey, type AccountEvent } from '../../domain/accounts/account.js'
import type { Projection } from '../projection.js'

export const accountsProjection: Projection = {
  name: 'accounts',
  tables: ['accounts', 'account_certificates'],
  ddl(version) {
    const a = `rm_accounts_v${version}`
    const c = `rm_account_certificates_v${version}`
    return `CREATE TABLE IF NOT EXISTS ${a} (
  account_id text PRIMARY KEY,
  name text NOT NULL,
  agency text NOT NULL,
  county text,
  role text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  certificates jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  stream_version int NOT NULL
);
CREATE INDEX IF NOT EXISTS ${a}_county ON ${a} (county, role);
CREATE TABLE IF NOT EXISTS ${c} (
  cert_key text PRIMARY KEY,
  account_id text NOT NULL
);
CREATE INDEX IF NOT EXISTS ${c}_account ON ${c} (account_id);`
  },
  async handle(events, ctx) {
    const a = ctx.table('accounts')
    const c = ctx.table('account_certificates')
    for (const raw of events) {
      const e = raw as unknown as RecordedEvent & AccountEvent
      switch (e.type) {
        case 'AccountCreated':
        case 'AccountChanged': {
          const p = e.data.profile
          await ctx.tx.query(
            `INSERT INTO ${a} (account_id, name, agency, county, role, disabled, certificates, created_at, updated_at, stream_version)
             VALUES ($1, $2, $3, $4, $5, false, $6::jsonb, $7, $7, $8)
             ON CONFLICT (account_id) DO UPDATE SET name = EXCLUDED.name, agency = EXCLUDED.agency, county = EXCLUDED.county,
               role = EXCLUDED.role, certificates = EXCLUDED.certificates, updated_at = EXCLUDED.updated_at, stream_version = EXCLUDED.stream_version`,
            [e.data.accountId, p.name, p.agency, p.county, p.role, JSON.stringify(p.certificates), e.meta.occurredAt, e.streamVersion],
          )
          await ctx.tx.query(`DELETE FROM ${c} WHERE account_id = $1`, [e.data.accountId])
          await ctx.tx.query(
            `INSERT INTO ${c} (cert_key, account_id) SELECT k, $1 FROM unnest($2::text[]) AS k ON CONFLICT (cert_key) DO UPDATE SET account_id = EXCLUDED.account_id`,
            [e.data.accountId, p.certificates.map(certificateKey)],
          )
          break
        }
        case 'AccountDisabled':
        case 'AccountEnabled':
          await ctx.tx.query(`UPDATE ${a} SET disabled = $2, updated_at = $3, stream_version = $4 WHERE account_id = $1`, [
            e.data.accountId, e.type === 'AccountDisabled', e.meta.occurredAt, e.streamVersion,
          ])
          break
      }
    }
  },
}
