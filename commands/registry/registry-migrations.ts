import type { Migration } from '../platform/migrations.js'

// The registry read model (DESIGN.md §7): written only by the registry projection (registry-projection.ts) from the
// `registry-person-<id>` / `registry-institution-<code>` events, in the transaction that appends them.
export const registryMigrations: Migration[] = [
  {
    id: 'registry/001-tables',
    sql: `
CREATE TABLE IF NOT EXISTS registry_institutions (
  code text PRIMARY KEY CHECK (length(code) = 10),
  name text NOT NULL,
  county text NOT NULL,
  district text,
  kind text NOT NULL,
  -- own staffing, for the ratio rules of the quota table (NULL = unknown)
  own_physicians int,
  own_pharmacists int,
  weekly_sessions int
);
CREATE INDEX IF NOT EXISTS registry_institutions_name ON registry_institutions (name text_pattern_ops);
CREATE TABLE IF NOT EXISTS registry_professionals (
  national_id text PRIMARY KEY,
  name text NOT NULL,
  profession text NOT NULL,
  department text,
  license_number text NOT NULL,
  license_valid_from date NOT NULL,
  license_valid_to date NOT NULL,
  practice_status text NOT NULL CHECK (practice_status IN ('active', 'suspended')),
  home_institution_code text NOT NULL REFERENCES registry_institutions(code),
  phone text,
  nhi_card_number text,
  birth_date date,
  sex text
);
CREATE INDEX IF NOT EXISTS registry_professionals_home ON registry_professionals (home_institution_code);
CREATE TABLE IF NOT EXISTS registry_staff (
  staff_id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('reviewer', 'statistician')),
  county text, -- NULL for national (statisticians)
  agency text NOT NULL
);
`,
  },
  {
    // registry facts as events: status with its date, the day the current facts took effect, the stream version
    // the row reflects (NULL: a row from before the registry had events), demo rows fenced; and the history
    id: 'registry/002-facts-history',
    sql: `
ALTER TABLE registry_professionals DROP CONSTRAINT IF EXISTS registry_professionals_practice_status_check;
ALTER TABLE registry_professionals ADD CONSTRAINT registry_professionals_practice_status_check
  CHECK (practice_status IN ('active', 'suspended', 'inactive'));
ALTER TABLE registry_professionals ADD COLUMN IF NOT EXISTS status_date date;
ALTER TABLE registry_professionals ADD COLUMN IF NOT EXISTS effective_from date;
ALTER TABLE registry_professionals ADD COLUMN IF NOT EXISTS stream_version int;
ALTER TABLE registry_professionals ADD COLUMN IF NOT EXISTS demo boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS registry_professionals_nhi_card ON registry_professionals (nhi_card_number);
-- the importer checks the home institution of every row before recording it; a per-row foreign-key trigger only
-- slows the bulk load (and would order a rebuild)
ALTER TABLE registry_professionals DROP CONSTRAINT IF EXISTS registry_professionals_home_institution_code_fkey;
ALTER TABLE registry_institutions ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'open'
  CHECK (status IN ('open', 'suspended', 'closed'));
ALTER TABLE registry_institutions ADD COLUMN IF NOT EXISTS status_date date;
ALTER TABLE registry_institutions ADD COLUMN IF NOT EXISTS effective_from date;
ALTER TABLE registry_institutions ADD COLUMN IF NOT EXISTS stream_version int;
ALTER TABLE registry_institutions ADD COLUMN IF NOT EXISTS demo boolean NOT NULL DEFAULT false;
-- what the registry said, per day: one row per version of the facts, valid [valid_from, valid_to)
CREATE TABLE IF NOT EXISTS registry_professional_history (
  national_id text NOT NULL,
  valid_from date NOT NULL,
  valid_to date,
  facts jsonb NOT NULL,
  PRIMARY KEY (national_id, valid_from)
);
CREATE TABLE IF NOT EXISTS registry_institution_history (
  code text NOT NULL,
  valid_from date NOT NULL,
  valid_to date,
  facts jsonb NOT NULL,
  PRIMARY KEY (code, valid_from)
);
`,
  },
  {
    // staff are accounts (帳號管理, account-<id> streams and the accounts read model): the registry's staff table is
    // no longer written or read
    id: 'registry/003-drop-registry-staff',
    sql: 'DROP TABLE IF EXISTS registry_staff;',
  },
  {
    // the card certificate (issuer DN + serial) a holder logs in with when the certificate names no national ID or
    // institution code: the two facts, and the look-up key as the staff accounts' cert_key (`issuer:<DN>#<serial>`)
    id: 'registry/004-card-certificate',
    sql: `
ALTER TABLE registry_professionals ADD COLUMN IF NOT EXISTS card_issuer_dn text;
ALTER TABLE registry_professionals ADD COLUMN IF NOT EXISTS card_serial text;
ALTER TABLE registry_professionals ADD COLUMN IF NOT EXISTS card_cert_key text;
ALTER TABLE registry_institutions ADD COLUMN IF NOT EXISTS card_issuer_dn text;
ALTER TABLE registry_institutions ADD COLUMN IF NOT EXISTS card_serial text;
ALTER TABLE registry_institutions ADD COLUMN IF NOT EXISTS card_cert_key text;
CREATE INDEX IF NOT EXISTS registry_professionals_card_cert ON registry_professionals (card_cert_key) WHERE card_cert_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS registry_institutions_card_cert ON registry_institutions (card_cert_key) WHERE card_cert_key IS NOT NULL;
`,
  },
]
