// Tables of the decision notifier (issue #16). Delivery state, not read models: the notifier's checkpoint in the log,
// the embedded e-mail outbox (demo: /dev/mail) and the messages given up after the bounded retries (/status). (SMS
// goes through the login module's outbox, keyed by the same message id: login/005-sms-message-id.)
import type { Migration } from '../../commands/platform/migrations.js'

export const notifyMigrations: Migration[] = [
  {
    id: 'notify/001-tables',
    sql: `
CREATE TABLE IF NOT EXISTS notify_checkpoint (
  name text PRIMARY KEY,
  position text NOT NULL,         -- commit/prepare of the last event handled (log position)
  updated_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_email_outbox (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL UNIQUE,
  to_addr text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  sent_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_failures (
  message_id text PRIMARY KEY,
  event_id text NOT NULL,
  channel text NOT NULL,
  reason text NOT NULL,
  attempts int NOT NULL,
  failed_at timestamptz NOT NULL
);
`,
  },
]
