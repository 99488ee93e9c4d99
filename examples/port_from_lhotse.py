"""An ordinary Lhotse 1.33 data-preparation script, run on Lhotse or on lhotse_lite.

The body below is written for Lhotse and uses only Lhotse's own import paths. Porting it to lhotse_lite
means changing the imports, nothing else; to show that, the package is chosen at run time
(``--impl lhotse`` imports ``lhotse``, the default imports ``lhotse_lite``) and every module is then
imported by the same dotted path from that package. The steps are the everyday ones:

1. scan a LibriSpeech-style folder of audio: ``Recording.from_file`` for each file, a ``RecordingSet``;
2. read the transcripts into ``SupervisionSegment`` objects, a ``SupervisionSet``;
3. ``find`` the segments of one recording inside a time window;
4. ``filter`` segments shorter than 3.6 s out, ``map`` a text normalisation over the rest (assigning a field);
5. ``split`` the supervisions into two shuffled parts;
6. write every manifest as JSONL.gz;
7. extract Kaldi fbank into a ``lilcom_chunky`` archive with ``FeatureSetBuilder``;
8. ``compute_global_stats`` over the stored features.

Run it (``tests/examples/test_port_from_lhotse.py`` runs both and compares the results)::

    python examples/port_from_lhotse.py demo_data/LibriSpeech/dev-clean-demo out_lite/
    python examples/port_from_lhotse.py demo_data/LibriSpeech/dev-clean-demo out_lhotse/ --impl lhotse

Example:
    >>> from pathlib import Path
    >>> import tempfile
    >>> corpus = Path(__file__).resolve().parent.parent / "demo_data" / "LibriSpeech" / "test-clean-demo"
    >>> summary = prepare(corpus, tempfile.mkdtemp(), impl="lhotse_lite")
    >>> summary["recordings"], summary["supervisions"], summary["feature_dim"]
    (6, 5, 80)
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import random
from pathlib import Path
from typing import Any, Dict, Union

IMPLEMENTATIONS = ("lhotse_lite", "lhotse")


def prepare(corpus_dir: Union[str, Path], output_dir: Union[str, Path], impl: str = "lhotse_lite") -> Dict[str, Any]:
    """Runs the whole preparation on ``corpus_dir`` with ``impl`` and writes into ``output_dir``.

    Args:
        corpus_dir: A LibriSpeech split folder (``<speaker>/<chapter>/*.flac`` and ``*.trans.txt``).
        output_dir: Where the manifests, the feature archive and the statistics are written.
        impl: ``"lhotse_lite"`` or ``"lhotse"``: the package every import below comes from.

    Returns:
        A summary: item counts, the ids ``find`` returned, the split sizes and the feature dimension.
    """
    # --- the imports: the only lines a port changes (here, the package name is a variable) ---
    audio = importlib.import_module(f"{impl}.audio")
    supervision = importlib.import_module(f"{impl}.supervision")
    features = importlib.import_module(f"{impl}.features")
    features_base = importlib.import_module(f"{impl}.features.base")
    features_io = importlib.import_module(f"{impl}.features.io")
    utils = importlib.import_module(f"{impl}.utils")
    Recording, RecordingSet = audio.Recording, audio.RecordingSet
    SupervisionSegment, SupervisionSet = supervision.SupervisionSegment, supervision.SupervisionSet
    Fbank, FbankConfig = features.Fbank, features.FbankConfig
    FeatureSetBuilder, compute_global_stats = features_base.FeatureSetBuilder, features_base.compute_global_stats
    LilcomChunkyWriter, fastcopy = features_io.LilcomChunkyWriter, utils.fastcopy

    # --- the script, as written for Lhotse ---
    corpus_dir, output_dir = Path(corpus_dir), Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)

    # 1. recordings
    recordings = RecordingSet.from_recordings(
        Recording.from_file(path, recording_id=path.stem) for path in sorted(corpus_dir.rglob("*.flac"))
    )

    # 2. supervisions from the transcripts
    segments = []
    for transcript in sorted(corpus_dir.rglob("*.trans.txt")):
        for line in transcript.read_text().splitlines():
            utterance_id, text = line.split(maxsplit=1)
            recording = recordings[utterance_id]
            segments.append(
                SupervisionSegment(
                    id=utterance_id,
                    recording_id=utterance_id,
                    start=0.0,
                    duration=recording.duration,
                    channel=0,
                    text=text,
                    speaker=utterance_id.split("-")[0],
                    language="English",
                )
            )
    supervisions = SupervisionSet.from_segments(segments)

    # 3. find: the segments of the first recording that lie inside its first 10 s
    first = next(iter(recordings))
    found = [s.id for s in supervisions.find(recording_id=first.id, start_after=0.0, end_before=10.0)]

    # 4. filter and map (a field is assigned on a copy, as Lhotse scripts do)
    def normalise(segment: Any) -> Any:
        segment = fastcopy(segment)
        segment.text = segment.text.lower()
        return segment

    kept = supervisions.filter(lambda s: s.duration >= 3.6).map(normalise).to_eager()

    # 5. split into two shuffled parts (Lhotse's seeded order)
    random.seed(1234)
    parts = kept.split(num_splits=2, shuffle=True)

    # 6. manifests as JSONL.gz
    recordings.to_file(output_dir / "recordings.jsonl.gz")
    kept.to_file(output_dir / "supervisions.jsonl.gz")
    for number, part in enumerate(parts):
        part.to_file(output_dir / f"supervisions_part{number}.jsonl.gz")

    # 7. fbank into a lilcom_chunky archive
    extractor = Fbank(FbankConfig(num_filters=80))
    with LilcomChunkyWriter(output_dir / "fbank.lca") as writer:
        feature_set = FeatureSetBuilder(extractor, writer).process_and_store_recordings(
            recordings, output_manifest=output_dir / "features.jsonl.gz"
        )

    # 8. global mean and standard deviation per feature bin
    stats = compute_global_stats(feature_set)
    (output_dir / "stats.json").write_text(
        json.dumps({name: values.tolist() for name, values in stats.items()}, indent=1)
    )
    return {
        "recordings": len(recordings),
        "supervisions": len(kept),
        "found": found,
        "split_sizes": [len(part) for part in parts],
        "feature_dim": int(stats["norm_means"].shape[0]),
    }


def main(argv: Any = None) -> None:
    """The command line: ``CORPUS_DIR OUTPUT_DIR [--impl lhotse|lhotse_lite]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_dir", help="a LibriSpeech split folder, e.g. demo_data/LibriSpeech/dev-clean-demo")
    parser.add_argument("output_dir")
    parser.add_argument("--impl", choices=IMPLEMENTATIONS, default="lhotse_lite")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    summary = prepare(args.corpus_dir, args.output_dir, impl=args.impl)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
