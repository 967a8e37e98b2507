-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 003: envelopes and replies are ciphertext, which never compresses: store
-- them out of line without trying (saves PostgreSQL's pglz attempt on
-- every insert).
ALTER TABLE envelopes ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE replies ALTER COLUMN body SET STORAGE EXTERNAL;
