"""Kaldi data directories: import them as recordings and supervisions, and export them back.

A Kaldi data directory holds plain-text tables, one ``<key> <value>`` entry per line:

======================  =================================================  ===========================
file                    line                                               becomes
======================  =================================================  ===========================
``wav.scp``             ``<recording-id> <path>`` or ``<id> <command> |``  a ``Recording`` (``file`` or
                                                                           ``command`` source)
``segments``            ``<utt-id> <recording-id> <start> <end>``          a ``SupervisionSegment``
                        (``end`` -1: to the end of the recording)
``reco2dur``            ``<recording-id> <seconds>``                       the recording's duration
``text``                ``<utt-id> <transcript ...>`` (may be empty)       ``text``
``utt2spk``             ``<utt-id> <speaker-id>``                          ``speaker``
``spk2gender``          ``<speaker-id> <m|f>``                             ``gender``
``utt2lang``            ``<utt-id> <language>``                            ``language``
``utt2num_frames``      ``<utt-id> <frames>`` (with ``frame_shift``)       the segment's duration
``feats.scp``           ``<utt-id> <file.ark>:<offset>`` (with             a ``Features`` item
                        ``frame_shift``)                                   (``kaldiio`` storage)
======================  =================================================  ===========================

Import follows Lhotse's ``load_kaldi_data_dir``: only ``wav.scp`` is required; supervisions come
from ``segments``, or, without it, from ``utt2spk`` with one supervision per whole recording (the
utterance id is the recording id). Durations come from ``reco2dur`` when present, or from ``utt2dur``
without ``segments``, otherwise from the audio headers (commands are then run, unless
``allow_commands=False``: see :doc:`/reliability`). Unlike Lhotse, the sampling rate may be left
out (it is then read from the audio), the spaces before a command's ``|`` are not kept in its
source, and a malformed line raises :class:`~lhotse_lite.errors.ManifestFormatError` naming
``file:line``. A ``sox <file> -t wav -b 16 - [remix <n>] |`` pipe, the form the exporter writes, is
read from the file's own header and never run, so a directory this module exported imports back
without ``sampling_rate`` and without running commands.

With a frame shift, :func:`import_kaldi_features` turns ``feats.scp`` into a features manifest as
Lhotse's ``load_kaldi_data_dir`` does (``storage_type`` ``"kaldiio"``, ``storage_path`` the
``<file.ark>:<offset>`` of the line, ``storage_key`` the utterance id, rows and columns from the
matrix header), and segment durations become ``rows * frame_shift``.

Export writes ``wav.scp``, ``reco2dur``, ``segments``, ``text``, ``utt2spk``, ``spk2utt``,
``utt2dur`` and, when the supervisions have them, ``spk2gender`` and ``utt2lang``; every file is
sorted by key as Kaldi requires. A single-channel recording keeps its id; each channel ``c`` of a
multi-channel recording becomes a Kaldi recording ``<id>_<c>`` read through a ``sox ... remix``
pipe, and a supervision on several channels one utterance ``<utt-id>-<c>`` per channel (Lhotse's
naming). Non-WAV files are piped through ``sox`` too, so Kaldi tools can read them; paths in pipes
are shell-quoted (:func:`wav_scp_entries`). Given features, each utterance's frames are written to
``feats.ark``/``feats.scp`` with ``utt2num_frames``. Ids that are
empty or hold whitespace are refused, line breaks and tabs in texts become spaces (with a warning),
and nothing is written until every entry is valid; each table is written atomically.

Example:
    >>> import os, tempfile
    >>> data = tempfile.mkdtemp()
    >>> _ = open(os.path.join(data, "wav.scp"), "w").write("rec1 sox rec1.flac -t wav - |\\n")
    >>> _ = open(os.path.join(data, "reco2dur"), "w").write("rec1 2.5\\n")
    >>> _ = open(os.path.join(data, "segments"), "w").write("utt1 rec1 0.5 2.0\\n")
    >>> _ = open(os.path.join(data, "utt2spk"), "w").write("utt1 spk1\\n")
    >>> recordings, supervisions = import_kaldi_data_dir(data, sampling_rate=16000)
    >>> recordings["rec1"].sources[0].type, recordings["rec1"].num_samples
    ('command', 40000)
    >>> sup = supervisions["utt1"]
    >>> sup.start, sup.duration, sup.speaker
    (0.5, 1.5, 'spk1')
"""

from lhotse_lite.kaldi_data_dir.exporting import export_to_kaldi_data_dir, wav_scp_entries
from lhotse_lite.kaldi_data_dir.importing import import_kaldi_data_dir, import_kaldi_features, wav_scp_duration
from lhotse_lite.kaldi_data_dir.tables import read_kaldi_table

__all__ = [
    "import_kaldi_data_dir",
    "import_kaldi_features",
    "export_to_kaldi_data_dir",
    "read_kaldi_table",
    "wav_scp_entries",
    "wav_scp_duration",
]
