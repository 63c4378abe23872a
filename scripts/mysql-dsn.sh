#!/usr/bin/env bash
# Prints the DSN of the local MariaDB for the MySQL test run when one answers,
# or nothing. Under CI (CI=true) the MySQL run is required: it starts an
# installed but stopped MariaDB, and fails if none answers.
set -uo pipefail
dsn="${ECERT_TEST_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/test}"

answers() { mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -u root --connect-timeout=2 ping >/dev/null 2>&1 \
  || mysqladmin --protocol=tcp -h 127.0.0.1 -P 3306 -u root --connect-timeout=2 ping >/dev/null 2>&1; }

if ! answers && [[ "${CI:-}" == "true" ]] && [[ -x /usr/sbin/mariadbd ]]; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do answers && break; sleep 1; done
fi
if answers; then
  echo "$dsn"
elif [[ "${CI:-}" == "true" ]]; then
  echo "CI=true requires MariaDB at 127.0.0.1:3306 (root, no password); none answers" >&2
  exit 1
fi
