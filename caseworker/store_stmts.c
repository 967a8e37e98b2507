/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* store_stmts: every statement of the case store, with who uses it. */
#include "store_int.h"

#define ROW_COLS                                                               \
    "c.id, c.received, c.status, c.priority, c.assignee,"                      \
    " (SELECT group_concat(label, ',') FROM labels l WHERE l.case_id = c.id)," \
    " c.summary, c.incident, c.country, c.lang, c.categories, c.imported,"   \
    " (SELECT count(*) FROM messages m"                                        \
    "  WHERE m.case_id = c.id AND m.unread != 0),"                             \
    " c.origin, c.origin_case"

#define ALERT_COLS                                                             \
    "id, alert_id, kind, cases, body, coalesce(signed_file, ''),"             \
    " coalesce(pushed, ''), coalesce(withdrawn_by, ''), created"
/* Closed cases whose last activity (import, history, message) is before
 * ?1 (YYYY-MM-DD) and that still hold text: what purge takes. */
#define PURGE_PICK                                                             \
    " FROM cases c WHERE c.status = 'closed' AND c.purged != '*'"              \
    " AND max(c.imported, coalesce((SELECT max(h.at) FROM history h"           \
    "  WHERE h.case_id = c.id), ''), coalesce((SELECT max(m.day)"              \
    "  FROM messages m WHERE m.case_id = c.id), '')) < ?1"                     \
    " AND (c.summary != '' OR c.mailbox_id IS NOT NULL"                        \
    "  OR EXISTS (SELECT 1 FROM reports r WHERE r.case_id = c.id)"             \
    "  OR EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id)"            \
    "  OR EXISTS (SELECT 1 FROM replies p WHERE p.case_id = c.id)"             \
    "  OR EXISTS (SELECT 1 FROM history h WHERE h.case_id = c.id"              \
    "   AND h.what LIKE 'note:%'))"
#define PURGING " IN (SELECT id FROM cases WHERE purged = '*')"

/* Every statement of the store, prepared when it opens (after its
 * migrations), with who uses it. */
const struct store_stmt STORE_STMTS[ST_N] = {
    [ST_META_GET] = {"meta_get", "SELECT v FROM meta WHERE k = ?1;",
                     "store_meta_get: the schema check at open, import (org), "
                     "keys (bundle serial)"},
    [ST_META_SET] = {"meta_set",
                     "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2);",
                     "store_meta_set: keys (bundle serial)"},
    [ST_PROCESSED] = {"processed",
                      "SELECT 1 FROM processed WHERE server_id = ?1;",
                      "store_processed: import"},
    [ST_HISTORY_ADD] = {"history_add",
                        "INSERT INTO history(case_id, at, who, what)"
                        " VALUES (?1, ?2, ?3, ?4);",
                        "every change of a case: triage, reply, push"},
    [ST_PROCESSED_ADD] = {"processed_add",
                          "INSERT OR IGNORE INTO processed(server_id,"
                          " outcome) VALUES (?1, ?2);",
                          "store_add_case, store_add_quarantine: import"},
    [ST_PROCESSED_ADD_DIGEST] =
        {"processed_add_digest",
         "INSERT OR IGNORE INTO processed(server_id, outcome, digest)"
         " VALUES (?1, ?2, ?3);",
         "store_add_case, store_add_quarantine: import (with a digest)"},
    [ST_PROCESSED_DIGEST] = {"processed_digest",
                             "SELECT digest FROM processed"
                             " WHERE server_id = ?1;",
                             "store_processed_env: import"},
    [ST_ENV_COUNT] = {"env_count",
                      "SELECT count(*), coalesce(sum(digest = ?2), 0)"
                      " FROM processed_env WHERE server_id = ?1;",
                      "store_processed_env: import (an id from before "
                      "digests)"},
    [ST_ENV_FIND] = {"env_find",
                     "SELECT 1 FROM processed_env WHERE server_id = ?1"
                     " AND digest = ?2;",
                     "store_processed_env: import (an id given out again)"},
    [ST_ENV_ADD] = {"env_add",
                    "INSERT OR IGNORE INTO processed_env(server_id, digest)"
                    " VALUES (?1, ?2);",
                    "store_add_case, store_add_quarantine: import (an id "
                    "given out again)"},
    [ST_PROCESSED_AGAIN] = {"processed_again",
                            "UPDATE processed SET outcome = ?2, acked = 0"
                            " WHERE server_id = ?1;",
                            "store_add_case, store_add_quarantine: import "
                            "(an id given out again, to be acked again)"},
    [ST_CASE_ADD] =
        {"case_add",
         "INSERT INTO cases(server_id, received, imported, incident,"
         " country, region, lang, categories, needs, perpetrator,"
         " consent_statistics, mailbox_id, mailbox_pk, summary,"
         " perpetrators)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
         " ?14, ?15);",
         "store_add_case (import), store_add_synthetic (tests, bench)"},
    [ST_REPORT_ADD] = {"report_add",
                       "INSERT INTO reports(case_id, doc) VALUES (?1, ?2);",
                       "store_add_case: import"},
    [ST_QUARANTINE_ADD] =
        {"quarantine_add",
         "INSERT INTO quarantine(server_id, received, at, outcome,"
         " reason, size, head) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7);",
         "store_add_quarantine: import"},
    [ST_LIST] = {"list",
                 "SELECT " ROW_COLS " FROM cases c"
                 " WHERE (?1 IS NULL OR c.status = ?1)"
                 " AND (?2 IS NULL OR (c.categories & ?2) != 0)"
                 " AND (?3 IS NULL OR c.received >= ?3)"
                 " AND (?4 IS NULL OR c.received <= ?4)"
                 " AND (?5 IS NULL OR c.id IN"
                 "  (SELECT case_id FROM labels WHERE label = ?5))"
                 " ORDER BY c.id LIMIT ?6;",
                 "store_list: list"},
    [ST_CASE_GET] =
        {"case_get",
         "SELECT " ROW_COLS ", r.doc, c.mailbox_id FROM cases c"
         " LEFT JOIN reports r ON r.case_id = c.id WHERE c.id = ?1;",
         "store_get_case: show"},
    [ST_HISTORY] = {"history",
                    "SELECT at, who, what FROM history"
                    " WHERE case_id = ?1 ORDER BY id;",
                    "store_history: show"},
    [ST_CASE_EXISTS] = {"case_exists", "SELECT 1 FROM cases WHERE id = ?1;",
                        "store_case_exists: triage"},
    [ST_LABEL_ADD] =
        {"label_add",
         "INSERT OR IGNORE INTO labels(case_id, label) VALUES (?1, ?2);",
         "store_add_label: triage --label"},
    [ST_LABEL_REMOVE] =
        {"label_remove",
         "DELETE FROM labels WHERE case_id = ?1 AND label = ?2;",
         "store_remove_label: triage --unlabel"},
    [ST_SET_STATUS] = {"set_status",
                       "UPDATE cases SET status = ?2 WHERE id = ?1;",
                       "store_set_field: triage --status"},
    [ST_SET_PRIORITY] = {"set_priority",
                         "UPDATE cases SET priority = ?2 WHERE id = ?1;",
                         "store_set_field: triage --priority"},
    [ST_SET_ASSIGNEE] = {"set_assignee",
                         "UPDATE cases SET assignee = ?2 WHERE id = ?1;",
                         "store_set_field: triage --assign"},
    [ST_CASE_MAILBOX] = {"case_mailbox",
                         "SELECT mailbox_pk, mailbox_id, lang FROM cases"
                         " WHERE id = ?1 AND mailbox_pk IS NOT NULL;",
                         "store_case_mailbox: reply"},
    [ST_REPLY_ADD] = {"reply_add",
                      "INSERT INTO replies(case_id, mailbox_id,"
                      " envelope, at) VALUES (?1, ?2, ?3, ?4);",
                      "store_reply_add: reply"},
    [ST_REPLIES_PENDING] = {"replies_pending",
                            "SELECT id, mailbox_id, envelope FROM replies"
                            " WHERE pushed = 0 ORDER BY id;",
                            "store_replies_pending: push"},
    [ST_REPLY_PUSHED] = {"reply_pushed",
                         "UPDATE replies SET pushed = 1 WHERE id = ?1;",
                         "store_reply_pushed: push"},
    [ST_REPLY_CASE] = {"reply_case",
                       "SELECT case_id FROM replies WHERE id = ?1;",
                       "store_reply_pushed: push (the case of a reply)"},
    [ST_ACK_PENDING] = {"ack_pending",
                        "SELECT server_id FROM processed WHERE acked = 0"
                        " AND outcome IN ('case', 'quarantine');",
                        "store_ack_pending: ack"},
    [ST_ACKED] = {"acked",
                  "UPDATE processed SET acked = 1 WHERE server_id = ?1;",
                  "store_mark_acked: ack"},
    [ST_QUARANTINE] = {"quarantine",
                       "SELECT id, server_id, received, at, outcome,"
                       " reason, size FROM quarantine ORDER BY id;",
                       "store_quarantine_each: quarantine"},
    [ST_COUNTS] = {"counts",
                   "SELECT (SELECT count(*) FROM cases),"
                   " (SELECT count(*) FROM quarantine);",
                   "store_counts: for messages (no caller today)"},
    [ST_FACTS] =
        {"facts",
         "SELECT received, incident, country, region, lang, categories,"
         " needs, perpetrator, consent_statistics, perpetrators FROM cases;",
         "store_facts_each: stats"},
    [ST_LEDGER_ADD] = {"ledger_add",
                       "INSERT INTO ledger(k, v) VALUES (?1, ?2);",
                       "store_ledger_add: stats --publish"},
    [ST_LEDGER] = {"ledger", "SELECT k, v FROM ledger ORDER BY id;",
                   "store_ledger_each: stats"},
    [ST_FORGET_QUARANTINE] =
        {"forget_quarantine",
         "DELETE FROM quarantine WHERE outcome = 'unopened';",
         "store_forget_unopened: import --retry-unopened"},
    [ST_FORGET_PROCESSED] =
        {"forget_processed",
         "DELETE FROM processed WHERE outcome = 'unopened';",
         "store_forget_unopened: import --retry-unopened"},
    [ST_MEMBER_FIND] = {"member_find",
                        "SELECT 1 FROM members WHERE key_id = ?1 OR name = ?2;",
                        "store_member_add: keys add-member"},
    [ST_MEMBER_ADD] = {"member_add",
                       "INSERT INTO members(key_id, name, pk, sign_pk, created,"
                       " added, may) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7);",
                       "store_member_add: keys add-member"},
    [ST_MEMBERS] = {"members",
                    "SELECT key_id, name, pk, sign_pk, created, added, may"
                    " FROM members ORDER BY id;",
                    "store_members_each: keys list, public.json"},
    [ST_MEMBER_GET] = {"member_get",
                       "SELECT key_id, name, pk, sign_pk, created, added,"
                       " may FROM members WHERE key_id = ?1 OR name = ?1;",
                       "store_member_remove: keys remove-member"},
    [ST_MEMBER_DELETE] = {"member_delete",
                          "DELETE FROM members WHERE key_id = ?1;",
                          "store_member_remove: keys remove-member"},
    [ST_CASE_BY_MAILBOX] = {"case_by_mailbox",
                            "SELECT id, mailbox_pk FROM cases"
                            " WHERE mailbox_id = ?1 AND mailbox_pk IS NOT NULL"
                            " ORDER BY id LIMIT 1;",
                            "store_case_by_mailbox: import (a follow-up)"},
    [ST_CASE_ORIGIN] = {"case_origin",
                        "UPDATE cases SET origin = ?2, origin_case = ?3"
                        " WHERE id = ?1;",
                        "store_add_case: import (a follow-up as a case)"},
    [ST_MESSAGE_ADD] =
        {"message_add",
         "INSERT OR IGNORE INTO messages(case_id, sender, day, text,"
         " server_id, doc, proof, unread) VALUES (?1, 'reporter', ?2, ?3,"
         " ?4, ?5, ?6, 1);",
         "store_add_followup: import"},
    [ST_MESSAGE_REPLY] =
        {"message_reply",
         "INSERT INTO messages(case_id, sender, day, text, reply_id)"
         " SELECT ?1, 'org', ?2, ?3, max(id) FROM replies"
         " WHERE case_id = ?1;",
         "store_keep_reply: reply"},
    [ST_MESSAGES] = {"messages",
                     "SELECT m.sender, m.day, m.text, m.unread,"
                     " coalesce(r.pushed, 0) FROM messages m"
                     " LEFT JOIN replies r ON r.id = m.reply_id"
                     " WHERE m.case_id = ?1 ORDER BY m.day, m.id;",
                     "store_messages: show"},
    [ST_DELETE_CASE] = {"delete_case", "DELETE FROM cases WHERE id = ?1;",
                        "store_delete_case: delete"},
    [ST_DELETE_REPORT] = {"delete_report",
                          "DELETE FROM reports WHERE case_id = ?1;",
                          "store_delete_case: delete"},
    [ST_DELETE_LABELS] = {"delete_labels",
                          "DELETE FROM labels WHERE case_id = ?1;",
                          "store_delete_case: delete"},
    [ST_DELETE_HISTORY] = {"delete_history",
                           "DELETE FROM history WHERE case_id = ?1;",
                           "store_delete_case: delete"},
    [ST_DELETE_MESSAGES] = {"delete_messages",
                            "DELETE FROM messages WHERE case_id = ?1;",
                            "store_delete_case: delete"},
    [ST_DELETE_REPLIES] = {"delete_replies",
                           "DELETE FROM replies WHERE case_id = ?1;",
                           "store_delete_case: delete"},
    [ST_CASE_UID] = {"case_uid", "SELECT uid FROM cases WHERE id = ?1;",
                     "store_case_uid: every change that writes an event"},
    [ST_CASE_BY_UID] = {"case_by_uid",
                        "SELECT id FROM cases WHERE uid = ?1"
                        " ORDER BY id LIMIT 1;",
                        "store_team_apply: import (events)"},
    [ST_CASE_SET_UID] = {"case_set_uid",
                         "UPDATE cases SET uid = ?2 WHERE id = ?1;",
                         "store_case_set_uid: import (a new case)"},
    [ST_EVENT_ADD] = {"event_add",
                      "INSERT OR IGNORE INTO events(digest, id, case_uid,"
                      " author, seq, clock, day, type, text, outgoing, sig)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                      " ?11);",
                      "team_emit (every change), store_team_add (import)"},
    [ST_EVENTS_CASE] = {"events_case",
                        "SELECT text, author FROM events"
                        " WHERE case_uid = ?1;",
                        "store_team_apply, store_team_each: import, show"},
    [ST_EVENTS_ERASE] = {"events_erase",
                        "UPDATE events SET text = '', type = 'erased'"
                        " WHERE case_uid = ?1 AND type != 'delete';",
                        "store_delete_case: delete (the case's events)"},
    [ST_EVENT_DELETED] = {"event_deleted",
                          "SELECT 1 FROM events WHERE case_uid = ?1"
                          " AND type = 'delete' LIMIT 1;",
                          "store_team_add: import (a deleted case)"},
    [ST_EVENTS_OUT] = {"events_out",
                       "SELECT digest, text FROM events WHERE outgoing = 1"
                       " OR (outgoing = 2 AND ?1) ORDER BY clock, digest;",
                       "store_team_outgoing: push"},
    [ST_EVENT_OUTGOING] = {"event_outgoing",
                           "UPDATE events SET outgoing = ?2"
                           " WHERE digest = ?1;",
                           "store_team_sent: push"},
    [ST_EVENT_SET_SIG] = {"event_set_sig",
                           "UPDATE events SET sig = ?2 WHERE digest = ?1;",
                           "store_team_set_sig: push (this home's events)"},
    [ST_EVENTS_SIGNED] = {"events_signed",
                          "SELECT author, text, sig FROM events"
                          " WHERE case_uid = ?1 AND sig IS NOT NULL"
                          " AND text != '' AND type != 'share'"
                          " ORDER BY clock, author, id;",
                          "store_team_signed: team share"},
    [ST_SHARE_CASES] = {"share_cases",
                        "SELECT uid FROM cases WHERE uid IS NOT NULL"
                        " AND status != 'closed' ORDER BY id;",
                        "team share (the open cases)"},
    [ST_EVENT_GAPS] = {"event_gaps",
                       "SELECT author, count(DISTINCT seq), max(seq)"
                       " FROM events GROUP BY author"
                       " HAVING count(DISTINCT seq) != max(seq);",
                       "store_team_gaps: import, pull"},
    [ST_PURGE_COUNT] = {"purge_count", "SELECT count(*)" PURGE_PICK ";",
                        "store_purge_closed: purge (without --yes)"},
    [ST_PURGE_MARK] = {"purge_mark",
                       "UPDATE cases SET purged = '*' WHERE id IN"
                       " (SELECT c.id" PURGE_PICK ");",
                       "store_purge_closed: purge"},
    [ST_PURGE_REPORTS] = {"purge_reports",
                          "DELETE FROM reports WHERE case_id" PURGING ";",
                          "store_purge_closed: purge"},
    [ST_PURGE_MESSAGES] = {"purge_messages",
                           "DELETE FROM messages WHERE case_id" PURGING ";",
                           "store_purge_closed: purge"},
    [ST_PURGE_REPLIES] = {"purge_replies",
                          "DELETE FROM replies WHERE case_id" PURGING ";",
                          "store_purge_closed: purge"},
    [ST_PURGE_NOTES] = {"purge_notes",
                        "DELETE FROM history WHERE what LIKE 'note:%'"
                        " AND case_id" PURGING ";",
                        "store_purge_closed: purge"},
    [ST_PURGE_HISTORY] = {"purge_history",
                          "INSERT INTO history(case_id, at, who, what)"
                          " SELECT id, ?1, ?2, 'purged: report text,"
                          " conversation and notes' FROM cases"
                          " WHERE purged = '*';",
                          "store_purge_closed: purge"},
    [ST_PURGE_CASES] = {"purge_cases",
                        "UPDATE cases SET summary = '', mailbox_id = NULL,"
                        " mailbox_pk = NULL, purged = ?1"
                        " WHERE purged = '*';",
                        "store_purge_closed: purge"},
    [ST_MESSAGES_READ] = {"messages_read",
                          "UPDATE messages SET unread = 0"
                          " WHERE case_id = ?1 AND unread != 0;",
                          "store_messages_read: show"},
    [ST_IDENTS_ADD] = {"idents_add",
                       "INSERT OR IGNORE INTO idents(case_id, kind, value,"
                       " skeleton, flags) VALUES (?1, ?2, ?3, ?4, ?5);",
                       "store_idents_add: import, the rebuild"},
    [ST_IDENTS_CLEAR] = {"idents_clear", "DELETE FROM idents;",
                         "store_idents_rebuild: links --rebuild, the first "
                         "open after migration 9"},
    [ST_DELETE_IDENTS] = {"delete_idents",
                          "DELETE FROM idents WHERE case_id = ?1;",
                          "store_delete_case: delete"},
    [ST_REPORTS_ALL] = {"reports_all",
                        "SELECT case_id, doc FROM reports ORDER BY case_id;",
                        "store_idents_rebuild"},
    [ST_IDENTS_COUNT] = {"idents_count", "SELECT count(*) FROM idents;",
                         "store_idents_rebuild: links --rebuild"},
    [ST_IDENTS_CASE] =
        {"idents_case",
         "SELECT i.kind, i.value, i.flags,"
         " coalesce((SELECT group_concat(case_id, ',') FROM"
         "  (SELECT j.case_id FROM idents j WHERE j.kind = i.kind"
         "   AND j.value = i.value AND j.case_id != i.case_id"
         "   ORDER BY j.case_id)), ''),"
         " coalesce((SELECT group_concat(case_id, ',') FROM"
         "  (SELECT DISTINCT j.case_id FROM idents j WHERE j.kind = i.kind"
         "   AND j.skeleton = i.skeleton AND j.value != i.value"
         "   AND j.case_id != i.case_id ORDER BY j.case_id)), '')"
         " FROM idents i WHERE i.case_id = ?1"
         " ORDER BY instr('phone plate handle place', i.kind), i.value;",
         "store_idents_case: show, the desk's case page"},
    [ST_LINKS] = {"links",
                  "SELECT kind, value, max(flags), count(*),"
                  " group_concat(case_id, ',') FROM"
                  " (SELECT kind, value, flags, case_id FROM idents"
                  "  ORDER BY kind, value, case_id)"
                  " GROUP BY kind, value HAVING count(*) >= ?1"
                  " ORDER BY count(*) DESC,"
                  " instr('phone plate handle place', kind), value;",
                  "store_links_each: links, the desk's Links screen"},
    [ST_ALIKES] = {"alikes",
                   "SELECT kind, skeleton, value, max(flags), count(*),"
                   " group_concat(case_id, ',') FROM"
                   " (SELECT * FROM idents WHERE (kind, skeleton) IN"
                   "  (SELECT kind, skeleton FROM idents"
                   "   GROUP BY kind, skeleton HAVING count(DISTINCT value) > 1)"
                   "  ORDER BY kind, skeleton, value, case_id)"
                   " GROUP BY kind, skeleton, value"
                   " ORDER BY instr('phone plate handle place', kind),"
                   " skeleton, value;",
                   "store_alikes_each: links, the desk's Links screen"},
    [ST_ALERT_ADD] = {"alert_add",
                      "INSERT INTO alerts(alert_id, kind, cases, body,"
                      " signed_file, created) VALUES (?1, ?2, ?3, ?4, ?5,"
                      " ?6);",
                      "store_alert_add: alert new, alert withdraw"},
    [ST_ALERT_GET] = {"alert_get",
                      "SELECT " ALERT_COLS " FROM alerts"
                      " WHERE id = ?1 OR alert_id = ?2;",
                      "store_alert_get: alert show, sign, edit, withdraw"},
    [ST_ALERTS] = {"alerts",
                   "SELECT " ALERT_COLS " FROM alerts ORDER BY id;",
                   "store_alerts_each: alert list, alert push, the desk"},
    [ST_ALERT_BODY] = {"alert_body",
                       "UPDATE alerts SET body = ?2 WHERE id = ?1"
                       " AND signed_file IS NULL;",
                       "store_alert_set_body: alert edit (a draft only)"},
    [ST_ALERT_SIGNED] = {"alert_signed",
                         "UPDATE alerts SET body = ?2, signed_file = ?3"
                         " WHERE id = ?1 AND signed_file IS NULL;",
                         "store_alert_set_signed: alert sign"},
    [ST_ALERT_PUSHED] = {"alert_pushed",
                         "UPDATE alerts SET pushed = ?2 WHERE id = ?1;",
                         "store_alert_set_pushed: alert push"},
    [ST_ALERT_WITHDRAWN] = {"alert_withdrawn",
                            "UPDATE alerts SET withdrawn_by = ?2"
                            " WHERE id = ?1;",
                            "store_alert_set_withdrawn: alert withdraw"},
    [ST_ALERT_DELETE] = {"alert_delete",
                         "DELETE FROM alerts WHERE id = ?1"
                         " AND signed_file IS NULL;",
                         "store_alert_delete: alert withdraw (a draft)"},
};
