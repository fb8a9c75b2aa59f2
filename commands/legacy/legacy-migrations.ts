import type { Migration } from '../platform/migrations.js'

// Bookkeeping of the legacy migration (not a read model: written by the importer in the transaction of each batch
// of ReportImported events): the schedule of every imported case that counts for conflicts, so overlapping rows of
// one file are found without holding the file in memory.
export const legacyMigrations: Migration[] = [
  {
    id: 'legacy/001-import-spans',
    sql: `
CREATE TABLE IF NOT EXISTS legacy_import_spans (
  case_id text PRIMARY KEY,
  case_number text NOT NULL,
  national_id text NOT NULL,
  status text NOT NULL,
  in_force boolean NOT NULL,
  span_from date NOT NULL,
  span_to date NOT NULL,
  schedule jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS legacy_import_spans_person ON legacy_import_spans (national_id, span_from, span_to);
`,
  },
]
