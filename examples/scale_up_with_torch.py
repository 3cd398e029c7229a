"""Train here, continue on PyTorch's distributed engine, come back (issue 14).

1. Here: an MLP (tensor engine) learns two moons (``nn.datasets.two_moons``) with SGD and softmax cross-entropy.
2. Hand-over: the model is saved (``Module.save`` stores the architecture beside the weights).
3. PyTorch: two CPU processes on this machine (``torch.multiprocessing.spawn``, the ``gloo`` backend, meeting
   through a file) each rebuild it (``nn.load_model`` then ``nn.to_torch``), wrap it in
   ``torch.nn.parallel.DistributedDataParallel`` and go on training, each on its half of the data, with the same
   learning rate and the same loss (``nn.torch_loss("cross_entropy")``); DDP averages the two halves' gradients,
   which is the gradient of the mean loss over all the data, so this continues the same gradient descent.
4. Back: ``nn.from_torch`` imports the final torch module, and this project evaluates it.

The loss (cross-entropy over the whole training set) is printed before and after each stage, and it keeps falling
across both hand-overs. Run: ``python examples/scale_up_with_torch.py`` (``--quick`` for a few steps). Needs the
``[torch]`` extra.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import make_parser  # noqa: E402

import nn  # noqa: E402
from nn._extras import require  # noqa: E402

WORLD_SIZE = 2


def loss_here(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    """Cross-entropy over the whole set, computed by this project's engine."""
    return float(nn.cross_entropy(model(X), y).data)


def train_here(model: Any, X: np.ndarray, y: np.ndarray, steps: int, lr: float) -> None:
    """Full-batch gradient descent on this project's engine (doc 001, Algorithm 1)."""
    nn.fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer=nn.SGD(model.parameters(), lr=lr),
        epochs=steps,
        shuffle=False,
        progress=False,
    )


def _global_loss(torch: Any, module: Any, loss_fn: Any, X: Any, y: Any, n_total: int) -> float:
    """The mean loss over all ranks' samples: each rank's summed loss, all-reduced."""
    with torch.no_grad():
        total = loss_fn(module(X), y) * X.shape[0]
    torch.distributed.all_reduce(total)
    return float(total) / n_total


def ddp_worker(rank: int, handover: str, data: str, result: str, steps: int, lr: float) -> None:
    """One of the two processes: join the group, train this rank's half, leave the group."""
    import torch

    torch.set_num_threads(1)
    # The processes meet through a file in the work directory, not a TCP port chosen in advance (which another
    # program could take between choosing and binding it).
    rendezvous = "file://" + os.path.join(os.path.dirname(handover), "rendezvous")
    torch.distributed.init_process_group("gloo", init_method=rendezvous, rank=rank, world_size=WORLD_SIZE)
    try:
        _train_rank(torch, rank, handover, data, result, steps, lr)
        # The DDP wrapper and its pending work are gone with _train_rank's frame: nothing of the group is left
        # for the interpreter's exit to tear down (that can abort the process); neither rank leaves early.
        torch.distributed.barrier()
    finally:
        torch.distributed.destroy_process_group()


def _train_rank(torch: Any, rank: int, handover: str, data: str, result: str, steps: int, lr: float) -> None:
    """Rebuild the model, wrap it in DDP, train on this rank's half of the data; rank 0 writes the result."""
    arrays = np.load(data)
    X_all, y_all = arrays["X"], arrays["y"]
    X = torch.from_numpy(X_all[rank::WORLD_SIZE])  # this rank's half (equal halves: n is even)
    y = y_all[rank::WORLD_SIZE]
    module = nn.to_torch(nn.load_model(handover))
    ddp = torch.nn.parallel.DistributedDataParallel(module)
    loss_fn = nn.torch_loss("cross_entropy")  # mean over this rank's samples; DDP averages the gradients
    optimizer = torch.optim.SGD(ddp.parameters(), lr=lr)
    losses = [_global_loss(torch, module, loss_fn, X, y, len(y_all))]
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(ddp(X), y).backward()
        optimizer.step()
        losses.append(_global_loss(torch, module, loss_fn, X, y, len(y_all)))
    if rank == 0:
        torch.save(module.state_dict(), result + ".pt")
        Path(result).write_text(json.dumps(losses))


def train_with_ddp(
    model: Any, X: np.ndarray, y: np.ndarray, steps: int, lr: float, workdir: str
) -> tuple[Any, list[float]]:
    """Hand ``model`` over to two DDP processes; returns the trained torch module and the loss after each step."""
    torch = require("torch", "examples/scale_up_with_torch.py", extra="torch")
    handover = model.save(os.path.join(workdir, "handover.npz"))
    data = os.path.join(workdir, "data.npz")
    np.savez(data, X=X, y=y)
    result = os.path.join(workdir, "losses.json")
    torch.multiprocessing.spawn(ddp_worker, args=(handover, data, result, steps, lr), nprocs=WORLD_SIZE, join=True)
    module = nn.to_torch(model)
    module.load_state_dict(torch.load(result + ".pt", weights_only=True))
    return module, json.loads(Path(result).read_text())


def run(
    n: int = 200, hidden: int = 16, steps_here: int = 200, steps_torch: int = 200, lr: float = 0.5, seed: int = 0
) -> dict[str, Any]:
    """The whole journey; returns the losses and how far the imported model is from torch's final one."""
    torch = require("torch", "examples/scale_up_with_torch.py", extra="torch")
    X, y = nn.datasets.two_moons(n=n, noise=0.1, seed=seed, labels="01")
    model = nn.MLP(2, [hidden, hidden, 2], activation="tanh", engine="tensor", seed=seed, init="glorot")
    start = loss_here(model, X, y)
    print(f"here   : loss {start:.5f} at the start")
    train_here(model, X, y, steps_here, lr)
    handover = loss_here(model, X, y)
    print(f"here   : loss {handover:.5f} after {steps_here} steps of SGD on autograd-mini (hand-over)")
    with tempfile.TemporaryDirectory() as workdir:
        module, ddp_losses = train_with_ddp(model, X, y, steps_torch, lr, workdir)
    print(
        f"torch  : loss {ddp_losses[0]:.5f} at the hand-over, {ddp_losses[-1]:.5f} after {steps_torch} steps of "
        f"DistributedDataParallel on {WORLD_SIZE} processes (gloo)"
    )
    back = nn.from_torch(module, engine="tensor")
    final = loss_here(back, X, y)
    ours, theirs = back(X).data, module(torch.from_numpy(X)).detach().numpy()
    accuracy = float(np.mean(ours.argmax(axis=1) == y))
    print(
        f"back   : loss {final:.5f}, accuracy {accuracy:.3f} on autograd-mini after importing torch's model "
        f"(outputs differ from torch's by at most {np.abs(ours - theirs).max():.1e})"
    )
    return {
        "start": start,
        "handover": handover,
        "ddp": ddp_losses,
        "final": final,
        "accuracy": accuracy,
        "max_output_difference": float(np.abs(ours - theirs).max()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = make_parser("scale_up_with_torch", __doc__.splitlines()[0])
    parser.add_argument("--steps-here", type=int, default=200, help="SGD steps on this project's engine")
    parser.add_argument("--steps-torch", type=int, default=200, help="SGD steps with DistributedDataParallel")
    parser.add_argument("--lr", type=float, default=0.5, help="learning rate, the same on both sides")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the initial weights")
    parser.add_argument("--quick", action="store_true", help="a few steps only (for tests)")
    parser.add_argument("--json", default=None, help="also write the losses and the output difference to this file")
    args = parser.parse_args(argv)
    steps_here, steps_torch = (20, 5) if args.quick else (args.steps_here, args.steps_torch)
    results = run(steps_here=steps_here, steps_torch=steps_torch, lr=args.lr, seed=args.seed)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    falling = results["handover"] < results["start"] and results["ddp"][-1] < results["ddp"][0]
    print(
        "the loss kept falling across the hand-overs"
        if falling and results["final"] < results["handover"]
        else "the loss did NOT keep falling"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
