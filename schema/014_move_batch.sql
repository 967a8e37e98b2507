-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 014: the mover (server/mover.c) stores a chunk of spooled envelopes with
-- one call instead of one intake_move() per row. Row at a time, PL/pgSQL
-- ran about 1.5-3k rows a second on two shared cores, so under sustained
-- intake the spool kept growing and the mover competed with intake for
-- CPU (docs/operations.md, "A tail that holds"). One INSERT over unnest()
-- of the chunk's arrays does the same work set-based.
--
-- Idempotent as intake_move() is: a move repeated after a crash between
-- the commit and the spool's wipe stores nothing twice (ON CONFLICT on the
-- UNIQUE ref, 005), and so does a ref repeated inside one chunk. The
-- arrays keep the mover's shuffled order, so ids follow no arrival order.
-- The size column is the body's length (what intake spooled). A chunk is
-- at most 500 rows (MOVE_CHUNK) and the mover keeps it under 16 MiB; the
-- function refuses arrays of different lengths or more than 500 rows.
-- Returns the rows stored.
CREATE FUNCTION intake_move_batch(p_orgs integer[], p_bodies bytea[],
                                  p_days date[], p_refs bytea[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    k integer := coalesce(cardinality(p_refs), 0);
    n integer;
BEGIN
    IF coalesce(cardinality(p_orgs), 0) <> k OR
       coalesce(cardinality(p_bodies), 0) <> k OR
       coalesce(cardinality(p_days), 0) <> k THEN
        RAISE EXCEPTION 'intake_move_batch: arrays of different lengths';
    END IF;
    IF k > 500 THEN
        RAISE EXCEPTION 'intake_move_batch: % rows, at most 500', k;
    END IF;
    INSERT INTO public.envelopes (org_id, size, body, day, ref)
    SELECT u.o, octet_length(u.b), u.b, u.d, u.r
    FROM unnest(p_orgs, p_bodies, p_days, p_refs) WITH ORDINALITY
         AS u (o, b, d, r, i)
    ORDER BY u.i
    ON CONFLICT (ref) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION intake_move_batch(integer[], bytea[], date[], bytea[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_move_batch(integer[], bytea[], date[],
                                            bytea[])
    TO umbra_intake;
