"""A supervision segment: a labelled time span of one recording.

Field names, defaults and the dict layout are Lhotse 1.x's: ``to_dict`` writes the fields in
declaration order, drops ``None`` fields, always writes ``channel`` and writes alignments in
their list form. Every method returns a new segment; fields can also be assigned, and attributes that
are not fields live in ``custom``, as in Lhotse (see :mod:`lhotse_lite.manifest.items`).

The class uses ``__slots__`` and interns the strings that repeat across segments
(``recording_id``, ``speaker``, ``language``, ``gender``) when read from a dict, which keeps a
million loaded segments compact.

Example:
    >>> from lhotse_lite.supervision import SupervisionSegment
    >>> sup = SupervisionSegment(id="rec1-0", recording_id="rec1", start=0.5, duration=2.0, text="hi")
    >>> sup.to_dict()
    {'id': 'rec1-0', 'recording_id': 'rec1', 'start': 0.5, 'duration': 2.0, 'channel': 0, 'text': 'hi'}
    >>> sup.end, sup.with_offset(-0.5).start, sup.start
    (2.5, 0.0, 0.5)
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Type, Union

from lhotse_lite.errors import FieldNameError, ManifestArgumentError, ManifestFieldError
from lhotse_lite.manifest.items import CustomFieldMixin, manifest_item
from lhotse_lite.supervision.alignment import AlignmentItem
from lhotse_lite.units import add_durations, compute_num_samples, perturb_num_samples, round_seconds

__all__ = ["SupervisionSegment"]

_REQUIRED = ("id", "recording_id", "start", "duration")
_FIELDS = (
    "id",
    "recording_id",
    "start",
    "duration",
    "channel",
    "text",
    "language",
    "speaker",
    "gender",
    "custom",
    "alignment",
)
_OPTIONAL_STR = ("text", "language", "speaker", "gender")
_NUMBER_TYPES: FrozenSet[Type[float]] = frozenset((int, float))  # (int is a float to type checkers)
_OPT_STR = frozenset((str, type(None)))
_OPT_DICT = frozenset((dict, type(None)))
_intern = sys.intern
_INF = float("inf")
_NEG_INF = -_INF


@manifest_item
@dataclasses.dataclass(slots=True)
class SupervisionSegment(CustomFieldMixin):
    """A time span of a recording with its labels (transcript, speaker, language, ...).

    Args:
        id: Unique id of the segment.
        recording_id: Id of the recording it belongs to.
        start: Start in seconds from the beginning of the recording.
        duration: Duration in seconds (>= 0).
        channel: The channel index, or a list of channel indices it spans.
        text: Transcript.
        language: Language.
        speaker: Speaker id.
        gender: Speaker gender.
        custom: Extra fields (a dict); its keys can also be read and assigned as attributes
            (``sup.emotion``).
        alignment: Alignment kind (e.g. ``"word"``) -> list of :class:`AlignmentItem`.

    Raises:
        ManifestFieldError: A field has the wrong type, ``start`` or ``duration`` is not finite (NaN,
            infinity) or ``duration`` is negative (checked when the segment is built, not when a field is
            assigned later; writers refuse non-finite numbers too).

    Example:
        >>> seg = SupervisionSegment("utt1", "rec1", start=2.0, duration=1.5, text="Hi there", speaker="A")
        >>> seg.end
        3.5
        >>> seg.with_offset(-1.0).start, seg.start  # a new object; the original is unchanged
        (1.0, 2.0)
        >>> seg.transform_text(str.upper).text
        'HI THERE'
        >>> SupervisionSegment.from_dict(seg.to_dict()) == seg
        True
        >>> seg.text = seg.text.lower()  # fields are assignable, as in Lhotse
        >>> seg.emotion = "calm"  # not a field: stored in custom
        >>> seg.to_dict()["custom"], seg.text
        ({'emotion': 'calm'}, 'hi there')
    """

    id: str
    recording_id: str
    start: float
    duration: float
    channel: Union[int, List[int]] = 0
    text: Optional[str] = None
    language: Optional[str] = None
    speaker: Optional[str] = None
    gender: Optional[str] = None
    custom: Optional[Dict[str, Any]] = None
    alignment: Optional[Dict[str, List[AlignmentItem]]] = None

    def __post_init__(self) -> None:
        # Fast path: one boolean expression accepts a valid segment (keeps million-item loads
        # cheap); anything unusual goes to the detailed checks that explain what is wrong.
        if (
            self.id.__class__ is str
            and self.recording_id.__class__ is str
            and self.start.__class__ in _NUMBER_TYPES
            and self.duration.__class__ in _NUMBER_TYPES
            and _NEG_INF < self.start < _INF
            and 0 <= self.duration < _INF
            and self.channel.__class__ is int
            and self.text.__class__ in _OPT_STR
            and self.speaker.__class__ in _OPT_STR
            and self.language.__class__ in _OPT_STR
            and self.gender.__class__ in _OPT_STR
            and self.custom.__class__ in _OPT_DICT
            and self.alignment.__class__ in _OPT_DICT
        ):
            return
        self._validate()

    def _validate(self) -> None:
        if self.id.__class__ is not str or self.recording_id.__class__ is not str:
            bad = self.id if self.id.__class__ is not str else self.recording_id
            _bad("id/recording_id", "a string", bad, self.id)
        if self.start.__class__ not in _NUMBER_TYPES:
            _bad("start", "a number of seconds", self.start, self.id)
        if self.duration.__class__ not in _NUMBER_TYPES:
            _bad("duration", "a number of seconds", self.duration, self.id)
        for name in ("start", "duration"):
            value = getattr(self, name)
            if not _NEG_INF < value < _INF:
                raise ManifestFieldError(
                    f"supervision {self.id!r}: field {name!r} must be a finite number of seconds, got {value!r}; "
                    f"NaN and infinity are not times (check how the times were computed or parsed)"
                )
        if self.duration < 0:
            raise ManifestFieldError(
                f"supervision {self.id!r}: duration must be >= 0 seconds, got {self.duration}; "
                f"check the segment's start/end times"
            )
        channel = self.channel
        if channel.__class__ is not int and not (
            channel.__class__ is list and all(c.__class__ is int for c in channel)
        ):
            _bad("channel", "an int or a list of ints", channel, self.id)
        for name in _OPTIONAL_STR:
            value = getattr(self, name)
            if value is not None and value.__class__ is not str:
                _bad(name, "a string or null", value, self.id)
        if self.custom.__class__ not in _OPT_DICT:
            _bad("custom", "a dict or null", self.custom, self.id)
        if self.alignment.__class__ not in _OPT_DICT:
            _bad("alignment", "a dict of kind -> list of AlignmentItem", self.alignment, self.id)

    # ---- properties and copies ----------------------------------------------------------------

    @property
    def end(self) -> float:
        """``start + duration`` in seconds, rounded to 8 decimals."""
        return round_seconds(self.start + self.duration)

    def with_alignment(self, kind: str, alignment: List[AlignmentItem]) -> "SupervisionSegment":
        """A copy with the alignment of ``kind`` set (other kinds kept).

        Example:
            >>> sup = SupervisionSegment("s", "r", 0.0, 1.0)
            >>> sup.with_alignment("word", [AlignmentItem("a", 0.0, 1.0)]).alignment["word"][0].symbol
            'a'
        """
        alignment_dict = dict(self.alignment) if self.alignment else {}
        alignment_dict[kind] = list(alignment)
        return dataclasses.replace(self, alignment=alignment_dict)

    def with_offset(self, offset: float) -> "SupervisionSegment":
        """A copy with ``offset`` seconds added to ``start`` (rounded to 8 decimals)."""
        return dataclasses.replace(self, start=round_seconds(self.start + offset))

    def perturb_speed(self, factor: float, sampling_rate: int, affix_id: bool = True) -> "SupervisionSegment":
        """A copy whose times match the recording sped up by ``factor`` (through sample counts).

        Args:
            factor: Speed factor (``1.1`` is 10% faster, so times shrink).
            sampling_rate: Sampling rate of the recording, in Hz.
            affix_id: Append ``_sp{factor}`` to ``id`` and ``recording_id``.

        Example:
            >>> s = SupervisionSegment("s", "r", 1.0, 2.0).perturb_speed(2.0, 16000)
            >>> s.id, s.recording_id, s.start, s.duration
            ('s_sp2.0', 'r_sp2.0', 0.5, 1.0)
        """
        start = perturb_num_samples(compute_num_samples(self.start, sampling_rate), factor) / sampling_rate
        duration = perturb_num_samples(compute_num_samples(self.duration, sampling_rate), factor) / sampling_rate
        alignment = None
        if self.alignment:
            alignment = {
                kind: [item.perturb_speed(factor, sampling_rate) for item in items]
                for kind, items in self.alignment.items()
            }
        return dataclasses.replace(
            self,
            id=f"{self.id}_sp{factor}" if affix_id else self.id,
            recording_id=f"{self.recording_id}_sp{factor}" if affix_id else self.recording_id,
            start=start,
            duration=duration,
            alignment=alignment,
        )

    def perturb_tempo(self, factor: float, sampling_rate: int, affix_id: bool = True) -> "SupervisionSegment":
        """As :meth:`perturb_speed` (times change the same way), with the ``_tp{factor}`` affix.

        Example:
            >>> SupervisionSegment("s", "r", 1.0, 2.0).perturb_tempo(0.5, 16000).duration
            4.0
        """
        out = self.perturb_speed(factor, sampling_rate, affix_id=False)
        if not affix_id:
            return out
        return dataclasses.replace(out, id=f"{self.id}_tp{factor}", recording_id=f"{self.recording_id}_tp{factor}")

    def perturb_volume(self, factor: float, affix_id: bool = True) -> "SupervisionSegment":
        """A copy for volume-perturbed audio: times unchanged, ids affixed with ``_vp{factor}``.

        Example:
            >>> SupervisionSegment("s", "r", 0.0, 1.0).perturb_volume(1.5).id
            's_vp1.5'
        """
        if not affix_id:
            return dataclasses.replace(self)
        return dataclasses.replace(self, id=f"{self.id}_vp{factor}", recording_id=f"{self.recording_id}_vp{factor}")

    def reverb_rir(
        self, affix_id: bool = True, channel: Optional[Union[int, List[int]]] = None
    ) -> "SupervisionSegment":
        """A copy for reverberated audio: ids affixed with ``_rvb``; ``channel`` replaced if given.

        Example:
            >>> SupervisionSegment("s", "r", 0.0, 1.0).reverb_rir(channel=[0, 1]).channel
            [0, 1]
        """
        return dataclasses.replace(
            self,
            id=f"{self.id}_rvb" if affix_id else self.id,
            recording_id=f"{self.recording_id}_rvb" if affix_id else self.recording_id,
            channel=channel if channel is not None else self.channel,
        )

    def trim(self, end: float, start: float = 0) -> "SupervisionSegment":
        """A copy clipped to ``[start, end]`` seconds (times relative to a cut).

        Raises:
            ManifestArgumentError: ``start`` is negative (also a ``ValueError`` and, as in Lhotse, an
                ``AssertionError``).

        Example:
            >>> s = SupervisionSegment("s", "r", -0.5, 2.0).trim(end=1.0)
            >>> s.start, s.duration
            (0, 1.0)
        """
        if start < 0:
            raise ManifestArgumentError(f"supervision {self.id!r}: trim start must be >= 0 seconds, got {start}")
        start_exceeds_by = abs(min(0, self.start - start))
        end_exceeds_by = max(0, self.end - end)
        alignment = None
        if self.alignment:
            alignment = {
                kind: [item.trim(end=end, start=start) for item in items] for kind, items in self.alignment.items()
            }
        return dataclasses.replace(
            self,
            start=max(start, self.start),
            duration=add_durations(self.duration, -end_exceeds_by, -start_exceeds_by, sampling_rate=48000),
            alignment=alignment,
        )

    def map(self, transform_fn: Callable[["SupervisionSegment"], "SupervisionSegment"]) -> "SupervisionSegment":
        """``transform_fn(self)`` (which must return a new segment)."""
        return transform_fn(self)

    def transform_text(self, transform_fn: Callable[[str], str]) -> "SupervisionSegment":
        """A copy with ``text`` replaced by ``transform_fn(text)`` (unchanged when there is no text).

        Example:
            >>> SupervisionSegment("s", "r", 0.0, 1.0, text="Hi").transform_text(str.lower).text
            'hi'
        """
        if self.text is None:
            return self
        return dataclasses.replace(self, text=transform_fn(self.text))

    def transform_alignment(
        self, transform_fn: Callable[[str], str], type: Optional[str] = "word"
    ) -> "SupervisionSegment":
        """A copy with ``transform_fn`` applied to the symbols of the ``type`` alignment."""
        if self.alignment is None:
            return self
        return dataclasses.replace(
            self,
            alignment={
                kind: [item.transform(transform_fn) for item in items] if kind == type else list(items)
                for kind, items in self.alignment.items()
            },
        )

    # ---- serialization ------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """The Lhotse dict layout: fields in order, ``None`` dropped, alignment in list form."""
        d = {
            "id": self.id,
            "recording_id": self.recording_id,
            "start": self.start,
            "duration": self.duration,
            "channel": self.channel,
        }
        if self.text is not None:
            d["text"] = self.text
        if self.language is not None:
            d["language"] = self.language
        if self.speaker is not None:
            d["speaker"] = self.speaker
        if self.gender is not None:
            d["gender"] = self.gender
        if self.custom is not None:
            d["custom"] = dict(self.custom)
        if self.alignment is not None:
            d["alignment"] = {kind: [list(item) for item in items] for kind, items in self.alignment.items()}
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "SupervisionSegment":
        """Build a segment from its dict (the input dict is not modified).

        Raises:
            FieldNameError: A required field is missing or an unknown field is present (also a
                ``TypeError``, as Lhotse's ``SupervisionSegment(**data)`` raises).
            ManifestFieldError: A field has the wrong type, a time is not finite, or the duration is negative.

        Example:
            >>> SupervisionSegment.from_dict({"id": "s", "recording_id": "r", "start": 0, "duration": 1}).end
            1
        """
        get = data.get
        try:
            id_, recording_id, start, duration = data["id"], data["recording_id"], data["start"], data["duration"]
        except KeyError as err:
            missing = [f for f in _REQUIRED if f not in data]
            raise FieldNameError(
                f"supervision {get('id', '?')!r}: missing required field(s) {missing}; "
                f"a supervision needs {list(_REQUIRED)}"
            ) from err
        channel: Any = get("channel")  # (None: 0 when absent, a type error when null)
        text, custom, alignment = get("text"), get("custom"), get("alignment")
        language, speaker, gender = get("language"), get("speaker"), get("gender")
        # Every key is a field when the dict holds no more keys than the fields found in it (the full
        # check only runs for a dict with unknown keys or explicit nulls; about a tenth of the build).
        if len(data) != 4 + (
            (channel is not None)
            + (text is not None)
            + (language is not None)
            + (speaker is not None)
            + (gender is not None)
            + (custom is not None)
            + (alignment is not None)
        ) and not _FIELD_SET.issuperset(data):
            _reject_keys(data)
        if channel is None and "channel" not in data:
            channel = 0
        if recording_id.__class__ is str:
            recording_id = _intern(recording_id)
        if speaker.__class__ is str:
            speaker = _intern(speaker)
        if language.__class__ is str:
            language = _intern(language)
        if gender.__class__ is str:
            gender = _intern(gender)
        if (
            alignment is None
            and cls is SupervisionSegment
            and (
                id_.__class__ is str
                and recording_id.__class__ is str
                and start.__class__ in _NUMBER_TYPES
                and duration.__class__ in _NUMBER_TYPES
                and _NEG_INF < start < _INF
                and 0 <= duration < _INF
                and channel.__class__ is int
                and text.__class__ in _OPT_STR
                and speaker.__class__ in _OPT_STR
                and language.__class__ in _OPT_STR
                and gender.__class__ in _OPT_STR
                and custom.__class__ in _OPT_DICT
            )
        ):
            # Fast path for the common, valid case: the same checks as __post_init__, done on
            # locals; the slots are filled through their descriptors without running them again
            # (as manifest_item's _build does, without the call to it: this is every load's hot path).
            seg = _new(SupervisionSegment)
            _set_id(seg, id_)
            _set_recording_id(seg, recording_id)
            _set_start(seg, start)
            _set_duration(seg, duration)
            _set_channel(seg, channel)
            _set_text(seg, text)
            _set_language(seg, language)
            _set_speaker(seg, speaker)
            _set_gender(seg, gender)
            _set_custom(seg, custom)
            _set_alignment(seg, None)
            return seg
        if alignment is not None:
            if alignment.__class__ is not dict:
                _bad("alignment", "a dict of kind -> list", alignment, id_)
            alignment = {k: [AlignmentItem.deserialize(x) for x in v] for k, v in alignment.items()}
        return cls(id_, recording_id, start, duration, channel, text, language, speaker, gender, custom, alignment)


_FIELD_SET = frozenset(_FIELDS)
_new = object.__new__
# The slots' member descriptors' setters (one C call per field; not the custom-field __setattr__).
(
    _set_id,
    _set_recording_id,
    _set_start,
    _set_duration,
    _set_channel,
    _set_text,
    _set_language,
    _set_speaker,
    _set_gender,
    _set_custom,
    _set_alignment,
) = (getattr(SupervisionSegment, f).__set__ for f in _FIELDS)


def _reject_keys(data: dict) -> "SupervisionSegment":
    unknown = sorted(set(data) - _FIELD_SET)
    raise FieldNameError(
        f"supervision {data.get('id', '?')!r}: unknown field(s) {unknown}; known fields are {list(_FIELDS)} "
        f"(put extra information under 'custom')"
    )


def _bad(field: str, expected: str, value: Any, sup_id: Any) -> None:
    raise ManifestFieldError(
        f"supervision {sup_id!r}: field {field!r} must be {expected}, got {value!r} ({type(value).__name__})"
    )
