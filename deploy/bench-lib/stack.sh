# shellcheck shell=bash disable=SC2154 # results, socket, bin, aegisd_args, scratch, nginx: set by deploy/bench
# deploy/bench's servers: Redis on a Unix socket and a loopback port, aegisd, nginx. Source it after
# deploy/lib/servers.sh. Each start waits until the server answers or exits with a message.

# bench_record LABEL COMMAND...: notes the exact command line in $results/commands.txt, then runs it.
bench_record() {
    local label=$1
    shift
    {
        printf '%s:' "$label"
        printf ' %q' "$@"
        printf '\n'
    } >>"$results/commands.txt"
    "$@"
}

# bench_start_redis DIR PORT: a throwaway server on 127.0.0.1:PORT and DIR/redis.sock.
bench_start_redis() {
    local dir=$1 port=$2 tries
    mkdir -p "$dir"
    redis-server --bind 127.0.0.1 --port "$port" --unixsocket "$dir/redis.sock" --unixsocketperm 700 \
        --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
        --save '' --appendonly no >/dev/null || aegis_die "redis-server did not start; see $dir/redis.log"
    for tries in $(seq 50); do
        [ "$(redis-cli -s "$dir/redis.sock" ping 2>/dev/null)" = PONG ] && return 0
        [ "$tries" -lt 50 ] && sleep 0.1
    done
    aegis_die "Redis is not answering on $dir/redis.sock"
}

# bench_start_aegisd: starts "$bin/aegisd" "${aegisd_args[@]}" and waits for its socket; sets aegisd_pid.
bench_start_aegisd() {
    local tries
    rm -f "$socket"
    "$bin/aegisd" "${aegisd_args[@]}" >>"$scratch/aegisd.log" 2>&1 &
    aegisd_pid=$!
    for tries in $(seq 150); do
        kill -0 "$aegisd_pid" 2>/dev/null || { tail -n 20 "$scratch/aegisd.log" >&2; aegis_die "aegisd exited at start"; }
        [ -S "$socket" ] && return 0
        sleep 0.1
    done
    aegis_die "aegisd did not open $socket within 15 s"
}

# bench_stop_aegisd: SIGTERM, then waits for it to drain and exit.
bench_stop_aegisd() {
    [ -n "${aegisd_pid:-}" ] || return 0
    kill "$aegisd_pid" 2>/dev/null || true
    wait "$aegisd_pid" 2>/dev/null || true
    aegisd_pid=
}

# bench_start_nginx DIR CONFIG: nginx with everything under DIR; waits for its pid file.
bench_start_nginx() {
    local dir=$1 config=$2 tries
    "$nginx" -p "$dir" -c "$config" -e "$dir/logs/error.log" -t -q || aegis_die "nginx rejects $config"
    "$nginx" -p "$dir" -c "$config" -e "$dir/logs/error.log" || aegis_die "nginx did not start; see $dir/logs/error.log"
    for tries in $(seq 50); do
        [ -s "$dir/nginx.pid" ] && return 0
        sleep 0.1
    done
    aegis_die "nginx wrote no pid file in $dir"
}

bench_stop_nginx() {
    local dir=$1 pid tries
    [ -s "$dir/nginx.pid" ] || return 0
    pid=$(cat "$dir/nginx.pid")
    kill -QUIT "$pid" 2>/dev/null || true
    for tries in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# bench_json_field NAME: the first "NAME": "value" string in the JSON on stdin.
bench_json_field() {
    sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

# bench_cpu_ticks PID...: the user plus system CPU time the processes have used, in clock ticks.
bench_cpu_ticks() {
    local pid total=0 ticks
    for pid in "$@"; do
        # Fields 14 and 15, counted after the command name, which may hold spaces.
        ticks=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }') || return 1
        total=$((total + ticks))
    done
    printf '%s\n' "$total"
}
