#!/usr/bin/env python3
# compare_top.py PPROF_TOP REPORT [MIN%]: checks `go tool pprof -top` output
# against `flametop report -n 0` of the same profile.  Every pprof row with
# flat% >= MIN (default 0.5) must be a flametop function (its "_[i]"/"_[k]"
# suffixes and pprof's " (inline)" left out; names that merge are summed)
# with the same flat% (self%) and cum% (total%) within 0.15 points, and
# flametop's five top functions by self (of 1% or more) must be pprof's.
# Prints what differs; exits 1 if anything does.
import re, sys

def pprof_rows(path):
    rows, on = [], False
    for line in open(path):
        if re.match(r"\s*flat\s+flat%\s+sum%\s+cum\s+cum%", line):
            on = True
            continue
        m = re.match(r"\s*(\S+)\s+([\d.]+)%\s+([\d.]+)%\s+(\S+)\s+([\d.]+)%\s+(.*)$", line)
        if on and m:
            name = re.sub(r" \(inline\)$", "", m.group(6).rstrip())
            rows.append((name, float(m.group(2)), float(m.group(5))))
    return rows

def report_rows(path):
    rows = {}
    order = []
    for line in open(path):
        if line.startswith("#"):
            continue
        m = re.match(r"\s*([\d.]+)\s+([\d.]+)\s+\S+\s+\S+  (.*)$", line.rstrip("\n"))
        if not m:
            continue
        name = re.sub(r"_\[[ik]\]$", "", m.group(3))
        s, t = rows.get(name, (0.0, 0.0))
        # a function counts once per sample: of merged names, the largest total
        rows[name] = (s + float(m.group(1)), max(t, float(m.group(2))))
        if name not in order:
            order.append(name)
    return rows, order

pp = pprof_rows(sys.argv[1])
ft, order = report_rows(sys.argv[2])
lim = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
bad = 0
checked = 0
for name, flat, cum in pp:
    if flat < lim:
        continue
    checked += 1
    if name not in ft:
        print("missing in flametop: %s (pprof flat %.2f%%)" % (name, flat))
        bad += 1
        continue
    s, t = ft[name]
    if abs(s - flat) > 0.15 or abs(t - cum) > 0.15:
        print("differs: %s pprof flat %.2f%% cum %.2f%%, flametop self %.1f%% total %.1f%%"
              % (name, flat, cum, s, t))
        bad += 1
# the same top functions (as sets: rows that tie may come in either order)
top_ft = set(n for n in sorted(ft, key=lambda n: -ft[n][0])[:5] if ft[n][0] >= max(lim, 1.0))
top_pp = set(n for n, f, c in pp[:5] if f >= max(lim, 1.0))
if top_ft != top_pp:
    print("top functions differ: flametop %s, pprof %s" % (top_ft, top_pp))
    bad += 1
print("compared %d pprof rows, %d differ" % (checked, bad))
sys.exit(1 if bad or not checked else 0)
