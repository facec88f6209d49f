#!/usr/bin/env python3
"""The PyTorch CPU side of `pixelood bench eval`: the same DeepLabV3+ (scripts/fixtures/models.py's
reference definition, random weights, eval mode, no_grad), one forward and the four logit
scores (max softmax, max logit, entropy, energy) per image, in images per second, with four
scores and with one.

Run: .venv/bin/python scripts/bench/torch_eval.py --backbone resnet50
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from torch_models import add_model_arguments, build  # noqa: E402


def scores(logits):
    p = logits.softmax(1)
    logp = logits.log_softmax(1)
    return [1 - p.max(1).values, -logits.max(1).values, -(p * logp).sum(1), -torch.logsumexp(logits, 1)]


def main():
    ap = argparse.ArgumentParser()
    add_model_arguments(ap)
    ap.add_argument("--images", type=int, default=4)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = build(args.backbone, args.output_stride).eval()
    g = torch.Generator().manual_seed(1)
    inputs = [torch.randn(1, 3, args.height, args.width, generator=g) for _ in range(args.images + 1)]

    def loop(all_scores):
        t0 = time.perf_counter()
        with torch.no_grad():
            for x in inputs[1:]:
                logits = model(x)["logits"]
                maps = scores(logits) if all_scores else [-torch.logsumexp(logits, 1)]
                float(sum(m[0, 0, 0] for m in maps))
        return args.images / (time.perf_counter() - t0)

    with torch.no_grad():
        model(inputs[0])
    four, one = loop(True), loop(False)
    print(f"{args.backbone} OS{args.output_stride} {args.height}x{args.width} eval loop: {four:.3f} images/s with 4 scores, "
          f"{one:.3f} with 1 (4 scores cost {one / four:.3f}x one), torch {torch.__version__}")


if __name__ == "__main__":
    main()
