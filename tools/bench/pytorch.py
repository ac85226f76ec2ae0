#!/usr/bin/python3
"""PyTorch 1.13 single-core yardstick for the BENCHMARKS.md workloads.

Run with Debian's python3-torch:  /usr/bin/python3 tools/bench/pytorch.py [--workload lstm-h256,...]
    [--mode train,infer] [--quick] [--threads N (default 1: the yardstick; N to compare multi-threaded rows)]
Prints one JSON line per result on stdout (same format as `pnpm bench`, "system": "pytorch");
progress on stderr. Model: nn.LSTM/GRU/RNN (batch_first, x: [B, T, I]) + nn.Linear head H -> V on
every step, F.cross_entropy against random integer targets, torch.optim.Adam(lr=1e-3).
Same protocol: 2 warm-ups, then time batches until >= 3 timed and 60 s passed, at most 10.
"""
import os
import sys


def threads_arg():
    """--threads N from the command line (read before torch is imported, which fixes its pools)."""
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return 1


THREADS = threads_arg()
# One thread unless asked, set before torch is imported.
os.environ["OMP_NUM_THREADS"] = str(THREADS)
os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)
os.environ["MKL_NUM_THREADS"] = str(THREADS)

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(THREADS)

V = 128
WORKLOADS = {
    "lstm-h256": ("lstm", 128, 256, 32, 100),
    "gru-h256": ("gru", 128, 256, 32, 100),
    "rnn-h256": ("rnn", 128, 256, 32, 100),
    "lstm-h512": ("lstm", 128, 512, 64, 200),
    "lstm-h256-small": ("lstm", 128, 256, 8, 25),
}
GATES = {"lstm": 4, "gru": 3, "rnn": 1}
FULL = dict(warmups=2, min_runs=3, max_runs=10, min_seconds=60.0)
QUICK = dict(warmups=1, min_runs=2, max_runs=3, min_seconds=0.0)


def flops_per_batch(cell, I, H, B, T, mode):
    per_step = 2 * (I + H) * GATES[cell] * H + 2 * H * V
    return per_step * B * T * (3 if mode == "train" else 1)


class Model(torch.nn.Module):
    def __init__(self, cell, I, H):
        super().__init__()
        # GRU is reset-after (PyTorch's only form); RNN is tanh.
        ctor = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
        self.rnn = ctor(I, H, num_layers=1, batch_first=True)
        self.head = torch.nn.Linear(H, V)

    def forward(self, x):
        ys, _ = self.rnn(x)
        return self.head(ys)  # [B, T, V]


def time_batches(batch, cfg, label):
    for i in range(cfg["warmups"]):
        print(f"{label}: warmup {i + 1}", file=sys.stderr, flush=True)
        batch()
    seconds = []
    while True:
        if len(seconds) >= cfg["max_runs"]:
            break
        if len(seconds) >= cfg["min_runs"] and sum(seconds) >= cfg["min_seconds"]:
            break
        t0 = time.perf_counter()
        batch()
        seconds.append(time.perf_counter() - t0)
    print(f"{label}: {len(seconds)} timed, median {statistics.median(seconds):.4f} s", file=sys.stderr, flush=True)
    return seconds


def run_row(wid, mode, cfg):
    cell, I, H, B, T = WORKLOADS[wid]
    torch.manual_seed(0)
    model = Model(cell, I, H)
    x = torch.randn(B, T, I)
    y = torch.randint(0, V, (B, T))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).reshape(B * T, V), y.reshape(B * T))
        loss.backward()
        opt.step()
        loss.item()  # read back the loss

    def infer():
        with torch.no_grad():
            out = model(x)
            out.numpy()  # result on the host

    seconds = time_batches(train if mode == "train" else infer, cfg, f"pytorch {wid} {mode}")
    med = statistics.median(seconds)
    tokens = B * T
    return {
        "system": "pytorch",
        "backend": "cpu",
        "version": torch.__version__,
        "workload": wid,
        "mode": mode,
        "threads": torch.get_num_threads(),
        "tokens_per_s": {"median": round(tokens / med, 1), "min": round(tokens / max(seconds), 1), "max": round(tokens / min(seconds), 1)},
        "gflops_median": round(flops_per_batch(cell, I, H, B, T, mode) / med / 1e9, 3),
        "runs": len(seconds),
        "peak_bytes": None,
        "node": None,  # not a Node process
        "adapter": None,
    }


def blas_library():
    """The BLAS this process loaded (after a matmul), from its memory map: Debian's python3-torch
    takes whichever libblas.so.3 the alternatives system points at, and the reference BLAS that a
    bare install brings is about 18x slower than OpenBLAS (`apt-get install libopenblas0-pthread`)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    return ", ".join(sorted(paths)) or "unknown"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workload", default="lstm-h256,gru-h256,rnn-h256")
    p.add_argument("--mode", default="train,infer")
    p.add_argument("--quick", action="store_true", help="fewer batches, no minimum time (smoke runs only)")
    p.add_argument("--threads", type=int, default=1, help="intra-op threads (read before torch is imported)")
    args = p.parse_args()
    cfg = QUICK if args.quick else FULL
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {torch.__config__.parallel_info().splitlines()[0]}", file=sys.stderr)
    blas = blas_library()
    print(f"BLAS: {blas}", file=sys.stderr)
    if "openblas" not in blas.lower():
        print("warning: PyTorch is not using OpenBLAS here; its numbers are not the yardstick. "
              "Install it with: apt-get install -y libopenblas0-pthread", file=sys.stderr)
    for wid in args.workload.split(","):
        if wid not in WORKLOADS:
            sys.exit(f"unknown workload {wid!r}; known: {', '.join(WORKLOADS)}")
        for mode in args.mode.split(","):
            print(json.dumps(run_row(wid, mode, cfg), separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
