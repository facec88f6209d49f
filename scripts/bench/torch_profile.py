"""PyTorch's side of `pixelood bench model --profile` and `bench step --profile`: torch.profiler
over `repeats` calls of a step, one row per aten op with its self CPU time (the time spent in
the op itself, not in the ops it calls), per call of the step, most time first: the
counterpart of PixelOoD's per-op table (an op charged with its own time)."""
import torch
from torch.profiler import ProfilerActivity, profile


def print_profile(step, repeats, title, rows=25):
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(repeats):
            step()
    events = [e for e in prof.key_averages() if e.self_cpu_time_total > 0]
    events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in events)
    width = max(24, max((len(e.key) for e in events[:rows]), default=0))
    print(f"\n{title} ({repeats} profiled; self CPU time per op):")
    print(f"{'op':<{width}}      calls    total ms   share   ms/call")
    for e in events[:rows]:
        print(f"{e.key:<{width}} {e.count / repeats:10.1f} {e.self_cpu_time_total / 1e3 / repeats:11.2f} "
              f"{100 * e.self_cpu_time_total / total:6.1f}% {e.self_cpu_time_total / 1e3 / e.count:9.3f}")
    rest = events[rows:]
    if rest:
        print(f"{'(' + str(len(rest)) + ' more ops)':<{width}} {'':>10} {sum(e.self_cpu_time_total for e in rest) / 1e3 / repeats:11.2f}")
    print(f"{'total':<{width}} {'':>10} {total / 1e3 / repeats:11.2f}")
