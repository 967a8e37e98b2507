# SPDX-License-Identifier: AGPL-3.0-or-later
# bench-server part 5, sourced by bench_server.sh (its functions, server and
# cluster): what one organisation's flood does to another's intake. In
# each of BENCH_FLOOD_ROUNDS rounds (default 2; the load of a shared
# machine drifts, so the two conditions alternate), organisation B ('beta')
# sends at 8 connections for DUR seconds alone, then again while
# organisation A ('alpha') floods at 64 connections, all in this run.
# Printed: B's reports per second, p50, p99 and share answered 2xx in each
# condition (p50/p99 pooled over the rounds), and what A got meanwhile.
printf '{"schema":"umbra.report/1","via":"cli","narrative":"bench"}' |
    "$UMBRA_CASE" seal --to "$UMBRA_TEST_DIR/beta/public.json" >"$tmp/env_b"
pooled_pct() { # PCT quantile files -> that percentile in ms
    p=$1
    shift
    cat "$@" | sort -n | awk -v p="$p" '{ v[NR] = $1; w[NR] = $2; t += $2 }
        END { for (i = 1; i <= NR; i++) { c += w[i]
              if (c >= p / 100 * t) { printf "%.2f", v[i] / 1000; exit } } }'
}
sum_field() { # FIELD files -> the sum of that field over the WRK lines
    f=$1
    shift
    cat "$@" | sed -n "s/.*[ ]$f=\([^ ]*\).*/\1/p" |
        awk '{ t += $1 } END { printf "%.3f", t }'
}
[ -n "$server_pid" ] || start_server
frounds=${BENCH_FLOOD_ROUNDS:-2}
wrk -t1 -c8 -d2s -s tests/bench/bench_server_post.lua "$url" >/dev/null 2>&1
truncate_env
i=1
while [ $i -le "$frounds" ]; do
    ENVELOPE=$tmp/env_b PATH_INTAKE=/api/v1/orgs/beta/reports \
        QUANTILES=$tmp/fq_alone_$i wrk -t1 -c8 -d"${DUR}s" \
        -s tests/bench/bench_server_post.lua "$url" >"$tmp/fb_alone_$i" 2>&1
    truncate_env
    wrk -t1 -c64 -d"$((DUR + 2))s" -s tests/bench/bench_server_post.lua \
        "$url" >"$tmp/fa_flood_$i" 2>&1 &
    fpid=$!
    sleep 1
    ENVELOPE=$tmp/env_b PATH_INTAKE=/api/v1/orgs/beta/reports \
        QUANTILES=$tmp/fq_flood_$i wrk -t1 -c8 -d"${DUR}s" \
        -s tests/bench/bench_server_post.lua "$url" >"$tmp/fb_flood_$i" 2>&1
    wait "$fpid"
    truncate_env
    i=$((i + 1))
done
flood_line() { # label files-prefix quantile-prefix
    n=$(sum_field requests "$tmp/$2"_*)
    e=$(sum_field errors_status "$tmp/$2"_*)
    s=$(sum_field secs "$tmp/$2"_*)
    printf '  %-28s %7.0f/s  p50 %7s ms  p99 %7s ms  2xx %s\n' "$1" \
        "$(awk "BEGIN { print $n / $s }")" "$(pooled_pct 50 "$tmp/$3"_*)" \
        "$(pooled_pct 99 "$tmp/$3"_*)" \
        "$(awk "BEGIN { if ($n > 0) printf \"%.4f\", ($n - $e) / $n; else print \"n/a\" }")"
}
echo
echo "One organisation's flood and another's intake ($frounds rounds of" \
    "${DUR}s each; B at 8 connections, A at 64)"
flood_line "B alone" fb_alone fq_alone
flood_line "B while A floods" fb_flood fq_flood
an=$(sum_field requests "$tmp"/fa_flood_*)
ae=$(sum_field errors_status "$tmp"/fa_flood_*)
as=$(sum_field secs "$tmp"/fa_flood_*)
echo "  A meanwhile: $(awk "BEGIN { printf \"%.0f\", $an / $as }")/s," \
    "non-2xx $(printf '%.0f' "$ae")"
echo "  B's p99 with the flood / alone: $(ratio "$(pooled_pct 99 "$tmp"/fq_flood_*)" \
    "$(pooled_pct 99 "$tmp"/fq_alone_*)"); B's rate with / alone:" \
    "$(ratio "$(sum_field requests "$tmp"/fb_flood_*)" "$(sum_field requests "$tmp"/fb_alone_*)")"
