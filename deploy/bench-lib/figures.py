#!/usr/bin/env python3
"""Prints deploy/bench's results side by side, with the ratios and the floors they are held to.

    figures.py RESULTS_DIR

reads what deploy/bench left in RESULTS_DIR (redis-benchmark CSV, aegis-bench JSON, wrk output,
the command lines) and prints the summary; it also writes RESULTS_DIR/summary.json with the same
figures for scripts and RESULTS_DIR/table.md, the README's table of them. Exits 1 when a run's
output is missing or unreadable.
"""

import csv
import json
import os
import re
import statistics
import sys

# The floors for this 2-core machine.
FLOOR_SOCKET_RATIO = 0.8
FLOOR_P99_MS = 2.0
FLOOR_CPU_US = 10.0
FLOOR_RSS_MIB = 64.0
FLOOR_NGINX_RATIO = 0.5
FLOOR_COLD_START_MS = 200.0


def fail(message):
    sys.exit(f"figures.py: {message}")


def read(directory, name):
    path = os.path.join(directory, name)
    try:
        with open(path) as file:
            return file.read()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}")


def read_json(directory, name):
    try:
        return json.loads(read(directory, name))
    except json.JSONDecodeError as error:
        fail(f"{name} is not JSON: {error}")


def redis_benchmark(directory, name):
    rows = list(csv.DictReader(read(directory, name).splitlines()))
    if not rows:
        fail(f"{name} holds no redis-benchmark result")
    row = rows[-1]
    return {
        "calls_per_second": float(row["rps"]),
        "p50_ms": float(row["p50_latency_ms"]),
        "p99_ms": float(row["p99_latency_ms"]),
    }


def milliseconds(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(directory, name):
    text = read(directory, name)
    rate = re.search(r"Requests/sec:\s*([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    if not rate or not total:
        fail(f"{name} holds no wrk result")
    result = {"requests_per_second": float(rate.group(1)), "requests": int(total.group(1))}
    for label, key in (("50%", "p50_ms"), ("99%", "p99_ms")):
        match = re.search(rf"^\s*{re.escape(label)}\s+(\S+)", text, re.MULTILINE)
        result[key] = milliseconds(match.group(1)) if match else None
    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    if result["non_2xx"] * 2 > result["requests"]:
        fail(f"{name}: {result['non_2xx']} of {result['requests']} answers were not 2xx; nginx or aegisd is failing")
    errors = re.search(r"Socket errors: (.*)", text)
    result["socket_errors"] = errors.group(1).strip() if errors else None
    return result


def redis_cost(directory, name):
    """Redis's CPU time per script call over one run, from INFO taken before and after it."""
    def snapshot(suffix):
        info = {}
        for line in read(directory, f"redis-{name}.{suffix}").splitlines():
            key, _, value = line.strip().partition(":")
            info[key] = value
        cpu = float(info["used_cpu_user"]) + float(info["used_cpu_sys"])
        calls = 0
        for command in ("cmdstat_evalsha", "cmdstat_eval"):
            fields = dict(part.split("=") for part in info.get(command, "calls=0").split(","))
            calls += int(fields["calls"])
        return cpu, calls

    cpu_before, calls_before = snapshot("before")
    cpu_after, calls_after = snapshot("after")
    calls = calls_after - calls_before
    return (cpu_after - cpu_before) * 1e6 / calls if calls > 0 else None


def grouped(value):
    return f"{value:,.0f}"


def verdict(ok):
    return "meets the floor" if ok else "BELOW THE FLOOR"


def socket_line(label, run):
    latency = run["latency_us"]
    daemon = run.get("aegisd") or {}
    cpu = daemon.get("cpu_us_per_check")
    redis = run.get("redis_cpu_us_per_call")
    lines = [
        f"    {label:<26}{grouped(run['checks_per_second']):>10} checks/s   "
        f"p50 {latency['p50'] / 1000:.2f} ms   p90 {latency['p90'] / 1000:.2f} ms   "
        f"p99 {latency['p99'] / 1000:.2f} ms   p99.9 {latency['p999'] / 1000:.2f} ms",
        f"    {'':<26}aegisd {cpu:.2f} µs CPU per check, peak RSS {daemon['peak_rss_kib'] / 1024:.1f} MiB"
        + (f"; Redis {redis:.1f} µs per script call" if redis is not None else "")
        if cpu is not None else f"    {'':<26}aegisd CPU not measured",
    ]
    shares = ", ".join(f"{reason} {share * 100:.1f}%" for reason, share in run["reason_share"].items())
    lines.append(f"    {'':<26}reasons: {shares}")
    return lines


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: figures.py RESULTS_DIR")
    directory = argv[1]
    setup = read_json(directory, "setup.json")
    figures = {"setup": setup}

    ceiling = {
        "unpipelined": redis_benchmark(directory, "ceiling-unpipelined.csv"),
        "pipelined": redis_benchmark(directory, "ceiling-pipelined.csv"),
    }
    socket = {
        "p1": read_json(directory, "socket-p1.json"),
        "p16": read_json(directory, "socket-p16.json"),
    }
    http = {"nginx_alone": wrk(directory, "wrk-plain.txt"), "nginx_aegis": wrk(directory, "wrk-auth.txt")}
    for key, side in (("nginx_alone", "plain"), ("nginx_aegis", "auth")):
        cpu = read_json(directory, f"cpu-{side}.json")
        requests = max(http[key]["requests"], 1)
        http[key]["nginx_cpu_us_per_request"] = cpu["nginx_ticks"] / cpu["ticks_per_second"] * 1e6 / requests
        http[key]["aegisd_cpu_us_per_request"] = cpu["aegisd_ticks"] / cpu["ticks_per_second"] * 1e6 / requests
    cold_runs = sorted(
        name for name in os.listdir(directory) if re.fullmatch(r"cold-\d+\.json", name)
    )
    if not cold_runs:
        fail("no cold start result")
    cold = [read_json(directory, name) for name in cold_runs]
    cold_ms = [run["cold_start_ms"] for run in cold]
    for key in ceiling:
        ceiling[key]["redis_cpu_us_per_call"] = redis_cost(directory, f"ceiling-{key}")
    for key in socket:
        socket[key]["redis_cpu_us_per_call"] = redis_cost(directory, f"socket-{key}")
    figures.update(ceiling=ceiling, socket=socket, http=http, cold_start_ms=cold_ms)

    ratio_p1 = socket["p1"]["checks_per_second"] / ceiling["unpipelined"]["calls_per_second"]
    ratio_p16 = socket["p16"]["checks_per_second"] / ceiling["pipelined"]["calls_per_second"]
    ratio_http = http["nginx_aegis"]["requests_per_second"] / http["nginx_alone"]["requests_per_second"]
    figures["ratios"] = {"socket_p1_vs_unpipelined": ratio_p1, "socket_p16_vs_pipelined": ratio_p16,
                         "nginx_aegis_vs_nginx_alone": ratio_http}

    out = [
        f"Aegis benchmark on {setup['machine']}",
        f"{setup['tenants']} tenants ({setup['generous']} on a generous plan, {setup['tight']} on a tight one), "
        f"{setup['connections']} connections, {setup['duration']} s per run; Redis over {setup['redis']}",
        f"load average {setup['load_at_start']} before the run, {setup['load_at_end']} after it",
        "",
        "(a) ceiling: redis-benchmark calling limiter.lua by EVALSHA",
    ]
    for label, key in (("unpipelined", "unpipelined"), ("pipelined (-P 16)", "pipelined")):
        run = ceiling[key]
        out.append(f"    {label:<26}{grouped(run['calls_per_second']):>10} calls/s    "
                   f"p50 {run['p50_ms']:.2f} ms   p99 {run['p99_ms']:.2f} ms")
        out.append(f"    {'':<26}Redis {run['redis_cpu_us_per_call']:.1f} µs CPU per call")
    out.append("(b) aegisd over its socket: aegis-bench")
    out += socket_line("1 in flight per conn.", socket["p1"])
    out += socket_line("16 in flight per conn.", socket["p16"])
    out.append("(c) HTTP through nginx: wrk")
    for label, key in (("nginx alone", "nginx_alone"), ("nginx + auth_request", "nginx_aegis")):
        run = http[key]
        latency = ""
        if run["p50_ms"] is not None and run["p99_ms"] is not None:
            latency = f"p50 {run['p50_ms']:.2f} ms   p99 {run['p99_ms']:.2f} ms"
        denied = f"   non-2xx {run['non_2xx'] / max(run['requests'], 1) * 100:.1f}%" if run["non_2xx"] else ""
        errors = f"   socket errors: {run['socket_errors']}" if run["socket_errors"] else ""
        out.append(f"    {label:<26}{grouped(run['requests_per_second']):>10} requests/s "
                   f"{latency}{denied}{errors}")
        cpu = f"nginx worker {run['nginx_cpu_us_per_request']:.1f} µs CPU per request"
        if key == "nginx_aegis":
            cpu += f", aegisd {run['aegisd_cpu_us_per_request']:.1f} µs"
        out.append(f"    {'':<26}{cpu}")
    median = statistics.median(cold_ms)
    runs = ", ".join(f"{value:.1f}" for value in cold_ms)
    out.append(f"(d) cold start, exec to first answered check: {median:.1f} ms (median of {len(cold_ms)}: {runs})")

    out += ["", "ratios and floors"]
    out.append(f"    (b)/(a), 1 in flight vs unpipelined    {ratio_p1:.2f}   "
               f"{verdict(ratio_p1 >= FLOOR_SOCKET_RATIO)} of {FLOOR_SOCKET_RATIO}")
    out.append(f"    (b)/(a), 16 in flight vs pipelined     {ratio_p16:.2f}   "
               f"{verdict(ratio_p16 >= FLOOR_SOCKET_RATIO)} of {FLOOR_SOCKET_RATIO}")
    for key, label in (("p1", "1 in flight"), ("p16", "16 in flight")):
        p99 = socket[key]["latency_us"]["p99"] / 1000
        out.append(f"    p99 over the socket, {label:<17}{p99:.2f} ms   {verdict(p99 <= FLOOR_P99_MS)} of {FLOOR_P99_MS} ms")
        # Little's law: with this many checks outstanding at this rate, the mean wait cannot be lower.
        in_flight = setup["connections"] * socket[key]["pipeline"]
        bound = in_flight / socket[key]["checks_per_second"] * 1000
        out.append(f"        {in_flight} in flight at this rate: the mean wait is {bound:.2f} ms by Little's law")
    for key, label in (("p1", "1 in flight"), ("p16", "16 in flight")):
        cpu = (socket[key].get("aegisd") or {}).get("cpu_us_per_check")
        if cpu is not None:
            out.append(f"    aegisd CPU per check, {label:<16}{cpu:.2f} µs   {verdict(cpu <= FLOOR_CPU_US)} of {FLOOR_CPU_US} µs")
    out.append(f"    (c)/(nginx alone)                      {ratio_http:.2f}   "
               f"{verdict(ratio_http >= FLOOR_NGINX_RATIO)} of {FLOOR_NGINX_RATIO}")
    out.append(f"    cold start                             {median:.1f} ms   "
               f"{verdict(median < FLOOR_COLD_START_MS)} of {FLOOR_COLD_START_MS:.0f} ms")

    if os.path.exists(os.path.join(directory, "memory-long.json")):
        first = read_json(directory, "memory-first.json")
        long = read_json(directory, "memory-long.json")
        daemon = long["aegisd"]
        peak = daemon["peak_rss_kib"] / 1024
        figures["memory"] = {"first_pass": first, "long_run": long}
        out += ["", f"memory: {grouped(setup['memory_keys'])} distinct keys, one fresh aegisd"]
        first_label = "first pass, every key a cache miss"
        long_label = f"then {grouped(long['checks'])} checks"
        out.append(f"    {first_label:<39}{grouped(first['checks_per_second'])} checks/s, "
                   f"p99 {first['latency_us']['p99'] / 1000:.2f} ms")
        out.append(f"    {long_label:<39}{grouped(long['checks_per_second'])} checks/s, "
                   f"p99 {long['latency_us']['p99'] / 1000:.2f} ms, "
                   f"{daemon['cpu_us_per_check']:.2f} µs CPU per check")
        out.append(f"    RSS {daemon['rss_start_kib'] / 1024:.1f} MiB at its start, at most "
                   f"{daemon['rss_max_kib'] / 1024:.1f} MiB during it, {daemon['rss_kib'] / 1024:.1f} MiB at its end")
        out.append(f"    peak RSS {peak:.1f} MiB   {verdict(peak <= FLOOR_RSS_MIB)} of {FLOOR_RSS_MIB:.0f} MiB")

    out += ["", "commands"]
    for line in read(directory, "commands.txt").splitlines():
        out.append("    " + line)
    print("\n".join(out))

    with open(os.path.join(directory, "summary.json"), "w") as file:
        json.dump(figures, file, indent=2)
        file.write("\n")
    with open(os.path.join(directory, "table.md"), "w") as file:
        file.write(markdown(figures) + "\n")


def markdown(figures):
    """The figures as the README shows them: one row per measurement, with its floor."""
    setup, ceiling, socket, http = figures["setup"], figures["ceiling"], figures["socket"], figures["http"]
    ratios = figures["ratios"]

    def socket_row(label, run, ratio):
        latency = run["latency_us"]
        cpu = (run.get("aegisd") or {}).get("cpu_us_per_check")
        return (f"| {label} | {grouped(run['checks_per_second'])} checks/s | {ratio:.2f} of (a) (floor 0.8) | "
                f"p50 {latency['p50'] / 1000:.2f} ms, p99 {latency['p99'] / 1000:.2f} ms (floor 2 ms) | "
                + (f"{cpu:.1f} µs CPU per check (floor 10) |" if cpu is not None else "|"))

    rows = [
        f"Machine: {setup['machine']}; load average {setup['load_at_start']} before the run. "
        f"{setup['tenants']} tenants, {setup['connections']} connections, {setup['duration']} s per run.",
        "",
        "| measurement | throughput | ratio | latency | cost |",
        "|---|---|---|---|---|",
    ]
    for label, key in (("(a) limiter.lua alone, redis-benchmark", "unpipelined"),
                       ("(a) limiter.lua alone, redis-benchmark -P 16", "pipelined")):
        run = ceiling[key]
        rows.append(f"| {label} | {grouped(run['calls_per_second'])} calls/s | ceiling | "
                    f"p50 {run['p50_ms']:.2f} ms, p99 {run['p99_ms']:.2f} ms | |")
    rows.append(socket_row("(b) aegisd socket, 1 in flight per connection", socket["p1"],
                           ratios["socket_p1_vs_unpipelined"]))
    rows.append(socket_row("(b) aegisd socket, 16 in flight per connection", socket["p16"],
                           ratios["socket_p16_vs_pipelined"]))
    for label, key in (("(c) nginx alone, wrk", "nginx_alone"), ("(c) nginx + auth_request to aegisd, wrk", "nginx_aegis")):
        run = http[key]
        ratio = "" if key == "nginx_alone" else f"{ratios['nginx_aegis_vs_nginx_alone']:.2f} of nginx alone (floor 0.5)"
        latency = f"p50 {run['p50_ms']:.2f} ms, p99 {run['p99_ms']:.2f} ms" if run["p99_ms"] is not None else ""
        cost = f"nginx {run['nginx_cpu_us_per_request']:.1f} µs CPU per request"
        if key == "nginx_aegis":
            cost += f", aegisd {run['aegisd_cpu_us_per_request']:.1f} µs"
        rows.append(f"| {label} | {grouped(run['requests_per_second'])} requests/s | {ratio} | {latency} | {cost} |")
    cold = statistics.median(figures["cold_start_ms"])
    rows.append(f"| (d) cold start, exec to first answered check | | | {cold:.0f} ms (floor 200 ms) | |")
    if "memory" in figures:
        long = figures["memory"]["long_run"]
        daemon = long["aegisd"]
        rows.append(f"| {grouped(setup['memory_keys'])} keys cached, {grouped(long['checks'])} checks | "
                    f"{grouped(long['checks_per_second'])} checks/s | | p99 {long['latency_us']['p99'] / 1000:.2f} ms | "
                    f"peak RSS {daemon['peak_rss_kib'] / 1024:.0f} MiB (floor 64), "
                    f"{daemon['rss_start_kib'] / 1024:.0f} → {daemon['rss_kib'] / 1024:.0f} MiB over the run |")
    return "\n".join(rows)


if __name__ == "__main__":
    main(sys.argv)
