"""The reference implementations of the differential tests, fetched as wheels and loaded without installing.

* torchaudio 2.7.1: ``torchaudio/models/emformer.py`` and ``torchaudio/prototype/models/conv_emformer.py``
  import only ``math``, ``typing`` and ``torch``; they are imported straight from the wheel (a zip) under
  their own module names, below bare stand-ins for the ``torchaudio`` packages, so torchaudio's
  ``__init__`` and its C++ extension are never loaded.
* torchaudio 2.7.1's ``torchaudio/compliance/kaldi.py`` (Kaldi's spectrogram, fbank and MFCC in pure torch) the
  same way, below a ``torchaudio`` stand-in carrying the one function it calls, ``functional.create_dct``,
  compiled from the wheel's source.
* SpeechBrain 1.1.2: the ``speechbrain`` package is unpacked from the wheel and imported below a bare
  ``speechbrain`` stand-in (its ``__init__`` would pull hyperpyyaml, joblib and scipy), with a bare
  ``torchaudio`` module carrying a ``__version__`` (all that ``wav2vec``, ``quantisers``, ``Transformer``
  and ``streaming`` ask of it at import time).
* NeMo 3.0.0: ``jasper.py`` and ``conv_asr.py`` are imported from the wheel below stand-ins for the
  registries, mixins, type system and OmegaConf they import (:func:`_nemo_stand_ins`); the activation
  registry is NeMo's own dict, parsed from the wheel (:func:`nemo_activation_registry`).

Each wheel is downloaded once (``pip download --no-deps``, through pip's configured index) into
:data:`CACHE` (git-ignored; ``LITE_REFERENCE_CACHE`` overrides it), checked against its pinned SHA-256 and
reused by later runs. When the registry cannot be reached, the tests that need a missing wheel are skipped
with pip's reason (they fail instead where ``LITE_REQUIRE_REFERENCES=1``, as ``.ci/run`` sets it, so CI
cannot pass without them). Stand-ins are taken out of ``sys.modules`` after the imports, so the rest of the test
session (Lhotse probes for ``torchaudio``) never sees them.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import types
import zipfile
from pathlib import Path
from typing import Dict, Iterator, NamedTuple, Optional, Tuple

import pytest
import torch

CACHE = Path(os.environ.get("LITE_REFERENCE_CACHE", Path(__file__).parent / ".cache"))


class Wheel(NamedTuple):
    requirement: str
    filename: str
    sha256: str
    pip_args: Tuple[str, ...] = ()


TORCHAUDIO = Wheel(
    "torchaudio==2.7.1",
    "torchaudio-2.7.1-cp311-cp311-manylinux_2_28_x86_64.whl",
    "f8bd69354a397753b9dea9699d9e1251f8496fbbdf3028c7086a57a615bf33c3",
    # One fixed build, whatever the host: only its pure-Python files are read.
    ("--platform", "manylinux_2_28_x86_64", "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311"),
)
SPEECHBRAIN = Wheel(
    "speechbrain==1.1.2",
    "speechbrain-1.1.2-py3-none-any.whl",
    "9fea4144c917ea58bcf13f17a1a1759179ed7472a30ec8416e7c7c8cf21d9c9a",
)
NEMO = Wheel(
    "nemo_toolkit==3.0.0",
    "nemo_toolkit-3.0.0-py3-none-any.whl",
    "f1d8238e35909464cf426e5792af3113a7060de419f194b83bedd81cbe909394",
)

_unreachable: Optional[str] = None  # pip's reason, once a download failed in this session


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pip_reason(output: str) -> str:
    """pip's errors and connection warnings, on one line."""
    lines = [line.strip() for line in output.splitlines() if "error" in line.lower() or "connection" in line.lower()]
    return " / ".join(lines or output.strip().splitlines()[-1:])[:500]


def _unavailable(message: str) -> None:
    """Skips the calling test, or fails it where ``LITE_REQUIRE_REFERENCES=1`` (CI: a skip would hide it)."""
    if os.environ.get("LITE_REQUIRE_REFERENCES") == "1":
        pytest.fail(f"{message} (LITE_REQUIRE_REFERENCES=1 makes this an error)", pytrace=False)
    pytest.skip(message)


def wheel_path(wheel: Wheel) -> Path:
    """The cached wheel, downloaded first when missing; skips the calling test when that is impossible."""
    global _unreachable
    target = CACHE / wheel.filename
    if not target.exists():
        if _unreachable is not None:
            _unavailable(f"reference {wheel.requirement} is not cached in {CACHE} and {_unreachable}")
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE, prefix=".download-") as tmp:
            command = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--no-input",
                "--disable-pip-version-check",
                "--retries",
                "1",
                "--timeout",
                "20",
                "--quiet",
                "--dest",
                tmp,
                *wheel.pip_args,
                wheel.requirement,
            ]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=600)
                failure = None if done.returncode == 0 else _pip_reason(done.stderr or done.stdout)
            except subprocess.TimeoutExpired:
                failure = "pip download timed out after 600 s"
            downloaded = Path(tmp) / wheel.filename
            if failure is not None or not downloaded.exists():
                _unreachable = (
                    f"the package registry could not be reached for {wheel.requirement}: "
                    f"{failure or 'pip saved no ' + wheel.filename}"
                )
                _unavailable(f"reference {wheel.requirement} is not cached in {CACHE} and {_unreachable}")
            os.replace(downloaded, target)
    if _sha256(target) != wheel.sha256:
        target.unlink()
        raise RuntimeError(f"{target} does not have the pinned SHA-256 {wheel.sha256}; it was deleted, rerun")
    return target


def _unpacked(wheel: Wheel, package: str) -> Path:
    """The wheel's top-level ``package`` folder, unpacked once into the cache (atomically)."""
    folder = CACHE / wheel.filename.replace(".whl", "")
    if not (folder / package).is_dir():
        archive = wheel_path(wheel)
        tmp = Path(tempfile.mkdtemp(dir=CACHE, prefix=".unpack-"))
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp, [name for name in zf.namelist() if name.startswith(package + "/")])
        try:
            os.replace(tmp, folder)
        except OSError:  # another session unpacked it first
            shutil.rmtree(tmp)
    return folder


def _package(name: str, path: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__path__ = [path]
    module.__dict__.update(attributes)
    return module


def _module(name: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    return module


@contextlib.contextmanager
def _stand_ins(modules: Dict[str, types.ModuleType], drop_prefixes: Tuple[str, ...]) -> Iterator[None]:
    """Serve ``modules`` from ``sys.modules`` during the imports; afterwards take them out again, with every
    module imported meanwhile whose name starts with one of ``drop_prefixes``."""
    before = set(sys.modules)
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            if name in modules or name.startswith(drop_prefixes):
                del sys.modules[name]


@functools.lru_cache(maxsize=None)
def torchaudio_conv_emformer() -> types.ModuleType:
    """torchaudio 2.7.1's ``torchaudio.prototype.models.conv_emformer`` module (``ConvEmformer``)."""
    root = f"{wheel_path(TORCHAUDIO)}/torchaudio"
    packages = {
        name: _package(name, f"{root}/{sub}")
        for name, sub in [
            ("torchaudio", ""),
            ("torchaudio.models", "models"),
            ("torchaudio.prototype", "prototype"),
            ("torchaudio.prototype.models", "prototype/models"),
        ]
    }
    with _stand_ins(packages, ("torchaudio",)):
        return importlib.import_module("torchaudio.prototype.models.conv_emformer")


@functools.lru_cache(maxsize=None)
def torchaudio_compliance_kaldi() -> types.ModuleType:
    """torchaudio 2.7.1's ``torchaudio.compliance.kaldi`` module (``spectrogram``, ``fbank``, ``mfcc``).

    It imports only ``math``, ``typing`` and ``torch``, plus ``torchaudio`` for one call,
    ``torchaudio.functional.create_dct``: the stand-in ``torchaudio`` carries that function compiled from the
    wheel's own ``functional/functional.py`` (whose module imports the C++ extension). Its mel banks, DCT and
    lifter are built in torch's default dtype; run it under :func:`default_dtype` ``(torch.float64)`` for a
    float64 result all the way through.
    """
    archive = wheel_path(TORCHAUDIO)
    with zipfile.ZipFile(archive) as zf:
        source = zf.read("torchaudio/functional/functional.py").decode("utf-8")
    tree = ast.parse(source)
    create_dct = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "create_dct"]
    namespace: Dict[str, object] = {"math": math, "torch": torch, "Optional": Optional, "Tensor": torch.Tensor}
    exec(compile(ast.Module(create_dct, []), f"{archive}/torchaudio/functional/functional.py", "exec"), namespace)
    root = f"{archive}/torchaudio"
    functional = types.SimpleNamespace(create_dct=namespace["create_dct"])
    modules = {
        "torchaudio": _package("torchaudio", root, functional=functional),
        "torchaudio.compliance": _package("torchaudio.compliance", f"{root}/compliance"),
    }
    with _stand_ins(modules, ("torchaudio",)):
        return importlib.import_module("torchaudio.compliance.kaldi")


@contextlib.contextmanager
def default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """torch's default dtype set to ``dtype`` inside the block."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


@functools.lru_cache(maxsize=None)
def speechbrain() -> types.SimpleNamespace:
    """SpeechBrain 1.1.2's ``wav2vec``, ``Transformer``, ``quantisers`` and ``streaming`` modules."""
    root = _unpacked(SPEECHBRAIN, "speechbrain") / "speechbrain"
    # The speechbrain modules stay in sys.modules (some import lazily); only torchaudio's stand-in goes.
    sys.modules.setdefault("speechbrain", _package("speechbrain", str(root)))
    with _stand_ins({"torchaudio": _module("torchaudio", __version__="2.7.1")}, ()):
        names = dict(
            wav2vec="lobes.models.wav2vec",
            transformer="lobes.models.transformer.Transformer",
            quantisers="nnet.quantisers",
            streaming="utils.streaming",
        )
        loaded = {key: importlib.import_module(f"speechbrain.{path}") for key, path in names.items()}
    return types.SimpleNamespace(**loaded)


class _NeMoMixin:
    """Stands in for NeMo's adapter/access/export mixins: no adapters, no access hooks."""

    def is_adapter_available(self) -> bool:
        return False

    def is_access_enabled(self, guid: object = None) -> bool:
        return False

    def set_accepted_adapter_types(self, types: object) -> None:
        pass


@functools.lru_cache(maxsize=None)
def nemo_activation_registry() -> Dict[str, type]:
    """NeMo 3.0.0's ``activation_registry`` (its ``jasper_activations``), read from the wheel's
    ``nemo/collections/common/parts/utils.py``: that module imports ``einops``, so its dict literal of
    ``nn.<Class>`` entries is parsed instead of importing it."""
    with zipfile.ZipFile(wheel_path(NEMO)) as zf:
        source = zf.read("nemo/collections/common/parts/utils.py").decode()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and [target.id for target in node.targets] == ["activation_registry"]:
            return {key.value: getattr(torch.nn, value.attr) for key, value in zip(node.value.keys, node.value.values)}
    raise RuntimeError("NeMo's utils.py has no activation_registry dict literal")


def _nemo_stand_ins(root: str) -> Dict[str, types.ModuleType]:
    """Bare NeMo packages over the wheel's folders, and stand-ins for what jasper.py/conv_asr.py import."""
    packages = [
        "nemo",
        "nemo.collections",
        "nemo.collections.asr",
        "nemo.collections.asr.parts",
        "nemo.collections.asr.parts.submodules",
        "nemo.collections.asr.modules",
    ]
    modules = {name: _package(name, f"{root}/{name.replace('.', '/')}") for name in packages}
    nn = torch.nn
    registry = nemo_activation_registry()
    adapter_mixins = _module(
        "nemo.core.classes.mixins.adapter_mixins",
        AdapterModuleMixin=type("AdapterModuleMixin", (_NeMoMixin,), {}),
        get_registered_adapter=lambda cls: True,
    )
    adapter_utils = _module("nemo.collections.asr.parts.utils.adapter_utils", LINEAR_ADAPTER_CLASSPATH="")
    neural_types = _module("nemo.core.neural_types")
    neural_types.__getattr__ = lambda name: lambda *args, **kwargs: None  # type annotations only
    stand_ins = [
        _module("nemo.collections.common.parts.utils", activation_registry=registry),
        adapter_mixins,
        _module(
            "nemo.core.classes.mixins",
            AccessMixin=type("AccessMixin", (_NeMoMixin,), {}),
            adapter_mixins=adapter_mixins,
        ),
        _module("nemo.core.classes.common", typecheck=lambda *args, **kwargs: lambda forward: forward),
        _module("nemo.core.classes.exportable", Exportable=type("Exportable", (_NeMoMixin,), {})),
        _module("nemo.core.classes.module", NeuralModule=nn.Module),
        neural_types,
        _module("nemo.utils", logging=logging.getLogger("nemo")),
        adapter_utils,
        _module("nemo.collections.asr.parts.utils", adapter_utils=adapter_utils),
        _module(
            "omegaconf",
            MISSING="???",
            DictConfig=dict,
            ListConfig=list,
            OmegaConf=types.SimpleNamespace(to_container=lambda config: config),
        ),
    ]
    modules.update({module.__name__: module for module in stand_ins})
    return modules


@functools.lru_cache(maxsize=None)
def nemo() -> types.SimpleNamespace:
    """NeMo 3.0.0's ``jasper`` (``JasperBlock``, ``MaskedConv1d``) and ``conv_asr`` (``ConvASREncoder``,
    ``ConvASRDecoderClassification``) modules."""
    with _stand_ins(_nemo_stand_ins(f"{wheel_path(NEMO)}"), ("nemo", "omegaconf")):
        conv_asr = importlib.import_module("nemo.collections.asr.modules.conv_asr")
        jasper = importlib.import_module("nemo.collections.asr.parts.submodules.jasper")
    return types.SimpleNamespace(conv_asr=conv_asr, jasper=jasper)
