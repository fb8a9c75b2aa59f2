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
  {
    // One round trip per append (issue #8): idempotency check, expected-version check, event insert and command
    // result in one function call, run as its own (autocommit) transaction. No NOTIFY in here: a notifying
    // transaction holds a cluster-wide lock from pre-commit to the end of its commit (WAL flush included), which
    // serialises concurrent appenders; the store notifies right after the commit instead (postgres-event-store.ts). Nothing is written
    // unless every step succeeds: a wrong expected version returns status 'conflict' before any write; a racing
    // append of the same command id that committed first makes the final command_results insert conflict, and
    // the function raises BB409 so the statement (the whole transaction) rolls back its events.
    id: 'event-store/002-append-function',
    sql: `
      CREATE OR REPLACE FUNCTION baobei_append(
        p_stream text, p_expected text, p_command text,
        p_ids uuid[], p_types text[], p_data jsonb[], p_meta jsonb[]
      ) RETURNS TABLE (status text, next_version integer, last_commit text, last_prepare text)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        n integer := cardinality(p_ids);
        v integer;
        pos bigint;
        prior record;
      BEGIN
        SELECT cr.next_version, cr.last_commit, cr.last_prepare INTO prior
          FROM command_results cr WHERE cr.command_id = p_command;
        IF FOUND THEN
          RETURN QUERY SELECT 'duplicate'::text, prior.next_version, prior.last_commit::text, prior.last_prepare::text;
          RETURN;
        END IF;
        IF p_expected = 'no_stream' OR p_expected = '0' THEN
          INSERT INTO streams (stream_id, version) VALUES (p_stream, n)
            ON CONFLICT (stream_id) DO NOTHING RETURNING version INTO v;
        ELSIF p_expected = 'any' THEN
          INSERT INTO streams (stream_id, version) VALUES (p_stream, n)
            ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + EXCLUDED.version RETURNING version INTO v;
        ELSIF p_expected = 'stream_exists' THEN
          UPDATE streams SET version = version + n WHERE stream_id = p_stream RETURNING version INTO v;
        ELSE
          UPDATE streams SET version = version + n WHERE stream_id = p_stream AND version = p_expected::integer
            RETURNING version INTO v;
        END IF;
        IF v IS NULL THEN
          -- nothing written yet. A racing append of this very command may have committed meanwhile (each
          -- statement here sees the latest commits): then that is the result.
          SELECT cr.next_version, cr.last_commit, cr.last_prepare INTO prior
            FROM command_results cr WHERE cr.command_id = p_command;
          IF FOUND THEN
            RETURN QUERY SELECT 'duplicate'::text, prior.next_version, prior.last_commit::text, prior.last_prepare::text;
            RETURN;
          END IF;
          SELECT s.version INTO v FROM streams s WHERE s.stream_id = p_stream;
          RETURN QUERY SELECT 'conflict'::text, v, NULL::text, NULL::text;
          RETURN;
        END IF;
        WITH ins AS (
          INSERT INTO events (event_id, stream_id, stream_version, type, data, meta)
          SELECT e.id, p_stream, v - n + e.ord::integer, e.type, e.data, e.meta
          FROM unnest(p_ids, p_types, p_data, p_meta) WITH ORDINALITY AS e(id, type, data, meta, ord)
          ORDER BY e.ord
          RETURNING global_position)
        SELECT max(global_position) INTO pos FROM ins;
        INSERT INTO command_results (command_id, stream_id, next_version, last_commit, last_prepare)
          VALUES (p_command, p_stream, v, pg_current_xact_id(), pos)
          ON CONFLICT (command_id) DO NOTHING;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'command % was appended concurrently', p_command USING ERRCODE = 'BB409';
        END IF;
        RETURN QUERY SELECT 'ok'::text, v, pg_current_xact_id()::text, pos::text;
      END
      $fn$;
    `,
  },
]
