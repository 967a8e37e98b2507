-- SPDX-License-Identifier: AGPL-3.0-or-later
-- 010: alerts (docs/protocol.md section 11, docs/api.md "Alerts"): signed
-- warnings an organisation publishes, and their withdrawals.
--
-- The server keeps each alert file exactly as pushed (body), with what it
-- read from it to select rows: the alert's id, kind, issued and expires
-- days, and for a withdrawal the id it withdraws. It verified the file
-- against the organisation's bundle before storing it, and verifies it
-- again every time it serves it: a row edited here is shown nowhere.
-- Dates only, no finer; nothing about who pushed it but the organisation.
--
-- alert_put     (umbra_sync) stores one alert file for the token's
--               organisation: 'stored', 'same' (that id with the same
--               bytes: a retry), 'conflict' (that id with other bytes),
--               'unknown_alert' (a withdrawal of no alert of that
--               organisation), 'unauthorized' (no such token). A
--               withdrawal marks its alert withdrawn the day it arrives.
-- alerts_live   (umbra_intake) the alerts to show: not withdrawn, not
--               expired (shown through their expires day), issued no
--               later than tomorrow; of one organisation or of all
--               (p_slug NULL); newest first, at most 200.

CREATE TABLE alerts (
    org_id    integer NOT NULL REFERENCES orgs(id),
    id        text NOT NULL CHECK (id ~ '^[0-9a-f]{32}$'),
    kind      text NOT NULL CHECK (kind IN ('alert', 'withdrawal')),
    body      bytea NOT NULL CHECK (length(body) BETWEEN 1 AND 65536),
    issued    date NOT NULL,
    expires   date,
    withdraws text CHECK (withdraws ~ '^[0-9a-f]{32}$'),
    withdrawn date,
    received  date NOT NULL DEFAULT current_date,
    PRIMARY KEY (org_id, id),
    CHECK ((kind = 'alert') = (expires IS NOT NULL)),
    CHECK ((kind = 'withdrawal') = (withdraws IS NOT NULL))
);
CREATE INDEX alerts_live_idx ON alerts (expires) WHERE withdrawn IS NULL;

CREATE FUNCTION alert_put(p_hash bytea, p_id text, p_kind text,
                          p_body bytea, p_issued date, p_expires date,
                          p_withdraws text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    v_org integer;
    v_body bytea;
BEGIN
    SELECT t.org_id INTO v_org FROM public.sync_tokens t
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
        UPDATE public.alerts a SET withdrawn = coalesce(a.withdrawn,
                                                       current_date)
        WHERE a.org_id = v_org AND a.id = p_withdraws AND a.kind = 'alert';
        IF NOT FOUND THEN
            RETURN 'unknown_alert';
        END IF;
    END IF;
    INSERT INTO public.alerts (org_id, id, kind, body, issued, expires,
                               withdraws)
    VALUES (v_org, p_id, p_kind, p_body, p_issued, p_expires, p_withdraws);
    RETURN 'stored';
END
$$;

CREATE FUNCTION alerts_live(p_slug text)
RETURNS TABLE (slug text, id text, body bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT o.slug, a.id, a.body FROM public.alerts a
    JOIN public.orgs o ON o.id = a.org_id
    WHERE a.kind = 'alert' AND a.withdrawn IS NULL
      AND a.expires >= current_date AND a.issued <= current_date + 1
      AND (p_slug IS NULL OR o.slug = p_slug)
    ORDER BY a.issued DESC, o.slug, a.id
    LIMIT 200
$$;

REVOKE ALL ON TABLE alerts FROM PUBLIC;
REVOKE ALL ON FUNCTION alert_put(bytea, text, text, bytea, date, date, text)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION alerts_live(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION alert_put(bytea, text, text, bytea, date, date, text)
    TO umbra_sync;
GRANT EXECUTE ON FUNCTION alerts_live(text) TO umbra_intake;
