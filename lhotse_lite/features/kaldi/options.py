"""The arguments of the Kaldi layers and extractor configs, each group defined once (no torch import).

Every Kaldi layer takes Lhotse's constructor arguments, and every extractor config holds the same
fields: the framing options first, then what the layer adds. Each group of arguments is one frozen
dataclass here, and a layer's (or config's) arguments are the fields of its options class, in the order
dataclasses give inherited fields: the groups of the bases from the last base to the first, then the
class's own. ``Wav2WinOptions(FrameOptions, _PadLength)`` has the three fields of ``_Sampling`` (the
base of both), ``pad_length``, the framing options of :class:`FrameOptions`, then ``return_log_energy``:
Lhotse's order. A field a subclass declares again keeps its place and takes the new default
(``use_energy`` is on for :class:`Wav2FFTOptions` and off for the mel layers). The layers build their
``__init__`` from these classes with :func:`takes_options`, which gives them Lhotse's signatures at run
time (``inspect``, positional calls) and to type checkers (a ``ParamSpec`` of the options class's
constructor).

:class:`FrameOptions` validates every option of the framing group, for the layers and the configs
alike; the layers check the arguments only they have (``pad_length``, the mel range, ``num_ceps``).

Example:
    >>> [f.name for f in dataclasses.fields(Wav2WinOptions)][:5]
    ['sampling_rate', 'frame_length', 'frame_shift', 'pad_length', 'remove_dc_offset']
    >>> Wav2MFCCOptions().num_filters, Wav2LogFilterBankOptions().num_filters
    (23, 80)
    >>> Wav2SpecOptions(frame_shift=0.03)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lhotse_lite.errors.ConfigError: Wav2SpecOptions: frame_shift=0.03 s is 480 samples at sampling_rate=16000; ...
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import Callable, Concatenate, Optional, ParamSpec, Tuple, TypeVar

from lhotse_lite.checks import check_number
from lhotse_lite.errors import ConfigError
from lhotse_lite.units import window_samples

__all__ = [
    "DEFAULT_ENERGY_FLOOR",
    "WINDOW_TYPES",
    "check_window_type",
    "resolve_high_freq",
    "check_mel_band",
    "FrameOptions",
    "Wav2WinOptions",
    "Wav2FFTOptions",
    "Wav2SpecOptions",
    "MelBandOptions",
    "Wav2LogFilterBankOptions",
    "Wav2MFCCOptions",
    "takes_options",
]

DEFAULT_ENERGY_FLOOR = 1e-10
"""Lhotse's default ``energy_floor`` (Kaldi's default is 0: no floor)."""

WINDOW_TYPES: Tuple[str, ...] = ("hamming", "hanning", "povey", "rectangular", "blackman", "sine")
"""The accepted ``window_type`` values (Kaldi's names)."""


def check_window_type(window_type: str) -> str:
    """Return ``window_type`` if Kaldi knows it, else raise.

    Raises:
        ConfigError: the name is not one of :data:`WINDOW_TYPES`.

    Example:
        >>> check_window_type("povey")
        'povey'
    """
    if window_type not in WINDOW_TYPES:
        raise ConfigError(
            f"window_type={window_type!r} is not a Kaldi window; allowed values: {', '.join(WINDOW_TYPES)}"
        )
    return window_type


def resolve_high_freq(high_freq: float, sampling_rate: float) -> float:
    """Kaldi's ``--high-freq`` rule: a positive value is absolute, zero or negative is Nyquist plus it.

    Example:
        >>> resolve_high_freq(-400.0, 16000), resolve_high_freq(0.0, 16000), resolve_high_freq(3000.0, 8000)
        (7600.0, 8000.0, 3000.0)
    """
    nyquist = 0.5 * sampling_rate
    return float(high_freq) if high_freq > 0.0 else nyquist + float(high_freq)


def check_mel_band(num_filters: int, sampling_rate: float, low_freq: float, high_freq: float) -> float:
    """Check a mel filter bank's size and band; return ``high_freq`` resolved to Hz.

    The one check of these options: the mel layers and the mel extractor configs (through
    :class:`MelBandOptions`) and the mel bank functions of :mod:`~lhotse_lite.features.kaldi.mel` use it.

    Raises:
        ConfigError: fewer than 3 filters (Kaldi's minimum), or a band outside ``[0, Nyquist]``.

    Example:
        >>> check_mel_band(80, 16000, 20.0, -400.0)
        7600.0
        >>> check_mel_band(80, 16000, 7700.0, -400.0)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: high_freq (7600.0 Hz after resolution) must be above low_freq=7700.0 Hz
    """
    if num_filters < 3:
        raise ConfigError(f"num_filters={num_filters} is too small; Kaldi needs at least 3 mel filters")
    nyquist = 0.5 * sampling_rate
    high = resolve_high_freq(high_freq, sampling_rate)
    if not 0.0 <= low_freq < nyquist:
        raise ConfigError(f"low_freq={low_freq} Hz must be in [0, Nyquist={nyquist}) for sampling_rate={sampling_rate}")
    if not 0.0 < high <= nyquist:
        raise ConfigError(
            f"high_freq={high_freq} resolves to {high} Hz, outside (0, Nyquist={nyquist}] for "
            f"sampling_rate={sampling_rate}; use a value <= {nyquist}, or 0 / a negative offset from Nyquist"
        )
    if high <= low_freq:
        raise ConfigError(f"high_freq ({high} Hz after resolution) must be above low_freq={low_freq} Hz")
    return high


@dataclass(frozen=True)
class _Sampling:
    """The first three arguments of every layer and config."""

    sampling_rate: int = 16000
    frame_length: float = 0.025
    frame_shift: float = 0.01


@dataclass(frozen=True)
class FrameOptions(_Sampling):
    """Kaldi's framing and pre-processing options, the part of the configuration every layer shares.

    The defaults are Lhotse's layer defaults. Times are in seconds, as in Lhotse (kaldi-native-fbank's
    ``FrameExtractionOptions`` counts milliseconds). Every layer exposes its own as ``layer.options``;
    every layer's options class and every extractor config derives from this class, so all of them are
    validated here.

    Args:
        sampling_rate: Sampling rate of the input in Hz. (Default: ``16000``)
        frame_length: Frame (window) length in seconds; ``floor(frame_length * sampling_rate)`` samples,
            at least 2. (Default: ``0.025``)
        frame_shift: Frame shift in seconds, 1 sample up to ``frame_length``. (Default: ``0.01``)
        remove_dc_offset: Subtract each frame's mean. (Default: ``True``)
        preemph_coeff: Pre-emphasis coefficient in ``[0, 1]``. (Default: ``0.97``)
        window_type: One of ``hamming, hanning, povey, rectangular, blackman, sine``. (Default: ``"povey"``)
        dither: Standard deviation of Gaussian noise added to the input (input units; 0 disables it).
            (Default: ``0.0``)
        snip_edges: Kaldi's ``--snip-edges``. (Default: ``False``; Kaldi's is ``True``)
        energy_floor: Floor of the frame energy (linear; 0 disables it). (Default: ``1e-10``; Kaldi's is 0)
        raw_energy: Measure the energy before pre-emphasis and window. (Default: ``True``)

    Raises:
        ConfigError: an option is out of range or does not fit the others; the message starts with the
            class name (a config's, or a layer's options class).

    Example:
        >>> from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank
        >>> options = Wav2LogFilterBank(frame_length=0.02, frame_shift=0.005).options
        >>> options.window_length, options.window_shift, options.window_type
        (320, 80, 'povey')
        >>> dataclasses.replace(options, frame_shift=0.03)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: FrameOptions: frame_shift=0.03 s is 480 samples at sampling_rate=16000; ...
    """

    remove_dc_offset: bool = True
    preemph_coeff: float = 0.97
    window_type: str = "povey"
    dither: float = 0.0
    snip_edges: bool = False
    energy_floor: float = DEFAULT_ENERGY_FLOOR
    raw_energy: bool = True

    def __post_init__(self) -> None:
        where = type(self).__name__
        for name in ("sampling_rate", "frame_length", "frame_shift"):
            check_number(where, name, getattr(self, name), 0.0, minimum_open=True)
        check_number(where, "preemph_coeff", self.preemph_coeff, 0.0, 1.0)
        check_number(where, "dither", self.dither, 0.0)
        check_number(where, "energy_floor", self.energy_floor, 0.0)
        try:
            check_window_type(self.window_type)
        except ConfigError as err:
            raise ConfigError(f"{where}: {err}") from err
        length, shift = self.window_length, self.window_shift
        if length < 2:
            raise ConfigError(
                f"{where}: frame_length={self.frame_length} s is {length} sample(s) at "
                f"sampling_rate={self.sampling_rate}; a frame needs at least 2 samples"
            )
        if shift < 1 or shift > length:
            raise ConfigError(
                f"{where}: frame_shift={self.frame_shift} s is {shift} samples at sampling_rate={self.sampling_rate}; "
                f"allowed values: 1 .. {length} samples (1 sample up to frame_length={self.frame_length} s)"
            )

    @property
    def window_length(self) -> int:
        """Frame length in samples."""
        return window_samples(self.frame_length, self.sampling_rate)

    @property
    def window_shift(self) -> int:
        """Frame shift in samples."""
        return window_samples(self.frame_shift, self.sampling_rate)

    @property
    def frame_options(self) -> FrameOptions:
        """The :class:`FrameOptions` part of these options (of a subclass: a layer's options or a config).

        Example:
            >>> Wav2WinOptions(frame_shift=0.02, pad_length=512).frame_options.frame_shift
            0.02
        """
        if type(self) is FrameOptions:
            return self
        return FrameOptions(**{f.name: getattr(self, f.name) for f in dataclasses.fields(FrameOptions)})


@dataclass(frozen=True)
class _PadLength(_Sampling):
    pad_length: Optional[int] = None


@dataclass(frozen=True)
class _FftLength(_Sampling):
    round_to_power_of_two: bool = True


@dataclass(frozen=True)
class Wav2WinOptions(FrameOptions, _PadLength):
    """The arguments of :class:`~lhotse_lite.features.kaldi.layers.Wav2Win`, in Lhotse's order."""

    return_log_energy: bool = False


@dataclass(frozen=True)
class Wav2FFTOptions(FrameOptions, _FftLength):
    """The arguments of :class:`~lhotse_lite.features.kaldi.layers.Wav2FFT`, in Lhotse's order."""

    use_energy: bool = True


@dataclass(frozen=True)
class Wav2SpecOptions(Wav2FFTOptions):
    """The arguments of :class:`~lhotse_lite.features.kaldi.layers.Wav2Spec` and ``Wav2LogSpec``."""

    use_fft_mag: bool = False


@dataclass(frozen=True)
class MelBandOptions(Wav2SpecOptions):
    """The arguments the mel layers and the mel configs share: the spectrum's (energy off), then the band."""

    use_energy: bool = False
    low_freq: float = 20.0
    high_freq: float = -400.0
    num_filters: int = 80

    def __post_init__(self) -> None:
        super().__post_init__()
        try:
            check_mel_band(self.num_filters, self.sampling_rate, self.low_freq, self.high_freq)
        except ConfigError as err:
            raise ConfigError(f"{type(self).__name__}: {err}") from err


@dataclass(frozen=True)
class Wav2LogFilterBankOptions(MelBandOptions):
    """The arguments of :class:`~lhotse_lite.features.kaldi.layers.Wav2LogFilterBank`, in Lhotse's order."""

    norm_filters: bool = False
    torchaudio_compatible_mel_scale: bool = True


@dataclass(frozen=True)
class Wav2MFCCOptions(MelBandOptions):
    """The arguments of :class:`~lhotse_lite.features.kaldi.layers.Wav2MFCC`, in Lhotse's order."""

    num_filters: int = 23
    norm_filters: bool = False
    num_ceps: int = 13
    cepstral_lifter: int = 22
    torchaudio_compatible_mel_scale: bool = True


P = ParamSpec("P")
Options = TypeVar("Options", bound=FrameOptions)
S = TypeVar("S")


def takes_options(
    options_type: Callable[P, Options],
) -> Callable[[Callable[[S, Options], None]], Callable[Concatenate[S, P], None]]:
    """Decorates ``__init__(self, options)`` into an ``__init__`` taking the fields of ``options_type``.

    The new ``__init__`` has the options class's parameters (names, order, defaults; positional use
    allowed), for ``inspect.signature`` and for type checkers, builds the options from its arguments
    and hands them to the decorated function. An invalid option raises the options class's
    :class:`~lhotse_lite.errors.ConfigError` with the layer's name in front.

    Example:
        >>> class Framer:
        ...     @takes_options(FrameOptions)
        ...     def __init__(self, options: FrameOptions) -> None:
        ...         self.shift = options.window_shift
        >>> Framer(8000, 0.025, 0.02).shift, list(inspect.signature(Framer).parameters)[:4]
        (160, ['sampling_rate', 'frame_length', 'frame_shift', 'remove_dc_offset'])
        >>> Framer(dither=-1.0)
        Traceback (most recent call last):
        ...
        lhotse_lite.errors.ConfigError: Framer: FrameOptions: dither must be a finite number >= 0.0, got -1.0
    """

    def decorate(build: Callable[[S, Options], None]) -> Callable[Concatenate[S, P], None]:
        def __init__(self: S, *args: P.args, **kwargs: P.kwargs) -> None:
            try:
                options = options_type(*args, **kwargs)
            except ConfigError as err:
                raise ConfigError(f"{type(self).__name__}: {err}") from err
            build(self, options)

        signature = inspect.signature(options_type)
        this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(__init__, attribute, getattr(build, attribute))
        __init__.__signature__ = signature.replace(  # type: ignore[attr-defined]  # read by inspect.signature
            parameters=[this, *signature.parameters.values()], return_annotation=None
        )
        return __init__

    return decorate
