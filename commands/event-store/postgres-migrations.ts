// Schema of the PostgreSQL event store (also on PGlite). See postgres-event-store.ts for how it is used.
import type { Migration } from '../platform/migrations.js'
import { READ_MODEL_WRITERS_SUFFIX } from '../platform/database.js'

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
  {
    // Group commit (issue #17): the commands that arrive together are appended by ONE call of this function, as one
    // autocommit transaction with one WAL flush, set-based (a few statements for the whole group, not a few per
    // command). The caller (postgres-event-store.ts) puts at most one command per stream and per command id in a
    // group. Each command is still checked on its own: its command id is claimed first (INSERT ... ON CONFLICT DO
    // NOTHING waits for a racing transaction holding the same id, so a claim that loses sees the winner's committed
    // result: 'duplicate'), then its expected version; a conflict gives its claim back and writes nothing. Nothing
    // here raises for a conflict or a duplicate, so one refused command never fails the others; an unexpected error
    // (a value PostgreSQL refuses) fails the whole call, and the store then appends the group's commands one by one.
    // p_ev_cmd / p_ev_ord: for each event, its command (1-based index into p_streams) and its place in that command.
    id: 'event-store/003-append-group-function',
    sql: `
      CREATE OR REPLACE FUNCTION baobei_append_group(
        p_streams text[], p_expected text[], p_commands text[], p_counts integer[],
        p_ev_cmd integer[], p_ev_ord integer[], p_ids uuid[], p_types text[], p_data jsonb[], p_meta jsonb[]
      ) RETURNS TABLE (idx integer, status text, next_version integer, last_commit text, last_prepare text)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        xid xid8 := pg_current_xact_id();
        claimed text[];
        vs text[];
        vv integer[];
        ps text[];
        pp bigint[];
      BEGIN
        WITH ins AS (
          INSERT INTO command_results (command_id, stream_id)
          SELECT u.c, u.s FROM unnest(p_commands, p_streams) AS u(c, s) ORDER BY u.c
          ON CONFLICT (command_id) DO NOTHING RETURNING command_id)
        SELECT coalesce(array_agg(ins.command_id), '{}') INTO claimed FROM ins;

        -- the expected-version check and bump of every claimed command, by its form; streams are distinct here
        WITH c AS (
          SELECT u.s, u.e, u.n FROM unnest(p_streams, p_expected, p_commands, p_counts) AS u(s, e, cmd, n)
          WHERE u.cmd = ANY(claimed)),
        a AS (
          INSERT INTO streams (stream_id, version) SELECT c.s, c.n FROM c WHERE c.e IN ('no_stream', '0') ORDER BY c.s
          ON CONFLICT (stream_id) DO NOTHING RETURNING streams.stream_id, streams.version),
        b AS (
          INSERT INTO streams (stream_id, version) SELECT c.s, c.n FROM c WHERE c.e = 'any' ORDER BY c.s
          ON CONFLICT (stream_id) DO UPDATE SET version = streams.version + EXCLUDED.version
          RETURNING streams.stream_id, streams.version),
        d AS (
          UPDATE streams t SET version = t.version + c.n FROM c
          WHERE t.stream_id = c.s AND c.e NOT IN ('no_stream', '0', 'any')
            AND (c.e = 'stream_exists' OR t.version = (CASE WHEN c.e ~ '^[0-9]+$' THEN c.e::integer END))
          RETURNING t.stream_id, t.version)
        SELECT array_agg(x.stream_id), array_agg(x.version) INTO vs, vv
        FROM (SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM d) AS x;

        -- a conflict gives its claim back
        DELETE FROM command_results cr USING unnest(p_commands, p_streams) AS u(cmd, s)
        WHERE cr.command_id = u.cmd AND cr.command_id = ANY(claimed) AND NOT (u.s = ANY(coalesce(vs, '{}')));

        WITH ok AS (
          SELECT u.i, u.s, u.n, v.version
          FROM unnest(p_streams, p_counts) WITH ORDINALITY AS u(s, n, i) JOIN unnest(vs, vv) AS v(s, version) ON v.s = u.s),
        ins AS (
          INSERT INTO events (event_id, stream_id, stream_version, type, data, meta)
          SELECT e.id, ok.s, ok.version - ok.n + e.ord, e.type, e.data, e.meta
          FROM unnest(p_ev_cmd, p_ev_ord, p_ids, p_types, p_data, p_meta) WITH ORDINALITY AS e(cmd, ord, id, type, data, meta, k)
          JOIN ok ON ok.i = e.cmd
          ORDER BY e.k
          RETURNING events.stream_id, events.global_position)
        SELECT array_agg(x.stream_id), array_agg(x.pos) INTO ps, pp
        FROM (SELECT ins.stream_id, max(ins.global_position) AS pos FROM ins GROUP BY ins.stream_id) AS x;

        -- (= ANY keeps both on the primary key whatever the table's statistics say)
        UPDATE command_results cr SET next_version = x.version, last_commit = xid, last_prepare = x.pos
        FROM (SELECT u.cmd, v.version, p.pos FROM unnest(p_commands, p_streams) AS u(cmd, s)
                JOIN unnest(vs, vv) AS v(s, version) ON v.s = u.s
                JOIN unnest(ps, pp) AS p(s, pos) ON p.s = u.s) AS x
        WHERE cr.command_id = x.cmd AND cr.command_id = ANY(claimed);

        RETURN QUERY
          SELECT u.i::integer,
            CASE WHEN u.dup THEN 'duplicate' WHEN p.pos IS NOT NULL THEN 'ok' ELSE 'conflict' END,
            CASE WHEN u.dup THEN cr.next_version WHEN p.pos IS NOT NULL THEN v.version ELSE st.version END,
            CASE WHEN u.dup THEN cr.last_commit::text WHEN p.pos IS NOT NULL THEN xid::text END,
            CASE WHEN u.dup THEN cr.last_prepare::text WHEN p.pos IS NOT NULL THEN p.pos::text END
          FROM (SELECT u0.*, NOT (u0.cmd = ANY(claimed)) AS dup
                FROM unnest(p_commands, p_streams) WITH ORDINALITY AS u0(cmd, s, i)) AS u
            LEFT JOIN unnest(vs, vv) AS v(s, version) ON v.s = u.s
            LEFT JOIN unnest(ps, pp) AS p(s, pos) ON p.s = u.s
            LEFT JOIN command_results cr ON u.dup AND cr.command_id = u.cmd
            LEFT JOIN streams st ON st.stream_id = u.s
          ORDER BY u.i;
      END
      $fn$;
    `,
  },
  {
    // The NHI roster reads a day's approvals by business time (exporter/roster-source.ts): a partial index on the
    // occurredAt text of the three approval types only (a quarter of the log), so a day is found without scanning
    // the log. (A text index: the cast to timestamptz depends on the session's time zone and cannot be indexed.)
    id: 'event-store/004-roster-day-index',
    sql: `
      CREATE INDEX IF NOT EXISTS events_roster_day ON events ((meta->>'occurredAt'))
        WHERE type IN ('ReportApproved', 'ChangeApproved', 'CancellationApproved');
    `,
  },
  {
    // Read-model writers (the projection runner's connections, application_name ending in
    // READ_MODEL_WRITERS_SUFFIX, platform/database.ts) append no events: the log's readers do not wait for their
    // transactions (postgres-event-store.ts, HORIZON), so an event they wrote could be passed over. Refused here,
    // whatever path the insert takes (the append functions, COPY, a hand-written INSERT).
    id: 'event-store/005-read-model-writers-append-nothing',
    sql: `
      CREATE OR REPLACE FUNCTION baobei_events_refuse_read_model_writers() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF current_setting('application_name') LIKE '%${READ_MODEL_WRITERS_SUFFIX}' THEN
          RAISE EXCEPTION 'read-model writers append no events (connection %)', current_setting('application_name')
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
      END
      $fn$;
      DROP TRIGGER IF EXISTS events_refuse_read_model_writers ON events;
      CREATE TRIGGER events_refuse_read_model_writers BEFORE INSERT ON events
        FOR EACH STATEMENT EXECUTE FUNCTION baobei_events_refuse_read_model_writers();
    `,
  },
]
