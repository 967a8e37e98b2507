-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 007: the serial of each organisation's registered public key bundle
-- (protocol section 3). `umbra-server org add` refuses a bundle whose
-- serial is lower than this one (an old signed bundle replayed, which may
-- still list a removed member's key), or equal to it with other content.
-- Bundles from before serials carry none: 0, so every row starts at 0.
ALTER TABLE orgs ADD COLUMN bundle_serial bigint NOT NULL DEFAULT 0
    CHECK (bundle_serial BETWEEN 0 AND 9007199254740991);

-- Only the owner role (org add) reads or writes it: intake's column grant
-- on orgs (002) does not name it and sync has none on orgs; nothing for
-- PUBLIC either.
REVOKE ALL (bundle_serial) ON orgs FROM PUBLIC;
