#!/usr/bin/python3
"""Replays ssl4j's W1 training steps in the PyTorch peer's own modules and compares.

  java -cp <ssl4j jars> io.github.ssl4j.bench.W1StepDump --out DIR --dtype double --steps 5
  /usr/bin/python3 ssl-bench/scripts/w1-step-vs-peer.py DIR [--peer /work/shared/bench/peer/peer.py]

Loads ssl4j's initial parameters into peer.Encoder and the peer's projection head, feeds the very
batches ssl4j trained on (both views as ssl4j's augmentation made them), and compares the loss of
every step, the mean-loss gradients of the first step and the parameters after every Adam step
(torch.optim.Adam, lr 1e-3, as the peer). Exit status 1 if a loss or a first-step gradient differs
by more than the tolerance (double: 1e-9 relative, float: 1e-3).

The convolution biases are reported apart: batch norm cancels them, so their gradient is rounding
noise (~1e-15 in double) and Adam turns that noise into steps of ~lr in either framework; they do
not change what the network computes.
"""
import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('dump', help='directory written by W1StepDump')
    p.add_argument('--peer', default='/work/shared/bench/peer/peer.py', help='path of peer.py')
    p.add_argument('--dl4j-adam', action='store_true',
                   help="replace torch.optim.Adam by ND4J's Adam formula (epsilon added to sqrt(v) before the "
                        "bias correction of the step size, i.e. an effective epsilon of eps/sqrt(1-beta2^t))")
    a = p.parse_args()
    spec = importlib.util.spec_from_file_location('peer', a.peer)
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)

    m = json.load(open(os.path.join(a.dump, 'manifest.json')))
    double = m['dtype'] == 'double'
    dt = torch.float64 if double else torch.float32
    tol = 1e-9 if double else 1e-3
    shapes = m['params']

    def load(tag, name):
        path = os.path.join(a.dump, f'{tag}-{name.replace("/", ".")}.f64')
        return torch.from_numpy(np.fromfile(path, np.float64).reshape(shapes[name])).to(dt)

    torch.manual_seed(0)
    enc = peer.Encoder(1).to(dt)
    head = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64)).to(dt)
    conv = {1: enc.features[0], 2: enc.features[4], 3: enc.features[8]}
    bn = {1: enc.features[1], 2: enc.features[5], 3: enc.features[9]}
    lin = {1: head[0], 2: head[2]}

    # (ssl4j name, torch tensor, ssl4j value -> torch layout, is a trained parameter)
    def mapping():
        for i in (1, 2, 3):
            yield f'encoder/conv{i}_W', conv[i].weight, lambda t: t, True
            yield f'encoder/conv{i}_b', conv[i].bias, lambda t: t.reshape(-1), True
            yield f'encoder/bn{i}_gamma', bn[i].weight, lambda t: t.reshape(-1), True
            yield f'encoder/bn{i}_beta', bn[i].bias, lambda t: t.reshape(-1), True
            yield f'encoder/bn{i}_mean', bn[i].running_mean, lambda t: t.reshape(-1), False
            # DL4J keeps log10 of the running standard deviation
            yield f'encoder/bn{i}_log10stdev', bn[i].running_var, lambda t: (10 ** t.reshape(-1)) ** 2, False
        for i in (1, 2):
            yield f'head/proj{i}_W', lin[i].weight, lambda t: t.t(), True  # DL4J stores [nIn, nOut]
            yield f'head/proj{i}_b', lin[i].bias, lambda t: t.reshape(-1), True

    with torch.no_grad():
        for name, t, f, _ in mapping():
            t.copy_(f(load('p0', name)))
    params = list(enc.parameters()) + list(head.parameters())
    opt = None if a.dl4j_adam else torch.optim.Adam(params, lr=1e-3)
    state = {id(t): (torch.zeros_like(t), torch.zeros_like(t)) for t in params} if a.dl4j_adam else None

    def nd4j_adam_step(t_step, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        # libnd4j adam_updater: alpha = lr*sqrt(1-b2^t)/(1-b1^t); update = alpha*m/(sqrt(v)+eps)
        alpha = lr * (1 - b2 ** t_step) ** 0.5 / (1 - b1 ** t_step)
        with torch.no_grad():
            for t in params:
                mt, vt = state[id(t)]
                mt.mul_(b1).add_(t.grad, alpha=1 - b1)
                vt.mul_(b2).addcmul_(t.grad, t.grad, value=1 - b2)
                t.sub_(alpha * mt / (vt.sqrt() + eps))
    enc.train()

    def conv_bias(name):  # reported apart (module docstring)
        return '/conv' in name and name.endswith('_b')

    def rel(x, y):
        return ((x - y).norm() / (y.norm() + 1e-30)).item()

    failed = False
    print(f'W1, {m["steps"]} steps, batch {m["batch"]}, {m["dtype"]}; tolerance {tol:g} (relative); '
          + ("ND4J's Adam formula" if a.dl4j_adam else 'torch.optim.Adam'))
    for s in range(m['steps']):
        views = torch.from_numpy(np.fromfile(os.path.join(a.dump, f'views{s}.f64'), np.float64)
                                 .reshape(2 * m['batch'], 1, 28, 28)).to(dt)
        loss = peer.nt_xent(head(enc(views)))
        for t in params:
            t.grad = None
        loss.backward()
        d = abs(loss.item() - m['losses'][s]) / abs(loss.item())
        failed |= d > tol
        print(f'step {s}: loss peer {loss.item():.12f}  ssl4j {m["losses"][s]:.12f}  rel diff {d:.1e}')
        if s == 0:
            worst, noise = 0.0, []
            for name, t, f, trained in mapping():
                if not trained:
                    continue
                r = rel(f(load('g0', name)), t.grad)
                if conv_bias(name):
                    noise.append(f'{name} |g| {t.grad.norm().item():.1e}')
                    continue
                worst = max(worst, r)
                print(f'  gradient {name:22s} |g| {t.grad.norm().item():.3e}  rel diff {r:.1e}')
            failed |= worst > tol
            print('  convolution biases (cancelled by batch norm, gradient is rounding noise): ' + ', '.join(noise))
        if a.dl4j_adam:
            nd4j_adam_step(s + 1)
        else:
            opt.step()
        with torch.no_grad():
            diffs = sorted(((rel(f(load(f'p{s + 1}', name)), t), name) for name, t, f, _ in mapping()
                            if not conv_bias(name)), reverse=True)
        print('  after the step, largest parameter/statistic differences: '
              + ', '.join(f'{n} {r:.1e}' for r, n in diffs[:3]))
    print('FAILED' if failed else 'OK: the same losses and first-step gradients within the tolerance')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
