#!/usr/bin/env python3
"""Interleaved A/B timing of whole commands, for start-up changes of a few milliseconds.

    bin/lib/ab.py RUNS NAME=COMMAND [NAME=COMMAND ...]

Runs every command once per round, RUNS rounds (after 3 warm-up rounds), so that drift in the machine's
speed (other load, frequency, caches) hits all commands alike; hyperfine runs each command's runs back to
back, which on a small shared VM can move a median by several milliseconds between commands. Prints each
command's median wall time, its difference to the first command, the 25th percentile and the median CPU
time (user + system of the command and its children). Commands are split like a shell would (shlex), not
run by a shell; stdout and stderr are discarded.
"""
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit() or any("=" not in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    commands = [arg.split("=", 1) for arg in sys.argv[2:]]
    wall = {name: [] for name, _ in commands}
    cpu = {name: [] for name, _ in commands}
    with open(os.devnull, "w") as null:
        for round_ in range(runs + 3):
            for name, command in commands:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(shlex.split(command), stdout=null, stderr=null, check=False)
                end = time.perf_counter()
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if round_ >= 3:
                    wall[name].append((end - start) * 1000)
                    cpu[name].append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    base = statistics.median(wall[commands[0][0]])
    print(f"{runs} interleaved rounds; ms")
    for name, _ in commands:
        times = sorted(wall[name])
        median = statistics.median(times)
        print(f"{name:24} median {median:7.1f} ({median - base:+6.1f})  p25 {times[len(times) // 4]:7.1f}"
              f"  cpu {statistics.median(cpu[name]):7.1f}")


if __name__ == "__main__":
    main()
