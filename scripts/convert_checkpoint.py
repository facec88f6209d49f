#!/usr/bin/env python3
"""Converts a PyTorch checkpoint (.pth) into a PixelOoD HDF5 checkpoint.

Accepts a bare state dict, {"state_dict": ...}, {"model": ...} or {"model_state": ...}
(VainF's DeepLabV3Plus-Pytorch), with or without
DataParallel's "module." prefix. Keys are renamed by an explicit, ordered table of
(regex, replacement) rules per source: every rule whose pattern matches the key (as
rewritten so far) applies, in order; a rule mapping to None drops the key, and nothing
else is dropped.
Tensor layouts are PyTorch's, so nothing is transposed.

Usage:
  python3 scripts/convert_checkpoint.py --source rpl rpl_corocl.pth out.h5
  python3 scripts/convert_checkpoint.py --source torchvision-backbone resnet50.pth out.h5
Needs torch, h5py and numpy (the README's .venv).
"""
import argparse
import os
import re
import sys
import tempfile

# Ordered rules per source: (pattern, replacement or None to drop).
RULES = {
    # Official RPL / RPL+CoroCL release (DeepWV3Plus with its residual block inside branch1).
    "rpl": [(r"^module\.", ""), (r"^branch1\.residual_block\.", "head."), (r"^branch1\.", "segmenter.")],
    # PEBAL and Meta-OoD releases: a retrained DeepWV3Plus (PEBAL's under "branch1.").
    "pebal": [(r"^module\.", ""), (r"^branch1\.", "segmenter.")],
    # Meta-OoD's Cityscapes DeepWV3Plus also saved its loss: the class-weighted NLL's weight
    # (module.criterion.nll_loss.weight), not part of the segmenter.
    "meta-ood": [(r"^module\.", ""), (r"^criterion\.", None), (r"^", "segmenter.")],
    # DenseHybrid's LDN-121 release (LadderDenseNetTH): the 2-way OoD head `logits_ood.*`
    # (7 keys) goes under "head." for the densehybrid head, everything else is the segmenter.
    "densehybrid": [(r"^module\.", ""), (r"^logits_ood\.", "head.logits_ood."), (r"^(?!head\.)", "segmenter.")],
    # VainF's DeepLabV3Plus-Pytorch (deeplabv3plus_resnet50/101, deeplabv3plus_mobilenet) for
    # the deeplabv3plus_vainf segmenter: its MobileNetV2 split back into torchvision's
    # features.0-17 (low_level_features = 0-3, high_level_features = 4-17).
    "vainf": [(r"^module\.", ""), (r"^backbone\.low_level_features\.", "backbone.features."),
              (r"^backbone\.high_level_features\.(\d+)\.", lambda m: f"backbone.features.{int(m.group(1)) + 4}."),
              (r"^", "segmenter.")],
    # A torchvision classification backbone (ResNet, MobileNetV2) for a DeepLabV3+ segmenter.
    "torchvision-backbone": [(r"^module\.", ""), (r"^(fc|classifier)\.", None), (r"^features\.18\.", None),
                             (r"^", "segmenter.backbone.")],
    # Already in PixelOoD's layout (e.g. a checkpoint saved from PyTorch code using its keys).
    "plain": [(r"^module\.", "")],
}


def rename(key, rules):
    """Applies the rules in order: each rule rewrites the key; None drops it."""
    for pattern, replacement in rules:
        if re.search(pattern, key):
            if replacement is None:
                return None
            key = re.sub(pattern, replacement, key, count=1)
    return key


def load_state_dict(path):
    import torch
    obj = torch.load(path, map_location="cpu", weights_only=False)
    for field in ("state_dict", "model", "model_state"):
        if isinstance(obj, dict) and field in obj and isinstance(obj[field], dict):
            obj = obj[field]
    if not isinstance(obj, dict):
        sys.exit(f"{path}: no state dict found (got {type(obj).__name__})")
    return obj


M64 = (1 << 64) - 1


def _rotl(x, n):
    return ((x << n) | (x >> (64 - n))) & M64


def _fmix(k):
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & M64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & M64
    return k ^ (k >> 33)


def content_hash(data):
    """PixelOoD's ContentHasher (Sources/TensorCore/StateDict+ContentHash.swift) over the
    little-endian 64-bit words of `data`, the zero-padded tail word, then the byte count."""
    import numpy as np
    a, b, n = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0
    whole = len(data) // 8 * 8
    words = [int(w) for w in np.frombuffer(data[:whole], dtype="<u8")]
    words.append(int.from_bytes(data[whole:], "little"))
    words.append(len(data))
    for w in words:
        a = (_rotl(a ^ ((w * 0x87C37B91114253D5) & M64), 31) * 0x4CF5AD432745937F) & M64
        b = ((_rotl(b ^ ((w * 0x4CF5AD432745937F) & M64), 27) * 0x87C37B91114253D5) + a) & M64
        n += 1
    h1 = _fmix(a ^ n)
    h2 = _fmix((b + h1) & M64)
    return f"{_fmix((h1 + h2) & M64):016x}{h2:016x}"


def seal(path):
    """Writes PixelOoD's whole-file checksum into the 512-byte user block (docs/checkpoints.md)."""
    with open(path, "r+b") as f:
        f.seek(512)
        body = f.read()
        header = f"PXOSUM1 {content_hash(body)} {len(body)}\n".encode()
        f.seek(0)
        f.write(header + bytes(512 - len(header)))


def convert(source_path, out_path, rules):
    import h5py
    import numpy as np
    state = load_state_dict(source_path)
    converted = {}
    for key, value in state.items():
        new = rename(key, rules)
        if new is None:
            continue
        if new in converted:
            sys.exit(f"{source_path}: keys collide after renaming: {new}")
        converted[new] = value.detach().cpu().numpy()
    directory = os.path.dirname(os.path.abspath(out_path))
    fd, temporary = tempfile.mkstemp(prefix=".convert-", suffix=".h5", dir=directory)
    os.close(fd)
    try:
        with h5py.File(temporary, "w", track_order=True, userblock_size=512) as f:
            group = f.create_group("state_dict", track_order=True)
            for key, array in converted.items():
                group[key] = array.astype(np.int64) if key.endswith("num_batches_tracked") else array.astype(np.float32)
            f.attrs["format_version"] = np.int64(1)
            f.attrs["toolkit_version"] = "converted by scripts/convert_checkpoint.py"
            f.attrs["source"] = os.path.basename(source_path)
        seal(temporary)  # verified by PixelOoD before libhdf5 parses the file
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp creates 0600
        os.replace(temporary, out_path)  # atomic: never a half-written checkpoint
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return converted


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=sorted(RULES), required=True, help="which release's key layout")
    parser.add_argument("input", help=".pth file")
    parser.add_argument("output", help="HDF5 checkpoint to write")
    args = parser.parse_args()
    converted = convert(args.input, args.output, RULES[args.source])
    print(f"wrote {len(converted)} tensors to {args.output}")


if __name__ == "__main__":
    main()
