#!/usr/bin/env bash
# The image-method table of docs/benchmarks.md: every image method pretrained on Fashion-MNIST at the
# same wall-clock budget, then kNN, linear probe and few-label fine-tune vs scratch (the examples'
# evaluation), with images/s and peak memory.
#
#   ssl-bench/scripts/method-table.sh [minutes] [out-dir] [method ...]
#
# minutes: pretraining budget per method (default 20; --max-minutes of each example, which also caps
# --epochs at 200 so the budget, not the epochs, ends the run). Methods: the names in ROWS below
# (default: all). $EXTRA is appended to every example's arguments (e.g. EXTRA="--ft-repeats 1" for a
# quicker evaluation). Needs Fashion-MNIST (apt-get install dataset-fashion-mnist). Run from the repository
# root on an otherwise idle machine; each method runs in its own JVM under /usr/bin/time, whose
# "Maximum resident set size" is the peak memory. Results: <out-dir>/<method>/results.json and the
# table <out-dir>/table.md (fine-tune figures: mean ± sd over the repeats).
set -euo pipefail
minutes=${1:-20}
out=${2:-target/method-table}
shift $(( $# > 2 ? 2 : $# )) || true
# name | example class | extra arguments
ROWS=(
  "simclr|ContrastiveFashionMnist|"
  "moco-v2|MocoFashionMnist|"
  "byol|ByolFashionMnist|"
  "simsiam|SimSiamFashionMnist|"
  "barlow-twins|BarlowTwinsFashionMnist|"
  "vicreg|VicRegFashionMnist|"
  "dino|DinoFashionMnist|"
  "inpainting|MaskedImageFashionMnist|"
  "mae-vit|MaskedAutoencoderFashionMnist|"
)
mkdir -p "$out"
mvn -B -q -pl ssl-examples -am package -DskipTests -Dinvoker.skip=true -Dmaven.javadoc.skip=true \
  dependency:build-classpath -Dmdep.outputFile=target/cp.txt
cp=ssl-examples/target/classes:$(cat ssl-examples/target/cp.txt)
wanted=" $* "
for row in "${ROWS[@]}"; do
  IFS='|' read -r name cls extra <<<"$row"
  if [[ $# -gt 0 && "$wanted" != *" $name "* ]]; then continue; fi
  echo "== $name ($cls), $minutes min, $(date -u +%H:%M:%S)"
  # shellcheck disable=SC2086
  /usr/bin/time -v -o "$out/$name.time" java -cp "$cp" "io.github.ssl4j.examples.$cls" \
    --epochs 200 --max-minutes "$minutes" --out "$out/$name" --overwrite $extra ${EXTRA:-} >"$out/$name.log" 2>&1 \
    || { echo "$name failed, see $out/$name.log"; continue; }
  grep -A12 "^$" "$out/$name.log" | tail -14
done
/usr/bin/python3 - "$out" "$minutes" <<'PY'
import json, os, re, sys
out, minutes = sys.argv[1], sys.argv[2]
rows = []
for name in sorted(os.listdir(out)):
    res = os.path.join(out, name, 'results.json')
    if not os.path.isfile(res):
        continue
    r = json.load(open(res))
    p, e = r['pretraining'], r['evaluation']
    f = e.get('fewLabel', {})
    rss = re.search(r'Maximum resident set size \(kbytes\): (\d+)', open(os.path.join(out, name + '.time')).read())
    pct = lambda x: f"{100 * x:.2f}"
    sd = lambda k: f" ± {100 * f[k]:.2f}" if f.get('repeats', 1) > 1 else " (1 seed)"
    rows.append(f"| {name} | {p['steps']} ({p['epochs']}) | {p['examplesPerSecond']:.0f} | "
                f"{pct(e['knnPretrained'])} / {pct(e['knnRandom'])} | "
                f"{pct(e['probePretrained'])} / {pct(e['probeRandom'])} | "
                f"{pct(e['probeFewPretrained'])} / {pct(e['probeFewRandom'])} | "
                f"{pct(e['fineTunePretrained'])}{sd('fineTuneSd')} | {pct(e['fineTuneScratch'])}{sd('scratchSd')} | "
                f"{int(rss.group(1)) / 1024 / 1024:.1f} |")
head = ("| method | steps (epochs) | images/s | kNN %, pretrained / random init | linear probe %, all labels, pretrained / random | "
        "linear probe %, 600 labels, pretrained / random | fine-tune %, 600 labels | from scratch %, 600 labels | peak RSS GiB |\n"
        "|---|---|---|---|---|---|---|---|---|")
table = head + "\n" + "\n".join(rows)
open(os.path.join(out, 'table.md'), 'w').write(table + "\n")
print(f"\nbudget {minutes} min per method\n" + table)
PY
