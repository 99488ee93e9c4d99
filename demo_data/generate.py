"""Regenerate the bundled demo corpus with the espeak-ng speech synthesiser.

The demo corpus is synthetic but real speech: every file is spoken by an espeak-ng voice (a base
accent such as ``en-us`` plus a voice variant such as ``+f2`` or ``+klatt3``) at a given speed and
pitch, resampled from espeak's 22.05 kHz to 16 kHz with soxr and stored as 16-bit mono FLAC.

Two corpora are written next to this script:

* ``LibriSpeech/``: a mini LibriSpeech layout,
  ``LibriSpeech/<split>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac`` with one
  ``<speaker>-<chapter>.trans.txt`` per chapter (upper-case transcripts), splits
  ``dev-clean-demo`` and ``test-clean-demo``; one speaker is one voice.
* ``speech_commands/``: a Google-Speech-Commands-style keyword set,
  ``speech_commands/<word>/<speaker>_nohash_<n>.flac`` (1 s clips), with ``validation_list.txt``
  and ``testing_list.txt`` in the real format. The split is by VOICE: the validation and test
  voices never speak in the training part, and their espeak variants are not used by any training
  voice, so test accuracy measures generalisation to unseen voices.

The committed files are what the recipes and tests use; espeak-ng is only needed to regenerate
them (``apt-get install espeak-ng``). The output is deterministic for a given espeak-ng version:
every random choice is seeded by the voice, the word and the take.

Usage::

    python demo_data/generate.py            # rewrites demo_data/LibriSpeech and demo_data/speech_commands
    python demo_data/generate.py --out DIR  # writes somewhere else
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import soundfile as sf
import soxr

SAMPLE_RATE = 16000
CLIP_SECONDS = 1.0
ESPEAK = "espeak-ng"

# --------------------------------------------------------------------------------------------
# Mini LibriSpeech: (split, speaker id, chapter id, espeak voice, speed wpm, pitch, sentence ids)
# --------------------------------------------------------------------------------------------
SENTENCES: Tuple[str, ...] = (
    "The river ran quietly past the old mill before the sun came up.",
    "She opened the window and listened to the rain on the garden wall.",
    "Every morning the baker counted the loaves twice before he opened the door.",
    "A small boat drifted toward the island while the children watched from the hill.",
    "He wrote the numbers in a little book and kept it under his pillow.",
    "The train was late again, so we walked home along the frozen canal.",
    "Nobody knew why the clock in the tower had stopped at half past nine.",
    "They planted apple trees in rows that reached all the way to the fence.",
    "Her brother laughed when the dog carried his shoe into the kitchen.",
    "The lamp on the desk flickered while the storm moved over the valley.",
    "We found a letter in the attic that nobody had read for fifty years.",
    "The teacher asked the class to describe the sound of the sea.",
    "When the bell rang, the market filled with voices and the smell of bread.",
    "I think the path through the forest is shorter than the road.",
    "The old captain told stories about ships that sailed beyond the maps.",
    "At night the village was so quiet that you could hear the stream.",
)

LIBRISPEECH_SPEAKERS: Tuple[Tuple[str, str, str, str, int, int, Tuple[int, ...]], ...] = (
    ("dev-clean-demo", "1001", "2001", "en-us+m3", 165, 45, (0, 1, 2, 3)),
    ("dev-clean-demo", "1002", "2002", "en+f2", 155, 55, (4, 5, 6, 7)),
    ("dev-clean-demo", "1003", "2003", "en-gb-scotland+m1", 170, 40, (8, 9)),
    ("dev-clean-demo", "1003", "2004", "en-gb-scotland+m1", 170, 40, (10, 11)),
    ("test-clean-demo", "3001", "4001", "en-us+f4", 160, 60, (12, 13, 14)),
    ("test-clean-demo", "3002", "4002", "en-029+m7", 150, 35, (15, 0, 3)),
)

# --------------------------------------------------------------------------------------------
# Speech-Commands-style keywords, split by voice. Each espeak variant (m1, f2, klatt3, ...) is
# used by exactly one split, so held-out voices differ from every training voice in their
# variant (pitch range, formants, glottal source), not only in their accent.
# --------------------------------------------------------------------------------------------
KEYWORDS: Tuple[str, ...] = ("yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go")

ACCENTS: Tuple[str, ...] = (
    "en-us",
    "en",
    "en-gb-scotland",
    "en-029",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
)
# espeak-ng variants per split. Near-identical variants (the same settings but the pitch, e.g.
# Mario, Michael and marcelo; steph, steph2 and steph3; iven to iven4; linda, belinda and aunty)
# never straddle two splits: one is used, the others are left out. Robotic, echoing and
# whispering variants are left out too.
KEYWORD_VARIANTS: Dict[str, Tuple[str, ...]] = {
    "train": (
        "m1",
        "f1",
        "m2",
        "f2",
        "m3",
        "f3",
        "m4",
        "f5",
        "m5",
        "m6",
        "klatt",
        "klatt2",
        "klatt5",
        "klatt6",
        "croak",
        "grandpa",
        "Alex",
        "Alicia",
        "Andrea",
        "Andy",
        "Diogo",
        "Henrique",
        "Hugo",
        "Jacky",
        "Marco",
        "Mario",
        "Mike",
        "Nguyen",
        "adam",
        "antonio",
        "benjamin",
        "boris",
        "david",
        "ed",
        "edward",
        "gustave",
        "max",
        "michel",
        "paul",
        "pedro",
        "rob",
        "sandro",
        "travis",
        "victor",
        "kaukovalta",
    ),
    "validation": ("m8", "klatt4", "steph", "Gene", "zac", "Annie"),
    "test": ("f4", "m7", "klatt3", "grandma", "iven3", "linda", "quincy", "Denis"),
}
# A voice is an accent plus a variant; accents cycle through each split's variants.
KEYWORD_VOICES: Dict[str, Tuple[str, ...]] = {
    split: tuple(f"{ACCENTS[(i + offset) % len(ACCENTS)]}+{v}" for i, v in enumerate(variants))
    for offset, (split, variants) in enumerate(KEYWORD_VARIANTS.items())
}
TAKES_PER_SPLIT: Dict[str, int] = {"train": 1, "validation": 1, "test": 2}
SPEED_RANGE = (130, 200)  # espeak words per minute
PITCH_RANGE = (30, 70)  # espeak pitch, 0..99
PEAK_RANGE = (0.15, 0.6)  # peak amplitude of the clip
MARGIN_SECONDS = 0.05  # minimum silence before and after the word inside the 1 s clip


def speaker_hash(voice: str) -> str:
    """The 8-hex-digit speaker id used in Speech Commands file names for an espeak voice."""
    return hashlib.sha1(voice.encode("utf-8")).hexdigest()[:8]


def synthesise(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    """Speak ``text`` with espeak-ng and return float32 samples at 16 kHz, shape ``(num_samples,)``."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "out.wav"
        cmd = [ESPEAK, "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(wav), text]
        subprocess.run(cmd, check=True, capture_output=True)
        samples, rate = sf.read(io.BytesIO(wav.read_bytes()), dtype="float32")
    if samples.ndim > 1:
        samples = samples.mean(axis=1)
    return soxr.resample(samples, rate, SAMPLE_RATE).astype(np.float32)


def trim_silence(samples: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """Drop leading and trailing samples quieter than ``threshold``."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


def write_flac(path: Path, samples: np.ndarray) -> None:
    """Write 16-bit mono FLAC at 16 kHz, clipping to [-1, 1]."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(
        str(path),
        np.clip(samples, -1.0, 1.0),
        SAMPLE_RATE,
        format="FLAC",
        subtype="PCM_16",
        compression_level=1.0,
    )


def normalise_transcript(text: str) -> str:
    """LibriSpeech style: upper case, no punctuation except apostrophes."""
    kept = "".join(ch if ch.isalnum() or ch in " '" else " " for ch in text.upper())
    return " ".join(kept.split())


def generate_librispeech(out_dir: Path) -> int:
    """Write the mini LibriSpeech layout under ``out_dir / "LibriSpeech"``; returns the file count."""
    root = out_dir / "LibriSpeech"
    count = 0
    for split, speaker, chapter, voice, speed, pitch, sentence_ids in LIBRISPEECH_SPEAKERS:
        chapter_dir = root / split / speaker / chapter
        lines: List[str] = []
        for utt, sentence_id in enumerate(sentence_ids):
            utt_id = f"{speaker}-{chapter}-{utt:04d}"
            speech = trim_silence(synthesise(SENTENCES[sentence_id], voice, speed, pitch))
            pad = np.zeros(int(0.2 * SAMPLE_RATE), dtype=np.float32)
            speech = 0.5 * speech / max(float(np.abs(speech).max()), 1e-6)
            write_flac(chapter_dir / f"{utt_id}.flac", np.concatenate([pad, speech, pad]))
            lines.append(f"{utt_id} {normalise_transcript(SENTENCES[sentence_id])}")
            count += 1
        (chapter_dir / f"{speaker}-{chapter}.trans.txt").write_text("\n".join(lines) + "\n")
    return count


def keyword_clip(word: str, voice: str, take: int) -> np.ndarray:
    """One 1 s take of ``word``: random speed, pitch, level and position, seeded by its identity."""
    rng = random.Random(f"{voice}|{word}|{take}")
    speed = rng.randint(*SPEED_RANGE)
    pitch = rng.randint(*PITCH_RANGE)
    peak = rng.uniform(*PEAK_RANGE)
    speech = trim_silence(synthesise(word, voice, speed, pitch))
    length = int(CLIP_SECONDS * SAMPLE_RATE)
    margin = int(MARGIN_SECONDS * SAMPLE_RATE)
    speech = speech[: length - 2 * margin]
    speech = peak * speech / max(float(np.abs(speech).max()), 1e-6)
    onset = rng.randint(margin, length - margin - len(speech))
    clip = np.zeros(length, dtype=np.float32)
    clip[onset : onset + len(speech)] = speech
    return clip


def generate_speech_commands(out_dir: Path, keywords: Sequence[str] = KEYWORDS) -> int:
    """Write the keyword set under ``out_dir / "speech_commands"``; returns the file count."""
    root = out_dir / "speech_commands"
    lists: Dict[str, List[str]] = {"validation": [], "test": []}
    count = 0
    for word in keywords:
        for split, voices in KEYWORD_VOICES.items():
            for voice in voices:
                for take in range(TAKES_PER_SPLIT[split]):
                    rel = f"{word}/{speaker_hash(voice)}_nohash_{take}.flac"
                    write_flac(root / rel, keyword_clip(word, voice, take))
                    if split in lists:
                        lists[split].append(rel)
                    count += 1
    (root / "validation_list.txt").write_text("\n".join(sorted(lists["validation"])) + "\n")
    (root / "testing_list.txt").write_text("\n".join(sorted(lists["test"])) + "\n")
    speakers = ["speaker\tvoice\tsplit"]
    for split, voices in KEYWORD_VOICES.items():
        speakers += [f"{speaker_hash(v)}\t{v}\t{split}" for v in voices]
    (root / "SPEAKERS.tsv").write_text("\n".join(speakers) + "\n")
    return count


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(list(argv))
    if shutil.which(ESPEAK) is None:
        print(f"{ESPEAK} not found: install it with `apt-get install espeak-ng`", file=sys.stderr)
        return 1
    for name in ("LibriSpeech", "speech_commands"):
        shutil.rmtree(args.out / name, ignore_errors=True)
    n_libri = generate_librispeech(args.out)
    n_kws = generate_speech_commands(args.out)
    print(f"wrote {n_libri} LibriSpeech utterances and {n_kws} keyword clips under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
