#!/usr/bin/env python3
"""What syncorm costs a user's build: compile time and compiler memory of three translation units.

  four_ops_raw.cpp  one model, four operations on the raw sqlite3 C API (the yardstick)
  four_ops.cpp      the same four operations through syncorm
  ten_models.cpp    ten models, every query form, hooks on four, sync events from three, a subscriber
  ten_models.cpp again with SYNCORM_SEPARATE_COMPILATION, and the file that then defines what it
                    declares (separate_source.cpp: #include <syncorm/src.hpp>, compiled once a program)

Each is compiled with `<compiler> -std=c++20 -O2 -c` (nothing linked), several times, every
compilation of four_ops.cpp and ten_models.cpp between two of the raw TU, so that a change in the
machine's load slows both sides of a ratio alike. Reported: median wall time, CPU time (user +
system) and peak memory (maximum resident set of the compiler), the median ratios to the raw TU,
and the verdicts against the budget (issue 13). Machines differ in absolute speed, so the budget is
a ratio: it is what holds from one machine to the next. The verdict is on the CPU-time ratio: a
compiler is single-threaded, so on an idle machine wall and CPU time are the same, and on a busy
one the wall time also measures the other processes (both are printed).

It also checks that a header pulls in nothing the user did not ask for: the core includes no backend,
and each backend includes neither the other backend nor the sync events' JSON library.

  python3 benchmarks/compile_cost.py [--runs 5] [--compiler g++] [--include-dir DIR] [--strict]
                                     [--isolation-only] [-- extra compiler flags]

--strict exits with status 1 when a verdict fails (for scripts; the numbers are always printed).
--isolation-only checks only what the headers include, and exits with status 1 when one includes
what it should not (the test command runs this as the CTest test `header_isolation`).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = os.path.join(ROOT, "benchmarks", "compile")
MIB = 1024 * 1024

SEPARATE = ["-DSYNCORM_SEPARATE_COMPILATION"]
# What is measured: (label, file, extra flags); the label is what the table prints.
MEASURED = [
    ("four_ops.cpp", "four_ops.cpp", []),
    ("ten_models.cpp", "ten_models.cpp", []),
    ("ten_models, separate", "ten_models.cpp", SEPARATE),
    ("separate_source.cpp", "separate_source.cpp", SEPARATE),
]
# (label, time budget as a multiple of the raw TU's median wall time, memory budget in bytes)
BUDGETS = {
    "four_ops.cpp": (3.0, 200 * 1000 * 1000),
    "ten_models.cpp": (16.0, 1024 * MIB - 1),
    "ten_models, separate": (16.0, 1024 * MIB - 1),
}

# What including a header must not bring with it: header -> (forbidden substrings of included paths).
SYNC = ("boost/json", "syncorm/sync.hpp", "syncorm/sync/")
ISOLATION = {
    "syncorm/syncorm.hpp": ("sqlite3.h", "libpq-fe.h", "syncorm/sqlite", "syncorm/postgres", *SYNC),
    "syncorm/sqlite.hpp": ("libpq-fe.h", "syncorm/postgres", *SYNC),
    "syncorm/postgres.hpp": ("sqlite3.h", "syncorm/sqlite", *SYNC),
    # The producer side of sync events: no consumer side (the parser, the subscriber, the readers), no
    # JSON library (payloads are written by syncorm), no threads (readers wait on their side).
    "syncorm/sync_producer.hpp": ("sqlite3.h", "libpq-fe.h", "boost/json", "syncorm/sync/payload_reader",
                                  "condition_variable", "stop_token",
                                  "syncorm/sync/subscriber", "syncorm/sync/outbox_", "syncorm/sync/handlers"),
    # The features: none brings a backend, and none another feature it does not use.
    "syncorm/cluster.hpp": ("sqlite3.h", "libpq-fe.h", "syncorm/sqlite", "syncorm/postgres", *SYNC, "syncorm/cache",
                            "hiredis", "amqp.h"),
    # No JSON library either: rows go to Redis through syncorm's payload writer, and come back through
    # the parser the Redis level brings (<syncorm/redis.hpp>).
    "syncorm/cache.hpp": ("sqlite3.h", "libpq-fe.h", "hiredis", "amqp.h", "syncorm/cluster", "syncorm/sync/subscriber",
                          "syncorm/sync/outbox_", "boost/json", "syncorm/sync/payload_reader"),
    "syncorm/amqp.hpp": ("sqlite3.h", "libpq-fe.h", "hiredis", "syncorm/cache", "syncorm/cluster",
                         "boost/json/basic_parser", "syncorm/sync/subscriber"),
    "syncorm/redis.hpp": ("sqlite3.h", "libpq-fe.h", "amqp.h", "syncorm/sync/subscriber", "syncorm/sync/outbox_"),
}

# With SYNCORM_SEPARATE_COMPILATION the parser is compiled in the file that includes <syncorm/src.hpp>
# alone: what applies events then brings no JSON library.
ISOLATION_SEPARATE = {
    "syncorm/sync.hpp": ("boost/json",),
    "syncorm/redis.hpp": ("boost/json",),
}

# Headers of optional parts (their client library may not be installed): not compiling is reported, not a failure.
OPTIONAL = {"syncorm/amqp.hpp", "syncorm/redis.hpp"}


def compile_once(compiler, flags, source):
    """Compiles `source`; returns (wall seconds, user+system seconds, peak resident bytes)."""
    command = [compiler, "-std=c++20", "-O2", "-c", *flags, source, "-o", os.devnull]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # wait4 reports the resources of this child alone (with its own children: the compiler proper).
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    output = process.stderr.read().decode(errors="replace") + process.stdout.read().decode(errors="replace")
    process.stdout.close()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"compile_cost: {source} does not compile:\n{output}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def interquartile_range(values):
    """The first and third quartiles of `values` (both the value itself when there is one)."""
    if len(values) < 2:
        return values[0], values[0]
    quartiles = statistics.quantiles(values, n=4, method="inclusive")
    return quartiles[0], quartiles[2]


def pg_include_flags():
    """libpq-fe.h's directory, which Debian keeps out of the default search path."""
    try:
        result = subprocess.run(["pg_config", "--includedir"], capture_output=True, text=True)
    except OSError:
        return []
    return ["-I" + result.stdout.strip()] if result.returncode == 0 else []


def included_files(compiler, flags, header):
    """The files `#include <header>` brings in (the compiler's dependency list)."""
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as probe:
        probe.write(f"#include <{header}>\n")
    try:
        result = subprocess.run([compiler, "-std=c++20", "-M", *flags, probe.name], cwd=ROOT,
                                capture_output=True, text=True)
    finally:
        os.unlink(probe.name)
    if result.returncode != 0:
        return None, result.stderr
    return result.stdout.replace("\\\n", " ").split()[1:], ""


def check_isolation(compiler, flags):
    """Prints what each header of ISOLATION brings that it should not; True when none does."""
    print("What a header brings with it:")
    clean = True
    checks = [(header, forbidden, []) for header, forbidden in ISOLATION.items()]
    checks += [(header, forbidden, SEPARATE) for header, forbidden in ISOLATION_SEPARATE.items()]
    for header, forbidden, extra in checks:
        files_in, error = included_files(compiler, flags + extra + pg_include_flags(), header)
        label = header + (" (" + " ".join(extra) + ")" if extra else "")
        if files_in is None:
            first_line = error.strip().splitlines()[0] if error.strip() else "no output"
            if header in OPTIONAL:
                print(f"  {label}: not checked (its client library is not installed: {first_line})")
                continue
            print(f"  {label}: DOES NOT COMPILE here: {first_line}")
            clean = False
            continue
        found = sorted({path for path in files_in for word in forbidden if word in path})
        clean &= not found
        print(f"  {label}: " + ("nothing it should not" if not found else "ALSO INCLUDES " + ", ".join(found)))
    return clean


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="compilations of each file (default 5)")
    parser.add_argument("--compiler", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if a verdict fails")
    parser.add_argument("--isolation-only", action="store_true",
                        help="only check what each header includes; exit with status 1 on a violation")
    parser.add_argument("--include-dir", default=os.path.join(ROOT, "include"),
                        help="syncorm headers to measure (default: this checkout's), e.g. another version's")
    parser.add_argument("flags", nargs="*", help="extra compiler flags, after --, e.g. -I/opt/boost/include")
    arguments = parser.parse_args()
    flags = ["-I" + os.path.abspath(arguments.include_dir), *arguments.flags]
    if arguments.isolation_only:
        return 1 if not check_isolation(arguments.compiler, flags) else 0

    raw = "four_ops_raw.cpp"
    measured = [label for label, _, _ in MEASURED]
    # Each measured file is compiled between two compilations of the raw TU and compared with their
    # mean, so that the ratio holds even when the machine's load changes during the run.
    timeline = []
    for _ in range(arguments.runs):
        for label, source, extra in MEASURED:
            timeline.append((raw, compile_once(arguments.compiler, flags, os.path.join(SOURCES, raw))))
            timeline.append((label, compile_once(arguments.compiler, flags + extra, os.path.join(SOURCES, source))))
    timeline.append((raw, compile_once(arguments.compiler, flags, os.path.join(SOURCES, raw))))

    samples = {name: [] for name in [raw, *measured]}
    ratios = {name: [] for name in measured}  # (wall ratio, cpu ratio) per compilation
    for index, (name, sample) in enumerate(timeline):
        samples[name].append(sample)
        if name != raw:
            before, after = timeline[index - 1][1], timeline[index + 1][1]
            ratios[name].append((2 * sample[0] / (before[0] + after[0]), 2 * sample[1] / (before[1] + after[1])))

    version = subprocess.run([arguments.compiler, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"Compile cost: {version}, -std=c++20 -O2 -c, median of {arguments.runs} runs")
    print(f"{'translation unit':<22}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'wall/raw':>10}{'cpu/raw':>9}"
          f"{'cpu/raw IQR':>16}  budget")
    failed = False
    for name in [raw, *measured]:
        wall, cpu, peak = (statistics.median(column) for column in zip(*samples[name]))
        wall_ratio, cpu_ratio = (statistics.median(column) for column in zip(*ratios[name])) if name != raw else (1, 1)
        line = f"{name:<22}{wall:>8.2f}{cpu:>8.2f}{peak / 1e6:>9.0f}{wall_ratio:>9.2f}x{cpu_ratio:>8.2f}x"
        low, high = interquartile_range([cpu for _, cpu in ratios[name]]) if name != raw else (1, 1)
        line += f"{low:>8.2f}-{high:.2f}x"
        if name in BUDGETS:
            ratio_budget, memory_budget = BUDGETS[name]
            ok = cpu_ratio <= ratio_budget and peak <= memory_budget
            failed |= not ok
            memory_text = f"{memory_budget / 1e6:.0f} MB" if memory_budget < MIB * 1000 else "1 GiB"
            # A budget inside the spread is met in some runs and missed in others: say so.
            edge = " (on the edge: the budget is inside the spread)" if low <= ratio_budget <= high else ""
            line += f"  <= {ratio_budget:g}x raw, <= {memory_text}: {'ok' if ok else 'OVER BUDGET'}{edge}"
        print(line)
    print("(ratios: each compilation against the raw TU compiled just before and after it; median and"
          " interquartile range; verdicts on the median cpu/raw)")

    failed |= not check_isolation(arguments.compiler, flags)

    return 1 if failed and arguments.strict else 0


if __name__ == "__main__":
    sys.exit(main())
