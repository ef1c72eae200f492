#!/usr/bin/python3
"""The PyTorch peer's W1 quality run up to its all-label linear probe, and no further.

  /usr/bin/python3 ssl-bench/scripts/peer-w1-probe.py --seed S [--peer /work/shared/bench/peer/peer.py] [--json out.json]

peer.py --workload W1 --mode quality also runs its fine-tune and baselines (about 15 minutes on
2 cores); for comparing linear probes over many seeds this runs the same code in the same order
(seed, W1 model, pretrain over all 60,000 images for --epochs, eval-mode features, logreg_accuracy)
and stops there, so its probe equals the full run's for the same seed and thread count.
"""
import argparse
import importlib.util
import json
import time

import numpy as np
import torch

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument('--seed', type=int, required=True)
p.add_argument('--epochs', type=int, default=3)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--peer', default='/work/shared/bench/peer/peer.py', help='path of peer.py')
p.add_argument('--json', help='write the result here')
a = p.parse_args()
spec = importlib.util.spec_from_file_location('peer', a.peer)
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)  # as peer.main
t0 = time.time()
wl = peer.W1(a)
train_idx = torch.from_numpy(np.sort(np.random.default_rng(a.seed).permutation(60000)))
stats = peer.pretrain(wl, train_idx, a.epochs)
wl.enc.eval()
ftr, fte = peer.extract(wl.enc, wl.xtr), peer.extract(wl.enc, wl.xte)
r = {'seed': a.seed, 'epochs': a.epochs, 'linear_probe_acc_all_labels': peer.logreg_accuracy(ftr, wl.ytr, fte, wl.yte),
     'last50_loss': stats[-1]['last50_loss'], 'wall_s': time.time() - t0}
print(json.dumps(r))
if a.json:
    with open(a.json, 'w') as f:
        json.dump(r, f)
