#!/usr/bin/env bash
# Re-run all measurements (~3 min). Each script creates its own qbench_* DB and drops it; each stops itself within 60 s.
set -u
cd "$(dirname "$0")"
mkdir -p results
r() { local out=$1; shift; echo ">> $out: $*"; env "$@" | tee "results/$out.json"; }
r tp_gw            ENGINE=gw node bench_throughput.mjs
r tp_pgb_b1        ENGINE=pgb PGB_CONC=4 PGB_BATCH=1 PGB_POLL=0.5 PHASE_MS=10000 node bench_throughput.mjs
r tp_pgb_b100      ENGINE=pgb PGB_CONC=4 PGB_BATCH=100 PGB_POLL=0.5 node bench_throughput.mjs
r lat_gw           ENGINE=gw node bench_latency.mjs
r lat_pgb_0.5      ENGINE=pgb PGB_POLL=0.5 node bench_latency.mjs
r lat_pgb_2        ENGINE=pgb PGB_POLL=2 node bench_latency.mjs
r dedup_gw         node gw_dedup.mjs
r dedup_pgb        node pgb_dedup.mjs
r crash_gw         node gw_crash.mjs
r crash_pgb        node pgb_crash.mjs
. ./waitsec.sh
ENGINE=gw node bench_cron.mjs > results/cron_gw.json 2>&1 &
r cron_pgb         ENGINE=pgb node bench_cron.mjs
wait; cat results/cron_gw.json
psql -h 127.0.0.1 -U postgres -tAc "select count(*) || ' leftover qbench DBs' from pg_database where datname like 'qbench_%'"
