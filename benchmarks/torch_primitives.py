#!/usr/bin/python3
"""PyTorch (CPU) timings of the convolutions in bench_primitives.cpp, for comparison.

Same shapes and batch (16), float32, threads from OMP_NUM_THREADS (default 2). Reports the median
over repetitions, in milliseconds, for forward (with bias), backward-data and backward-weights
(with the bias gradient), each through aten.convolution_backward with the matching output mask.
Usage: OMP_NUM_THREADS=2 /usr/bin/python3 benchmarks/torch_primitives.py [--repetitions N]
"""
import argparse
import os
import statistics
import time

import torch
import torch.nn.functional as F

LAYERS = [  # in, out, h, w, kernel, pad
    (64, 64, 57, 49, 3, 1),
    (128, 128, 27, 23, 3, 1),
    (256, 256, 12, 10, 3, 1),
    (512, 512, 5, 4, 3, 1),
    (3, 64, 124, 108, 9, 0),
]


def median_ms(fn, repetitions):
    fn()
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    threads = int(os.environ.get("OMP_NUM_THREADS", "2"))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, batch {args.batch}")
    print(f"{'layer':>28} {'forward':>9} {'bwd data':>9} {'bwd wts':>9}  (median ms)")
    with torch.no_grad():
        for cin, cout, h, w, k, pad in LAYERS:
            x = torch.rand(args.batch, cin, h, w) * 2 - 1
            weight = torch.rand(cout, cin, k, k) * 2 - 1
            bias = torch.rand(cout) * 2 - 1
            dy = torch.rand(F.conv2d(x, weight, bias, padding=pad).shape) * 2 - 1

            def backward(mask):
                return torch.ops.aten.convolution_backward(dy, x, weight, [cout], [1, 1], [pad, pad], [1, 1],
                                                           False, [0, 0], 1, mask)

            forward = median_ms(lambda: F.conv2d(x, weight, bias, padding=pad), args.repetitions)
            data = median_ms(lambda: backward([True, False, False]), args.repetitions)
            weights = median_ms(lambda: backward([False, True, True]), args.repetitions)
            name = f"{cin}->{cout} {k}x{k} pad {pad} on {h}x{w}"
            print(f"{name:>28} {forward:9.2f} {data:9.2f} {weights:9.2f}")


if __name__ == "__main__":
    main()
