-- The conversation of a case beyond its report: the reporter's follow-ups
-- (written back from /check, joined to their case at import) and the
-- organisation's replies (kept when `reply` queues them: before this
-- migration a sent reply was not kept at all), in the order they joined
-- the case. sender is 'reporter' or 'org', day is YYYY-MM-DD (the day the
-- server received a follow-up, the day a reply was written), unread marks
-- a follow-up `show` has not shown yet. A follow-up keeps its server id,
-- its whole document and its proof (the same proof twice in the store is
-- one message: a replayed envelope adds nothing), a reply its row in
-- replies (whose pushed says whether it was sent).
-- cases.origin: '' for a report, 'follow-up' for a follow-up whose case
-- is not in this store (deleted, or never imported here), 'unverified'
-- for a follow-up that names case origin_case's mailbox but whose proof
-- does not verify (a forgery, or a damaged document): a case of its own,
-- with no mailbox to reply to.
CREATE TABLE IF NOT EXISTS messages(id INTEGER PRIMARY KEY,
 case_id INTEGER NOT NULL, sender TEXT NOT NULL, day TEXT NOT NULL,
 text TEXT NOT NULL, server_id TEXT, doc BLOB, proof BLOB,
 reply_id INTEGER, unread INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS messages_case ON messages(case_id, id);
CREATE UNIQUE INDEX IF NOT EXISTS messages_proof ON messages(proof);
CREATE INDEX IF NOT EXISTS cases_mailbox ON cases(mailbox_id);
ALTER TABLE cases ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN origin_case INTEGER;
