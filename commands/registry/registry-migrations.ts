import type { Migration } from '../platform/migrations.js'

// Reference data (master data from the MOHW registration system): loaded by `baobei seed` / an import, not events.
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
]
