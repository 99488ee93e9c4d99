"""The CLI on remote manifests: ``lite --path-map`` and ``manifest validate`` of a manifest on S3."""

import io

import numpy as np
import soundfile as sf
from click.testing import CliRunner

from lhotse_lite.audio import AudioSource, Recording, RecordingSet
from lhotse_lite.cli import cli


def test_validate_a_bucket_manifest_with_a_path_map(s3, bucket):
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(8000, np.float32), 16000, format="FLAC")
    s3.client.put_object(Bucket=bucket, Key="corpus/a.flac", Body=buffer.getvalue())
    recs = RecordingSet.from_recordings(
        [Recording("a", [AudioSource("file", [0], "/mnt/corpus/a.flac")], 16000, 8000, 0.5)]
    )
    recs.to_file(f"s3://{bucket}/recs.jsonl.gz")
    runner = CliRunner()
    mapped = runner.invoke(
        cli,
        [
            "--path-map",
            f"/mnt/corpus=s3://{bucket}/corpus",
            "manifest",
            "validate",
            "--read-data",
            f"s3://{bucket}/recs.jsonl.gz",
        ],
    )
    assert mapped.exit_code == 0, mapped.output
    plain = runner.invoke(cli, ["manifest", "validate", f"s3://{bucket}/recs.jsonl.gz"])
    assert plain.exit_code != 0 and "/mnt/corpus/a.flac" in plain.output
    bad = runner.invoke(cli, ["--path-map", "no-equals-sign", "manifest", "validate", f"s3://{bucket}/recs.jsonl.gz"])
    assert bad.exit_code != 0 and bad.output.startswith("Error: ") and "SRC=DST" in bad.output


def test_a_missing_remote_manifest_is_reported_with_its_url(s3, bucket):
    result = CliRunner().invoke(cli, ["manifest", "validate", f"s3://{bucket}/nothing.jsonl"])
    assert result.exit_code == 1 and f"s3://{bucket}/nothing.jsonl: reading the size failed: not found" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["manifest", "describe", f"s3://{bucket}/nothing.jsonl"])
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "nothing.jsonl" in result.output
