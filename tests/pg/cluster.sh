#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests, on a folder of its own and a free port.
#
#   tests/pg/cluster.sh start DIR   creates DIR/data, starts the server, prints its URL
#   tests/pg/cluster.sh stop DIR    stops it and removes DIR
#
# The server runs as a non-root user: as root, the `postgres` user that Debian's
# postgresql package creates; otherwise the user running the script. It listens on
# 127.0.0.1 and on a unix socket in DIR, trusts local connections (nobody else can reach
# it) and skips fsync (its data is thrown away). The superuser is called postgres.
# With PG_DURABLE=1 it keeps fsync and synchronous commits on, as a real server does
# (the benchmark times commits on it beside SQLite's synchronous=FULL).
# .ci/run uses this script; a developer runs the same two commands:
#
#   dir=$(mktemp -d) && export MARGINALIA_TEST_PG=$(tests/pg/cluster.sh start "$dir")
#   make test; tests/pg/cluster.sh stop "$dir"
set -euo pipefail

action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  # Debian keeps initdb and pg_ctl out of PATH, one folder per major version.
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then
    bin=$(dirname "$(command -v initdb)")
  fi
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "cluster.sh: PostgreSQL's initdb was not found (install Debian's postgresql" \
       "package, or set PG_BIN to the folder holding initdb and pg_ctl)" >&2
  exit 1
fi

as_server() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      if ! id postgres >/dev/null 2>&1; then
        echo "cluster.sh: as root the server runs as the user postgres, which does not exist" >&2
        exit 1
      fi
      chown postgres "$dir"
    fi
    chmod 700 "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_server "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PG_DURABLE:-}" = 1 ] && fast=""
    as_server "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
      -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir $fast" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_server "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
