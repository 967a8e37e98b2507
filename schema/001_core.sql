-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 001: organisations, keys, envelopes, mailboxes, replies, sync tokens.
-- Applied by `umbra-server migrate` as the owner role, in one transaction.
-- Nothing here records a client address, a user agent or a time finer than
-- a day: every date column is a `date` defaulting to current_date.

-- The migrations applied so far (`umbra-server migrate` reads it before
-- each file, and runs this one when it does not exist). IF NOT EXISTS:
-- databases migrated before it was made here got it from the server.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name    text NOT NULL,
    applied date NOT NULL DEFAULT current_date
);

CREATE TABLE orgs (
    id       serial PRIMARY KEY,
    slug     text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sign_pk  bytea NOT NULL CHECK (length(sign_pk) = 32),
    fingerprint text NOT NULL,
    bundle   text NOT NULL,
    bundle_created date NOT NULL,
    added    date NOT NULL DEFAULT current_date
);

-- Every X25519 key an organisation ever published; `current` marks those of
-- its latest bundle, the only ones intake accepts.
CREATE TABLE org_keys (
    org_id   integer NOT NULL REFERENCES orgs(id),
    key_id   bytea NOT NULL CHECK (length(key_id) = 8),
    pk       bytea NOT NULL CHECK (length(pk) = 32),
    created  date NOT NULL,
    current  boolean NOT NULL DEFAULT true,
    PRIMARY KEY (org_id, key_id)
);

CREATE TABLE envelopes (
    id       bigserial PRIMARY KEY,
    org_id   integer NOT NULL REFERENCES orgs(id),
    size     integer NOT NULL,
    day      date NOT NULL DEFAULT current_date,
    body     bytea NOT NULL
);
CREATE INDEX envelopes_org_id ON envelopes (org_id, id);

CREATE TABLE mailboxes (
    mailbox_id bytea PRIMARY KEY CHECK (length(mailbox_id) = 32),
    day        date NOT NULL DEFAULT current_date
);

CREATE TABLE replies (
    id         bigserial PRIMARY KEY,
    mailbox_id bytea NOT NULL REFERENCES mailboxes(mailbox_id),
    org_id     integer NOT NULL REFERENCES orgs(id),
    day        date NOT NULL DEFAULT current_date,
    body       bytea NOT NULL
);
CREATE INDEX replies_mailbox ON replies (mailbox_id, id);

-- Sync tokens: only BLAKE2b-256 of the token is kept.
CREATE TABLE sync_tokens (
    org_id   integer NOT NULL REFERENCES orgs(id),
    name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    hash     bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    added    date NOT NULL DEFAULT current_date,
    PRIMARY KEY (org_id, name)
);
