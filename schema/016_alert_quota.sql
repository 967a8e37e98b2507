-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 016: a quota of alerts per organisation (issue 17, many organisations on
-- one host; docs/operations.md, "Many organisations on one host").
--
-- orgs.max_alerts  the organisation's own quota of alert rows held; NULL:
--                  the server's quota_alerts, which the server passes to
--                  alert_put (p_quota). Set with `umbra-server org set SLUG
--                  --max-alerts N` (`default` clears it).
-- alert_put        as in 015, and: a new alert is refused ('alert_quota',
--                  nothing stored) when the organisation already holds its
--                  quota of rows. Every row counts, alert or withdrawal,
--                  live, expired or withdrawn: each takes space until the
--                  retention purge (015) takes it. A withdrawal of an alert
--                  the organisation holds is always taken, quota or not, so
--                  that a warning can always be taken back; a further
--                  withdrawal of an alert already withdrawn counts like a
--                  new alert (else withdrawals alone could fill the
--                  database). The same file pushed again stays 'same'.
-- alerts_live      as in 010, and at most 50 (the newest) per organisation,
--                  still at most 200 in all: what a page or a feed verifies
--                  is bounded whatever an organisation holds.

ALTER TABLE orgs
    ADD COLUMN max_alerts bigint CHECK (max_alerts BETWEEN 1 AND 1000000);

DROP FUNCTION alert_put(bytea, text, text, bytea, date, date, text);

CREATE FUNCTION alert_put(p_hash bytea, p_id text, p_kind text,
                          p_body bytea, p_issued date, p_expires date,
                          p_withdraws text, p_quota bigint)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    v_org integer;
    v_max bigint;
    v_body bytea;
    v_until date;
    v_withdrawn date;
BEGIN
    SELECT t.org_id, o.max_alerts INTO v_org, v_max
    FROM public.sync_tokens t JOIN public.orgs o ON o.id = t.org_id
    WHERE t.hash = p_hash;
    IF v_org IS NULL THEN
        RETURN 'unauthorized';
    END IF;
    -- one push of an id at a time per organisation
    PERFORM pg_advisory_xact_lock(v_org, hashtext(p_id));
    SELECT a.body INTO v_body FROM public.alerts a
    WHERE a.org_id = v_org AND a.id = p_id;
    IF FOUND THEN
        RETURN CASE WHEN v_body = p_body THEN 'same' ELSE 'conflict' END;
    END IF;
    IF p_kind = 'withdrawal' THEN
        SELECT a.withdrawn INTO v_withdrawn FROM public.alerts a
        WHERE a.org_id = v_org AND a.id = p_withdraws AND a.kind = 'alert'
        FOR UPDATE; -- two withdrawals of one alert: the second sees the first
        IF NOT FOUND THEN
            RETURN 'unknown_alert';
        END IF;
    END IF;
    -- the quota: for every new alert, and for a withdrawal of an alert
    -- already withdrawn (the first withdrawal is always taken). One such
    -- push of an organisation at a time, so that two at once cannot both
    -- take the last place.
    IF p_kind <> 'withdrawal' OR v_withdrawn IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(v_org,
                                      hashtext('umbra.alert_quota'));
        IF (SELECT count(*) FROM public.alerts a WHERE a.org_id = v_org)
           >= coalesce(v_max, greatest(p_quota, 1)) THEN
            RETURN 'alert_quota';
        END IF;
    END IF;
    v_withdrawn := NULL;
    IF p_kind = 'withdrawal' THEN
        UPDATE public.alerts a SET withdrawn = coalesce(a.withdrawn,
                                                       current_date)
        WHERE a.org_id = v_org AND a.id = p_withdraws AND a.kind = 'alert'
        RETURNING a.expires INTO v_until;
    ELSE
        SELECT min(w.received) INTO v_withdrawn FROM public.alerts w
        WHERE w.org_id = v_org AND w.kind = 'withdrawal'
          AND w.withdraws = p_id;
    END IF;
    INSERT INTO public.alerts (org_id, id, kind, body, issued, expires,
                               withdraws, withdrawn, until)
    VALUES (v_org, p_id, p_kind, p_body, p_issued, p_expires, p_withdraws,
            v_withdrawn, v_until);
    RETURN 'stored';
END
$$;

CREATE OR REPLACE FUNCTION alerts_live(p_slug text)
RETURNS TABLE (slug text, id text, body bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT x.slug, x.id, x.body FROM (
        SELECT o.slug, a.id, a.body, a.issued,
               row_number() OVER (PARTITION BY a.org_id
                                  ORDER BY a.issued DESC, a.id) AS k
        FROM public.alerts a
        JOIN public.orgs o ON o.id = a.org_id
        WHERE a.kind = 'alert' AND a.withdrawn IS NULL
          AND a.expires >= current_date AND a.issued <= current_date + 1
          AND (p_slug IS NULL OR o.slug = p_slug)) x
    WHERE x.k <= 50
    ORDER BY x.issued DESC, x.slug, x.id
    LIMIT 200
$$;

REVOKE ALL ON FUNCTION alert_put(bytea, text, text, bytea, date, date, text,
                                 bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION alert_put(bytea, text, text, bytea, date, date,
                                    text, bigint) TO umbra_sync;
