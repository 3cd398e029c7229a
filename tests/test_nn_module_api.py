"""PyTorch's Module API on nn.Module: train()/eval() and ``training``, children, modules, apply (issue 11)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nn
from autograd_mini import Value
from tests._optional import require_module


class Inner(nn.Module):
    def __init__(self, n: int) -> None:
        self.lin = nn.Linear(n, n, engine="tensor", rng=n)
        self.gain = Value(1.0)

    def forward(self, x: Any) -> Any:
        return self.lin(x) * self.gain.data


class Outer(nn.Module):
    """first; inner (whose lin is shared by second); second; again = first (shared at the top)."""

    def __init__(self) -> None:
        self.first = nn.Linear(3, 2, engine="tensor", rng=0)
        self.inner = Inner(2)
        self.second = Inner(2)
        self.second.other = self.inner.lin
        self.again = self.first

    def forward(self, x: Any) -> Any:
        return self.second(self.inner(self.first(x)))


def _torch_outer(torch: Any) -> Any:
    class TInner(torch.nn.Module):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.lin = torch.nn.Linear(n, n)

    class TOuter(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.first = torch.nn.Linear(3, 2)
            self.inner = TInner(2)
            self.second = TInner(2)
            self.second.other = self.inner.lin
            self.again = self.first

    return TOuter()


def _apply_order(model: Any) -> list[str]:
    names = {id(m): name for name, m in model.named_modules()}
    visited: list[str] = []
    assert model.apply(lambda m: visited.append(names[id(m)])) is model
    return visited


def test_module_tree_matches_torch_on_the_same_structure() -> None:
    torch = require_module("torch", "torch")
    ours, theirs = Outer(), _torch_outer(torch)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_modules(prefix="model")] == [n for n, _ in theirs.named_modules(prefix="model")]
    assert _apply_order(ours) == _apply_order(theirs)  # the shared lin is visited under both parents
    assert len(list(ours.modules())) == len(list(theirs.modules())) == 6
    assert [type(m).__name__ for m in ours.children()] == ["Linear", "Inner", "Inner"]


def test_train_and_eval_set_the_flag_everywhere_like_torch() -> None:
    torch = require_module("torch", "torch")
    ours, theirs = Outer(), _torch_outer(torch)
    for model in (ours, theirs):
        assert model.training and all(m.training for m in model.modules())
        assert model.eval() is model
        assert not any(m.training for m in model.modules())
        assert model.train() is model and all(m.training for m in model.modules())
        assert model.train(False) is model and not model.second.other.training
        with pytest.raises(ValueError, match="training mode is expected to be boolean"):
            model.train("no")  # type: ignore[arg-type]
    assert not any(m.training for m in ours.modules())  # the refused call changed nothing


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_mlp_modules_follow_parameter_names(engine: str) -> None:
    model = nn.MLP(2, [3, 1], engine=engine, seed=0)
    names = [n for n, _ in model.named_modules()]
    if engine == "tensor":
        assert names == ["", "layers.0", "layers.1"]
    else:
        assert names == [
            "",
            "layers.0",
            "layers.0.neurons.0",
            "layers.0.neurons.1",
            "layers.0.neurons.2",
            "layers.1",
            "layers.1.neurons.0",
        ]
    params = {n for n, _ in model.named_parameters()}
    for name, module in model.named_modules():
        if name:
            own = {f"{name}.{p}" for p, _ in module.named_parameters()}
            assert own <= params  # a module's name prefixes its parameters' names
    assert [n for n, _ in model.named_children()] == ["layers.0", "layers.1"]


def test_apply_initialises_weights_and_sequential_children() -> None:
    l1, l2 = nn.Linear(2, 3, engine="tensor", rng=0), nn.Linear(3, 1, engine="tensor", rng=1)
    model = nn.Sequential(l1, l2)
    assert list(model.children()) == [l1, l2]

    def zero(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            m.weight.data[...] = 0.0

    model.apply(zero)
    assert np.all(l1.weight.data == 0) and np.all(l2.weight.data == 0)


def test_a_module_holding_its_parent_is_not_reentered() -> None:
    outer = Outer()
    outer.inner.parent = outer  # a back reference: a cycle
    assert [n for n, _ in outer.named_modules()] == ["", "first", "inner", "inner.lin", "second", "second.lin"]
    assert _apply_order(outer) == ["first", "inner.lin", "inner", "second.lin", "inner.lin", "second", ""]
