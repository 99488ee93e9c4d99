"""``lite manifest validate`` refuses a features manifest whose rows hold different kinds of features.

Before, a manifest with 80-dimensional fbank rows and 13-dimensional MFCC rows (what a resume with
another config wrote) validated as OK.
"""

from click.testing import CliRunner

from lhotse_lite.cli import cli
from lhotse_lite.features.manifest import Features, FeatureSet
from lhotse_lite.validation import validate_manifests


def _row(recording_id, type_, dim):
    return Features(
        type=type_,
        num_frames=100,
        num_features=dim,
        frame_shift=0.01,
        sampling_rate=16000,
        start=0.0,
        duration=1.0,
        storage_type="lilcom_chunky",
        storage_path="feats.lca",
        storage_key="0,10",
        recording_id=recording_id,
        channels=0,
    )


def test_validate_names_the_rows_of_another_kind(tmp_path):
    path = tmp_path / "feats.jsonl"
    FeatureSet.from_features(
        [
            _row("a", "kaldi-fbank", 80),
            _row("b", "kaldi-mfcc", 13),
            _row("c", "kaldi-fbank", 40),
            _row("d", "kaldi-fbank", 80),
        ]
    ).to_file(path)
    result = CliRunner().invoke(cli, ["manifest", "validate", "--no-check-files", str(path)])
    assert result.exit_code != 0, result.output
    assert (
        f"{path}:2: features[b]: feature type 'kaldi-mfcc' with 13 features differs from the first row's "
        f"'kaldi-fbank' with 80 ({path}:1)" in result.output
    )
    assert f"{path}:3: features[c]" in result.output and f"{path}:4:" not in result.output


def test_library_validation_refuses_mixed_rows():
    rows = [_row("a", "kaldi-fbank", 80), _row("b", "kaldi-fbank", 13)]
    problems = validate_manifests(features=rows, check_files=False)
    assert [(p.item_id, "differs from the first row's 'kaldi-fbank' with 80" in p.message) for p in problems] == [
        ("b", True)
    ]
    assert validate_manifests(features=rows[:1], check_files=False) == []
