-- The digest of each report an import handled (its bundle record's check
-- value, over id, day and envelope), so that a server id given out again
-- for another envelope (a restored server backup) is imported rather than
-- taken as handled: processed.digest for the first envelope under an id
-- (one row per report, as before), processed_env for any other envelope
-- given the same id later. Rows from before (digest NULL, nothing in
-- processed_env) count as handled whatever the envelope. An umbra-case
-- before numbered migrations added both on first use, so they may exist
-- already: the table is created IF NOT EXISTS, and store.c skips an ADD
-- COLUMN whose column the table has.
ALTER TABLE processed ADD COLUMN digest BLOB;
CREATE TABLE IF NOT EXISTS processed_env(server_id TEXT NOT NULL,
 digest BLOB NOT NULL, PRIMARY KEY(server_id, digest)) WITHOUT ROWID;
