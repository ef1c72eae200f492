#!/usr/bin/env bash
# Throughput of ssl4j and the PyTorch peer on one workload, interleaved, in one session.
#
#   ssl-examples/bench/compare-with-peer.sh W1 ../shared/bench/peer/peer.py [rounds] [out-dir]
#
# Needs Fashion-MNIST (apt-get install dataset-fashion-mnist) and, for the peer,
# apt-get install python3-torch libopenblas0-pthread. Run from the repository root on an otherwise
# idle machine. Each round runs ssl4j (the documented exec:java command) then the peer; the
# summary gives the median over rounds of each side's median step rate, and their ratio.
set -euo pipefail
wl=${1:?workload, e.g. W1}
peer=${2:?path to peer.py}
rounds=${3:-3}
out=${4:-target/bench}
mkdir -p "$out"
export GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184}
for r in $(seq "$rounds"); do
  mvn -B -q -pl ssl-examples -am package -DskipTests exec:java -Dexec.mainClass=io.github.ssl4j.examples.bench.WorkloadBenchmark \
    -Dexec.args="--workload $wl --json $out/$wl-ssl4j-$r.json" 2>&1 | grep -E "throughput|written" || true
  /usr/bin/python3 "$peer" --workload "$wl" --mode throughput --steps 30 --json "$out/$wl-peer-$r.json" 2>&1 \
    | grep -E "throughput:" || true
done
/usr/bin/python3 - "$out" "$wl" "$rounds" <<'PY'
import json, statistics, sys
out, wl, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = [json.load(open(f'{out}/{wl}-ssl4j-{r}.json'))['median_rate'] for r in range(1, rounds + 1)]
p = [json.load(open(f'{out}/{wl}-peer-{r}.json'))['results']['median_rate'] for r in range(1, rounds + 1)]
ms, mp = statistics.median(s), statistics.median(p)
print(f'{wl}: ssl4j {ms:.1f} vs peer {mp:.1f} per s (rounds: ssl4j {[round(x, 1) for x in s]}, '
      f'peer {[round(x, 1) for x in p]}); ratio ssl4j/peer {ms / mp:.2f}')
PY
