#!/usr/bin/env bash
# Compare cognitod, moto_server and cognitobench's bare handler with wrk, in
# one run: GetId creating identities on all three; UpdateRecords (durable,
# conflict-checked, 2,000 identities) on cognitod and the bare handler; then
# ListIdentities (MaxResults 60) on a large pool's first and deep pages
# against the bare handler, and against the bare handler answering a canned
# page of the same size (list-static: what moving a page's bytes costs,
# without making it).
# Prints one line per measurement and the ratios.
#
#   bash cmd/cognitobench/wrk/run.sh [BIG_STORE_DIR]
#
# BIG_STORE_DIR holds big.db filled by 'cognitobench load' and big.pool, its
# pool ID (see docs/PERFORMANCE.md); without it the ListIdentities rows are
# skipped. Needs wrk, moto_server and the AWS CLI on PATH.
# Environment: CONNS (32), THREADS (2), DURATION (10s), PAGE (10000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
big=${1:-}
conns=${CONNS:-32} threads=${THREADS:-2} dur=${DURATION:-10s} page=${PAGE:-10000}
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

(cd "$root" && go build -o "$work/cognitod" ./cmd/cognitod && go build -o "$work/cognitobench" ./cmd/cognitobench)
"$work/cognitod" --auth any --store "sqlite:$work/c.db" --listen 127.0.0.1:19230 2>"$work/cognitod.log" & pids+=($!)
"$work/cognitobench" bare --listen 127.0.0.1:19999 2>/dev/null & pids+=($!)
"$work/cognitobench" bare --list-page --listen 127.0.0.1:19998 2>/dev/null & pids+=($!)
moto_server -p 15000 >"$work/moto.log" 2>&1 & pids+=($!)
if [ -n "$big" ]; then
  "$work/cognitod" --auth any --store "sqlite:$big/big.db" --listen 127.0.0.1:19232 2>"$work/big.log" & pids+=($!)
fi
for port in 19230 19999 19998 15000 ${big:+19232}; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
done

pool() { # endpoint -> a new pool that allows guests
  AWS_ACCESS_KEY_ID=123456789012 AWS_SECRET_ACCESS_KEY=x aws --region us-east-1 --endpoint-url "$1" \
    cognito-identity create-identity-pool --identity-pool-name wrk --allow-unauthenticated-identities \
    --query IdentityPoolId --output text
}
# measure NAME URL SCRIPT [VAR=VALUE...]: one wrk run; prints req/s, latency, non-2xx.
measure() {
  local name=$1 url=$2 script=$3; shift 3
  local out
  out=$(env "$@" wrk -t"$threads" -c"$conns" -d"$dur" --latency -s "$here/$script" "$url" 2>&1)
  local rps p50 p99 non
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  non=$(awk '/Non-2xx/{print $NF}' <<<"$out")
  printf '%-34s %10s req/s  p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non:-0}"
  echo "$rps" >"$work/rps.$name"
  awk '{v=$1+0; if ($1 ~ /us$/) v/=1000; else if ($1 ~ /ms$/) v=v; else if ($1 ~ /s$/) v*=1000; print v}' <<<"$p99" >"$work/p99.$name"
}
ratio() { awk -v a="$(cat "$work/${3:-rps}.$1")" -v b="$(cat "$work/${3:-rps}.$2")" 'BEGIN{printf "%.2f", a/b}'; }

echo "wrk -t$threads -c$conns -d$dur on $(nproc) cores, $(date -u +%FT%TZ)"
cp=$(pool http://127.0.0.1:19230) mp=$(pool http://127.0.0.1:15000)
measure getid-cognitod http://127.0.0.1:19230/ getid.lua POOL="$cp"
measure getid-moto http://127.0.0.1:15000/ getid.lua POOL="$mp"
measure getid-bare http://127.0.0.1:19999/ getid.lua POOL="$cp"
echo "GetId: cognitod/moto $(ratio getid-cognitod getid-moto)x, cognitod/bare $(ratio getid-cognitod getid-bare)"
# UpdateRecords (moto has no Sync): fresh sessions on 2,000 identities, each
# write with the record's current SyncCount.
"$work/cognitobench" sessions --endpoint http://127.0.0.1:19230 --identities 2000 >"$work/sessions.tsv"
measure update-cognitod http://127.0.0.1:19230/ updaterecords.lua SESSIONS="$work/sessions.tsv" THREADS="$threads"
measure update-bare http://127.0.0.1:19999/ updaterecords.lua SESSIONS="$work/sessions.tsv" THREADS="$threads"
echo "UpdateRecords: cognitod/bare $(ratio update-cognitod update-bare)"
if [ -n "$big" ]; then
  bp=$(cat "$big/big.pool")
  token=$("$work/cognitobench" token --endpoint http://127.0.0.1:19232 --pool "$bp" --page "$page" 2>/dev/null)
  measure list-bare http://127.0.0.1:19999/ list.lua POOL="$bp"
  measure list-static http://127.0.0.1:19998/ list.lua POOL="$bp"
  measure list-first http://127.0.0.1:19232/ list.lua POOL="$bp"
  measure list-deep http://127.0.0.1:19232/ list.lua POOL="$bp" TOKEN="$token"
  echo "ListIdentities: first/bare $(ratio list-first list-bare), deep/bare $(ratio list-deep list-bare), deep/first $(ratio list-deep list-first), p99 deep/first $(ratio list-deep list-first p99)"
  echo "  static page/bare $(ratio list-static list-bare), first/static page $(ratio list-first list-static)"
fi
