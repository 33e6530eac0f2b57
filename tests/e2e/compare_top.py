#!/usr/bin/env python3
# compare_top.py PPROF_TOP REPORT [MIN%]: checks `go tool pprof -top` output
# against `flametop report -n 0` of the same profile.  Every pprof row with
# flat% >= MIN (default 0.5) must be a flametop function (its "_[i]"/"_[k]"
# suffixes and pprof's " (inline)" left out; names that merge are summed)
# with the same flat% (self%) and cum% (total%) within 0.15 points, and
# pprof's five top functions (of 1% or more, above ties) must be flametop's.
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
# the same top functions: each of pprof's five largest (above any tie with the
# sixth) is among flametop's five largest (or ties with its fifth)
cut = pp[5][1] if len(pp) > 5 else -1.0
fifth = sorted((v[0] for v in ft.values()), reverse=True)[:5][-1] if ft else 0.0
for name, flat, cum in pp[:5]:
    if flat < max(lim, 1.0) or flat <= cut + 0.005:
        continue
    if name not in ft or ft[name][0] < fifth - 0.1:
        print("top functions differ: pprof's %s (%.2f%%) is not among flametop's five" % (name, flat))
        bad += 1
print("compared %d pprof rows, %d differ" % (checked, bad))
sys.exit(1 if bad or not checked else 0)
