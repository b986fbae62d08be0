#!/usr/bin/python3
"""PyTorch version of `jhr bench`: the paper's Joint Model, trained and run the same way.

Network (jhr/models): SRNET (Table 1: conv 9x9 3->64, ReLU, conv 1x1 64->32, ReLU, conv 1x1 32->3,
pad 0) into FRNET (Table 2: four stages of conv 3x3 pad 0 + PReLU + max-pool 2x2 stride 2 (floor) +
1/2/5/3 residual blocks x + PReLU(conv(PReLU(conv(x)))), widths 64/128/256/512; linear
10240->512). Heads: pixel loss on SRNET's output against the centre-cropped target (sum over
pixels / batch), softmax classifier 512->classes with cross-entropy (mean over the batch), center
loss (1/2 ||x - m||^2 summed over features, mean over the batch) with weights 1, 1, 0.008.
Training step: forward, backward, SGD with momentum 0.9 and weight decay 5e-4 on weights only
(SRNET lr 1e-5, FRNET and classifier 0.1), then the center update
m_j -= gamma * sum_{i: c_i = j} (m_j - x_i) / (1 + n_j), gamma 0.5.
Inference: the LR face to the 512-d feature under torch.no_grad().
Images/s = batch / median step time; peak resident memory (ru_maxrss) after the training steps,
and on a GPU the peak device memory PyTorch allocated.
--device cuda runs on the GPU (each timed step ends with torch.cuda.synchronize()) at --precision
fp32 (TF32 off for cuDNN and cuBLAS), tf32 (on for both) or bf16 (torch.autocast to bfloat16,
fp32 master weights; bf16 needs no loss scaling), as `jhr bench --backend cuda --precision P`.
On the CPU, --precision bf16 runs the same autocast to bfloat16 on the CPU (oneDNN's bf16 kernels
where the CPU has them), as `jhr bench --backend onednn --precision bf16`.
--channels-last keeps the modules and the batch in torch.channels_last (nhwc), PyTorch's own way to
cuDNN's tensor-core layout, as `jhr bench --layout nhwc`; --cudnn-benchmark lets cuDNN time its
algorithms, as jhr always does: together, PyTorch eager as tuned for speed.
Usage: /usr/bin/python3 benchmarks/torch_joint.py --batch 16 --threads 2 --iterations 10 [--json]
       [--device cpu|cuda] [--precision fp32|tf32|bf16] [--cudnn-benchmark] [--channels-last]
"""
import argparse
import contextlib
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.prelu1 = nn.Conv2d(c, c, 3, padding=1), nn.PReLU(c, 0.25)
        self.conv2, self.prelu2 = nn.Conv2d(c, c, 3, padding=1), nn.PReLU(c, 0.25)

    def forward(self, x):
        return x + self.prelu2(self.conv2(self.prelu1(self.conv1(x))))


def srnet():
    return nn.Sequential(nn.Conv2d(3, 64, 9), nn.ReLU(), nn.Conv2d(64, 32, 1), nn.ReLU(), nn.Conv2d(32, 3, 1))


def frnet(height, width, widths=(64, 128, 256, 512), blocks=(1, 2, 5, 3), features=512):
    layers, c = [], 3
    for w, b in zip(widths, blocks):
        layers += [nn.Conv2d(c, w, 3), nn.PReLU(w, 0.25), nn.MaxPool2d(2, 2)]
        layers += [ResidualBlock(w) for _ in range(b)]
        c = w
        height, width = (height - 2) // 2, (width - 2) // 2
    layers += [nn.Flatten(), nn.Linear(c * height * width, features)]
    return nn.Sequential(*layers)


def groups(modules, lr):
    decay, no_decay = [], []
    for m in modules:
        for name, p in m.named_parameters():
            (decay if name.endswith("weight") and p.dim() > 1 else no_decay).append(p)
    return [{"params": decay, "lr": lr, "weight_decay": 5e-4}, {"params": no_decay, "lr": lr, "weight_decay": 0.0}]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--classes", type=int, default=10575)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--precision", choices=("fp32", "tf32", "bf16"), default="fp32")
    parser.add_argument("--cudnn-benchmark", action="store_true", help="let cuDNN time its algorithms")
    parser.add_argument("--channels-last", action="store_true", help="modules and batch in channels_last")
    args = parser.parse_args()
    if args.device == "cpu" and args.precision == "tf32":
        parser.error("--precision tf32 needs --device cuda")
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    device = torch.device(args.device)
    gpu = args.device == "cuda"
    if gpu:
        torch.backends.cuda.matmul.allow_tf32 = args.precision == "tf32"
        torch.backends.cudnn.allow_tf32 = args.precision == "tf32"
        torch.backends.cudnn.benchmark = args.cudnn_benchmark

    def mixed():
        if args.precision == "bf16":
            return torch.autocast(args.device, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    n, border = args.batch, 4
    sr, fr = srnet().to(device), frnet(124 - 2 * border, 108 - 2 * border).to(device)
    classifier = nn.Linear(512, args.classes).to(device)
    centers = torch.zeros(args.classes, 512, device=device)
    optimizer = torch.optim.SGD(groups([sr], 1e-5) + groups([fr, classifier], 0.1), lr=0.1, momentum=0.9)

    x = torch.rand(n, 3, 124, 108, device=device)
    target = torch.rand(n, 3, 124 - 2 * border, 108 - 2 * border, device=device)
    if args.channels_last:
        sr, fr = sr.to(memory_format=torch.channels_last), fr.to(memory_format=torch.channels_last)
        x, target = x.contiguous(memory_format=torch.channels_last), target.contiguous(memory_format=torch.channels_last)
    labels = torch.randint(0, args.classes, (n,), device=device)

    def train():
        optimizer.zero_grad(set_to_none=True)
        with mixed():
            y = sr(x)
            f = fr(y)
            logits = classifier(f)
        y, f = y.float(), f.float()
        pixel = (y - target).pow(2).sum() / n
        softmax = F.cross_entropy(logits.float(), labels)
        center = 0.5 * (f - centers[labels]).pow(2).sum() / n
        (1.0 * pixel + 1.0 * softmax + 0.008 * center).backward()
        optimizer.step()
        with torch.no_grad():
            f = f.detach()
            counts = torch.bincount(labels, minlength=args.classes).to(f.dtype)
            delta = torch.zeros_like(centers).index_add_(0, labels, centers[labels] - f)
            centers.sub_(0.5 * delta / (1.0 + counts).unsqueeze(1))

    def infer():
        with torch.no_grad(), mixed():
            return fr(sr(x))

    def timed(fn):
        for _ in range(args.warmup):
            fn()
        if gpu:
            torch.cuda.synchronize()
        ms = []
        for _ in range(args.iterations):
            start = time.perf_counter()
            fn()
            if gpu:
                torch.cuda.synchronize()
            ms.append((time.perf_counter() - start) * 1e3)
        return ms

    train_ms = timed(train)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    peak_device_mib = torch.cuda.max_memory_allocated() / 2**20 if gpu else None
    infer_ms = timed(infer)
    train_median, infer_median = statistics.median(train_ms), statistics.median(infer_ms)
    result = {
        "backend": "pytorch " + torch.__version__,
        "device": torch.cuda.get_device_name() if gpu else "cpu",
        "precision": args.precision,
        "channels_last": args.channels_last,
        "cudnn_benchmark": args.cudnn_benchmark,
        "batch": n,
        "threads": torch.get_num_threads(),
        "iterations": args.iterations,
        "train_median_ms": train_median,
        "train_images_per_second": 1e3 * n / train_median,
        "infer_median_ms": infer_median,
        "infer_images_per_second": 1e3 * n / infer_median,
        "peak_rss_mib": peak_rss_mib,
        "peak_device_mib": peak_device_mib,
        "train_ms": train_ms,
        "infer_ms": infer_ms,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"torch_joint: {result['backend']} on {result['device']} ({args.precision}), batch {n}, "
            f"threads {result['threads']}, median of {args.iterations}"
        )
        print(f"  training:  {result['train_images_per_second']:.3f} images/s ({train_median:.1f} ms/step)")
        print(f"  inference: {result['infer_images_per_second']:.3f} images/s ({infer_median:.1f} ms/batch)")
        print(f"  peak resident memory after training: {peak_rss_mib:.1f} MiB")
        if gpu:
            print(f"  peak device memory allocated in training: {peak_device_mib:.1f} MiB")


if __name__ == "__main__":
    main()
