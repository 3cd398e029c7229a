"""Neurons, layers and multilayer perceptrons on either engine.

Storage convention (doc 000's row-vector notation): a layer computes the net input n = b + a W (doc 000,
eqs. 3 and 16) and its output a = f(n) (doc 000, eq. 20), with W of shape (n_in, n_out) and b of shape
(n_out,); for a batch (rows = samples) n = A W + b. Docs 002-004 write the column form z = W a + b with
W of shape (n_out, n_in): their W is our ``W.T`` (doc 002's w^[l]_{i,j}, "the weight of the j-th input of
the i-th node", is our ``W[j-1, i-1]``).

* ``engine="value"`` (default): a scalar ``Value`` graph with one net-input node per neuron, the documents'
  picture, and micrograd's API and behaviour (``MLP(2, [16, 16, 1])`` on a list returns a ``Value``).
* ``engine="tensor"``: each layer is one matmul and one add, ``A @ W + b``, then the activation, on
  (batch, n_in) arrays.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_mini import Tensor, Value, lincomb

from .activations import get_activation
from .init import RNG, get_init, init_std, init_weights, make_rng
from .module import TENSOR, VALUE, Module, check_engine

_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _check_size(what: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive integer, got {n!r}")
    return int(n)


def _check_dtype(dtype: Any, engine: str) -> np.dtype:
    dt = np.dtype(np.float64 if dtype is None else dtype)
    if dt not in _FLOAT_DTYPES:
        raise ValueError(f"dtype must be float16, float32 or float64, got {dt}")
    if engine == VALUE and dt != np.float64:
        raise ValueError(f"the value engine computes with Python floats (float64); dtype {dt} needs engine='tensor'")
    return dt


def _python_random_weights(init: str, n_in: int, n_out: int) -> list[float]:
    """n_in weights drawn with Python's ``random`` module, as micrograd does (``random.seed`` reproduces)."""
    if init == "uniform":
        return [random.uniform(-1, 1) for _ in range(n_in)]
    std = init_std(init, n_in, n_out)
    if init in ("glorot", "xavier"):
        limit = std * math.sqrt(3.0)
        return [random.uniform(-limit, limit) for _ in range(n_in)]
    return [random.gauss(0.0, std) for _ in range(n_in)]


def _finite_array(what: str, x: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(x.data if isinstance(x, (Value, Tensor)) else x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be an array of real numbers: {exc}") from None
    if arr.shape != shape:
        raise ValueError(f"{what} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or Inf")
    return arr


def _w_label(k: int, i: int, j: int) -> str:
    return f"w^{k}_{i}{j}" if i < 10 and j < 10 else f"w^{k}_{i},{j}"


class Neuron(Module):
    """One unit: n = b + sum_i w_i x_i, a = f(n) (doc 000, eq. 3 for one perceptron), micrograd's Neuron.

    ``Neuron(nin, nonlin=True)`` is micrograd's: ReLU if ``nonlin`` else linear; ``activation`` (a name in
    ``nn.ACTIVATIONS``) overrides that. On the value engine ``w`` is a list of ``Value`` and ``b`` a
    ``Value``; on the tensor engine ``w`` is a Tensor of shape (nin,) and ``b`` one of shape ().
    Weights come from ``init`` (see :mod:`nn.init`): with ``rng=None`` the value engine draws them with
    Python's ``random`` exactly as micrograd does; b starts at 0.
    """

    def __init__(self, nin: int, nonlin: bool = True, engine: str = VALUE, *, activation: str | None = None,
                 init: str = "uniform", rng: RNG | None = None) -> None:
        nin = _check_size("nin", nin)
        check_engine(engine)
        name = activation if activation is not None else ("relu" if nonlin else "linear")
        f = get_activation(name)
        if name == "softmax":
            raise ValueError("a single Neuron cannot use softmax (it acts on a whole layer); use Layer")
        get_init(init)
        if rng is None and engine == VALUE:
            w = _python_random_weights(init, nin, 1)
        else:
            w = list(init_weights(init, nin, 1, make_rng(rng))[:, 0])
        self.activation = name
        self.nonlin = name != "linear"
        self.engine = engine
        self._f = f
        self.w: Any
        self.b: Any
        if engine == VALUE:
            self.w = [Value(wi, label=f"w_{i + 1}") for i, wi in enumerate(w)]
            self.b = Value(0.0, label="b")
        else:
            self.w = Tensor(w, requires_grad=True, label="w")
            self.b = Tensor(0.0, requires_grad=True, label="b")

    @classmethod
    def _from_weights(cls, w: np.ndarray, activation: str) -> Neuron:
        """A value-engine neuron with the given weights and b = 0."""
        neuron = cls.__new__(cls)
        neuron.activation = activation
        neuron.nonlin = activation != "linear"
        neuron.engine = VALUE
        neuron._f = get_activation(activation)
        neuron.w = [Value(float(wi), label=f"w_{i + 1}") for i, wi in enumerate(w)]
        neuron.b = Value(0.0, label="b")
        return neuron

    def net(self, x: Any) -> Any:
        """The net input n = b + sum_i w_i x_i (one node on the value engine)."""
        if self.engine == VALUE:
            if len(x) != len(self.w):
                raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
            return lincomb(self.w, x, self.b)
        x = _tensor_input(x, len(self.w), self.w.dtype, "Neuron")
        return x @ self.w + self.b

    def forward(self, x: Any) -> Any:
        """a = f(n): a Value (value engine) or a Tensor of shape (batch,) / () (tensor engine)."""
        return self._f(self.net(x))

    def __repr__(self) -> str:
        if self.engine == VALUE and self.activation in ("relu", "linear"):
            return f"{'ReLU' if self.activation == 'relu' else 'Linear'}Neuron({len(self.w)})"
        return f"Neuron({len(self.w)}, activation={self.activation!r}, engine={self.engine!r})"


def _tensor_input(x: Any, nin: int, dtype: np.dtype, who: str) -> Any:
    """Check the input width; turn arrays and lists into the layer's dtype (Tensors pass unchanged)."""
    if not isinstance(x, Tensor):
        try:
            x = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{who}: input must be a numeric array: {exc}") from None
        if x.dtype.kind not in "biuf":
            raise ValueError(f"{who}: input must be numeric, got dtype {x.dtype}")
        if x.dtype != dtype:
            x = x.astype(dtype)
    shape = x.shape
    if len(shape) not in (1, 2):
        raise ValueError(f"{who}: input must be 1-D (nin,) or 2-D (batch, nin), got shape {shape}")
    if shape[-1] != nin:
        raise ValueError(f"{who}: expected input width {nin}, got {shape[-1]} (input shape {shape})")
    return x


class Layer(Module):
    """A layer of ``nout`` units on ``nin`` inputs: n = b + a W, a = f(n) (doc 000, eqs. 16 and 20).

    W has shape (n_in, n_out) and b shape (n_out,) (doc 000's row-vector form; docs 002-003 write
    z = W a + b with their W = our W.T). ``Layer.W`` and ``Layer.b`` return copies of them as ndarrays
    on both engines; :meth:`set_weights` sets them exactly.

    * value engine: ``neurons`` is a list of :class:`Neuron`; neuron j holds ``w[i] = W[i, j]`` and
      ``b = b[j]``. Called on a list of nin numbers/Values it returns a list of Values, or one Value when
      nout == 1 (micrograd's convention).
    * tensor engine: the parameters are the Tensors ``weight`` (n_in, n_out) and ``bias`` (n_out,); called
      on (batch, nin) it returns (batch, nout), on (nin,) it returns (nout,). Forward is ``a @ W + b``.

    After a forward pass the layer keeps ``n`` (net input) and ``a`` (output) as graph nodes (lists of
    Values, or Tensors), so after ``backward()`` ``layer.n``'s gradient is the sensitivity
    s = dL/dn (doc 000, eq. 18). Labels use the documents' notation with k the layer's index (1 unless an
    MLP numbers it): "w^k_ij", "b^k_j", "n^k_j", "a^k_j" (value), "W^k", "b^k", "n^k", "a^k" (tensor).
    """

    _not_parameters = frozenset({"n", "a"})

    def __init__(self, nin: int, nout: int, activation: str = "relu", engine: str = VALUE, init: str = "uniform",
                 rng: RNG | None = None, dtype: Any = None) -> None:
        nin = _check_size("nin", nin)
        nout = _check_size("nout", nout)
        check_engine(engine)
        f = get_activation(activation)
        get_init(init)
        dt = _check_dtype(dtype, engine)
        self.nin = nin
        self.nout = nout
        self.activation = activation
        self.engine = engine
        self.dtype = dt
        self.k = 1
        self._f = f
        self.n: Any = None
        self.a: Any = None
        if engine == VALUE:
            if rng is None:  # micrograd's order: neuron by neuron, each drawing from Python's random module
                W = np.array([_python_random_weights(init, nin, nout) for _ in range(nout)]).T
            else:
                W = init_weights(init, nin, nout, make_rng(rng))
            unit = activation if activation != "softmax" else "linear"  # softmax acts on the whole layer
            self.neurons = [Neuron._from_weights(W[:, j], unit) for j in range(nout)]
        else:
            W = init_weights(init, nin, nout, make_rng(rng)).astype(dt)
            self.weight = Tensor(W, requires_grad=True, label="W^1")
            self.bias = Tensor(np.zeros(nout, dtype=dt), requires_grad=True, label="b^1")
        self._set_index(1)

    def _set_index(self, k: int) -> None:
        """Number the layer (k = 1 for the first hidden layer) and relabel its parameters."""
        self.k = k
        if self.engine == VALUE:
            for j, neuron in enumerate(self.neurons, 1):
                for i, w in enumerate(neuron.w, 1):
                    w.label = _w_label(k, i, j)
                neuron.b.label = f"b^{k}_{j}"
            self._n_labels = [f"n^{k}_{j}" for j in range(1, self.nout + 1)]
            self._a_labels = [f"a^{k}_{j}" for j in range(1, self.nout + 1)]
        else:
            self.weight.label = f"W^{k}"
            self.bias.label = f"b^{k}"

    # -- forward ------------------------------------------------------------------------------------
    def _value_input(self, x: Any) -> Sequence[Any]:
        if isinstance(x, (Value, int, float, np.floating, np.integer)) and not isinstance(x, bool):
            x = [x]
        elif isinstance(x, np.ndarray):
            if x.ndim != 1:
                raise ValueError(f"Layer {self.k}: the value engine takes one sample, a 1-D input of {self.nin} "
                                 f"numbers; got shape {x.shape} (use engine='tensor' for batches)")
            x = x.tolist()
        elif isinstance(x, Tensor):
            raise TypeError(f"Layer {self.k}: a Tensor input needs engine='tensor' (this layer uses Values)")
        elif not isinstance(x, (list, tuple)):
            raise TypeError(f"Layer {self.k}: expected a list of {self.nin} numbers or Values, "
                            f"got {type(x).__name__}")
        if len(x) != self.nin:
            raise ValueError(f"Layer {self.k}: expected input width {self.nin}, got {len(x)}")
        return x

    def _forward_value(self, x: Sequence[Any]) -> list[Value]:
        n = [lincomb(neuron.w, x, neuron.b) for neuron in self.neurons]
        a = self._f(n)
        for v, label in zip(n, self._n_labels):
            v.label = label
        if a is not n:
            for v, label in zip(a, self._a_labels):
                v.label = label
        self.n = n
        self.a = a
        return a

    def _forward_tensor(self, x: Any) -> Tensor:
        n = x @ self.weight + self.bias
        a = self._f(n)
        n.label = f"n^{self.k}"
        if a is not n:
            a.label = f"a^{self.k}"
        self.n = n
        self.a = a
        return a

    def forward(self, x: Any) -> Any:
        """a = f(b + x W): a list of Values (one Value if nout == 1), or a Tensor (batch, nout) / (nout,)."""
        if self.engine == VALUE:
            a = self._forward_value(self._value_input(x))
            return a[0] if len(a) == 1 else a
        return self._forward_tensor(_tensor_input(x, self.nin, self.dtype, f"Layer {self.k}"))

    # -- weights as arrays ----------------------------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        """A copy of the weights as an ndarray of shape (n_in, n_out) (doc 000's W; docs 002-003's W.T)."""
        if self.engine == VALUE:
            return np.array([[neuron.w[i].data for neuron in self.neurons] for i in range(self.nin)])
        return self.weight.data.copy()

    @property
    def b(self) -> np.ndarray:
        """A copy of the biases as an ndarray of shape (n_out,)."""
        if self.engine == VALUE:
            return np.array([neuron.b.data for neuron in self.neurons])
        return self.bias.data.copy()

    def set_weights(self, W: Any, b: Any) -> None:
        """Set W (n_in, n_out) and b (n_out,) exactly, in place (the parameter objects stay the same).

        Raises ValueError naming the expected and actual shapes (or NaN/Inf), leaving the layer unchanged.
        """
        Wa = _finite_array(f"Layer {self.k}: W", W, (self.nin, self.nout))
        ba = _finite_array(f"Layer {self.k}: b", b, (self.nout,))
        self._write(Wa, ba)

    def _write(self, W: np.ndarray, b: np.ndarray) -> None:
        if self.engine == VALUE:
            for j, neuron in enumerate(self.neurons):
                for i, w in enumerate(neuron.w):
                    w.data = float(W[i, j])
                neuron.b.data = float(b[j])
        else:
            self.weight.data[...] = W
            self.bias.data[...] = b

    def __repr__(self) -> str:
        if self.engine == VALUE:
            softmax = " then softmax" if self.activation == "softmax" else ""
            return f"Layer of [{', '.join(str(n) for n in self.neurons)}]{softmax}"
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r}, engine={self.engine!r})"


class Linear(Layer):
    """A layer without activation: a = n = b + a_prev W (doc 000, eq. 36's Linear)."""

    def __init__(self, nin: int, nout: int, engine: str = VALUE, init: str = "uniform", rng: RNG | None = None,
                 dtype: Any = None) -> None:
        super().__init__(nin, nout, activation="linear", engine=engine, init=init, rng=rng, dtype=dtype)


class MLP(Module):
    """A multilayer perceptron: a^0 = x, a^k = f^k(b^k + a^(k-1) W^k) for k = 1..l (doc 000, eq. 21).

    ``MLP(nin, nouts)`` has layers of sizes ``nouts``; micrograd's defaults: ReLU hidden layers and a
    linear output layer. ``activation`` (hidden layers) and ``output_activation`` are names from
    ``nn.ACTIVATIONS``; ``activation`` may instead be a list with one name per layer (its last entry is
    the output layer's). ``init`` names the weight initializer and ``seed`` (int or Generator) makes the
    weights reproducible; with ``seed=None`` the value engine draws from Python's ``random`` exactly as
    micrograd does (so ``random.seed(1337)`` reproduces micrograd's weights).

    Value engine: called on a list of nin numbers/Values, returns a Value (nout == 1) or a list of Values.
    Tensor engine: called on (batch, nin) returns a Tensor (batch, nout); a 1-D input is one sample and
    gives (nout,).
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str | Sequence[str] = "relu",
                 output_activation: str = "linear", engine: str = VALUE, init: str = "uniform",
                 seed: RNG | None = None, dtype: Any = None) -> None:
        nin = _check_size("nin", nin)
        if isinstance(nouts, (int, np.integer)) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        sizes = [_check_size(f"nouts[{k}]", n) for k, n in enumerate(nouts)]
        check_engine(engine)
        get_activation(output_activation)
        if isinstance(activation, str):
            get_activation(activation)  # checked even when there is no hidden layer
            acts = [activation] * (len(sizes) - 1) + [output_activation]
        else:
            acts = list(activation)
            if len(acts) != len(sizes):
                raise ValueError(f"activation lists {len(acts)} names for {len(sizes)} layers")
            if output_activation != "linear" and output_activation != acts[-1]:
                raise ValueError(f"output_activation {output_activation!r} conflicts with the last entry "
                                 f"{acts[-1]!r} of the activation list")
        for k, name in enumerate(acts):
            get_activation(name)
            if name == "softmax" and k != len(acts) - 1:
                raise ValueError(f"softmax is for the output layer, not hidden layer {k + 1}")
        get_init(init)
        _check_dtype(dtype, engine)
        rng = None if (seed is None and engine == VALUE) else make_rng(seed)
        dims = [nin, *sizes]
        self.nin = nin
        self.engine = engine
        self.layers = [Layer(dims[k], dims[k + 1], activation=acts[k], engine=engine, init=init, rng=rng,
                             dtype=dtype) for k in range(len(sizes))]
        for k, layer in enumerate(self.layers, 1):
            layer._set_index(k)

    def forward(self, x: Any) -> Any:
        """The network's output a^l for input x (see the class docstring for shapes)."""
        if self.engine == VALUE:
            xs: Sequence[Any] = self.layers[0]._value_input(x)
            for layer in self.layers:
                xs = layer._forward_value(xs)
            return xs[0] if len(xs) == 1 else xs
        first = self.layers[0]
        a = _tensor_input(x, first.nin, first.dtype, "MLP")
        for layer in self.layers:
            a = layer._forward_tensor(a)
        return a

    def set_weights(self, Ws: Sequence[Any], bs: Sequence[Any]) -> None:
        """Set every layer's W^k (n_in, n_out) and b^k (n_out,); all shapes are checked before anything is
        written, so on a ValueError the network is unchanged."""
        if len(Ws) != len(self.layers) or len(bs) != len(self.layers):
            raise ValueError(f"set_weights: the MLP has {len(self.layers)} layers, got {len(Ws)} weight "
                             f"matrices and {len(bs)} bias vectors")
        checked = [(_finite_array(f"layer {k}: W", W, (layer.nin, layer.nout)),
                    _finite_array(f"layer {k}: b", b, (layer.nout,)))
                   for k, (layer, W, b) in enumerate(zip(self.layers, Ws, bs), 1)]
        for layer, (W, b) in zip(self.layers, checked):
            layer._write(W, b)

    def __repr__(self) -> str:
        if self.engine == VALUE:
            return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
        return f"MLP({self.nin}, {[layer.nout for layer in self.layers]}, engine={self.engine!r})"


__all__ = ["MLP", "TENSOR", "VALUE", "Layer", "Linear", "Neuron"]
