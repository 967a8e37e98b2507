-- Members (caseworkers with their own keys). Stores made before this
-- migration created the table when the first member was added, so it may
-- exist already.
CREATE TABLE IF NOT EXISTS members(id INTEGER PRIMARY KEY,
 key_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE,
 pk BLOB NOT NULL, sign_pk BLOB NOT NULL, created TEXT NOT NULL,
 added TEXT NOT NULL);
