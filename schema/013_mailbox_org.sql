-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 013: per-organisation mailbox quotas (docs/operations.md, "Many
-- organisations on one host"). A mailbox may now say which organisation
-- it was registered for (POST /api/v1/mailboxes {"org"}, and the no-JS
-- form's mailbox, which goes with its report): org_id. NULL for mailboxes
-- made before this migration and by clients that do not send it; those
-- count against no organisation's quota. The server learns no more than
-- the organisation (docs/threat-model.md): not which report, not when
-- (the day, as before). No index on org_id: nothing looks mailboxes up by
-- organisation; the counts below are kept as rows change.
--
-- orgs.max_mailboxes: the organisation's own quota of registered
-- mailboxes; NULL: the server's quota_mailboxes. Set with
-- `umbra-server org set SLUG --max-mailboxes N|default`; intake reads it
-- with the organisations (orgs.c), as 012's quotas.
ALTER TABLE mailboxes ADD COLUMN org_id integer REFERENCES orgs(id);
ALTER TABLE orgs
    ADD COLUMN max_mailboxes bigint
        CHECK (max_mailboxes BETWEEN 1 AND 1099511627776);
GRANT INSERT (org_id) ON mailboxes TO umbra_intake;
GRANT SELECT (max_mailboxes) ON orgs TO umbra_intake;

-- Each organisation's count of mailboxes, kept as mailboxes come and go
-- (the mover's inserts, the retention purge's deletes), so that reading
-- every organisation's count (server/mover.c, every minute and after each
-- purge) costs about a row per organisation, not a scan: a GROUP BY over
-- an index on mailboxes.org_id took 0.35-0.6 s at a million mailboxes (50
-- organisations at 20,000) on a shared 2-core machine.
--
-- Lock-free for writers: a trigger appends the change (+n, -n) to
-- mailbox_count_deltas, which has no index and no row anyone updates, so
-- several servers moving mailboxes of several organisations at the same
-- window boundary never wait on (or deadlock over) a counter row.
-- mailbox_counts_fold() folds the deltas into mailbox_counts, one
-- transaction at a time (an advisory lock; the others leave them for the
-- next), and intake_mailboxes() reads counts plus deltas.
CREATE TABLE mailbox_counts (
    org_id integer PRIMARY KEY REFERENCES orgs(id),
    n      bigint NOT NULL
);
CREATE TABLE mailbox_count_deltas (
    org_id integer NOT NULL,
    n      bigint NOT NULL
);

CREATE FUNCTION mailbox_counts_keep()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.org_id IS NOT NULL THEN
        INSERT INTO public.mailbox_count_deltas VALUES (OLD.org_id, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.org_id IS NOT NULL THEN
        INSERT INTO public.mailbox_count_deltas VALUES (NEW.org_id, 1);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION mailbox_counts_keep() FROM PUBLIC;
-- Row by row: the mover inserts one mailbox per statement, where a
-- statement trigger's transition table cost more than the row itself.
CREATE TRIGGER mailboxes_count AFTER INSERT OR DELETE OR UPDATE OF org_id
    ON mailboxes FOR EACH ROW EXECUTE FUNCTION mailbox_counts_keep();

-- Folds the deltas into mailbox_counts, unless another transaction is
-- folding (then the next call does): run at the end of the transaction
-- that stores mailboxes (the mover's, at a window boundary; intake's with
-- intake_window = 0), so that it writes nothing at any other time. 1 if
-- it folded.
CREATE FUNCTION mailbox_counts_fold()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('umbra.mailbox_counts')) THEN
        RETURN 0;
    END IF;
    WITH d AS (DELETE FROM public.mailbox_count_deltas x
               RETURNING x.org_id, x.n)
    INSERT INTO public.mailbox_counts AS c (org_id, n)
    SELECT d.org_id, sum(d.n) FROM d GROUP BY d.org_id ORDER BY d.org_id
    ON CONFLICT (org_id) DO UPDATE SET n = c.n + excluded.n;
    RETURN 1;
END
$$;
REVOKE ALL ON FUNCTION mailbox_counts_fold() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mailbox_counts_fold() TO umbra_intake;

-- Each organisation's registered mailboxes, for the quota (server/mover.c
-- reads it every minute and after each purge, and adds what each move
-- stores in between): the folded counts plus the deltas not yet folded.
-- Counts only; reads only.
CREATE FUNCTION intake_mailboxes()
RETURNS TABLE (org_id integer, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT a.org_id, sum(a.n)::bigint
    FROM (SELECT c.org_id, c.n FROM public.mailbox_counts c
          UNION ALL
          SELECT x.org_id, x.n FROM public.mailbox_count_deltas x) a
    GROUP BY a.org_id HAVING sum(a.n) > 0
$$;
REVOKE ALL ON FUNCTION intake_mailboxes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_mailboxes() TO umbra_intake;
