#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The database roles' whole privilege matrix, against a real PostgreSQL.

Run by with_server.sh (the cluster is migrated as in production). Reads
PostgreSQL's own answer (has_*_privilege) for every role x function, role
x table/column/sequence, the schema and the database, and compares it with
the tables below, which are the whole truth: a privilege found that is not
listed, or listed and not found, fails. Then checks the same refusals the
way an attacker holding a role would meet them.

Adding a function (a migration of schema/): give it a row in FUNCTIONS and
grant it to that role; a function of schema public without a row fails
test_every_function_has_a_row. A table needs a row in TABLES only when a
role may touch it. Ends with "N passed, N failed".
"""
import os
import subprocess
import sys
import traceback

# "name(argument types)" as PostgreSQL prints oid::regprocedure -> the one
# role that may execute it.
FUNCTIONS = {
    "mailbox_replies(bytea)": "umbra_intake",
    "mailbox_known(bytea)": "umbra_intake",
    "sync_auth(bytea)": "umbra_sync",
    "sync_list(bytea,bigint,integer)": "umbra_sync",
    "sync_ack(bytea,bigint[])": "umbra_sync",
    "sync_reply(bytea,bytea,bytea)": "umbra_sync",
    "intake_move(integer,integer,bytea,date,bytea)": "umbra_intake",
    "intake_pending()": "umbra_intake",
    "intake_move_batch(integer[],bytea[],date[],bytea[])": "umbra_intake",
    "sync_status(bytea)": "umbra_sync",
    "sync_held(bytea,bigint,integer)": "umbra_sync",
    "alert_put(bytea,text,text,bytea,date,date,text,bigint)": "umbra_sync",
    "alerts_live(text)": "umbra_intake",
    # team sync (009): the token's own organisation only, as above
    "sync_who(bytea)": "umbra_sync",
    "sync_bundle(bytea)": "umbra_sync",
    "sync_claim(bytea,bytea)": "umbra_sync",
    "sync_ack_member(bytea,bigint[],boolean)": "umbra_sync",
    "sync_waiting(bytea)": "umbra_sync",
    "sync_event_put(bytea,bytea,bigint)": "umbra_sync",
    "sync_event_list(bytea,bigint,integer)": "umbra_sync",
    "sync_bundle_put(bytea,text,bigint,date,bytea,bytea[],bytea[],date[],"
    "bytea[])": "umbra_sync",
    # these take an organisation id, not a token: the owner's alone ("")
    "team_members(integer)": "",
    "team_sweep(integer,bigint[])": "",
    "team_bundle_changed(integer,bytea[])": "",
    "retention_purge(integer,integer,integer)": "umbra_intake",
    "sync_expiring(bytea,integer,integer)": "umbra_sync",
    # 015: the case events' and alerts' retention
    "retention_purge_logs(integer,integer,integer)": "umbra_intake",
    "sync_events_expiring(bytea,bigint,integer,integer)": "umbra_sync",
    # 017: the alert quota in the sync status
    "sync_alerts_held(bytea)": "umbra_sync",
    # 013: the mailbox quota per organisation
    "intake_mailboxes()": "umbra_intake",
    "mailbox_counts_keep()": "",  # a trigger's: nobody calls it
    "mailbox_counts_fold()": "umbra_intake",
}

# (role, relation, privilege) -> the columns it covers, or None for a
# table-wide or sequence privilege. Everything not listed: no privilege.
TABLES = {
    ("umbra_intake", "orgs", "SELECT"):
        {"id", "slug", "name", "fingerprint", "bundle", "max_reports",
         "max_bytes", "max_mailboxes"},
    ("umbra_intake", "org_keys", "SELECT"): {"org_id", "key_id", "current"},
    ("umbra_intake", "envelopes", "INSERT"): {"org_id", "size", "body"},
    ("umbra_intake", "envelopes_id_seq", "USAGE"): None,
    ("umbra_intake", "mailboxes", "INSERT"): {"mailbox_id", "day",
                                                  "org_id"},
}

# Privileges on the database and on schema public: role -> set.
DATABASE = {"umbra_intake": {"CONNECT"}, "umbra_sync": {"CONNECT"}}
SCHEMA = {"umbra_intake": {"USAGE"}, "umbra_sync": {"USAGE"}}

STRANGER = "umbra_test_stranger"  # another application's role, same cluster
ROLES = ["public", "umbra_intake", "umbra_sync", STRANGER]


def psql(sql, user=None, db="umbra"):
    env = dict(os.environ)
    if user:
        env["PGUSER"] = user
    p = subprocess.run(["psql", "-X", "-q", "-At", "-F", "|", "-v",
                        "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                       capture_output=True, text=True, env=env, timeout=60)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def owner(sql):
    rc, out, err = psql(sql)
    assert rc == 0, (sql, err)
    return [line.split("|") for line in out.splitlines() if line]


def roles_sql():
    return "(VALUES %s) AS r(role)" % ", ".join("('%s')" % r for r in ROLES)


def function_rows(prefix=""):
    """[(function, role)] for every function of schema public and every role
    of ROLES that may execute it, plus (function, '') for the others."""
    sql = prefix + """
        SELECT p.oid::regprocedure::text, r.role
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        CROSS JOIN %s
        WHERE n.nspname = 'public'
          AND has_function_privilege(r.role, p.oid, 'EXECUTE')
        UNION ALL
        SELECT p.oid::regprocedure::text, ''
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
        ORDER BY 1, 2""" % roles_sql()
    if prefix:
        sql += "; ROLLBACK"
    return owner(sql)


def function_errors(rows):
    errors = []
    granted = {}
    for fn, role in rows:
        granted.setdefault(fn, set())
        if role:
            granted[fn].add(role)
    for fn, got in sorted(granted.items()):
        if fn not in FUNCTIONS:
            errors.append("function %s has no row in FUNCTIONS (executable "
                          "by %s)" % (fn, sorted(got) or "nobody"))
        elif got != ({FUNCTIONS[fn]} if FUNCTIONS[fn] else set()):
            errors.append("function %s: executable by %s, want only %s"
                          % (fn, sorted(got), FUNCTIONS[fn]))
    for fn in sorted(set(FUNCTIONS) - set(granted)):
        errors.append("function %s in FUNCTIONS is not in the database" % fn)
    return errors


def test_every_function_has_a_row():
    errors = function_errors(function_rows())
    assert not errors, "\n".join(errors)
    # The check can fail: a function added without a row (and without a
    # grant) is named, and starts with no EXECUTE for PUBLIC (004's default
    # privileges).
    rows = function_rows("BEGIN; CREATE FUNCTION public.later_added() "
                         "RETURNS int LANGUAGE sql AS 'SELECT 1';")
    errors = function_errors(rows)
    assert errors == ["function later_added() has no row in FUNCTIONS "
                      "(executable by nobody)"], errors


def test_table_matrix():
    col = """
        SELECT r.role, c.relname, pv.priv, a.attname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid
        CROSS JOIN %s
        CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'),
                           ('REFERENCES')) AS pv(priv)
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND a.attnum > 0 AND NOT a.attisdropped
          AND has_column_privilege(r.role, c.oid, a.attnum, pv.priv)""" % (
        roles_sql())
    tab = """
        SELECT r.role, c.relname, pv.priv, ''
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN %s
        CROSS JOIN (VALUES ('DELETE'), ('TRUNCATE'), ('TRIGGER')) AS pv(priv)
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND has_table_privilege(r.role, c.oid, pv.priv)""" % roles_sql()
    seq = """
        SELECT r.role, c.relname, pv.priv, ''
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN %s
        CROSS JOIN (VALUES ('USAGE'), ('SELECT'), ('UPDATE')) AS pv(priv)
        WHERE n.nspname = 'public' AND c.relkind = 'S'
          AND has_sequence_privilege(r.role, c.oid, pv.priv)""" % roles_sql()
    got = {}
    for role, rel, priv, column in owner(col + " UNION ALL " + tab +
                                         " UNION ALL " + seq):
        k = (role, rel, priv)
        if column:
            got.setdefault(k, set()).add(column)
        else:
            got[k] = None
    # The matrix is not empty by accident: the tables are there.
    rels = {r[0] for r in owner("SELECT relname FROM pg_class c JOIN "
                                "pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE n.nspname = 'public'")}
    assert {"orgs", "org_keys", "envelopes", "mailboxes", "replies",
            "sync_tokens", "schema_migrations"} <= rels, rels
    errors = ["%s may %s %s%s, not listed" % (k[0], k[2], k[1],
                                              "" if v is None else sorted(v))
              for k, v in sorted(got.items()) if TABLES.get(k, 0) != v]
    errors += ["%s should %s %s%s, but may not" % (k[0], k[2], k[1],
                                                   "" if v is None else
                                                   sorted(v))
               for k, v in sorted(TABLES.items()) if got.get(k, 0) != v]
    assert not errors, "\n".join(errors)


def test_database_and_schema():
    rows = owner("""
        SELECT r.role, pv.priv FROM %s
        CROSS JOIN (VALUES ('CONNECT'), ('TEMPORARY'), ('CREATE')) AS pv(priv)
        WHERE has_database_privilege(r.role, current_database(), pv.priv)
        """ % roles_sql())
    got = {}
    for role, priv in rows:
        got.setdefault(role, set()).add(priv)
    assert got == DATABASE, got
    rows = owner("""
        SELECT r.role, pv.priv FROM %s
        CROSS JOIN (VALUES ('USAGE'), ('CREATE')) AS pv(priv)
        WHERE has_schema_privilege(r.role, 'public', pv.priv)
        """ % roles_sql())
    got = {}
    for role, priv in rows:
        got.setdefault(role, set()).add(priv)
    assert got == SCHEMA, got


def refused(sql, user, what="permission denied"):
    rc, out, err = psql(sql, user=user)
    assert rc != 0 and what in err, (user, sql, rc, out, err)


def test_as_an_attacker_meets_it():
    """What a role holder sees: each role's calls work, the other's are
    refused, and a stranger role of the same cluster cannot even connect."""
    zero = "'\\x%s'::bytea" % ("00" * 32)
    rc, out, err = psql("SELECT count(*) FROM mailbox_replies(%s)" % zero,
                        user="umbra_intake")
    assert rc == 0 and out == "0", err
    rc, out, err = psql("SELECT count(*) FROM sync_auth(%s)" % zero,
                        user="umbra_sync")
    assert rc == 0 and out == "0", err
    # a forged token hash learns no organisation's alert count (017)
    rc, out, err = psql("SELECT count(*) FROM sync_alerts_held(%s)" % zero,
                        user="umbra_sync")
    assert rc == 0 and out == "0", err
    refused("SELECT * FROM sync_alerts_held(%s)" % zero, "umbra_intake",
            "permission denied for function")
    for sql in ("SELECT * FROM sync_auth(%s)" % zero,
                "SELECT * FROM sync_list(%s, 0, 10)" % zero,
                "SELECT sync_ack(%s, ARRAY[1]::bigint[])" % zero,
                "SELECT sync_reply(%s, %s, '\\x00')" % (zero, zero)):
        refused(sql, "umbra_intake", "permission denied for function")
    refused("SELECT * FROM mailbox_replies(%s)" % zero, "umbra_sync",
            "permission denied for function")
    rc, out, err = psql("SELECT mailbox_known(%s)" % zero,
                        user="umbra_intake")
    assert rc == 0 and out == "f", err
    refused("SELECT mailbox_known(%s)" % zero, "umbra_sync",
            "permission denied for function")
    for user in ("umbra_intake", "umbra_sync"):
        refused("CREATE TEMP TABLE t (x int)", user,
                "permission denied to create temporary tables")
    refused("SELECT 1", STRANGER, "permission denied for database")


def main():
    rc, _, err = psql("DROP ROLE IF EXISTS %s; CREATE ROLE %s LOGIN"
                      % (STRANGER, STRANGER))
    if rc != 0:
        print(err)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for t in (test_every_function_has_a_row, test_table_matrix,
              test_database_and_schema, test_as_an_attacker_meets_it):
        try:
            t()
            passed += 1
            print("ok   %s" % t.__name__)
        except Exception:
            failed += 1
            print("FAIL %s" % t.__name__)
            traceback.print_exc()
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
