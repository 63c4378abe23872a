#!/usr/bin/env bash
# Loopback load test of the WeChat callback (safe/AES mode) against the real
# `ecert serve` binary, driven by bin/loadgen from a separate process.
#
#   scripts/wechat-load.sh                      # SQLite in a temp dir
#   ECERT_LOAD_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' scripts/wechat-load.sh
#
# It builds bin/ecert and bin/loadgen, starts the server on a free
# loopback port with a throwaway configuration (ECERT_* variables only),
# imports a one-row roster so every query hits the database, and sends
# `姓名 身份证号` text queries, each a fresh MsgId, for LOAD_SECONDS (10) over
# LOAD_CONNS (200) keep-alive connections. A MySQL run gets a fresh schema,
# dropped afterwards.
#
# Knobs:
#   LOAD_SECONDS, LOAD_CONNS   run length and connections (10, 200)
#   LOAD_RATE                  pace to this many requests/s in total (open
#                              loop); unset: saturate (closed loop)
#   LOAD_LOG_LEVEL             the server's log.level (default info, as
#                              deployed: one access-log line per request)
#   LOAD_ECERT_BIN             an ecert binary to run instead of building one
#                              (an A/B comparison of two builds)
#   LOAD_SERVER_LOG            copy the server's log to this file at the end
#                              (its access log has each request's time inside)
#   LOAD_CPUS                  pin the server and loadgen to disjoint CPU
#                              sets, e.g. "0:1" (server on 0, loadgen on 1);
#                              unset: both share every core
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

seconds="${LOAD_SECONDS:-10}"
conns="${LOAD_CONNS:-200}"
rate="${LOAD_RATE:-0}"
level="${LOAD_LOG_LEVEL:-info}"
mysql_dsn="${ECERT_LOAD_MYSQL_DSN:-}"

ecert_bin="${LOAD_ECERT_BIN:-}"
if [[ -z "$ecert_bin" ]]; then
  go build -o bin/ecert ./cmd/ecert
  ecert_bin="$root/bin/ecert"
fi
go build -o bin/loadgen ./scripts/loadgen

tmp="$(mktemp -d)"
server_pid=""
schema=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$schema" ]]; then
    mysql_admin -e "DROP DATABASE IF EXISTS \`$schema\`" || echo "could not drop schema $schema" >&2
  fi
  if [[ -n "${LOAD_SERVER_LOG:-}" && -f "$tmp/server.log" ]]; then cp "$tmp/server.log" "$LOAD_SERVER_LOG"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# A free loopback port: one nothing listens on.
port=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 40000))
  if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then port=$p; break; fi
done
[[ -n "$port" ]] || { echo "no free port found" >&2; exit 1; }

# Throwaway secrets. The EncodingAESKey is 32 random bytes, base64 without "=".
token="load$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
aes_key="$(head -c 32 /dev/urandom | base64 | tr -d '\n' | cut -c1-43)"
app_id="wxload$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' \n')"
signing_key="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

if [[ -n "$mysql_dsn" ]]; then
  # user[:password]@tcp(host[:port])/dbname[?params]
  re='^([^:@]*)(:([^@]*))?@tcp\(([^:)]+)(:([0-9]+))?\)/([^?]*)(\?(.*))?$'
  [[ "$mysql_dsn" =~ $re ]] || { echo "ECERT_LOAD_MYSQL_DSN: want user[:pass]@tcp(host:port)/db" >&2; exit 2; }
  m_user="${BASH_REMATCH[1]}" m_pass="${BASH_REMATCH[3]}" m_host="${BASH_REMATCH[4]}"
  m_port="${BASH_REMATCH[6]:-3306}" m_params="${BASH_REMATCH[9]}"
  case "$m_host" in 127.0.0.1|localhost|::1) ;; *) echo "ECERT_LOAD_MYSQL_DSN: loopback MySQL only" >&2; exit 2 ;; esac
  mysql_admin() { MYSQL_PWD="$m_pass" mariadb --protocol=tcp -h "$m_host" -P "$m_port" -u "$m_user" "$@"; }
  schema="ecert_load_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  mysql_admin -e "CREATE DATABASE \`$schema\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  db_driver=mysql
  db_dsn="${m_user}${m_pass:+:$m_pass}@tcp(${m_host}:${m_port})/${schema}${m_params:+?$m_params}"
  db_label="mysql (schema $schema)"
else
  db_driver=sqlite
  db_dsn="$tmp/ecert.db"
  db_label="sqlite ($db_dsn)"
fi

export ECERT_SERVER_ADDR="127.0.0.1:$port"
export ECERT_SERVER_PUBLIC_URL="http://127.0.0.1:$port"
export ECERT_DATABASE_DRIVER="$db_driver"
export ECERT_DATABASE_DSN="$db_dsn"
export ECERT_SECURITY_SIGNING_KEY="$signing_key"
export ECERT_WECHAT_TOKEN="$token"
export ECERT_WECHAT_ENCODING_AES_KEY="$aes_key"
export ECERT_WECHAT_APP_ID="$app_id"
export ECERT_WECHAT_APP_SECRET=""  # no API client: nothing leaves the machine
export ECERT_REDIS_ADDR=""          # in-process de-duplication and limits
# query.rate_per_minute is also the per-openid limit of the callback's
# queries (wechat.NewServer gets ratelimit.NewMemory(query.rate_per_minute));
# raise it so the run measures the query, not the 限流 reply.
export ECERT_QUERY_RATE_PER_MINUTE=1000000000
export ECERT_LOG_LEVEL="$level"

# One roster row (as in cmd/ecert/e2e_test.go): the query hits it.
cat >"$tmp/roster.csv" <<'EOF'
姓名,性别,身份证号,职业（工种）,等级,培训考核机构,工作单位,发证日期
王玥,女,410102199001010127,砌筑工,四级/中级工,河南省建设培训中心,郑州一建,2026-03-01
EOF
(cd "$tmp" && "$ecert_bin" import roster.csv >/dev/null)

server_cpus="" loadgen_cpus=""
if [[ -n "${LOAD_CPUS:-}" ]]; then
  server_cpus="${LOAD_CPUS%%:*}" loadgen_cpus="${LOAD_CPUS##*:}"
fi
pin() { local cpus="$1"; shift; if [[ -n "$cpus" ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi; }

# exec all the way down: $! is the server itself.
(cd "$tmp" && pin "$server_cpus" "$ecert_bin" serve 2>"$tmp/server.log") &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" || { cat "$tmp/server.log" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
hz="$(getconf CLK_TCK)"

echo "== wechat callback load: $db_label, log.level=$level, $conns connections, ${seconds}s, $( [[ "$rate" -gt 0 ]] && echo "paced at $rate/s" || echo saturating )${LOAD_CPUS:+, cpus server:$server_cpus loadgen:$loadgen_cpus}, $(nproc) cores"
[[ "$level" != "info" ]] && echo "   NOTE: the server runs at log.level=$level for this run (production default is info: one access-log line per request)"
lines_before="$(wc -l <"$tmp/server.log")"
t0="$(cpu_ticks "$server_pid")" m0="$(busy_ticks)"
status=0
(pin "$loadgen_cpus" bin/loadgen -addr "127.0.0.1:$port" -token "$token" -aes-key "$aes_key" -app-id "$app_id" \
  -text "王玥 410102199001010127" -want "王玥" -c "$conns" -d "${seconds}s" -rate "$rate" -n 400000) || status=$?
t1="$(cpu_ticks "$server_pid")" m1="$(busy_ticks)"
lines_after="$(wc -l <"$tmp/server.log")"
awk -v a="$t0" -v b="$t1" -v c="$m0" -v d="$m1" -v hz="$hz" -v s="$seconds" -v n="$(nproc)" \
  'BEGIN { printf "server cpu %.2fs = %.0f%% of one core; whole machine busy %.0f%% of %d cores (loadgen start-up included)\n", (b-a)/hz, 100*(b-a)/hz/s, 100*(d-c)/hz/s/n, n }'
echo "server log lines during the run: $((lines_after - lines_before))"
if grep -qE 'level=(WARN|ERROR)' "$tmp/server.log"; then
  echo "server warnings/errors:"; grep -E 'level=(WARN|ERROR)' "$tmp/server.log" | sort | uniq -c | sort -rn | head -5
fi

kill -TERM "$server_pid"
if wait "$server_pid"; then echo "server stopped on SIGTERM"; else echo "server exit status $? after SIGTERM" >&2; status=1; fi
server_pid=""
exit "$status"
