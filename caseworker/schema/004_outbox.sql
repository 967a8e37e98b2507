-- Files out of the air-gapped laptop (umbra-case push --out, protocol
-- section 10): a reply or an acknowledgement written to an outbox file is
-- "carried" (1): on its way to the online computer, not known to be sent
-- (replies.pushed and processed.acked stay 0: the offline laptop never
-- hears back). A later push --out leaves carried rows out unless --again.
ALTER TABLE replies ADD COLUMN carried INTEGER NOT NULL DEFAULT 0;
ALTER TABLE processed ADD COLUMN carried INTEGER NOT NULL DEFAULT 0;
