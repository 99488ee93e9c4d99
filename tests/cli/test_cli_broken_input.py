"""Every ``lite`` command, fed broken input, fails with one ``Error:`` line and a non-zero exit.

The commands are enumerated from the click tree, so a new command is covered without editing this
file. For each one the test runs: every input argument missing; every input an empty file or folder;
every input garbage (binary bytes, bytes that are not UTF-8, JSON of the wrong shape, folders of
such files); and, with readable inputs, each option given a value of the wrong type or out of range.
A traceback, output that is not a usage or ``Error:`` message, or exit status 0 fails the test.
The network is replaced by a function that refuses every connection, so download commands fail
fast and offline.
"""

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import click
import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.cli import cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lhotse-1.33"


def _leaf_commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _leaf_commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = dict(_leaf_commands(cli))


def _is_output(param: click.Parameter) -> bool:
    return param.name.startswith("output") or param.name == "target_dir"


def _is_path(param: click.Parameter) -> bool:
    return isinstance(param.type, click.Path)


def _is_dir(param: click.Parameter) -> bool:
    return _is_path(param) and not param.type.file_okay


GARBAGE = {
    "binary": b"\x1f\x8b\x08\x00garbage\x00\xff\xfe{[\n\x80\x81",
    "latin1": "r1 1 A 0.0 1.0 caf\xe9 <NA> <NA> spk\xe9 <NA> <NA>\n".encode("latin-1"),
    "wrong_json": b'{"id": 1, "start": "x"}\n[1, 2]\n"text"\n',
    "huge_numbers": b'{"id": "a", "recording_id": "r", "start": 1e309, "duration": -1e400}\n',
}
KALDI_FILES = (
    "wav.scp",
    "segments",
    "text",
    "utt2spk",
    "spk2utt",
    "reco2dur",
    "utt2dur",
    "spk2gender",
    "utt2lang",
    "reco2num_samples",
    "feats.scp",
)


def _garbage_file(folder: Path, name: str, kind: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(GARBAGE[kind])
    return path


def _garbage_dir(folder: Path, kind: str) -> Path:
    """A folder shaped like every corpus and Kaldi layout the commands read, each file garbage."""
    for name in KALDI_FILES:
        _garbage_file(folder, name, kind)
    for name in (
        "a.wav",
        "spk/b.flac",
        "dev/audio/c.wav",
        "dev/d.rttm",
        "test/e.rttm",
        "waves_yesno/0_1.wav",
        "speech_commands_v0.01/yes/f.wav",
        "speech_commands_v0.02/yes/f.wav",
        "dev-clean/1/2/1-2.trans.txt",
        "dev-clean/1/2/1-2-0000.flac",
        "a.txt",
    ):
        _garbage_file(folder, name, kind)
    return folder


def _input_value(param: click.Parameter, tmp: Path, scenario: str) -> str:
    name = (
        f"{param.name}.jsonl.gz"
        if "manifest" in param.name or param.name in ("recordings", "supervisions", "features", "manifests")
        else f"{param.name}.txt"
    )
    if scenario == "missing":
        return str(tmp / "missing" / name)
    if scenario == "empty":
        if _is_dir(param):
            folder = tmp / f"empty_{param.name}"
            folder.mkdir()
            return str(folder)
        path = tmp / f"empty_{name}"
        path.write_bytes(b"")
        return str(path)
    if _is_dir(param):
        return str(_garbage_dir(tmp / f"{scenario}_{param.name}", scenario))
    return str(_garbage_file(tmp, f"{scenario}_{name}", scenario))


def _valid_input(param: click.Parameter, tmp: Path) -> str:
    """A readable input of the kind the argument expects (for the option checks)."""
    by_name = {
        "recordings": "recordings.jsonl",
        "supervisions": "supervisions.jsonl",
        "manifests": "supervisions.jsonl",
        "input_manifest": "supervisions.jsonl",
        "features": "feats_lilcom_chunky.jsonl.gz",
    }
    if param.name in by_name:
        return by_name[param.name]
    if param.name == "rttm_files":
        path = tmp / "turns.rttm"
        path.write_text("SPEAKER r1 1 0.00 1.00 <NA> <NA> spk1 <NA> <NA>\n")
        return str(path)
    if param.name == "ctm_file":
        path = tmp / "words.ctm"
        path.write_text("r1 1 0.10 0.30 hello\n")
        return str(path)
    if _is_dir(param):
        folder = tmp / f"valid_{param.name}"
        folder.mkdir(exist_ok=True)
        (folder / "wav.scp").write_text("r1 audio/r1.wav\n")
        return str(folder)
    path = tmp / f"valid_{param.name}.txt"
    path.write_text("r1 HELLO\n")
    return str(path)


def _argument_value(param: click.Parameter, tmp: Path, inputs) -> list:
    if isinstance(param.type, click.Choice):
        return [param.type.choices[0]]
    if isinstance(param.type, (click.types.IntParamType, click.IntRange)):
        return ["2"]
    if _is_output(param):
        return [str(tmp / "out" / (f"{param.name}.jsonl.gz" if "manifest" in param.name else param.name))]
    return [inputs(param)]


def _argv(path, command, tmp: Path, inputs, options=()) -> list:
    argv = list(path)
    for param in command.params:
        if isinstance(param, click.Argument):
            argv += _argument_value(param, tmp, inputs)
    if path == ("manifest", "subset"):
        argv += ["--first", "1"]
    return argv + list(options)


def _bad_option_values(param: click.Option) -> list:
    kind = param.type
    if isinstance(kind, click.IntRange):
        low = kind.min if kind.min is not None else 0
        return ["abc", str(low - 1)]
    if isinstance(kind, click.types.IntParamType):
        return ["abc", "1.5"]
    if isinstance(kind, click.types.FloatParamType):
        return ["abc", "nan", "inf"]
    if isinstance(kind, click.Choice):
        return ["bogus-choice"]
    if isinstance(kind, click.Path) and kind.exists:
        return ["missing-path"]
    return []


SPECIFIC_BAD_OPTIONS = {
    ("manifest", "filter"): [["--where", "duration>=abc"], ["--where", "duration"], ["--where", "text~("]],
    ("feat", "extract"): [["--extractor", "no-such-extractor"]],
    ("feat", "write-default-config"): [["--extractor", "no-such-extractor"]],
    ("feat", "inspect"): [["--plot", "out.txt"], ["--item", "99999"], ["--recording-id", "no-such-id"]],
    ("download", "yesno"): [["--url", "ftp://127.0.0.1:9/none.tar.gz"]],
    ("download", "librispeech"): [["--base-url", "http://127.0.0.1:9"], ["-p", "no-such-part"]],
    ("download", "speechcommands"): [["--base-url", "http://127.0.0.1:9"]],
    ("prepare", "librispeech"): [["-p", "no-such-part"]],
    ("manifest", "mux"): [["--weight", "-1"], ["--weight", "1", "--weight", "2"]],
}


def _option_cases():
    for path, command in COMMANDS.items():
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag:
                for value in _bad_option_values(param):
                    yield path, [param.opts[-1], value]
        for options in SPECIFIC_BAD_OPTIONS.get(path, []):
            yield path, options


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError(ConnectionRefusedError(111, "the network is off in this test"))

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.chdir(FIXTURES)


def _check(result, argv):
    shown = " ".join(argv)
    assert result.exit_code != 0, f"lite {shown}: exit 0 on broken input\n{result.output}"
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"lite {shown}: raised {type(result.exception).__name__}: {result.exception}\n{result.output}"
    )
    assert "Traceback" not in result.output, f"lite {shown}:\n{result.output}"
    lines = result.stderr.replace("\r", "\n").splitlines()  # progress bars redraw with \r
    if argv[:2] == ["manifest", "validate"] and result.exit_code == 1:  # its report is the problem list
        assert result.stdout.strip() and any("problem(s) found" in line for line in lines), result.output
        return
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, f"lite {shown}: expected one 'Error:' line on stderr, got\n{result.stderr}"
    assert result.exit_code in (1, 2), f"lite {shown}: exit {result.exit_code}\n{result.output}"


def _run(argv):
    return CliRunner().invoke(cli, argv, input="")


def test_every_command_is_covered():
    assert len(COMMANDS) >= 28
    assert ("manifest", "validate") in COMMANDS and ("prepare", "audio-folder") in COMMANDS


@pytest.mark.parametrize("scenario", ["missing", "empty", *GARBAGE])
@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_broken_inputs(path, scenario, tmp_path):
    command = COMMANDS[path]
    inputs = [p for p in command.params if isinstance(p, click.Argument) and _is_path(p) and not _is_output(p)]
    if not inputs:
        pytest.skip(f"lite {' '.join(path)} reads no input file")
    argv = _argv(path, command, tmp_path, lambda param: _input_value(param, tmp_path, scenario))
    _check(_run(argv), argv)


@pytest.mark.parametrize(
    "path,options", list(_option_cases()), ids=[f"{' '.join(p)} {' '.join(o)}" for p, o in _option_cases()]
)
def test_bad_option_values(path, options, tmp_path):
    argv = _argv(path, COMMANDS[path], tmp_path, lambda param: _valid_input(param, tmp_path), options)
    _check(_run(argv), argv)


CORPUS_LAYOUT = (
    b"a\xe9.wav",
    b"spk\xe9/b.flac",
    b"dev/audio/c\xe9.wav",
    b"waves_yesno/0_1_0_1_0_1_0_\xe9.wav",
    b"speech_commands_v0.02/yes/d\xe9_nohash_0.wav",
    b"speech_commands_v0.01/yes/d\xe9_nohash_0.wav",
    b"dev-clean/1/2/1-2-000\xe9.flac",
)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
@pytest.mark.parametrize("path", sorted(p for p in COMMANDS if p[0] == "prepare"), ids=" ".join)
def test_file_names_that_are_not_utf8(path, tmp_path):
    """Readable audio under names that are not UTF-8: refused with one Error line, or left out; no traceback."""
    corpus = os.fsencode(tmp_path / "corpus")
    for name in CORPUS_LAYOUT:
        target = os.path.join(corpus, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as file:
            sf.write(file, np.zeros(1600, dtype=np.float32), 16000, format="FLAC" if name.endswith(b".flac") else "WAV")
    for name in (b"speech_commands_v0.02/validation_list.txt", b"speech_commands_v0.02/testing_list.txt"):
        open(os.path.join(corpus, name), "wb").close()
    argv = _argv(path, COMMANDS[path], tmp_path, lambda param: os.fsdecode(corpus))
    result = _run(argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"lite {' '.join(argv)}: raised {type(result.exception).__name__}: {result.exception}"
    )
    if result.exit_code != 0:
        _check(result, argv)
