#!/usr/bin/env python3
"""Writes a PixelOoD checkpoint's weights alone: its /state_dict group (in its stored order)
and its root attributes (recipe, seed, step, versions), without /optimizer and /trainer.

What `checkpoint:` in a recipe reads, at half the size of a trainer's checkpoint; used to
bundle a trained segmenter (Examples/full/segmenter.h5). The segmenter hash that reports
print (the weights' content hash) is unchanged; a stage cannot resume from the result.
Written to a temporary file beside OUT, then renamed.

Run: .venv/bin/python scripts/weights_only.py CHECKPOINT OUT
"""
import os
import sys

import h5py


def main(source, target):
    temporary = target + ".tmp"
    with h5py.File(source, "r") as f:
        if "state_dict" not in f:
            sys.exit(f"{source}: no /state_dict group: not a PixelOoD checkpoint")
        with h5py.File(temporary, "w", track_order=True) as out:
            f.copy(f["state_dict"], out, name="state_dict")
            for key, value in f.attrs.items():
                out.attrs[key] = value
    os.replace(temporary, target)
    print(f"wrote {target}: {os.path.getsize(target) / 1e6:.1f} MB (from {os.path.getsize(source) / 1e6:.1f} MB)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
