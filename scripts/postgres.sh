#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the relay's tests: a new cluster in a temporary
# directory, listening on loopback only (port $PGPORT, default 54329), trusting local
# connections. Prints the connection URL on its last line. Needs Debian's postgresql package
# (its initdb and pg_ctl under /usr/lib/postgresql/*/bin). As root it runs the server as the
# `postgres` user, which the package creates.
#   scripts/postgres.sh start DIR   # prints postgres://postgres@127.0.0.1:54329/postgres
#   scripts/postgres.sh stop DIR
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory for the cluster}
port=${PGPORT:-54329}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as() {
    if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi
}
case "$cmd" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log"
    fi
    as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    as "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
