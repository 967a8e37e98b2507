-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 009: several caseworkers through the blind server (issue 15; docs/api.md
-- "Team sync", docs/threat-model.md "What the server learns from a team").
--
-- sync_tokens  gain an id (what events and acks name), the member key
--              that claimed the token (claim_pk, NULL until claimed), the
--              day it did, and the day the key left the bundle (removed:
--              from then on the token answers 401 member_removed).
-- events       the organisation's case-event log: opaque envelopes (the
--              sender pads them), the day and the token that wrote each.
--              Nothing else: no size column (the length of the padded
--              body is all there is), no time finer than a day. Acks never
--              delete events (retention is issue 17's).
-- acks         which member token acknowledged which envelope, on which
--              day; an envelope is deleted once every current member has.
-- Every function acts only on the caller's token's organisation, as 002's,
-- and only umbra_sync may run them.

ALTER TABLE sync_tokens ADD COLUMN id integer GENERATED ALWAYS AS IDENTITY;
ALTER TABLE sync_tokens ADD CONSTRAINT sync_tokens_id UNIQUE (id);
ALTER TABLE sync_tokens ADD COLUMN claim_pk bytea
    CHECK (claim_pk IS NULL OR length(claim_pk) = 32);
ALTER TABLE sync_tokens ADD COLUMN claimed date;
ALTER TABLE sync_tokens ADD COLUMN removed date;

CREATE TABLE events (
    id       bigserial PRIMARY KEY,
    org_id   integer NOT NULL REFERENCES orgs(id),
    token_id integer REFERENCES sync_tokens(id) ON DELETE SET NULL,
    day      date NOT NULL DEFAULT current_date,
    body     bytea NOT NULL
);
CREATE INDEX events_org_id ON events (org_id, id);
ALTER TABLE events ALTER COLUMN body SET STORAGE EXTERNAL;

CREATE TABLE acks (
    envelope_id bigint NOT NULL REFERENCES envelopes(id) ON DELETE CASCADE,
    token_id    integer NOT NULL REFERENCES sync_tokens(id)
                ON DELETE CASCADE,
    day         date NOT NULL DEFAULT current_date,
    PRIMARY KEY (envelope_id, token_id)
);
CREATE INDEX acks_token ON acks (token_id);

-- Who the token is: its organisation, its id and name, whether it is
-- claimed, whether by the organisation's own signing key (the key holder,
-- who may force an ack), and whether its key was removed. No row: unknown.
CREATE FUNCTION sync_who(p_hash bytea)
RETURNS TABLE (org_id integer, slug text, token_id integer, name text,
               claimed boolean, holder boolean, removed boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT o.id, o.slug, t.id, t.name, t.claim_pk IS NOT NULL,
           coalesce(t.claim_pk = o.sign_pk, false), t.removed IS NOT NULL
    FROM public.sync_tokens t JOIN public.orgs o ON o.id = t.org_id
    WHERE t.hash = p_hash
$$;

-- The organisation's registered bundle, its serial and signing key.
CREATE FUNCTION sync_bundle(p_hash bytea)
RETURNS TABLE (bundle text, serial bigint, sign_pk bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT o.bundle, o.bundle_serial, o.sign_pk
    FROM public.sync_tokens t JOIN public.orgs o ON o.id = t.org_id
    WHERE t.hash = p_hash
$$;

-- Claims the token for member key p_pk (the caller checked that the key
-- may sign events in the current bundle). 1: claimed now or already by
-- this key; 0: claimed by another key; -1: unknown or removed token.
CREATE FUNCTION sync_claim(p_hash bytea, p_pk bytea)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    t public.sync_tokens%ROWTYPE;
BEGIN
    SELECT * INTO t FROM public.sync_tokens s WHERE s.hash = p_hash
    FOR UPDATE;
    IF NOT FOUND OR t.removed IS NOT NULL THEN
        RETURN -1;
    END IF;
    IF t.claim_pk IS NOT NULL THEN
        RETURN CASE WHEN t.claim_pk = p_pk THEN 1 ELSE 0 END;
    END IF;
    UPDATE public.sync_tokens s SET claim_pk = p_pk, claimed = current_date
    WHERE s.id = t.id;
    RETURN 1;
END
$$;

-- The current members of organisation p_org: claimed, not removed tokens.
CREATE FUNCTION team_members(p_org integer)
RETURNS TABLE (token_id integer, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT t.id, t.name FROM public.sync_tokens t
    WHERE t.org_id = p_org AND t.claim_pk IS NOT NULL AND t.removed IS NULL
$$;

-- Deletes the envelopes of p_org among p_ids (all acked ones when p_ids
-- is NULL) that every current member has acknowledged; the count.
CREATE FUNCTION team_sweep(p_org integer, p_ids bigint[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM public.envelopes e
    WHERE e.org_id = p_org
      AND (p_ids IS NULL OR e.id = ANY (p_ids))
      AND EXISTS (SELECT 1 FROM public.acks a WHERE a.envelope_id = e.id)
      AND NOT EXISTS (SELECT 1 FROM public.team_members(p_org) m
                      WHERE NOT EXISTS (
                          SELECT 1 FROM public.acks a
                          WHERE a.envelope_id = e.id
                            AND a.token_id = m.token_id));
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- Acknowledges p_ids for the token. Returns (status, deleted, acked):
-- status 1 done; -1 unknown or removed token; -2 force by a token that is
-- not the key holder's; -3 a team organisation (some token claimed) and
-- this token unclaimed. With no claimed token at all, the first ack
-- deletes (the behaviour before teams); with force, the holder deletes
-- p_ids and every envelope it acknowledged before.
CREATE FUNCTION sync_ack_member(p_hash bytea, p_ids bigint[], p_force boolean)
RETURNS TABLE (status integer, deleted integer, acked integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    w record;
    v_deleted integer := 0;
    v_acked integer := 0;
BEGIN
    SELECT * INTO w FROM public.sync_who(p_hash);
    IF NOT FOUND OR w.removed THEN
        RETURN QUERY SELECT -1, 0, 0;
        RETURN;
    END IF;
    IF p_force AND NOT w.holder THEN
        RETURN QUERY SELECT -2, 0, 0;
        RETURN;
    END IF;
    IF p_force THEN
        -- the key holder: p_ids and whatever it acked before, at once
        DELETE FROM public.envelopes e
        WHERE e.org_id = w.org_id
          AND (e.id = ANY (p_ids) OR
               EXISTS (SELECT 1 FROM public.acks a
                       WHERE a.envelope_id = e.id
                         AND a.token_id = w.token_id));
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
        RETURN QUERY SELECT 1, v_deleted, v_deleted;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM public.team_members(w.org_id)) THEN
        DELETE FROM public.envelopes e
        WHERE e.org_id = w.org_id AND e.id = ANY (p_ids);
        GET DIAGNOSTICS v_deleted = ROW_COUNT;
        RETURN QUERY SELECT 1, v_deleted, v_deleted;
        RETURN;
    END IF;
    IF NOT w.claimed THEN
        RETURN QUERY SELECT -3, 0, 0;
        RETURN;
    END IF;
    INSERT INTO public.acks (envelope_id, token_id)
    SELECT e.id, w.token_id FROM public.envelopes e
    WHERE e.org_id = w.org_id AND e.id = ANY (p_ids)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_acked = ROW_COUNT;
    v_deleted := public.team_sweep(w.org_id, p_ids);
    RETURN QUERY SELECT 1, v_deleted, v_acked;
END
$$;

-- For each current member of the token's organisation: how many of its
-- held envelopes that member has not acknowledged (empty without claims).
CREATE FUNCTION sync_waiting(p_hash bytea)
RETURNS TABLE (name text, n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT m.name,
           (SELECT count(*) FROM public.envelopes e
            WHERE e.org_id = t.org_id
              AND NOT EXISTS (SELECT 1 FROM public.acks a
                              WHERE a.envelope_id = e.id
                                AND a.token_id = m.token_id))
    FROM public.sync_tokens t, public.team_members(t.org_id) m
    WHERE t.hash = p_hash
    ORDER BY m.name
$$;

-- Appends one event for the token's organisation: its id and day.
CREATE FUNCTION sync_event_put(p_hash bytea, p_body bytea)
RETURNS TABLE (id bigint, day date)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    INSERT INTO public.events (org_id, token_id, body)
    SELECT t.org_id, t.id, p_body FROM public.sync_tokens t
    WHERE t.hash = p_hash AND t.removed IS NULL
    RETURNING events.id, events.day
$$;

-- A page of the token's organisation's events after p_after.
CREATE FUNCTION sync_event_list(p_hash bytea, p_after bigint,
                                p_limit integer)
RETURNS TABLE (id bigint, day date, body bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT e.id, e.day, e.body FROM public.events e
    WHERE e.org_id = (SELECT t.org_id FROM public.sync_tokens t
                      WHERE t.hash = p_hash AND t.removed IS NULL)
      AND e.id > p_after
    ORDER BY e.id LIMIT least(greatest(p_limit, 1), 501)
$$;

-- Marks removed the claimed tokens of p_org whose key is not in p_members
-- (the member keys of its new bundle: the signing key and the signers who
-- may sign events), then deletes what the remaining members all acked.
-- The number of tokens removed.
CREATE FUNCTION team_bundle_changed(p_org integer, p_members bytea[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n integer;
BEGIN
    UPDATE public.sync_tokens t SET removed = current_date
    WHERE t.org_id = p_org AND t.claim_pk IS NOT NULL
      AND t.removed IS NULL AND NOT (t.claim_pk = ANY (p_members));
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM public.team_sweep(p_org, NULL);
    RETURN n;
END
$$;

-- Replaces the token's organisation's bundle with p_bundle (verified by
-- the caller: same organisation and signing key), if p_serial is strictly
-- higher than the registered serial. 1 done; -1 rollback (not higher);
-- -2 another signing key; -3 unknown or removed token. The keys become
-- the current ones, as `umbra-server org add` does.
CREATE FUNCTION sync_bundle_put(p_hash bytea, p_bundle text, p_serial bigint,
                                p_created date, p_sign_pk bytea,
                                p_key_ids bytea[], p_pks bytea[],
                                p_key_days date[], p_members bytea[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o public.orgs%ROWTYPE;
    i integer;
BEGIN
    SELECT g.* INTO o FROM public.orgs g
    JOIN public.sync_tokens t ON t.org_id = g.id
    WHERE t.hash = p_hash AND t.removed IS NULL
    FOR UPDATE OF g;
    IF NOT FOUND THEN
        RETURN -3;
    END IF;
    IF o.sign_pk <> p_sign_pk THEN
        RETURN -2;
    END IF;
    IF p_serial <= o.bundle_serial THEN
        RETURN -1;
    END IF;
    UPDATE public.orgs g SET bundle = p_bundle, bundle_serial = p_serial,
        bundle_created = p_created
    WHERE g.id = o.id;
    UPDATE public.org_keys k SET current = false WHERE k.org_id = o.id;
    FOR i IN 1 .. coalesce(array_length(p_key_ids, 1), 0) LOOP
        INSERT INTO public.org_keys (org_id, key_id, pk, created)
        VALUES (o.id, p_key_ids[i], p_pks[i], p_key_days[i])
        ON CONFLICT (org_id, key_id) DO UPDATE SET current = true;
    END LOOP;
    PERFORM public.team_bundle_changed(o.id, p_members);
    RETURN 1;
END
$$;

REVOKE ALL ON FUNCTION sync_who(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_bundle(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_claim(bytea, bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION team_members(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION team_sweep(integer, bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_ack_member(bytea, bigint[], boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_waiting(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_event_put(bytea, bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_event_list(bytea, bigint, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION team_bundle_changed(integer, bytea[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION sync_bundle_put(bytea, text, bigint, date, bytea,
                                       bytea[], bytea[], date[], bytea[])
    FROM PUBLIC;
-- team_members, team_sweep and team_bundle_changed take an organisation
-- id, not a token: only the owner runs them (the functions above, which
-- run as the owner, and `umbra-server org add`); umbra_sync may not.
GRANT EXECUTE ON FUNCTION sync_who(bytea) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_bundle(bytea) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_claim(bytea, bytea) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_ack_member(bytea, bigint[], boolean)
    TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_waiting(bytea) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_event_put(bytea, bytea) TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_event_list(bytea, bigint, integer)
    TO umbra_sync;
GRANT EXECUTE ON FUNCTION sync_bundle_put(bytea, text, bigint, date, bytea,
                                          bytea[], bytea[], date[], bytea[])
    TO umbra_sync;
