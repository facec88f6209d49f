#!/usr/bin/env python3
"""The PyTorch CPU side of `pixelood bench`: the same ops, sizes and timing rule (median of
N runs after one warm-up, forward and backward timed separately), same thread count.

Run: .venv/bin/python scripts/bench/torch_ops.py [--threads 2] [--repeats 5] [--json out.json]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def cases():
    g = torch.Generator().manual_seed(0)

    def inp(*shape, grad=True):
        return torch.randn(*shape, generator=g).requires_grad_(grad)

    def conv(name, c, o, h, w, k, dilation=1, groups=1, batch=1):
        x, wt = inp(batch, c, h, w), (inp(o, c // groups, k, k, grad=False) * 0.05).requires_grad_()
        pad = dilation * (k // 2)
        flops = 2.0 * batch * o * (c // groups) * k * k * h * w
        return name, flops, lambda: F.conv2d(x, wt, None, 1, pad, dilation, groups)

    a, b = inp(2048, 2048, grad=False), inp(2048, 2048, grad=False)
    bn_x, gamma, beta = inp(2, 64, 128, 256), torch.ones(64, requires_grad=True), torch.zeros(64, requires_grad=True)
    rs = inp(1, 19, 128, 256)
    # The RPL + CoroCL step's logits: 4 crops, 19 classes, 256x512.
    logits = inp(4, 19, 256, 512)
    positive = (inp(4, 19, 256, 512, grad=False).abs() + 0.01).requires_grad_()
    return [
        ("sgemm 2048x2048", 2 * 2048 ** 3, lambda: a @ b),
        conv("conv3x3 64->64 128x256", 64, 64, 128, 256, 3),
        conv("conv3x3 256->256 d2 64x128", 256, 256, 64, 128, 3, dilation=2),
        conv("conv1x1 256->256 128x256", 256, 256, 128, 256, 1),
        conv("depthwise3x3 144 128x256", 144, 144, 128, 256, 3, groups=144),
        conv("aspp3x3 2048->256 d12 2x64x64", 2048, 256, 64, 64, 3, dilation=12, batch=2),
        conv("aspp3x3 512->64 d24 8x32x64", 512, 64, 32, 64, 3, dilation=24, batch=8),
        conv("aspp3x3 512->64 d36 8x32x64", 512, 64, 32, 64, 3, dilation=36, batch=8),
        # LDN-121's DenseNet growth layers (128 -> 32, 3x3) at strides 4 and 16, and its decoder's 512 -> 256.
        conv("conv3x3 128->32 128x256", 128, 32, 128, 256, 3),
        conv("conv3x3 128->32 32x64", 128, 32, 32, 64, 3),
        conv("conv3x3 512->256 32x64", 512, 256, 32, 64, 3),
        # The segmenter step's dilated layers (width / 4 ResNet-50 at output stride 8, 4 crops of 256x512).
        conv("conv3x3 64->64 d2 4x32x64", 64, 64, 32, 64, 3, dilation=2, batch=4),
        conv("conv3x3 128->128 d4 4x32x64", 128, 128, 32, 64, 3, dilation=4, batch=4),
        conv("aspp3x3 512->64 d12 4x32x64", 512, 64, 32, 64, 3, dilation=12, batch=4),
        ("batchnorm train 2x64x128x256", 0,
         lambda: F.batch_norm(bn_x, torch.zeros(64), torch.ones(64), gamma, beta, training=True)),
        ("resize 19x128x256->512x1024", 0,
         lambda: F.interpolate(rs, size=(512, 1024), mode="bilinear", align_corners=True)),
        ("softmax 4x19x256x512", 0, lambda: torch.softmax(logits, 1)),
        ("log_softmax 4x19x256x512", 0, lambda: torch.log_softmax(logits, 1)),
        ("exp 4x19x256x512", 0, lambda: torch.exp(logits)),
        ("log 4x19x256x512", 0, lambda: torch.log(positive)),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"{'op':30s}  fwd ms   bwd ms  fwd GFLOP/s  bwd GFLOP/s")
    results = []
    for name, flops, fn in cases():
        fwd, bwd = [], []
        for it in range(args.repeats + 1):
            t0 = time.perf_counter()
            y = fn()
            t1 = time.perf_counter()
            if y.requires_grad:
                y.backward(torch.ones_like(y))
            t2 = time.perf_counter()
            if it > 0:
                fwd.append((t1 - t0) * 1e3)
                bwd.append((t2 - t1) * 1e3)
        f, b = statistics.median(fwd), statistics.median(bwd)
        fg = flops / f / 1e6 if flops else None
        bg = 2 * flops / b / 1e6 if flops and y.requires_grad else None
        cell = lambda v: f"{v:13.1f}" if v else f"{'-':>13s}"
        print(f"{name:30s}{f:8.2f}{b:9.2f}{cell(fg)}{cell(bg)}")
        results.append({"name": name, "forwardMs": f, "backwardMs": b, "forwardGFLOPs": fg, "backwardGFLOPs": bg})
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"torch": torch.__version__, "threads": args.threads, "results": results}, fh, indent=1)


if __name__ == "__main__":
    main()
