-- Community alerts (issue 16; docs/protocol.md "Alerts"): drafts made by
-- `umbra-case alert new` from consented cases, then signed, pushed and
-- perhaps withdrawn. alert_id is the alert's own id (32 hex); body is the
-- inner alert JSON (what is signed, as a string); signed_file the alert
-- file once signed (NULL while a draft); pushed the day and the server's
-- answer once it took it; withdrawn_by the id of the withdrawal of this
-- alert. A withdrawal is a row of kind 'withdrawal', signed at once.
-- Dates are days (UTC). cases: the case numbers it was drafted from, "3,7".
-- IF NOT EXISTS: a store whose user_version was lost runs every migration
-- again (store_migrations.h).
CREATE TABLE IF NOT EXISTS alerts(id INTEGER PRIMARY KEY,
 alert_id TEXT NOT NULL UNIQUE,
 kind TEXT NOT NULL CHECK (kind IN ('alert', 'withdrawal')),
 cases TEXT NOT NULL DEFAULT '',
 body TEXT NOT NULL,
 signed_file TEXT,
 pushed TEXT,
 withdrawn_by TEXT,
 created TEXT NOT NULL);
