-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 013: per-organisation mailbox quotas (docs/operations.md, "Many
-- organisations on one host"). A mailbox may now say which organisation
-- it was registered for (POST /api/v1/mailboxes {"org"}, and the no-JS
-- form's mailbox, which goes with its report): org_id. NULL for mailboxes
-- made before this migration and by clients that do not send it; those
-- count against no organisation's quota. The server learns no more than
-- the organisation (docs/threat-model.md): not which report, not when
-- (the day, as before).
--
-- orgs.max_mailboxes: the organisation's own quota of registered
-- mailboxes; NULL: the server's quota_mailboxes. Set with
-- `umbra-server org set SLUG --max-mailboxes N|default`; intake reads it
-- with the organisations (orgs.c), as 012's quotas.
ALTER TABLE mailboxes ADD COLUMN org_id integer REFERENCES orgs(id);
ALTER TABLE orgs
    ADD COLUMN max_mailboxes bigint
        CHECK (max_mailboxes BETWEEN 1 AND 1099511627776);
-- Counting an organisation's mailboxes is an index-only scan of this.
CREATE INDEX mailboxes_org_id ON mailboxes (org_id) WHERE org_id IS NOT NULL;
GRANT INSERT (org_id) ON mailboxes TO umbra_intake;
GRANT SELECT (max_mailboxes) ON orgs TO umbra_intake;

-- Each organisation's registered mailboxes, for the quota (server/mover.c
-- reads it every minute and after each purge, and adds what each move
-- stores in between). Counts only.
CREATE FUNCTION intake_mailboxes()
RETURNS TABLE (org_id integer, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT m.org_id, count(*) FROM public.mailboxes m
    WHERE m.org_id IS NOT NULL GROUP BY m.org_id
$$;
REVOKE ALL ON FUNCTION intake_mailboxes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_mailboxes() TO umbra_intake;
