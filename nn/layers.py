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
from .checks import finite_array, positive_int
from .init import RNG, get_init, init_std, init_weights, make_rng
from .module import TENSOR, VALUE, Module, check_engine

_FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


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


def _initial_weights(init: str, nin: int, nout: int, rng: RNG | None, engine: str) -> np.ndarray:
    """W (nin, nout): with ``rng=None`` on the value engine, micrograd's draw (neuron by neuron from Python's
    ``random``); otherwise ``init`` from :mod:`nn.init` with a numpy Generator."""
    if rng is None and engine == VALUE:
        return np.array([_python_random_weights(init, nin, nout) for _ in range(nout)]).T.reshape(nin, nout)
    return init_weights(init, nin, nout, make_rng(rng))


def _w_label(k: int, i: int, j: int) -> str:
    return f"w^{k}_{i}{j}" if i < 10 and j < 10 else f"w^{k}_{i},{j}"


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


def _value_input(x: Any, nin: int, who: str) -> Sequence[Any]:
    """One sample for the value engine: a list of ``nin`` numbers or Values (a number is a list of one)."""
    if isinstance(x, (Value, int, float, np.floating, np.integer)) and not isinstance(x, bool):
        x = [x]
    elif isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(
                f"{who}: the value engine takes one sample, a 1-D input of {nin} numbers; got shape "
                f"{x.shape} (use engine='tensor' for batches)"
            )
        x = x.tolist()
    elif isinstance(x, Tensor):
        raise TypeError(f"{who}: a Tensor input needs engine='tensor' (this layer uses Values)")
    elif not isinstance(x, (list, tuple)):
        raise TypeError(f"{who}: expected a list of {nin} numbers or Values, got {type(x).__name__}")
    if len(x) != nin:
        raise ValueError(f"{who}: expected input width {nin}, got {len(x)}")
    # Each number becomes one constant node x_i, read by every unit (rather than one constant per unit).
    return [
        v if isinstance(v, Value) else Value(float(v), label=f"x_{i}", requires_grad=False) for i, v in enumerate(x, 1)
    ]


# == one code path per engine ==================================================================================
# Every engine-specific step of Neuron, Layer and MLP is a static method of one of these two classes; the
# modules look their engine's class up once (``_CODE[engine]``) instead of branching in every method.


class _ValueCode:
    """The scalar engine: one ``Neuron`` per unit, one ``lincomb`` node per net input (the documents' figures,
    micrograd's API)."""

    @staticmethod
    def neuron_params(neuron: Neuron, w: np.ndarray) -> None:
        neuron.w = [Value(float(wi), label=f"w_{i + 1}") for i, wi in enumerate(w)]
        neuron.b = Value(0.0, label="b")

    @staticmethod
    def neuron_net(neuron: Neuron, x: Any) -> Any:
        if len(x) != len(neuron.w):
            raise ValueError(f"Neuron: expected {len(neuron.w)} inputs, got {len(x)}")
        return lincomb(neuron.w, x, neuron.b)

    @staticmethod
    def build(layer: Layer, W: np.ndarray) -> None:
        unit = layer.activation if layer.activation != "softmax" else "linear"  # softmax acts on the whole layer
        layer.neurons = [Neuron._from_weights(W[:, j], unit) for j in range(layer.nout)]

    @staticmethod
    def relabel(layer: Layer, k: int) -> None:
        for j, neuron in enumerate(layer.neurons, 1):
            for i, w in enumerate(neuron.w, 1):
                w.label = _w_label(k, i, j)
            neuron.b.label = f"b^{k}_{j}"
        layer._n_labels = [f"n^{k}_{j}" for j in range(1, layer.nout + 1)]
        layer._a_labels = [f"a^{k}_{j}" for j in range(1, layer.nout + 1)]

    @staticmethod
    def coerce(layer: Layer, x: Any, who: str) -> Any:
        return _value_input(x, layer.nin, who)

    @staticmethod
    def forward(layer: Layer, x: Any) -> Any:
        n = [lincomb(neuron.w, x, neuron.b) for neuron in layer.neurons]
        a = layer._f(n)
        for v, label in zip(n, layer._n_labels):
            v.label = label
        if a is not n:
            for v, label in zip(a, layer._a_labels):
                v.label = label
        layer.n, layer.a = n, a
        return a

    @staticmethod
    def output(a: Any) -> Any:
        return a[0] if len(a) == 1 else a  # micrograd: a single output is a Value, not a list

    @staticmethod
    def weight(layer: Layer) -> np.ndarray:
        return np.array([[neuron.w[i] for neuron in layer.neurons] for i in range(layer.nin)], dtype=object)

    @staticmethod
    def bias(layer: Layer) -> np.ndarray:
        return np.array([neuron.b for neuron in layer.neurons], dtype=object)

    @staticmethod
    def write(layer: Layer, W: np.ndarray, b: np.ndarray) -> None:
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                w.data = float(W[i, j])
            neuron.b.data = float(b[j])

    @staticmethod
    def describe(layer: Layer) -> str:
        softmax = " then softmax" if layer.activation == "softmax" else ""
        return f"Layer of [{', '.join(str(n) for n in layer.neurons)}]{softmax}"


class _TensorCode:
    """The numpy engine: one (n_in, n_out) weight Tensor and one (n_out,) bias Tensor per layer; a batch is
    (batch, n_in) and the forward pass is ``a @ W + b``."""

    @staticmethod
    def neuron_params(neuron: Neuron, w: np.ndarray) -> None:
        neuron.w = Tensor(w, requires_grad=True, label="w")
        neuron.b = Tensor(0.0, requires_grad=True, label="b")

    @staticmethod
    def neuron_net(neuron: Neuron, x: Any) -> Any:
        x = _tensor_input(x, len(neuron.w), neuron.w.dtype, "Neuron")
        return x @ neuron.w + neuron.b

    @staticmethod
    def build(layer: Layer, W: np.ndarray) -> None:
        layer.weight = Tensor(W.astype(layer.dtype), requires_grad=True, label="W^1")
        layer.bias = Tensor(np.zeros(layer.nout, dtype=layer.dtype), requires_grad=True, label="b^1")

    @staticmethod
    def relabel(layer: Layer, k: int) -> None:
        layer.weight.label = f"W^{k}"
        layer.bias.label = f"b^{k}"

    @staticmethod
    def coerce(layer: Layer, x: Any, who: str) -> Any:
        return _tensor_input(x, layer.nin, layer.dtype, who)

    @staticmethod
    def forward(layer: Layer, x: Any) -> Any:
        n = x @ layer.weight + layer.bias
        a = layer._f(n)
        n.label = f"n^{layer.k}"
        if a is not n:
            a.label = f"a^{layer.k}"
        layer.n, layer.a = n, a
        return a

    @staticmethod
    def output(a: Any) -> Any:
        return a

    @staticmethod
    def write(layer: Layer, W: np.ndarray, b: np.ndarray) -> None:
        layer.weight.data[...] = W
        layer.bias.data[...] = b

    @staticmethod
    def describe(layer: Layer) -> str:
        return f"Layer({layer.nin}, {layer.nout}, activation={layer.activation!r}, engine={layer.engine!r})"


_CODE: dict[str, type[_ValueCode] | type[_TensorCode]] = {VALUE: _ValueCode, TENSOR: _TensorCode}


class _ValueEngineView:
    """``Layer.weight`` / ``Layer.bias`` on the value engine: a view built from the neurons' Values. A non-data
    descriptor, so the tensor engine's layer, which holds its Tensors under the same names as attributes (found
    by ``Module`` as parameters), is unaffected."""

    def __init__(self, build: Any) -> None:
        self.build = build

    def __get__(self, layer: Any, owner: type | None = None) -> Any:
        return self if layer is None else self.build(layer)


class Neuron(Module):
    """One unit: n = b + sum_i w_i x_i, a = f(n) (doc 000, eq. 3 for one perceptron), micrograd's Neuron.

    ``Neuron(nin, nonlin=True)`` is micrograd's: ReLU if ``nonlin`` else linear; ``activation`` (a name in
    ``nn.ACTIVATIONS``) overrides that. On the value engine ``w`` is a list of ``Value`` and ``b`` a
    ``Value`` (micrograd's names); on the tensor engine ``w`` is a Tensor of shape (nin,) and ``b`` one of
    shape (). Weights come from ``init`` (see :mod:`nn.init`): with ``rng=None`` the value engine draws them
    with Python's ``random`` exactly as micrograd does; b starts at 0.
    """

    w: Any
    b: Any

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        engine: str = VALUE,
        *,
        activation: str | None = None,
        init: str = "uniform",
        rng: RNG | None = None,
    ) -> None:
        nin = positive_int("nin", nin)
        check_engine(engine)
        name = activation if activation is not None else ("relu" if nonlin else "linear")
        f = get_activation(name)
        if name == "softmax":
            raise ValueError("a single Neuron cannot use softmax (it acts on a whole layer); use Layer")
        get_init(init)
        w = _initial_weights(init, nin, 1, rng, engine)[:, 0]
        self._setup(name, engine, f)
        _CODE[engine].neuron_params(self, w)

    def _setup(self, activation: str, engine: str, f: Any) -> None:
        self.activation = activation
        self.nonlin = activation != "linear"
        self.engine = engine
        self._f = f

    @classmethod
    def _from_weights(cls, w: np.ndarray, activation: str) -> Neuron:
        """A value-engine neuron with the given weights and b = 0."""
        neuron = cls.__new__(cls)
        neuron._setup(activation, VALUE, get_activation(activation))
        _ValueCode.neuron_params(neuron, w)
        return neuron

    def net(self, x: Any) -> Any:
        """The net input n = b + sum_i w_i x_i (one node on the value engine)."""
        return _CODE[self.engine].neuron_net(self, x)

    def forward(self, x: Any) -> Any:
        """a = f(n): a Value (value engine) or a Tensor of shape (batch,) / () (tensor engine)."""
        return self._f(self.net(x))

    def __repr__(self) -> str:
        if self.engine == VALUE and self.activation in ("relu", "linear"):
            return f"{'ReLU' if self.activation == 'relu' else 'Linear'}Neuron({len(self.w)})"
        return f"Neuron({len(self.w)}, activation={self.activation!r}, engine={self.engine!r})"


class Layer(Module):
    """A layer of ``nout`` units on ``nin`` inputs: n = b + a W, a = f(n) (doc 000, eqs. 16 and 20).

    **Names.** One pair for the weights, on both engines (doc 000's row-vector form; docs 002-003 write
    z = W a + b with their W = our W.T):

    * ``layer.weight`` (n_in, n_out) and ``layer.bias`` (n_out,) are the *parameters*, the graph leaves that
      receive ``.grad``: on the tensor engine two Tensors; on the value engine numpy object arrays of the
      ``Value`` leaves (``layer.weight[i, j]`` is the Value w^k_(i+1)(j+1), held by ``layer.neurons[j].w[i]``).
    * ``layer.W`` and ``layer.b`` are their *numbers*: float ndarray copies of the same shapes (doc 000's W
      and b), on both engines; :meth:`set_weights` writes them exactly.

    * value engine: ``neurons`` is a list of :class:`Neuron`; called on a list of nin numbers/Values it
      returns a list of Values, or one Value when nout == 1 (micrograd's convention).
    * tensor engine: called on (batch, nin) it returns (batch, nout), on (nin,) it returns (nout,).

    After a forward pass the layer keeps ``n`` (net input) and ``a`` (output) as graph nodes (lists of
    Values, or Tensors), so after ``backward()`` ``layer.n``'s gradient is the sensitivity
    s = dL/dn (doc 000, eq. 18). Labels use the documents' notation with k the layer's index (1 unless an
    MLP numbers it): "w^k_ij", "b^k_j", "n^k_j", "a^k_j" (value), "W^k", "b^k", "n^k", "a^k" (tensor).
    """

    _not_parameters = frozenset({"n", "a"})
    neurons: list[Neuron]  # value engine only
    _n_labels: list[str]
    _a_labels: list[str]

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "relu",
        engine: str = VALUE,
        init: str = "uniform",
        rng: RNG | None = None,
        dtype: Any = None,
    ) -> None:
        self.nin = positive_int("nin", nin)
        self.nout = positive_int("nout", nout)
        self.engine = check_engine(engine)
        self._f = get_activation(activation)
        get_init(init)
        self.dtype = _check_dtype(dtype, engine)
        self.activation = activation
        self.k = 1
        self.n: Any = None
        self.a: Any = None
        self._code = _CODE[engine]
        self._code.build(self, _initial_weights(init, self.nin, self.nout, rng, engine))
        self._set_index(1)

    def _set_index(self, k: int) -> None:
        """Number the layer (k = 1 for the first hidden layer) and relabel its parameters."""
        self.k = k
        self._code.relabel(self, k)

    def forward(self, x: Any) -> Any:
        """a = f(b + x W): a list of Values (one Value if nout == 1), or a Tensor (batch, nout) / (nout,)."""
        code = self._code
        return code.output(code.forward(self, code.coerce(self, x, f"Layer {self.k}")))

    # -- the weights: parameters and their numbers ------------------------------------------------------
    #: The weight parameters, shape (n_in, n_out): a Tensor (an attribute of the tensor engine's layer), or a
    #: fresh object array of the neurons' Values (value engine).
    weight: Any = _ValueEngineView(_ValueCode.weight)
    #: The bias parameters, shape (n_out,): a Tensor, or an object array of Values.
    bias: Any = _ValueEngineView(_ValueCode.bias)

    @property
    def W(self) -> np.ndarray:
        """A copy of the weights as a float ndarray of shape (n_in, n_out) (doc 000's W; docs 002-003's W.T)."""
        return _numbers(self.weight)

    @property
    def b(self) -> np.ndarray:
        """A copy of the biases as a float ndarray of shape (n_out,)."""
        return _numbers(self.bias)

    def set_weights(self, W: Any, b: Any) -> None:
        """Set W (n_in, n_out) and b (n_out,) exactly, in place (the parameter objects stay the same).

        Raises ValueError naming the expected and actual shapes (or NaN/Inf), leaving the layer unchanged.
        """
        Wa = finite_array(f"Layer {self.k}: W", W, (self.nin, self.nout))
        ba = finite_array(f"Layer {self.k}: b", b, (self.nout,))
        self._code.write(self, Wa, ba)

    def __repr__(self) -> str:
        return self._code.describe(self)


def _numbers(params: Any) -> np.ndarray:
    """The float values of a parameter view: a Tensor's data (copied) or an object array of Values' data."""
    if isinstance(params, Tensor):
        return params.data.copy()
    return np.vectorize(lambda v: v.data, otypes=[np.float64])(params).reshape(params.shape)


class Linear(Layer):
    """A layer without activation: a = n = b + a_prev W (doc 000, eq. 36's Linear)."""

    def __init__(
        self, nin: int, nout: int, engine: str = VALUE, init: str = "uniform", rng: RNG | None = None, dtype: Any = None
    ) -> None:
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

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Sequence[str] = "relu",
        output_activation: str = "linear",
        engine: str = VALUE,
        init: str = "uniform",
        seed: RNG | None = None,
        dtype: Any = None,
    ) -> None:
        nin = positive_int("nin", nin)
        sizes = _layer_sizes(nouts)
        check_engine(engine)
        acts = _layer_activations(activation, output_activation, len(sizes))
        get_init(init)
        _check_dtype(dtype, engine)
        rng = None if (seed is None and engine == VALUE) else make_rng(seed)
        dims = [nin, *sizes]
        self.nin = nin
        self.engine = engine
        self.layers = [
            Layer(dims[k], dims[k + 1], activation=acts[k], engine=engine, init=init, rng=rng, dtype=dtype)
            for k in range(len(sizes))
        ]
        for k, layer in enumerate(self.layers, 1):
            layer._set_index(k)

    def forward(self, x: Any) -> Any:
        """The network's output a^l for input x (see the class docstring for shapes)."""
        code = self.layers[0]._code
        a = code.coerce(self.layers[0], x, "MLP")
        for layer in self.layers:
            a = code.forward(layer, a)
        return code.output(a)

    def set_weights(self, Ws: Sequence[Any], bs: Sequence[Any]) -> None:
        """Set every layer's W^k (n_in, n_out) and b^k (n_out,); all shapes are checked before anything is
        written, so on a ValueError the network is unchanged."""
        if len(Ws) != len(self.layers) or len(bs) != len(self.layers):
            raise ValueError(
                f"set_weights: the MLP has {len(self.layers)} layers, got {len(Ws)} weight "
                f"matrices and {len(bs)} bias vectors"
            )
        checked = [
            (finite_array(f"layer {k}: W", W, (layer.nin, layer.nout)), finite_array(f"layer {k}: b", b, (layer.nout,)))
            for k, (layer, W, b) in enumerate(zip(self.layers, Ws, bs), 1)
        ]
        for layer, (W, b) in zip(self.layers, checked):
            layer._code.write(layer, W, b)

    def __repr__(self) -> str:
        if self.engine == VALUE:
            return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
        return f"MLP({self.nin}, {[layer.nout for layer in self.layers]}, engine={self.engine!r})"


def _layer_sizes(nouts: Any) -> list[int]:
    if isinstance(nouts, (int, np.integer)) or not isinstance(nouts, Sequence) or len(nouts) == 0:
        raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
    return [positive_int(f"nouts[{k}]", n) for k, n in enumerate(nouts)]


def _layer_activations(activation: str | Sequence[str], output_activation: str, n_layers: int) -> list[str]:
    """One activation name per layer: ``activation`` for the hidden layers and ``output_activation`` for the
    last, or an explicit list; every name known, softmax only on the output layer."""
    get_activation(output_activation)
    if isinstance(activation, str):
        get_activation(activation)  # checked even when there is no hidden layer
        acts = [activation] * (n_layers - 1) + [output_activation]
    else:
        acts = list(activation)
        if len(acts) != n_layers:
            raise ValueError(f"activation lists {len(acts)} names for {n_layers} layers")
        if output_activation != "linear" and output_activation != acts[-1]:
            raise ValueError(
                f"output_activation {output_activation!r} conflicts with the last entry "
                f"{acts[-1]!r} of the activation list"
            )
    for k, name in enumerate(acts):
        get_activation(name)
        if name == "softmax" and k != len(acts) - 1:
            raise ValueError(f"softmax is for the output layer, not hidden layer {k + 1}")
    return acts


__all__ = ["MLP", "TENSOR", "VALUE", "Layer", "Linear", "Neuron"]
