#!/usr/bin/env python3
"""The PyTorch CPU side of `pixelood bench model`: the same full-width segmenters (built from
scripts/fixtures/models.py's reference definitions, random weights), frozen forward in eval
mode under no_grad; median time and peak memory of this process. Run one backbone per
process (peak memory is per process). The training step's companion is torch_train_step.py
(beside `pixelood bench step`, which times the trainer's own step).

Run: .venv/bin/python scripts/bench/torch_models.py --backbone resnet50 [--profile]
(--profile: then torch.profiler over --repeats more forwards, self CPU time per op, beside
`pixelood bench model --profile`.)
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from models import LDN121, DeepLabV3Plus, MobileNetV2, ResNet, WiderResNet38  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from torch_profile import print_profile  # noqa: E402


def build(name, output_stride):
    if name == "ldn121":
        return LDN121()
    if name == "wide_resnet38":
        return DeepLabV3Plus(WiderResNet38(), True, 128, 4096, 8)
    if name == "mobilenet_v2":
        return DeepLabV3Plus(MobileNetV2(output_stride), False, 24, 320, output_stride)
    blocks = [3, 4, 6, 3] if name == "resnet50" else [3, 4, 23, 3]
    return DeepLabV3Plus(ResNet(blocks, output_stride), False, 256, 2048, output_stride)


def add_model_arguments(ap):
    """The model and input options shared with torch_eval.py (as pixelood's SegmenterBenchArguments)."""
    ap.add_argument("--backbone", default="resnet50")
    ap.add_argument("--output-stride", type=int, default=8)
    ap.add_argument("--height", type=int, default=512)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=os.cpu_count())


def main():
    ap = argparse.ArgumentParser()
    add_model_arguments(ap)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = build(args.backbone, args.output_stride).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    x = torch.randn(args.batch, 3, args.height, args.width)
    def step():
        with torch.no_grad():
            model(x)
    step()
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.backbone} frozen forward OS{args.output_stride} {args.batch}x{args.height}x{args.width}: "
          f"{statistics.median(times):.3f} s (median of {args.repeats}), peak memory {peak:.0f} MB, torch {torch.__version__}")
    if args.profile:
        print_profile(step, args.repeats, "where the time goes, per forward")


if __name__ == "__main__":
    main()
