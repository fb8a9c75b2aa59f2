// Tables of the login module. They hold credentials and security state (not facts of the support-report domain and
// not read models): NHI web passwords (scrypt), one-time SMS codes (scrypt, single use), the embedded SMS outbox,
// failed-try records for the lock-out, and the login audit (last login shown in the header).
import type { Migration } from '../../commands/platform/migrations.js'

export const loginMigrations: Migration[] = [
  {
    id: 'login/001-tables',
    sql: `
CREATE TABLE IF NOT EXISTS login_nhi_passwords (
  national_id text PRIMARY KEY,
  hash text NOT NULL,             -- scrypt$N$r$p$salt$key (base64)
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS login_otps (
  id bigserial PRIMARY KEY,
  national_id text NOT NULL,
  pre_session text NOT NULL,      -- sha256 of the pre-login id the code was sent for
  code_hash text NOT NULL,        -- scrypt of the 6 digits
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  attempts int NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS login_otps_holder ON login_otps (national_id, pre_session, id DESC);
CREATE TABLE IF NOT EXISTS login_sms_outbox (
  id bigserial PRIMARY KEY,
  phone text NOT NULL,
  body text NOT NULL,
  sent_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
  id bigserial PRIMARY KEY,
  key text NOT NULL,              -- card:<serial> | id:<national id / holder id> | ip:<address> | otp-send:<id>
  at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);
CREATE TABLE IF NOT EXISTS login_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  role text NOT NULL,
  subject_id text NOT NULL,
  method text NOT NULL,
  ip text,
  outcome text NOT NULL,          -- 'success' | error code
  detail jsonb
);
CREATE INDEX IF NOT EXISTS login_audit_subject ON login_audit (role, subject_id, at DESC) WHERE outcome = 'success';
`,
  },
  {
    // Sessions and login challenges in the database, so a restart logs nobody out and several server instances can
    // share them. Only hashes of session ids are stored (a copy of the table opens no session).
    id: 'login/002-sessions-challenges',
    sql: `
CREATE TABLE IF NOT EXISTS http_sessions (
  id_hash text PRIMARY KEY,       -- sha256 (base64url) of the cookie's session id
  data jsonb NOT NULL,            -- SessionData without the id
  last_seen_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS http_sessions_last_seen ON http_sessions (last_seen_at);
CREATE TABLE IF NOT EXISTS login_challenges (
  challenge text PRIMARY KEY,     -- base64 of the 32 random bytes
  session_hash text NOT NULL,     -- sha256 of the pre-login id it was issued to
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS login_challenges_session ON login_challenges (session_hash, expires_at);
`,
  },
  {
    // Limits charged before a try is judged (http/auth/login-throttle.ts): one row per key, updated in one atomic
    // statement; replaces the failure log that was counted after the judgement.
    id: 'login/003-limits',
    sql: `
CREATE TABLE IF NOT EXISTS login_limits (
  key text PRIMARY KEY,           -- card:<serial> | pw:<id> | pw-day:<id> | otp:<id> | otp-send:<id> | otp-send-net:<net> | sms:all | net:<net>
  window_start timestamptz NOT NULL,
  count int NOT NULL,
  next_at timestamptz NOT NULL    -- net keys: the earliest next try (the growing delay)
);
DROP TABLE IF EXISTS login_failures;
`,
  },
  {
    // Attachment bytes charged per owner per day (http/attachment-quota.ts); security state like the limits above.
    id: 'login/004-upload-quota',
    sql: `
CREATE TABLE IF NOT EXISTS upload_quota (
  owner text NOT NULL,            -- role:id of the uploader (institution code or national id)
  day text NOT NULL,              -- Asia/Taipei date
  bytes bigint NOT NULL,
  PRIMARY KEY (owner, day)
);
`,
  },
  {
    // The SMS outbox keeps the id a message is sent under (the decision notifier's stable id): the same message sent
    // again after a crash is the same row, not a second one.
    id: 'login/005-sms-message-id',
    sql: `
ALTER TABLE login_sms_outbox ADD COLUMN IF NOT EXISTS message_id text;
CREATE UNIQUE INDEX IF NOT EXISTS login_sms_outbox_message ON login_sms_outbox (message_id) WHERE message_id IS NOT NULL;
`,
  },
  {
    // Forms kept when a session ended before they were sent (http/kept-forms.ts): session-like data, not facts and
    // not read models. Who opened which session (only hashes of session ids), so a form sent after the session ended
    // is bound to that person; one kept form per person, its id in an HttpOnly cookie, 24 hours at most, 64 KB.
    id: 'login/006-kept-forms',
    sql: `
CREATE TABLE IF NOT EXISTS kept_form_owners (
  session_hash text PRIMARY KEY,  -- sha256 (base64url) of the session id
  owner text NOT NULL,            -- role:id of the session's user
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS kept_form_owners_expires ON kept_form_owners (expires_at);
CREATE TABLE IF NOT EXISTS kept_forms (
  id_hash text PRIMARY KEY,       -- sha256 (base64url) of the id in the cookie
  owner text NOT NULL UNIQUE,     -- role:id: one kept form per person (the latest)
  path text NOT NULL CHECK (length(path) <= 300),
  fields jsonb NOT NULL CHECK (octet_length(fields::text) <= 131072),
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS kept_forms_expires ON kept_forms (expires_at);
`,
  },
]
