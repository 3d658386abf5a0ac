# shellcheck shell=bash
# Shared by deploy/run and deploy/test: installing what is missing, and starting or stopping a
# Redis and a PostgreSQL server on loopback in a directory of the caller's choosing.
# Source it after `set -euo pipefail`; every function either succeeds or exits with a message.

# runuser, nginx and apt-get live in sbin, which a non-login shell may lack on PATH.
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH="$PATH:/usr/sbin:/sbin" ;;
esac

aegis_log() { printf 'aegis: %s\n' "$*" >&2; }
aegis_die() { printf 'aegis: error: %s\n' "$*" >&2; exit 1; }

aegis_is_root() { [ "$(id -u)" -eq 0 ]; }

# Installs the Debian packages among "$@" that are not installed yet, with one `apt-get update`
# first. Only root may install; anyone else is told the command to run.
aegis_ensure_packages() {
    command -v dpkg-query >/dev/null || aegis_die "this script installs its servers with apt (Debian or Ubuntu)"
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q ' installed$' || missing+=("$package")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    aegis_is_root || aegis_die "missing packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"

    aegis_log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Makes sure the python3 on PATH (the one the tests run) can import the modules the deploy tests
# use to parse YAML and JSON Schema.
aegis_ensure_python_modules() {
    local check='import jsonschema, yaml'
    if ! command -v python3 >/dev/null; then
        aegis_ensure_packages python3 python3-yaml python3-jsonschema
    fi
    python3 -c "$check" 2>/dev/null && return 0

    aegis_log "installing the Python modules jsonschema and pyyaml"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check jsonschema pyyaml \
        || true
    # Debian's own python3 refuses pip installs (PEP 668); its packages carry the same modules.
    if ! python3 -c "$check" 2>/dev/null && [ "$(command -v python3)" = /usr/bin/python3 ]; then
        aegis_ensure_packages python3-yaml python3-jsonschema
    fi
    python3 -c "$check" || aegis_die "python3 cannot import jsonschema and yaml"
}

# Puts the Swift toolchain on PATH; login shells get /opt/swift from /etc/profile.d, others may not.
aegis_use_swift() {
    command -v swift >/dev/null && return 0
    [ -x /opt/swift/usr/bin/swift ] || aegis_die "swift not found on PATH nor in /opt/swift/usr/bin"
    PATH="$PATH:/opt/swift/usr/bin"
}

# Prints the bin directory of the newest PostgreSQL server installed by Debian's packages; Debian
# keeps initdb and pg_ctl there, off PATH.
aegis_pg_bin() {
    local dir
    dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        aegis_die "no PostgreSQL server under /usr/lib/postgresql"
    fi
    printf '%s\n' "$dir"
}

# PostgreSQL refuses to run as root, so root runs its tools as the `postgres` user that Debian's
# package creates; anyone else runs them as themselves.
aegis_as_postgres() {
    if aegis_is_root; then
        # From /, since the caller's directory may be closed to the postgres user.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

aegis_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the first loopback TCP port from $1 upwards that nothing listens on.
aegis_free_port() {
    local port=$1
    while aegis_port_in_use "$port"; do
        port=$((port + 1))
        [ "$port" -lt 65536 ] || aegis_die "no free port from $1 upwards"
    done
    printf '%s\n' "$port"
}

# A random start for aegis_free_port, so that concurrent test runs rarely meet on the same port.
aegis_random_port() { printf '%s\n' $((20000 + (RANDOM * 32768 + RANDOM) % 30000)); }

aegis_redis_ping() {
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

# aegis_start_redis DIR PORT persist|throwaway
# Starts redis-server in the background on 127.0.0.1:PORT with its pid, log and (when persisted)
# snapshot in DIR, and waits until it answers. A server already answering there is kept.
aegis_start_redis() {
    local dir=$1 port=$2 mode=$3 tries
    if aegis_redis_ping "$port" && [ -s "$dir/redis.pid" ]; then
        return 0
    fi
    command -v redis-server >/dev/null || aegis_die "redis-server not found"
    mkdir -p "$dir"

    # Persisted counters let a restarted local stack keep its windows; a test run needs none.
    local snapshot=(--save '')
    [ "$mode" = persist ] && snapshot=()
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --appendonly no "${snapshot[@]}" \
        || aegis_die "redis-server did not start; see $dir/redis.log"

    for tries in $(seq 50); do
        aegis_redis_ping "$port" && return 0
        [ "$tries" -lt 50 ] && sleep 0.1
    done
    tail -n 20 "$dir/redis.log" >&2 || true
    aegis_die "Redis is not answering on 127.0.0.1:$port"
}

# aegis_stop_redis DIR PORT: shuts the server down, saving first when it was started to persist.
aegis_stop_redis() {
    local dir=$1 port=$2 pid
    [ -s "$dir/redis.pid" ] || return 0
    pid=$(cat "$dir/redis.pid")
    redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    local tries
    for tries in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        [ "$tries" -lt 100 ] && sleep 0.1
    done
    rm -f "$dir/redis.pid"
}

# aegis_init_postgres DIR PORT [SETTING...]
# Creates a cluster in DIR/data (once) that listens on 127.0.0.1:PORT only, with the superuser
# `postgres` and no Unix socket. Each SETTING is a postgresql.conf line appended after ours.
aegis_init_postgres() {
    local dir=$1 port=$2 bin
    shift 2
    [ -f "$dir/data/PG_VERSION" ] && return 0
    bin=$(aegis_pg_bin)
    mkdir -p "$dir"
    if aegis_is_root; then
        chown postgres:postgres "$dir"
        aegis_as_postgres test -w "$dir" \
            || aegis_die "the postgres user cannot write to $dir; put the project where other users can enter"
    fi

    # Trust authentication is safe only because this server listens on loopback alone and exists
    # for a local stack or a test run; never copy it to a shared or production server.
    aegis_as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; aegis_die "initdb failed"; }
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = ''"
        local setting
        for setting in "$@"; do echo "$setting"; done
    } >>"$dir/data/postgresql.conf"
}

# Prints the port a cluster created by aegis_init_postgres listens on.
aegis_postgres_port() {
    sed -n 's/^port = \([0-9]*\)$/\1/p' "$1/data/postgresql.conf" | tail -n 1
}

aegis_postgres_running() {
    local bin
    bin=$(aegis_pg_bin)
    aegis_as_postgres "$bin/pg_ctl" status -D "$1/data" >/dev/null 2>&1
}

# aegis_start_postgres DIR DATABASE: starts the cluster in DIR (unless it runs already), waits
# until it accepts connections and creates DATABASE when it does not exist.
aegis_start_postgres() {
    local dir=$1 database=$2 bin port exists
    bin=$(aegis_pg_bin)
    port=$(aegis_postgres_port "$dir")
    if ! aegis_postgres_running "$dir"; then
        aegis_as_postgres "$bin/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t 60 >/dev/null \
            || { tail -n 20 "$dir/postgres.log" >&2; aegis_die "PostgreSQL did not start; see $dir/postgres.log"; }
    fi

    local psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAtX)
    exists=$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$database'")
    [ "$exists" = 1 ] || "${psql[@]}" -c "CREATE DATABASE \"$database\"" >/dev/null
}

# aegis_stop_postgres DIR fast|immediate: `immediate` skips the checkpoint, for throwaway data.
aegis_stop_postgres() {
    local dir=$1 mode=$2 bin
    [ -f "$dir/data/PG_VERSION" ] || return 0
    aegis_postgres_running "$dir" || return 0
    bin=$(aegis_pg_bin)
    aegis_as_postgres "$bin/pg_ctl" stop -D "$dir/data" -m "$mode" -w -t 60 >/dev/null
}
