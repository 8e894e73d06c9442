"""The suite's plots, drawn with matplotlib as PNG files.

- thread-scaling.png: speedup over one thread against the thread count for
  each thread case, with the perfect-scaling line (linear up to the core
  count, flat after it) and the core count;
- throughput.png: records/second per reading workload and library (log
  scale), the Rust ceiling included.
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from report import READ_LABELS, rate, thread_counts  # noqa: E402
from workloads import THREAD_CASES  # noqa: E402


def thread_scaling(results, out_dir):
    counts = thread_counts(results)
    cores = results["machine"]["cores"] or 1
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ideal = [min(n, cores) / min(counts[0], cores) for n in counts]
    ax.plot(counts, ideal, "k--", linewidth=1, label=f"perfect scaling (up to {cores} cores)")
    for name in THREAD_CASES:
        one = rate(results, "threads", f"{name} / {counts[0]}")
        speedups = [(rate(results, "threads", f"{name} / {n}") or 0) / one if one else 0 for n in counts]
        ax.plot(counts, speedups, marker="o", label=name)
    ax.axvline(cores, color="grey", linewidth=1, linestyle=":")
    ax.text(cores, ax.get_ylim()[1] * 0.95, f" {cores} cores", color="grey", va="top")
    ax.set_xscale("log", base=2)
    ax.set_xticks(counts)
    ax.set_xticklabels([str(n) for n in counts])
    ax.set_xlabel("Python threads (each reading its own file)")
    ax.set_ylabel("aggregate throughput / one thread")
    ax.set_title(f"pymrrc thread scaling ({results['machine']['cores']}-core machine)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    path = os.path.join(out_dir, "thread-scaling.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


SERIES = (
    ("pymarc file", "pymarc, file object"),
    ("pymrrc file", "pymrrc, file object"),
    ("pymrrc bytes", "pymrrc, bytes"),
    ("pymrrc path", "pymrrc, path"),
    ("rust ceiling path", "Rust ceiling"),
)


def throughput(results, out_dir):
    workloads = list(READ_LABELS)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / len(SERIES)
    for i, (key, label) in enumerate(SERIES):
        xs, ys = [], []
        for j, workload in enumerate(workloads):
            r = rate(results, "read", f"{workload} / {key}")
            if r:
                xs.append(j + (i - (len(SERIES) - 1) / 2) * width)
                ys.append(r)
        ax.bar(xs, ys, width=width, label=label)
    ax.set_yscale("log")
    ax.set_xticks(range(len(workloads)))
    ax.set_xticklabels([READ_LABELS[w].replace("`", "") for w in workloads], fontsize=8)
    ax.set_ylabel("records / second (log scale)")
    ax.set_title(f"Reading {results['settings']['records']:,} LoC records")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    path = os.path.join(out_dir, "throughput.png")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw(results, out_dir):
    """Draws every plot into ``out_dir``; returns their paths."""
    return [thread_scaling(results, out_dir), throughput(results, out_dir)]
