-- Case events (docs/protocol.md "Case events"; caseworker/team.h): the
-- casework several caseworkers share. cases.uid is the case's uid, the
-- same in every member's store (from the envelope of its first report;
-- NULL for a case imported before this migration, or a synthetic one:
-- such a case writes no events). events holds every event this home wrote
-- or accepted, keyed by a digest of its author and signed text (the same
-- event twice is one row); case_uid is '' for an organisation-wide event.
-- An event for a case this store does not have (yet) waits here and is
-- applied when the report arrives. outgoing: 1 written here and not pushed
-- yet, 2 carried in an outbox file, 0 sent or received. When a case is
-- deleted, its events but the delete are erased with it (text '', type
-- 'erased': the row stays so that a replay is still known and the
-- author's seq has no gap), and any event for it that comes later is
-- dropped (the delete wins anyway).
-- sig is the author's signature (kept to pass the case's history on to a
-- new member, team share; NULL for an event of this home not pushed yet).
-- meta 'team_clock' is the Lamport clock, 'team_seq' this author's
-- counter, 'team_after' the last server event id pulled.
ALTER TABLE cases ADD COLUMN uid TEXT;
CREATE INDEX IF NOT EXISTS cases_uid ON cases(uid);
CREATE TABLE IF NOT EXISTS events(digest BLOB PRIMARY KEY,
 id TEXT NOT NULL, case_uid TEXT NOT NULL DEFAULT '',
 author BLOB NOT NULL, seq INTEGER NOT NULL, clock INTEGER NOT NULL,
 day TEXT NOT NULL, type TEXT NOT NULL, text TEXT NOT NULL,
 outgoing INTEGER NOT NULL DEFAULT 0, sig BLOB)
 WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_case ON events(case_uid, clock);
CREATE INDEX IF NOT EXISTS events_out ON events(outgoing, clock);
CREATE INDEX IF NOT EXISTS events_author ON events(author, seq);
-- What each member may sign, as the bundle's signers say (UMBRA_MAY_*
-- bits: 1 case events, 2 alerts): every member writes events; 'keys
-- add-member FILE --alerts' grants alerts too.
ALTER TABLE members ADD COLUMN may INTEGER NOT NULL DEFAULT 1;
