// Schema of the PostgreSQL event store (also on PGlite). See postgres-event-store.ts for how it is used.
import type { Migration } from '../platform/migrations.js'

export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'event-store/001-streams-events',
    sql: `
      CREATE TABLE IF NOT EXISTS streams (
        stream_id text PRIMARY KEY,
        version integer NOT NULL CHECK (version >= 0)
      );
      CREATE TABLE IF NOT EXISTS events (
        global_position bigserial PRIMARY KEY,
        -- The writing transaction: readers order and checkpoint by (transaction_id, global_position) and only read
        -- rows whose transaction is older than every transaction still in flight (gap safety).
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        stream_version integer NOT NULL CHECK (stream_version >= 1),
        type text NOT NULL,
        data jsonb NOT NULL,
        meta jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream_id, stream_version)
      );
      CREATE INDEX IF NOT EXISTS events_log_order ON events (transaction_id, global_position);
      CREATE INDEX IF NOT EXISTS events_type_log_order ON events (type, transaction_id, global_position);
      CREATE TABLE IF NOT EXISTS command_results (
        command_id text PRIMARY KEY,
        stream_id text NOT NULL,
        next_version integer,
        last_commit xid8,
        last_prepare bigint
      );
    `,
  },
]
