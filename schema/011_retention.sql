-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 011: retention (docs/operations.md, "Retention"). Envelopes nobody pulls
-- and mailboxes nobody answers do not stay for ever: the server purges them
-- on its own (server/mover.c), a bounded batch at a time, through
-- retention_purge(); pull is warned before its envelopes go
-- (sync_expiring()). Days are the only clock: an envelope that arrived on
-- day D is kept through day D + envelope_retention_days and purged from
-- the day after; a mailbox through its last reply's day (its own day if
-- never answered) + mailbox_retention_days.

-- No index on day: intake inserts every report through the mover, and one
-- more index is one more write per report on the path whose tail bench-
-- server part 6 measures; the hourly purge scans the tables' main heaps
-- instead (the envelopes' bodies are out of line, 003), and a batch stops
-- at its first p_batch expired rows.

-- One batch of the purge: at most p_batch envelopes older than p_env_days
-- and at most p_batch expired mailboxes with their replies. Several
-- servers on one database run it at once safely: the advisory lock lets
-- one through and the others get NULLs (skipped, not waited for). A days
-- value of 0 keeps that kind for ever. The counts of rows deleted.
CREATE FUNCTION retention_purge(p_env_days integer, p_mbox_days integer,
                                p_batch integer)
RETURNS TABLE (envelopes bigint, mailboxes bigint, replies bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    lim integer := least(greatest(p_batch, 1), 10000);
    e bigint := 0;
    m bigint := 0;
    r bigint := 0;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('umbra.retention_purge')) THEN
        RETURN QUERY SELECT NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    IF p_env_days > 0 THEN
        DELETE FROM public.envelopes x WHERE x.id IN (
            SELECT y.id FROM public.envelopes y
            WHERE y.day < current_date - p_env_days LIMIT lim);
        GET DIAGNOSTICS e = ROW_COUNT;
    END IF;
    IF p_mbox_days > 0 THEN
        WITH doomed AS (
            SELECT b.mailbox_id FROM public.mailboxes b
            WHERE b.day < current_date - p_mbox_days
              AND NOT EXISTS (SELECT 1 FROM public.replies q
                              WHERE q.mailbox_id = b.mailbox_id
                                AND q.day >= current_date - p_mbox_days)
            LIMIT lim FOR UPDATE SKIP LOCKED),
        gr AS (DELETE FROM public.replies q USING doomed d
               WHERE q.mailbox_id = d.mailbox_id RETURNING 1),
        gm AS (DELETE FROM public.mailboxes b USING doomed d
               WHERE b.mailbox_id = d.mailbox_id RETURNING 1)
        SELECT (SELECT count(*) FROM gm), (SELECT count(*) FROM gr)
        INTO m, r;
    END IF;
    RETURN QUERY SELECT e, m, r;
END
$$;

-- The token's organisation's envelopes that the purge takes within
-- p_within days (with p_days of retention): their count and the first
-- day one of them goes (NULL when none do).
CREATE FUNCTION sync_expiring(p_hash bytea, p_days integer, p_within integer)
RETURNS TABLE (n bigint, first_day date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT count(*), min(e.day) + p_days + 1
    FROM public.envelopes e
    WHERE p_days > 0
      AND e.org_id = (SELECT t.org_id FROM public.sync_tokens t
                      WHERE t.hash = p_hash)
      AND e.day + p_days + 1 <= current_date + p_within
$$;

REVOKE ALL ON FUNCTION retention_purge(integer, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_expiring(bytea, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention_purge(integer, integer, integer)
    TO umbra_intake;
GRANT EXECUTE ON FUNCTION sync_expiring(bytea, integer, integer)
    TO umbra_sync;
