"""History.plot(): the loss (and accuracy) curves that fit recorded, drawn with matplotlib (Agg backend)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _optional import require_module

import nn
from nn.datasets import logic_gate
from nn.train import History, fit


@pytest.fixture
def plt() -> Any:
    matplotlib = require_module("matplotlib", "examples")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


def test_plot_draws_the_recorded_loss_and_accuracy(plt: Any) -> None:
    X, y = logic_gate("xor")
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    history = fit(model, X, y, loss="half_squared_error", reduction="sum", lr=2.0, epochs=30, progress=False)
    assert history.accuracy is not None and len(history.loss) == 30

    ax = history.plot()
    (loss_line,) = ax.get_lines()
    np.testing.assert_array_equal(loss_line.get_xdata(), np.arange(1, 31))
    np.testing.assert_array_equal(loss_line.get_ydata(), history.loss)
    assert ax.get_xlabel() == "epoch" and "loss" in ax.get_ylabel()
    accuracy_ax = ax.figure.axes[-1]
    assert accuracy_ax is not ax
    (accuracy_line,) = accuracy_ax.get_lines()
    np.testing.assert_array_equal(accuracy_line.get_ydata(), history.accuracy)
    assert "accuracy" in accuracy_ax.get_ylabel()


def test_plot_on_given_axes_without_accuracy(plt: Any) -> None:
    history = History(loss=[3.0, 2.0, 1.5], updates=[1, 1, 1])
    fig, ax = plt.subplots()
    assert history.plot(ax) is ax
    assert len(fig.axes) == 1  # no accuracy recorded: no second axis
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [3.0, 2.0, 1.5])
    assert ax.get_title() == "3 epochs, final loss 1.5"
