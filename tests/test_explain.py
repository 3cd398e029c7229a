"""ag.explain (the reverse pass written out) and nn.explain.explain_step (per layer, doc 000's notation)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_mini as ag
from autograd_mini.explain import RULES, rule_formula
from nn.documents import doc000_worked_example
from nn.explain import explain_step

# doc 000's printed numbers (eqs. 43-51)
DOC000 = {
    "a2": 4.0,
    "s2": [8.0],
    "s1": [8.0, 8.0],
    "W1": [[0.2, 0.2], [0.2, 0.2]],
    "b1": [-0.8, -0.8],
    "W2": [[-0.6], [-0.6]],
    "b2": [-0.8],
}


def test_every_op_in_the_table_has_a_written_rule() -> None:
    assert set(RULES) == set(ag.OPS)
    for name, op in ag.OPS.items():
        if not op.variadic:
            assert len(RULES[name]) == len(op.vjps), name
        for text, latex in RULES[name]:
            assert text and latex


def test_lincomb_formulas_follow_the_interleaved_inputs() -> None:
    op = ag.OPS["lincomb"]
    assert "∂b" in rule_formula(op, 0)[0]
    assert rule_formula(op, 1)[0].endswith("= xᵢ") and rule_formula(op, 2)[0].endswith("= wᵢ")
    assert rule_formula(op, 3) == rule_formula(op, 1)


def test_scalar_steps_match_closed_forms_and_backward() -> None:
    a, b = ag.Value(2.0, label="a"), ag.Value(-3.0, label="b")
    c = (a * b + a).tanh()
    c.label = "c"
    ex = ag.explain(c)
    assert a.grad == 0.0 and b.grad == 0.0  # explain leaves .grad alone
    assert [s.op for s in ex.steps] == ["tanh", "add", "mul"]
    t = math.tanh(-4.0)
    assert ex.steps[0].edges[0].local == pytest.approx(1 - t * t, rel=1e-15)
    mul = ex.steps[2]
    assert [e.local for e in mul.edges] == [-3.0, 2.0]  # d(ab)/da = b, d(ab)/db = a
    c.backward()
    assert ex.grad_of(a) == a.grad and ex.grad_of(b) == b.grad
    assert mul.edges[0].total == a.grad  # a's total after its last contribution
    text = str(ex)
    assert "∂tanh(x)/∂x = 1 − tanh²(x)" in text and "[3] t1 = mul(a, b) = -6" in text
    assert r"\frac{\partial \tanh x}{\partial x}" in ex._repr_markdown_()


def test_tensor_steps_reduce_broadcast_gradients() -> None:
    x = ag.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="x")
    b = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True, label="b")
    L = (x * b).sum()
    ex = ag.explain(L)
    L.backward()
    np.testing.assert_array_equal(ex.grad_of(b), b.grad)
    mul = [s for s in ex.steps if s.op == "mul"][0]
    assert mul.edges[1].contribution.shape == (3,)  # summed back to b's shape, as backward does
    np.testing.assert_array_equal(mul.edges[1].contribution, x.data.sum(axis=0))


def test_explain_refuses_a_constant() -> None:
    with pytest.raises(ValueError, match="does not require grad"):
        ag.explain(ag.Value(1.0, requires_grad=False) * 2)
    with pytest.raises(TypeError, match="Value or Tensor"):
        ag.explain(3.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_doc000_worked_example_per_layer(engine: str) -> None:
    model, x, y, eta = doc000_worked_example(engine)
    before = [layer.W for layer in model.layers]
    ex = explain_step(model, x, y, "squared_error", eta)
    assert [layer.W.tolist() for layer in model.layers] == [w.tolist() for w in before]  # model untouched
    assert ex.output.ravel().tolist() == [DOC000["a2"]]
    assert ex.loss == 16.0
    layer2, layer1 = ex.layers
    assert (layer2.k, layer1.k) == (2, 1)
    assert layer2.s.ravel().tolist() == DOC000["s2"]  # eq. 45
    assert layer1.s.ravel().tolist() == DOC000["s1"]  # eq. 47
    np.testing.assert_allclose(layer1.W_new, DOC000["W1"], atol=1e-15)  # eq. 48
    np.testing.assert_allclose(layer1.b_new, DOC000["b1"], atol=1e-15)  # eq. 49
    np.testing.assert_allclose(layer2.W_new, DOC000["W2"], atol=1e-15)  # eq. 50
    np.testing.assert_allclose(layer2.b_new, DOC000["b2"], atol=1e-15)  # eq. 51
    text = ex.text()
    assert "s^2 = ∂L/∂n^2 = [8.]" in text and "s^1 = ∂L/∂n^1 = [8. 8.]" in text
    assert "b^1 ← b^1 − η ∂L/∂b^1 = [-0.8 -0.8]" in text
    md = ex._repr_markdown_()
    assert r"s^{1} = \frac{\partial L}{\partial n^{1}} = \begin{bmatrix} 8 & 8 \end{bmatrix}" in md


def test_value_engine_groups_the_engine_steps_by_layer() -> None:
    model, x, y, eta = doc000_worked_example("value")
    ex = explain_step(model, x, y, "squared_error", eta)
    names2 = {s.name for s in ex.layers[0].steps}
    names1 = {s.name for s in ex.layers[1].steps}
    assert names2 == {"n^2_1"} and names1 == {"n^1_1", "n^1_2", "a^1_1", "a^1_2"}
    assert "lincomb(b^1_1, w^1_11" in ex.text(detail=True)


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_cli_check_explain_prints_the_engine_beside_the_document(
    engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from nn import cli

    assert cli.main(["check", "worked", "--explain", "--engine", engine]) == 0
    out = capsys.readouterr().out
    assert "document (by hand)" in out and "engine (reverse pass)" in out
    rows = {line.split("  ")[0]: " ".join(line.split()) for line in out.splitlines()}
    assert rows["s^2 = ∂L/∂n^2"].endswith("[[8.]] = [[8.]]")  # eq. 45
    assert rows["s^1 = ∂L/∂n^1"].endswith("[[8. 8.]] = [[8. 8.]]")  # eq. 47
    assert "= [[0.2 0.2] [0.2 0.2]]" in rows["W^1 after the step"]  # eq. 48
    assert "= [-0.8 -0.8]" in rows["b^1 after the step"]  # eq. 49
    assert "= [[-0.6] [-0.6]]" in rows["W^2 after the step"]  # eq. 50
    assert "= [-0.8]" in rows["b^2 after the step"]  # eq. 51
    assert "≠" not in out


def test_cli_check_explain_verbose_lists_the_engine_steps(capsys: pytest.CaptureFixture[str]) -> None:
    from nn import cli

    assert cli.main(["check", "doc002", "--explain", "--engine", "tensor", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "0.298371" in out  # doc 002 prints L = 0.2984
    assert "∂σ(x)/∂x = σ(x)(1 − σ(x))" in out and "Reverse pass from" in out


def test_beside_document_flags_a_disagreement(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from nn import closed_form
    from nn.explain import beside_document

    model, x, y, eta = doc000_worked_example("tensor")
    assert "≠" not in beside_document(model, x, y, "squared_error", eta)
    true_backprop = closed_form.backprop_row

    def slipped(*args: object, **kwargs: object) -> object:  # a hand derivation that forgot the factor 2
        r = true_backprop(*args, **kwargs)  # type: ignore[arg-type]
        return dataclasses.replace(r, s=[s_k / 2 for s_k in r.s])

    monkeypatch.setattr(closed_form, "backprop_row", slipped)
    text = beside_document(model, x, y, "squared_error", eta)
    rows = {line.split("  ")[0]: line for line in text.splitlines()}
    assert "≠" in rows["s^2 = ∂L/∂n^2"] and "≠" in rows["s^1 = ∂L/∂n^1"]
    assert "≠" not in rows["L"]


def test_cli_check_explain_value_engine_batch_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    from nn import cli

    assert cli.main(["check", "--layers", "3,4,2", "--explain"]) == 2
    assert "one sample at a time" in capsys.readouterr().err
