#!/usr/bin/env bash
# GetId creating identities on cognitod (durable SQLite) and moto_server at
# several concurrencies, one after the other in one run: the ratio depends
# on how many GetIds share each fsync (docs/PERFORMANCE.md, "Concurrency").
#
#   bash cmd/cognitobench/wrk/sweep.sh [CONNECTIONS...]    (default: 1 8 10 16 32 64 128)
#
# Needs wrk, moto_server and the AWS CLI on PATH. Environment: DURATION (6s).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
dur=${DURATION:-6s}
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(1 8 10 16 32 64 128)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

(cd "$root" && go build -o "$work/cognitod" ./cmd/cognitod)
"$work/cognitod" --auth any --store "sqlite:$work/c.db" --listen 127.0.0.1:19240 2>"$work/cognitod.log" & pids+=($!)
moto_server -p 15010 >"$work/moto.log" 2>&1 & pids+=($!)
for port in 19240 15010; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
done
pool() {
  AWS_ACCESS_KEY_ID=123456789012 AWS_SECRET_ACCESS_KEY=x aws --region us-east-1 --endpoint-url "$1" \
    cognito-identity create-identity-pool --identity-pool-name sweep --allow-unauthenticated-identities \
    --query IdentityPoolId --output text
}
rps() { # URL POOL CONNECTIONS
  local t=2
  [ "$3" -ge 2 ] || t=1
  POOL=$2 wrk -t"$t" -c"$3" -d"$dur" -s "$here/getid.lua" "$1" | awk '/Requests\/sec/{print $2}'
}
cp=$(pool http://127.0.0.1:19240) mp=$(pool http://127.0.0.1:15010)
echo "GetId, wrk -d$dur on $(nproc) cores, $(date -u +%FT%TZ)"
printf '%12s %12s %10s %8s\n' connections cognitod moto ratio
for c in "${levels[@]}"; do
  a=$(rps http://127.0.0.1:19240/ "$cp" "$c")
  b=$(rps http://127.0.0.1:15010/ "$mp" "$c")
  printf '%12s %12s %10s %7.1fx\n' "$c" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN{print a/b}')"
done
