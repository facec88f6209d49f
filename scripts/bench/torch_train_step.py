#!/usr/bin/env python3
"""The PyTorch CPU side of `pixelood bench step RECIPE`, at the recipes' sizes — the narrow
ResNet-50 DeepLabV3+ of Examples/recipes/base.yaml (width / 4, OS8, 19 classes), 4 crops of
256x512. Random weights and images (speed does not depend on them). Median step time and the
peak memory of this process. --method picks the step:

  rpl-corocl  (Examples/recipes/rpl-corocl.yaml, the default) as the public RPL code runs it:
              the segmenter frozen in eval mode, RPL's residual block (scripts/fixtures/rpl.py)
              in train mode, the 4 crops with a pasted outlier each and 4 outlier-context
              images forwarded as one batch, rpl.inlier + 0.05 positive energy on the crops +
              CoroCL (512 pixels per kind, randperm draws), backward, Adam (10x groups).
  rpl         (Examples/recipes/rpl.yaml): the same without the context images and CoroCL.
  segmenter   (Examples/recipes/segmenter-synthetic.yaml): the whole segmenter in train mode,
              cross-entropy (ignore 255) on the 4 crops, SGD (momentum 0.9, weight decay 1e-4).

Run: .venv/bin/python scripts/bench/torch_train_step.py [--method M] [--steps 5] [--threads N] [--profile]
(--profile: then torch.profiler over --steps more steps, self CPU time per op, beside
`pixelood bench step --profile`.)
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
from models import DeepLabV3Plus, ResNet, up  # noqa: E402
from rpl import ResidualBlock, corocl, corocl_draw, corocl_pools, inlier_loss, positive_energy  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from torch_profile import print_profile  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--method", choices=["rpl-corocl", "rpl", "segmenter"], default="rpl-corocl")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--height", type=int, default=256)
    ap.add_argument("--width", type=int, default=512)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    segmenter = DeepLabV3Plus(ResNet([3, 4, 6, 3], 8, div=4), False, 64, 512, 8, aspp_c=64, fine_c=12)
    if args.method == "segmenter":
        segmenter.train()
        optimizer = torch.optim.SGD(segmenter.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    else:
        segmenter.eval()
        for p in segmenter.parameters():
            p.requires_grad_(False)
        head = ResidualBlock(512, 64, 76, 8).train()
        fast = [p for k, p in head.named_parameters() if k.startswith(("atten_aspp_final.", "proj_head."))]
        slow = [p for k, p in head.named_parameters() if not k.startswith(("atten_aspp_final.", "proj_head."))]
        optimizer = torch.optim.Adam([{"params": fast, "lr": 7.5e-4}, {"params": slow, "lr": 7.5e-5}], weight_decay=1e-4)
    n, h, w = args.batch, args.height, args.width
    city, ood = torch.randn(n, 3, h, w, generator=g), torch.randn(n, 3, h, w, generator=g)
    city_gt = torch.randint(0, 19, (n, h, w), generator=g)
    city_gt[:, h // 4:h // 4 + 64, w // 4:w // 4 + 64] = 254
    ood_gt = torch.zeros(n, h, w, dtype=torch.long)
    ood_gt[:, h // 3:h // 3 + 100, w // 3:w // 3 + 100] = 254

    def step():
        optimizer.zero_grad()
        if args.method == "segmenter":
            loss = F.cross_entropy(segmenter(city)["logits"], city_gt.masked_fill(city_gt == 254, 255), ignore_index=255)
        else:
            with torch.no_grad():
                out = segmenter(torch.cat([city, ood]) if args.method == "rpl-corocl" else city)
            residual, proj = head(out["backbone"], out["dec0"].shape[2:])
            logits = up(segmenter.final(out["dec0"] + residual), (h, w))
            loss = inlier_loss(logits[:n], out["logits"][:n], city_gt) + 0.05 * positive_energy(logits[:n], city_gt)
            if args.method == "rpl-corocl":
                pools = corocl_pools(proj[:n], city_gt, proj[n:], ood_gt)
                views, draws = corocl_draw(pools, 512, g)
                loss = loss + corocl(pools, views, draws)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times.sort()
    images = f"{n}+{n}" if args.method == "rpl-corocl" else f"{n}"
    print(f"{args.method} training step {images}x{h}x{w}: {statistics.median(times):.3f} s (median of {args.steps}; "
          f"min {times[0]:.3f}, max {times[-1]:.3f}), peak memory {peak:.0f} MB, torch {torch.__version__}, {args.threads} threads")
    if args.profile:
        print_profile(step, args.steps, "where the time goes, per step")


if __name__ == "__main__":
    main()
