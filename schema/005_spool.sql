-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 005: reports reach these tables through the server's spool
-- (server/spool.h), moved in batches at fixed times so that PostgreSQL's
-- WAL only ever records the schedule, never the time a report arrived.
-- A moved row keeps the day it arrived (`day`), and `ref`, the random id
-- of its spool record, so that a move repeated after a crash stores
-- nothing twice (intake_move(), since ON CONFLICT would need intake to
-- read the column). intake_pending() gives intake each organisation's waiting
-- envelopes and bytes for the per-organisation quota.
ALTER TABLE envelopes ADD COLUMN ref bytea CHECK (length(ref) = 16);
CREATE UNIQUE INDEX envelopes_ref ON envelopes (ref);
GRANT INSERT (day) ON mailboxes TO umbra_intake;

-- One moved envelope; 1 if stored, 0 if its ref was already there.
CREATE FUNCTION intake_move(p_org integer, p_size integer, p_body bytea,
                            p_day date, p_ref bytea)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n integer;
BEGIN
    INSERT INTO public.envelopes (org_id, size, body, day, ref)
    VALUES (p_org, p_size, p_body, p_day, p_ref)
    ON CONFLICT (ref) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION intake_move(integer, integer, bytea, date, bytea)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_move(integer, integer, bytea, date, bytea)
    TO umbra_intake;

CREATE FUNCTION intake_pending()
RETURNS TABLE (org_id integer, n bigint, bytes bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT e.org_id, count(*), coalesce(sum(e.size), 0)::bigint
    FROM public.envelopes e GROUP BY e.org_id
$$;
REVOKE ALL ON FUNCTION intake_pending() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_pending() TO umbra_intake;
