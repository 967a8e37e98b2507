-- The perpetrators' identifiers of each case, normalised (protocol
-- section 6.2, client-crypto/ident.c), for `show` and `links`: one row
-- per case, kind and value. value is what links compare; skeleton the
-- value with Cyrillic and Greek look-alikes made Latin, only to point at
-- look-alikes; flags the normaliser's (UMBRA_IDENT_*). Filled on import;
-- the cases already in the store are read again by umbra-case the first
-- time it opens the store after this migration (meta 'idents' =
-- 'rebuild'), since SQL alone cannot normalise them.
CREATE TABLE IF NOT EXISTS idents(case_id INTEGER NOT NULL, kind TEXT NOT NULL,
 value TEXT NOT NULL, skeleton TEXT NOT NULL, flags INTEGER NOT NULL,
 PRIMARY KEY(case_id, kind, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idents_value ON idents(kind, value, case_id);
CREATE INDEX IF NOT EXISTS idents_skeleton ON idents(kind, skeleton);
INSERT OR REPLACE INTO meta(k, v) VALUES ('idents', 'rebuild');
