#!/usr/bin/env python3
"""README's results table, generated: runs the benchmarks (Google Benchmark, JSON output) and the
instruction-count drivers (under callgrind), keeps everything they printed in
benchmarks/results/<date>.json, and writes the table between README's markers
<!-- results:begin --> and <!-- results:end -->.

  cmake --build build/release --target benchmark_results        # the benchmark command
  python3 benchmarks/results.py --from benchmarks/results/2026-12-02.json   # the table again, no run

Ratios are variant / baseline (syncorm / raw, or a feature / without it): the median and
interquartile range of many short pairs timed alternately (benchmarks/interleaved_pairs.hpp), which
hold on a noisy machine where long separate runs do not. Instruction counts come from callgrind,
which noise does not move. Other figures (latencies, events per second) are the median of the
repetitions, with the lowest and highest in brackets.

Families are picked up by the benchmark name's first segment: a family this script does not know
gets a generic section, and a known family with no benchmark in the run says "not measured".
Python 3 standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

# The heap kept warm (README's benchmark notes): large vectors are not handed back to the kernel
# after each iteration. main.cpp sets the same with mallopt; the environment covers any binary.
GLIBC_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=536870912"

# Known families, in README order: (prefix, title, what it compares).
FAMILIES = [
    ("sqlite", "CRUD and bulk, SQLite `:memory:`", "syncorm / the raw sqlite3 C API, same workload, same run"),
    ("postgres", "CRUD and bulk, PostgreSQL (unix socket)",
     "syncorm / raw libpq (binary, prepared; bulk: binary COPY), same workload, same run"),
    ("hooks", "Hooks, SQLite `:memory:`", "A model with hooks / the same model without"),
    ("cluster", "Routing", "A find through a cluster with one read source / the same find on a plain database, "
     "SQLite WAL file"),
    ("sync", "Sync events", "Insert cost (synced / unsynced model), end-to-end latency, events per second through one "
     "subscriber (`items/s`), commits per second with the commit-order lock"),
    ("amqp", "Sync events through RabbitMQ", "Relay throughput with publisher confirms against raw rabbitmq-c, and "
     "end-to-end latency (producer commit to consumer commit)"),
    ("cache", "Cache", "Memory hit, Redis hit and miss, against a plain find"),
]

EARLIER = "not analysed yet; met in earlier runs on this machine (README before 2026-12-02)"

# Targets of issues 9-12, by benchmark name (the first segment is the family). kind: what is
# compared; why: the reason when missed, where one is known (README explains more below the table).
TARGETS = [
    {"match": r"^cluster/find_by_key_sqlite_wal/pairs$", "metric": "ratio", "max": 1.05, "text": "<= 1.05x (issue 11)",
     "why": "routing adds a pool lease (a mutex), the choice of source and one more move of the row to every find: "
            "see the instruction count"},
    {"match": r"^sync/insert_autocommit_sqlite_memory_interleaved/pairs$", "metric": "ratio", "max": 2.5,
     "text": "<= 2.5x (issue 9)", "why": "the outbox row and its JSON payload are a second insert in the same transaction"},
    {"match": r"^sync/insert_autocommit_postgres_interleaved/pairs$", "metric": "ratio", "max": 1.3,
     "text": "<= 1.3x (issue 9)",
     "why": "one round trip, but the server does twice the work (outbox row, jsonb payload, commit-order lock, "
            "NOTIFY: counted with callgrind on the server, see below); over a unix socket that work is most of a round trip"},
    {"match": r"^sync/latency_postgres_listen_notify/consumer_thread$", "metric": "p50_us", "max": 2000,
     "text": "p50 < 2 ms (issue 9)", "why": EARLIER},
    {"match": r"^sync/latency_postgres_listen_notify/consumer_thread$", "metric": "p99_us", "max": 10000,
     "text": "p99 < 10 ms (issue 9)", "why": EARLIER},
    {"match": r"^sync/latency_sqlite_two_files/consumer_process$", "metric": "p50_us", "max": 2000,
     "text": "p50 < 2 ms (issue 9)",
     "why": "with synchronous = full the consumer's commit waits for an fsync (0.5-1.7 ms on this VM's disk), plus up "
            "to one 1 ms data_version poll; compare the synchronous_normal row"},
    {"match": r"^sync/latency_sqlite_two_files/consumer_process$", "metric": "p99_us", "max": 10000,
     "text": "p99 < 10 ms (issue 9)", "why": "fsync times of this VM's disk under load (synchronous = full)"},
    {"match": r"^sync/apply_backlog_sqlite_files/mirror$", "metric": "items_per_second", "min": 50000,
     "text": ">= 50,000 events/s (issue 9)", "why": EARLIER},
    {"match": r"^sync/apply_backlog_postgres/mirror$", "metric": "items_per_second", "min": 20000,
     "text": ">= 20,000 events/s (issue 9)",
     "why": "not analysed; a batch's copies go out in pipeline mode (one wait per batch) since 2026-12-02, measured "
            "46,000-55,000 events/s then"},
    {"match": r"^amqp/publish_events_with_confirms/syncorm_relay$", "metric": "events_per_s", "min": 10000,
     "text": ">= 10,000 events/s (issue 10)", "why": lambda runs: relay_why(runs)},
    {"match": r"^amqp/end_to_end_commit_to_commit/1000_per_s_one_per_transaction$", "metric": "p99_ms", "max": 20,
     "text": "p99 < 20 ms (issue 10)", "why": EARLIER},
    {"match": r"^cache/.*memory.*hit", "metric": "ns_per_item", "max": 100, "text": "memory hit < 100 ns (issue 12)",
     "why": "about 85 ns of CPU (a shard's mutex, an FNV-1a hash, a copy of the row) in every run measured so far; "
            "wall time above it when the machine is loaded (the thread is preempted)"},
]

# Claims backed by instruction counts: (case, variant) -> (the largest variant/baseline ratio that
# still meets the claim, the claim, why it is missed). The table names the rest "for information".
CLAIMS = {
    ("hooks_insert", "empty_hooks_trait"): (1.01, "an empty `hooks<T> {}` costs nothing", "no analysis yet"),
    ("hooks_update", "empty_hooks_trait"): (1.01, "an empty `hooks<T> {}` costs nothing", "no analysis yet"),
    ("sync_header", "with_sync_hpp"): (1.01, "a model without `sync_traits` costs the same beside synced models",
                                       "no analysis yet"),
    ("cluster_find", "one_read_source"): (
        1.05, "routing within 1.05x of a plain database",
        "about 400 instructions a find: leasing a pooled connection (one more mutex lock and unlock), choosing the "
        "source, and moving the found row out once more"),
}

def relay_why(runs):
    """Whether the broker or the relay held the relay back: raw rabbitmq-c in the same run says."""
    raw = runs.get("amqp/publish_events_with_confirms/baseline")
    rate = statistics.median(metric_values(raw, "events_per_s")) if raw and metric_values(raw, "events_per_s") else None
    if rate is None:
        return "raw rabbitmq-c not measured in this run"
    if rate < 10000:
        return ("the broker's limit on this machine: raw rabbitmq-c publishing the same messages with the same "
                "confirms in the same run reached only %s events/s" % fmt(rate))
    return ("raw rabbitmq-c publishing the same messages with the same confirms reached %s events/s in the same run: "
            "here the relay (reading the outbox, recording its offset) is slower than the broker; not analysed yet"
            % fmt(rate))


RUNS = {}  # the run being tabled, for targets whose reason depends on another benchmark

SUFFIX = re.compile(r"^(iterations|repeats|min_time|min_warmup_time|manual_time|real_time|threads)(:.*)?$")
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def workload_name(run_name):
    """The name given to the benchmark, without the suffixes Google Benchmark adds."""
    return "/".join(p for p in run_name.split("/") if not SUFFIX.match(p))


def sh(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def package_version(package):
    return sh("dpkg-query", "-W", "-f=${Version}", package)


def machine(compiler):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    pretty = ""
    try:
        with open("/etc/os-release") as f:
            pretty = next((l.split("=", 1)[1].strip().strip('"') for l in f if l.startswith("PRETTY_NAME=")), "")
    except OSError:
        pass
    postgres = ""
    for d in sorted((os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")), reverse=True) \
            if os.path.isdir("/usr/lib/postgresql") else []:
        postgres = sh(os.path.join(d, "postgres"), "--version")
        if postgres:
            break
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "os": pretty,
        "kernel": platform.release(),
        "compiler": compiler or (sh("c++", "--version").splitlines() or [""])[0],
        "sqlite": package_version("libsqlite3-0") or sh("sqlite3", "--version").split(" ")[0],
        "postgresql": postgres.replace("postgres (PostgreSQL) ", "") or package_version("postgresql"),
        "rabbitmq": package_version("rabbitmq-server"),
        "redis": package_version("redis-server"),
        "valgrind": sh("valgrind", "--version"),
    }


def run_benchmarks(binary, repetitions, extra_filter):
    """Runs the benchmark binary once with JSON output; returns the parsed JSON."""
    names = [l.strip() for l in sh(binary, "--benchmark_list_tests").splitlines() if l.strip()]
    # Where a workload has pairs, its long separate benchmarks are left out (the pairs are what the
    # table reports; the console run keeps them).
    with_pairs = {workload_name(n).rsplit("/", 1)[0] for n in names if workload_name(n).split("/")[-1].startswith("pairs")}
    chosen = [n for n in names
              if workload_name(n).split("/")[-1].startswith("pairs") or workload_name(n).rsplit("/", 1)[0] not in with_pairs]
    if extra_filter:
        chosen = [n for n in chosen if re.search(extra_filter, n)]
    pattern = "^(" + "|".join(re.sub(r"([.+*?()\[\]{}|^$\\])", r"\\\1", n) for n in chosen) + ")$"
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
    out.close()
    env = dict(os.environ, GLIBC_TUNABLES=GLIBC_TUNABLES)
    command = [binary, "--benchmark_filter=" + pattern, "--benchmark_out=" + out.name, "--benchmark_out_format=json",
               "--benchmark_repetitions=%d" % repetitions, "--benchmark_report_aggregates_only=false",
               "--benchmark_display_aggregates_only=true"]
    print("results.py: running %d benchmarks: %s ..." % (len(chosen), binary), flush=True)
    subprocess.run(command, env=env, check=True)
    with open(out.name) as f:
        data = json.load(f)
    os.unlink(out.name)
    return data


def callgrind_instructions(driver, case, variant, ops):
    """Instructions callgrind counted in the driver's measured loop (its Ir total)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--callgrind-out-file=" + out,
                        driver, case, variant, str(ops)], check=True, capture_output=True, text=True)
        with open(out) as f:
            for line in f:
                if line.startswith("totals:") or line.startswith("summary:"):
                    return int(line.split()[1])
    raise RuntimeError("no totals in callgrind's output for %s %s" % (case, variant))


def run_instruction_counts(driver, ops):
    if not driver or not shutil.which("valgrind"):
        print("results.py: no valgrind or no driver: instruction counts not measured", file=sys.stderr)
        return None
    cases = []
    for line in sh(driver, "--list").splitlines():
        case, variant, role = line.split()
        print("results.py: callgrind %s %s" % (case, variant), flush=True)
        cases.append({"case": case, "variant": variant, "role": role, "ops": ops,
                      "instructions": callgrind_instructions(driver, case, variant, ops)})
    return {"ops": ops, "cases": cases}


# ---- reading the JSON --------------------------------------------------------------------------------

def collect(benchmarks):
    """Per workload name: its repetitions (iteration runs), errors dropped."""
    runs = {}
    for b in benchmarks:
        if b.get("run_type") != "iteration":
            continue
        name = workload_name(b.get("run_name", b["name"]))
        entry = runs.setdefault(name, {"runs": [], "error": None})
        if b.get("error_occurred"):
            entry["error"] = b.get("error_message", "error")
        else:
            entry["runs"].append(b)
    return runs


def metric_values(entry, metric):
    values = []
    for r in entry["runs"]:
        if metric == "time_ns":
            values.append(r["real_time"] * UNIT_NS.get(r.get("time_unit", "ns"), 1.0))
        elif metric == "ns_per_item":  # a pair's variant side, or per item where items are counted, or per iteration
            values.append(r["variant_ns"] if "variant_ns" in r else 1e9 / r["items_per_second"] if r.get("items_per_second")
                          else r["real_time"] * UNIT_NS.get(r.get("time_unit", "ns"), 1.0))
        elif metric in r:
            values.append(r[metric])
    return values


def summary(values):
    """(median, lowest, highest) of the repetitions."""
    return (statistics.median(values), min(values), max(values)) if values else None


def fmt(v, digits=None):
    if v is None:
        return "-"
    if digits is not None:
        return "%.*f" % (digits, v)
    a = abs(v)
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3f" % v


def fmt_time_ns(ns):
    if ns is None:
        return "-"
    if ns >= 1e6:
        return fmt(ns / 1e6) + " ms"
    if ns >= 1e3:
        return fmt(ns / 1e3) + " µs"
    return fmt(ns) + " ns"


def with_range(s, formatter=fmt):
    if s is None:
        return "-"
    med, lo, hi = s
    return formatter(med) if lo == hi else "%s (%s–%s)" % (formatter(med), formatter(lo), formatter(hi))


def target_verdicts(name, entry):
    """[(target text, met, remark)] for every target naming this benchmark. The verdict is the
    median's; the remark says where the spread crosses the bound, and why a missed target is missed."""
    out = []
    for t in TARGETS:
        if not re.search(t["match"], name):
            continue
        values = metric_values(entry, t["metric"])
        if not values:
            out.append((t["text"], None, ""))
            continue
        ok = (lambda v: v <= t["max"]) if "max" in t else (lambda v: v >= t["min"])
        met = ok(statistics.median(values))
        remarks = []
        r = entry["runs"][0]
        if t["metric"] == "ratio" and "ratio_q1" in r and ok(r["ratio_q1"]) != ok(r["ratio_q3"]):
            remarks.append("the interquartile range %.2f–%.2f crosses the bound" % (r["ratio_q1"], r["ratio_q3"]))
        elif len(values) > 1 and any(ok(v) != met for v in values):
            remarks.append("%d of %d repetitions %s" % (sum(ok(v) != met for v in values), len(values),
                                                         "missed it" if met else "met it"))
        if not met:
            why = t["why"]
            remarks.append(why(RUNS) if callable(why) else why)
        out.append((t["text"], met, "; ".join(remarks)))
    return out


def verdict_text(verdicts):
    parts = []
    for text, met, remark in verdicts:
        verdict = "not measured" if met is None else "**met**" if met else "**missed**"
        parts.append("%s: %s%s" % (text, verdict, " (%s)" % remark if remark else ""))
    return "; ".join(parts)


def is_pairs(entry):
    return any("ratio_q1" in r for r in entry["runs"])


def pairs_row(name, entry):
    r = entry["runs"][0]
    workload = name.split("/", 1)[1].rsplit("/", 1)
    title = workload[0].replace("_", " ")
    if workload[1] != "pairs":
        title += " (" + workload[1].replace("pairs_", "").replace("_", " ") + ")"
    ratio = "%.2f [%.2f–%.2f]" % (r["ratio"], r["ratio_q1"], r["ratio_q3"])
    cpu = "%.2f [%.2f–%.2f]" % (r["cpu_ratio"], r["cpu_ratio_q1"], r["cpu_ratio_q3"]) if "cpu_ratio_q1" in r \
        else fmt(r.get("cpu_ratio"), 2)
    return "| %s | %s | %s | %s | %s / %s | %d | %s |" % (
        title, r.get("label", ""), ratio, cpu, fmt_time_ns(r.get("variant_ns")),
        fmt_time_ns(r.get("baseline_ns")), int(r.get("pairs", 0)), verdict_text(target_verdicts(name, entry)) or "")


PAIRS_HEADER = ("| Workload | compared | ratio, median [IQR] | CPU-time ratio, median [IQR] | per operation, variant / baseline | pairs | target |\n"
                "|---|---|---|---|---|---|---|")


def generic_row(name, entry):
    """Any benchmark: its time, its rate and its own counters, median of the repetitions (range)."""
    if entry["error"] and not entry["runs"]:
        return "| `%s` | failed: %s | | |" % (name, entry["error"])
    time = with_range(summary(metric_values(entry, "time_ns")), fmt_time_ns)
    rate = with_range(summary(metric_values(entry, "items_per_second")))
    skip = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations", "real_time",
            "cpu_time", "time_unit", "family_index", "per_family_instance_index", "items_per_second", "label",
            "aggregate_name", "bytes_per_second", "error_occurred", "error_message", "aggregate_unit"}
    counters = sorted({k for r in entry["runs"] for k, v in r.items() if k not in skip and isinstance(v, (int, float))})
    shown = ", ".join("%s %s" % (k, with_range(summary(metric_values(entry, k)))) for k in counters)
    verdicts = verdict_text(target_verdicts(name, entry))
    return "| `%s` | %s | %s | %s |" % (name, time, rate if rate != "-" else "", "; ".join(x for x in (shown, verdicts) if x))


PERCENTILE = re.compile(r"^(p\d+|max)_(us|ms|ns)$")


def is_latency(entry):
    return any(PERCENTILE.match(k) for r in entry["runs"] for k in r)


def latency_row(name, entry):
    """Percentile counters (p50_us, p99_ms, max_us ...) in ms, median of the repetitions (range)."""
    keys = sorted({k for r in entry["runs"] for k in r if PERCENTILE.match(k)})
    cells = {}
    for k in keys:
        stem, unit = k.split("_")
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0}[unit]
        s = summary(metric_values(entry, k))
        cells[stem] = with_range(tuple(v * scale for v in s)) if s else "-"
    rate = with_range(summary(metric_values(entry, "events_per_s") or metric_values(entry, "items_per_second")))
    return "| `%s` | %s | %s | %s | %s | %s | %s |" % (
        name, cells.get("p50", "-"), cells.get("p90", "-"), cells.get("p99", "-"), cells.get("max", "-"),
        rate if rate != "-" else "", verdict_text(target_verdicts(name, entry)))


LATENCY_HEADER = ("| Benchmark | p50 ms | p90 ms | p99 ms | max ms | events/s | target |\n|---|---|---|---|---|---|---|")

GENERIC_HEADER = ("| Benchmark | time per iteration | items/s | counters; target |\n|---|---|---|---|")


def instruction_rows(counts, prefixes):
    """Rows of instructions per operation, variant against its case's baseline."""
    if counts is None:
        return None
    by_case = {}
    for c in counts["cases"]:
        by_case.setdefault(c["case"], []).append(c)
    rows = []
    for case, entries in by_case.items():
        if not any(case.startswith(p) for p in prefixes):
            continue
        base = next((e for e in entries if e["role"] == "baseline"), None)
        for e in entries:
            if e is base or base is None:
                continue
            per_op = e["instructions"] / e["ops"]
            base_per_op = base["instructions"] / base["ops"]
            ratio = per_op / base_per_op
            claim = CLAIMS.get((case, e["variant"]))
            verdict = "for information"
            if claim:
                met = ratio <= claim[0]
                verdict = "%s (at most %.2fx): **%s**%s" % (claim[1], claim[0], "met" if met else "missed",
                                                           "" if met else " (%s)" % claim[2])
            rows.append("| %s | %s / %s | %s / %s | %.3f | %s |" % (
                case, e["variant"], base["variant"], "{:,.0f}".format(per_op), "{:,.0f}".format(base_per_op), ratio, verdict))
    return rows


INSTRUCTIONS_HEADER = ("| Case | compared | instructions per operation | ratio | claim |\n|---|---|---|---|---|")


def section(prefix, title, what, runs, counts, instruction_prefixes):
    names = sorted(n for n in runs if n.split("/", 1)[0] == prefix)
    lines = ["#### %s" % title, "", what + ".", ""]
    if not names:
        lines += ["Not measured: no `%s/` benchmark in this run." % prefix, ""]
        return lines
    pairs = [n for n in names if is_pairs(runs[n])]
    latencies = [n for n in names if n not in pairs and is_latency(runs[n])]
    others = [n for n in names if n not in pairs and n not in latencies]
    if pairs:
        lines += [PAIRS_HEADER] + [pairs_row(n, runs[n]) for n in pairs] + [""]
    if latencies:
        lines += [LATENCY_HEADER] + [latency_row(n, runs[n]) for n in latencies] + [""]
    if others:
        lines += [GENERIC_HEADER] + [generic_row(n, runs[n]) for n in others] + [""]
    rows = instruction_rows(counts, instruction_prefixes)
    if rows:
        lines += ["Instructions per operation (callgrind, %s operations in a steady state, only the loop counted):"
                  % "{:,}".format(counts["ops"]), "", INSTRUCTIONS_HEADER] + rows + [""]
    return lines


INSTRUCTION_FAMILIES = {"sqlite": ["sqlite_"], "hooks": ["hooks_"], "cluster": ["cluster_"], "sync": ["sync_"]}


def table(result, source):
    m = result["machine"]
    runs = collect(result["benchmarks"].get("benchmarks", []))
    RUNS.clear()
    RUNS.update(runs)
    counts = result.get("instructions")
    load = result.get("load_average", {})
    lines = [
        BEGIN,
        "<!-- generated by benchmarks/results.py from %s; do not edit by hand -->" % source,
        "",
        "Measured %s on %s, %s cores, %s, kernel %s; %s; SQLite %s, PostgreSQL %s, RabbitMQ %s%s; %s. "
        "1-minute load average %s at the start, %s at the end, %s during the run (median, range %s–%s, sampled every "
        "10 s): the machine is shared with other builds. "
        "Source: [`%s`](%s)." % (
            result["date"] + (" (the run took %d min)" % round(result["duration_s"] / 60) if "duration_s" in result else ""),
            m["cpu"], m["cores"], m["os"], m["kernel"], m["compiler"], m["sqlite"], m["postgresql"],
            m["rabbitmq"] or "-", ", Redis " + m["redis"] if m.get("redis") else "", m.get("valgrind") or "no valgrind", load.get("start", "?"), load.get("end", "?"),
            load.get("median", "?"), load.get("min", "?"), load.get("max", "?"),
            source, source),
        "",
        "Ratios are variant / baseline (lower is better; 1.00 = the same): the median and interquartile range of many "
        "short pairs timed alternately (each pair one call of each side, about 0.1 to 2 ms each, moments apart), in wall "
        "time and in this thread's CPU time (which leaves out time the thread was preempted; on PostgreSQL it also "
        "leaves out the server's work). Other figures: the median of %s repetitions, the "
        "lowest and highest in brackets. Instruction counts are callgrind's, which load does not move."
        % result.get("repetitions", "?"),
        "",
    ]
    known = [f[0] for f in FAMILIES]
    for prefix, title, what in FAMILIES:
        lines += section(prefix, title, what, runs, counts, INSTRUCTION_FAMILIES.get(prefix, []))
    for prefix in sorted({n.split("/", 1)[0] for n in runs} - set(known)):
        lines += section(prefix, "`%s/` benchmarks" % prefix, "A family this script has no section for; shown as measured",
                         runs, None, [])
    if counts is None:
        lines += ["Instruction counts: not measured (no valgrind).", ""]
    lines.append(END)
    return "\n".join(lines)


def write_readme(readme, block):
    with open(readme) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit("results.py: %s has no %s ... %s markers" % (readme, BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(readme, "w") as f:
        f.write(head + block + tail)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--benchmarks", help="the syncorm_benchmarks binary")
    p.add_argument("--instructions", help="the syncorm_instruction_counts binary (run under valgrind)")
    p.add_argument("--from", dest="source", help="make the table from this stored results file, run nothing")
    p.add_argument("--readme", default=os.path.join(root, "README.md"))
    p.add_argument("--results-dir", default=os.path.join(here, "results"))
    p.add_argument("--repetitions", type=int, default=3, help="repetitions of the benchmarks that are not pairs")
    p.add_argument("--filter", help="only benchmarks whose name matches this regex (a partial run, kept in "
                                    "<date>-partial.json; it still writes the table, so give --readme elsewhere)")
    p.add_argument("--ops", type=int, default=5000, help="operations per instruction-count case")
    p.add_argument("--compiler", default="", help="the compiler the binaries were built with")
    p.add_argument("--note", default="", help="a sentence about the run (e.g. what else the machine was doing)")
    args = p.parse_args()

    if args.source:
        with open(args.source) as f:
            result = json.load(f)
        path = args.source
    else:
        if not args.benchmarks:
            p.error("--benchmarks (or --from) is needed")
        now = datetime.datetime.now(datetime.timezone.utc)
        load_start = "%.1f" % os.getloadavg()[0]
        # The 1-minute load average every 10 s while the run lasts: how busy the machine was.
        loads, done = [], threading.Event()

        def sample():
            while not done.wait(10):
                loads.append(os.getloadavg()[0])
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        result = {
            "date": now.strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(args.compiler),
            "repetitions": args.repetitions,
            "rows": int(os.environ.get("SYNCORM_BENCH_ROWS", "100000")),
            "note": args.note,
        }
        result["instructions"] = run_instruction_counts(args.instructions, args.ops)
        result["benchmarks"] = run_benchmarks(args.benchmarks, args.repetitions, args.filter)
        done.set()
        result["load_average"] = {"start": load_start, "end": "%.1f" % os.getloadavg()[0],
                                  "min": "%.1f" % min(loads or [0]), "max": "%.1f" % max(loads or [0]),
                                  "median": "%.1f" % statistics.median(loads or [0])}
        os.makedirs(args.results_dir, exist_ok=True)
        result["duration_s"] = round((datetime.datetime.now(datetime.timezone.utc) - now).total_seconds())
        # A partial run (--filter) never replaces the day's full results.
        path = os.path.join(args.results_dir, now.strftime("%Y-%m-%d") + ("-partial" if args.filter else "") + ".json")
        with open(path, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        print("results.py: wrote " + path)
    source = os.path.relpath(os.path.abspath(path), os.path.dirname(os.path.abspath(args.readme)))
    block = table(result, source)
    if result.get("note"):
        block = block.replace("\n\nRatios are", " " + result["note"] + "\n\nRatios are", 1)
    write_readme(args.readme, block)
    print("results.py: table written to " + args.readme)


if __name__ == "__main__":
    main()
