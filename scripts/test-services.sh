#!/usr/bin/env bash
# Install (from Debian's packages) and start the services the test suite uses, then write their
# addresses to .test-services.env. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-services: need ${need[*]} (run as root, or install them with apt-get)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL: start the distribution's default cluster and make a test role and database.
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
cluster=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $2}')
if [ -z "$cluster" ]; then
  pg_createcluster "$version" main >/dev/null
  cluster=main
fi
pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
port=$(pg_lsclusters -h | awk -v c="$cluster" '$2 == c {print $3}')
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q -p "$port" && break
  sleep 1
done
runuser -u postgres -- psql -q -p "$port" -tc "SELECT 1 FROM pg_roles WHERE rolname='accord'" | grep -q 1 \
  || runuser -u postgres -- psql -q -p "$port" -c "CREATE ROLE accord LOGIN SUPERUSER PASSWORD 'accord'"
runuser -u postgres -- psql -q -p "$port" -tc "SELECT 1 FROM pg_database WHERE datname='accord_test'" | grep -q 1 \
  || runuser -u postgres -- psql -q -p "$port" -c "CREATE DATABASE accord_test OWNER accord"

cat > .test-services.env <<ENV
ACCORD_TEST_POSTGRES_URL=postgresql+psycopg://accord:accord@127.0.0.1:${port}/accord_test
ACCORD_CHROMIUM=/usr/bin/chromium
ENV
echo "test-services: chromium at /usr/bin/chromium, PostgreSQL on port ${port}"
