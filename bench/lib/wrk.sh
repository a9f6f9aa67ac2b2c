# shellcheck shell=bash
# Reading wrk's text output. Shared by bench/serve-cost.sh and scripts/demo.sh.

# wrk_summary FILE: prints one line from wrk --latency output FILE:
#   requests duration_s requests_per_s socket_errors non_2xx_3xx p50_us p99_us
# Latency fields are "-" when FILE has no latency distribution. Fails if FILE has no
# "N requests in Ts" line (wrk did not run).
wrk_summary() {
    awk '
        # wrk prints latency as 123.45us, 1.20ms, 2.00s or 1.00m; convert to µs.
        function us(v) {
            if (v ~ /us$/) return v + 0
            if (v ~ /ms$/) return (v + 0) * 1000
            if (v ~ /m$/) return (v + 0) * 60000000
            if (v ~ /s$/) return (v + 0) * 1000000
            return v + 0
        }
        / requests in / { requests = $1; duration = $4; sub(/s,$/, "", duration) }
        /^Requests\/sec:/ { rps = $2 }
        /^ *Socket errors:/ {
            for (i = 3; i <= NF; i += 2) { n = $(i + 1); sub(/,$/, "", n); socket += n }
        }
        /^ *Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Latency Distribution/ { in_dist = 1; next }
        in_dist && $1 == "50%" { p50 = us($2) }
        in_dist && $1 == "99%" { p99 = us($2); in_dist = 0 }
        END {
            if (requests == "") exit 1
            printf "%s %s %s %d %d %s %s\n", requests, duration, rps, socket, non2xx,
                (p50 == "" ? "-" : p50), (p99 == "" ? "-" : p99)
        }
    ' "$1"
}
