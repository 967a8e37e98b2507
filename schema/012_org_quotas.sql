-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 012: per-organisation quotas (docs/operations.md, "Many organisations on
-- one host"). NULL: the server's quota_reports / quota_bytes. Set with
-- `umbra-server org set SLUG --max-reports N --max-bytes N` (`default`
-- clears one). Intake reads them with the organisations (orgs.c), so a
-- change is enforced within the cache's reload (2 s), without a restart.
ALTER TABLE orgs
    ADD COLUMN max_reports bigint CHECK (max_reports BETWEEN 1 AND 1099511627776),
    ADD COLUMN max_bytes bigint CHECK (max_bytes BETWEEN 4096 AND 1125899906842624);
GRANT SELECT (max_reports, max_bytes) ON orgs TO umbra_intake;
