-- The case store's first schema (stores made before PRAGMA user_version
-- was kept have exactly this, with meta 'schema' = '1', and start at 1).
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE cases(
 id INTEGER PRIMARY KEY,
 server_id TEXT,
 received TEXT NOT NULL,
 imported TEXT NOT NULL,
 status TEXT NOT NULL DEFAULT 'new',
 priority TEXT NOT NULL DEFAULT '',
 assignee TEXT NOT NULL DEFAULT '',
 incident TEXT NOT NULL DEFAULT '',
 country TEXT NOT NULL DEFAULT '',
 region TEXT NOT NULL DEFAULT '',
 lang TEXT NOT NULL DEFAULT '',
 categories INTEGER NOT NULL DEFAULT 0,
 needs INTEGER NOT NULL DEFAULT 0,
 perpetrator INTEGER NOT NULL DEFAULT -1,
 consent_statistics INTEGER NOT NULL DEFAULT 0,
 mailbox_id TEXT, mailbox_pk BLOB,
 summary TEXT NOT NULL DEFAULT '');
CREATE INDEX cases_status ON cases(status);
CREATE TABLE reports(case_id INTEGER PRIMARY KEY, doc BLOB NOT NULL);
CREATE TABLE labels(case_id INTEGER NOT NULL, label TEXT NOT NULL,
 PRIMARY KEY(case_id, label)) WITHOUT ROWID;
CREATE INDEX labels_label ON labels(label, case_id);
CREATE TABLE history(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL,
 at TEXT NOT NULL, who TEXT NOT NULL, what TEXT NOT NULL);
CREATE INDEX history_case ON history(case_id, id);
CREATE TABLE processed(server_id TEXT PRIMARY KEY,
 outcome TEXT NOT NULL, acked INTEGER NOT NULL DEFAULT 0)
 WITHOUT ROWID;
CREATE TABLE quarantine(id INTEGER PRIMARY KEY, server_id TEXT,
 received TEXT NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL,
 reason TEXT NOT NULL, size INTEGER NOT NULL, head BLOB);
CREATE TABLE replies(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL,
 mailbox_id TEXT NOT NULL, envelope BLOB NOT NULL, at TEXT NOT NULL,
 pushed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE ledger(id INTEGER PRIMARY KEY, k TEXT NOT NULL,
 v TEXT NOT NULL);
INSERT INTO meta(k, v) VALUES ('schema', '1');
