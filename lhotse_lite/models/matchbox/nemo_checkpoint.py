"""Loading NVIDIA NeMo MatchboxNet checkpoints (``.nemo`` archives or bare state dicts).

A ``.nemo`` file is a tar archive holding ``model_config.yaml`` (the Hydra config the model was built
from) and ``model_weights.ckpt`` (a ``torch.save``-d state dict). Its ``encoder.*`` and ``decoder.*``
entries have exactly the names and shapes of :class:`MatchboxNet`'s state dict; the other entries
(``preprocessor.*`` filterbank/DCT buffers of NeMo's feature front end) are dropped, because lhotse_lite
computes features itself. Nothing here downloads anything.
"""

from __future__ import annotations

import io
import logging
import tarfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch
import yaml

from lhotse_lite.errors import ConfigError, StorageError
from lhotse_lite.models.matchbox.block_config import BlockConfig
from lhotse_lite.models.matchbox.decoder import ConvASRDecoderClassification
from lhotse_lite.models.matchbox.encoder import ConvASREncoder
from lhotse_lite.models.matchbox.model import MatchboxNet

__all__ = [
    "load_nemo_matchboxnet",
    "matchboxnet_from_nemo_config",
    "read_nemo_archive",
    "select_nemo_weights",
    "write_nemo_archive",
]

logger = logging.getLogger(__name__)

_MODEL_PREFIXES = ("encoder.", "decoder.")
_CONFIG_MEMBER = "model_config.yaml"
_WEIGHTS_MEMBER = "model_weights.ckpt"

TOY_CONFIG: Dict[str, Any] = {
    "labels": ["yes", "no"],
    "encoder": {
        "feat_in": 4,
        "activation": "relu",
        "jasper": [
            {
                "filters": 8,
                "repeat": 1,
                "kernel": [3],
                "stride": [1],
                "dilation": [1],
                "dropout": 0.0,
                "residual": False,
                "separable": True,
            }
        ],
    },
    "decoder": {"feat_in": 8, "pooling_type": "avg"},
}
"""A resolved NeMo config of a one-block MatchboxNet (4 features, 2 labels), for examples and tests."""


def select_nemo_weights(
    state_dict: Mapping[str, torch.Tensor], prefixes: Sequence[str] = _MODEL_PREFIXES
) -> "OrderedDict[str, torch.Tensor]":
    """Keeps the entries of a NeMo state dict that :class:`MatchboxNet` has (``encoder.*``, ``decoder.*``).

    A PyTorch Lightning checkpoint (a dict with a ``"state_dict"`` entry) is unwrapped first.

    Args:
        state_dict: A NeMo ``EncDecClassificationModel`` state dict or Lightning checkpoint.
        prefixes: Key prefixes to keep.

    Returns:
        The selected entries, in their original order.

    Example:
        >>> sd = {"preprocessor.featurizer.fb": torch.zeros(1), "decoder.decoder_layers.0.bias": torch.zeros(2)}
        >>> list(select_nemo_weights(sd))
        ['decoder.decoder_layers.0.bias']
    """
    if "state_dict" in state_dict and isinstance(state_dict["state_dict"], Mapping):
        state_dict = state_dict["state_dict"]
    selected = OrderedDict((k, v) for k, v in state_dict.items() if k.startswith(tuple(prefixes)))
    dropped = [k for k in state_dict if not k.startswith(tuple(prefixes))]
    if dropped:
        logger.debug("dropping %d NeMo entries not used by MatchboxNet, e.g. %s", len(dropped), dropped[0])
    return selected


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> bytes:
    """The bytes of a regular-file ``member`` of ``archive`` (read from ``path``)."""
    handle = archive.extractfile(member)
    if handle is None:  # not reached for the regular files read_nemo_archive selects
        raise StorageError(f"{path}: member {member.name!r} is not a regular file")
    return handle.read()


def read_nemo_archive(path: Union[str, Path]) -> Tuple[Dict[str, Any], "OrderedDict[str, torch.Tensor]"]:
    """Reads the config and the weights of a ``.nemo`` archive (tar, optionally gzip-compressed).

    Args:
        path: The ``.nemo`` file.

    Returns:
        ``(config, state_dict)``: the parsed ``model_config.yaml`` and the full ``model_weights.ckpt``.

    Raises:
        StorageError: The file is not a tar archive or lacks one of the two members.

    Example:
        >>> import tempfile
        >>> from lhotse_lite.models.matchbox.nemo_checkpoint import TOY_CONFIG  # one block, 4 features, 2 labels
        >>> path = Path(tempfile.mkdtemp()) / "toy.nemo"
        >>> write_nemo_archive(path, TOY_CONFIG, {"decoder.decoder_layers.0.bias": torch.zeros(2)})
        >>> config, weights = read_nemo_archive(path)
        >>> config["labels"], list(weights)
        (['yes', 'no'], ['decoder.decoder_layers.0.bias'])
    """
    path = Path(path)
    try:
        with tarfile.open(path, "r:*") as archive:
            members = {Path(m.name).name: m for m in archive.getmembers() if m.isfile()}
            missing = [name for name in (_CONFIG_MEMBER, _WEIGHTS_MEMBER) if name not in members]
            if missing:
                raise StorageError(f"{path}: not a NeMo archive, missing {missing}; found {sorted(members)}")
            config = yaml.safe_load(_read_member(archive, members[_CONFIG_MEMBER], path))
            weights = _read_member(archive, members[_WEIGHTS_MEMBER], path)
    except tarfile.TarError as err:
        raise StorageError(f"{path}: cannot read as a .nemo (tar) archive: {err}") from err
    state_dict = torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True)
    return config, OrderedDict(state_dict)


def write_nemo_archive(
    path: Union[str, Path], config: Mapping[str, Any], state_dict: Mapping[str, torch.Tensor]
) -> None:
    """Writes a ``.nemo`` archive (gzip tar) in NeMo's layout: ``model_config.yaml`` + ``model_weights.ckpt``.

    The inverse of :func:`read_nemo_archive`; use it to hand a model trained here to NeMo tooling, or
    to build test archives.

    Args:
        path: The file to write.
        config: The model config (plain YAML-serialisable data, interpolations resolved).
        state_dict: The weights, e.g. ``model.state_dict()``.

    Example:
        >>> import tempfile
        >>> from lhotse_lite.models.matchbox.nemo_checkpoint import TOY_CONFIG  # one block, 4 features, 2 labels
        >>> path = Path(tempfile.mkdtemp()) / "toy.nemo"
        >>> write_nemo_archive(path, TOY_CONFIG, matchboxnet_from_nemo_config(TOY_CONFIG).state_dict())
        >>> sorted(Path(m).name for m in tarfile.open(path).getnames())
        ['model_config.yaml', 'model_weights.ckpt']
    """
    buffer = io.BytesIO()
    torch.save(dict(state_dict), buffer)
    members = ((_CONFIG_MEMBER, yaml.safe_dump(dict(config)).encode()), (_WEIGHTS_MEMBER, buffer.getvalue()))
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(f"./{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def matchboxnet_from_nemo_config(config: Mapping[str, Any]) -> MatchboxNet:
    """Builds an (untrained) :class:`MatchboxNet` from a NeMo classification model config.

    Reads ``encoder`` (``feat_in``, ``activation``, ``conv_mask``, ``normalization_mode``, ``residual_mode``,
    ``norm_groups``, ``frame_splicing``, ``init_mode``, ``quantize``, ``jasper``) and ``decoder`` (``feat_in``,
    ``num_classes`` or the length of ``labels``, ``return_logits``, ``pooling_type``). A top-level
    ``model:`` section is unwrapped.

    Args:
        config: The parsed ``model_config.yaml`` (interpolations resolved).

    Returns:
        The model, in training mode, with freshly initialised weights.

    Raises:
        ConfigError: A missing section, an unresolved ``${...}`` interpolation or an unsupported setting.

    Example:
        >>> config = {
        ...     "labels": ["yes", "no"],
        ...     "encoder": {"feat_in": 64, "activation": "relu", "jasper": [
        ...         {"filters": 128, "repeat": 1, "kernel": [11], "stride": [1], "dilation": [1],
        ...          "dropout": 0.0, "residual": False, "separable": True}]},
        ...     "decoder": {"feat_in": 128, "pooling_type": "avg"},
        ... }
        >>> model = matchboxnet_from_nemo_config(config)
        >>> model.decoder.num_classes, sum(p.numel() for p in model.encoder.parameters())
        (2, 9152)
    """
    if "model" in config and "encoder" not in config:
        config = config["model"]
    for section in ("encoder", "decoder"):
        if not isinstance(config.get(section), Mapping):
            raise ConfigError(f"NeMo config has no {section!r} section; keys: {sorted(config)}")
    _reject_interpolations(config["encoder"], "encoder")
    _reject_interpolations(config["decoder"], "decoder")
    enc = config["encoder"]
    if "jasper" not in enc:
        raise ConfigError(f"NeMo encoder config has no 'jasper' block list; keys: {sorted(enc)}")
    blocks = [_block_from_nemo(entry, index) for index, entry in enumerate(enc["jasper"])]
    encoder = ConvASREncoder(
        activation=enc.get("activation", "relu"),
        feat_in=int(enc["feat_in"]),
        normalization_mode=enc.get("normalization_mode", "batch"),
        residual_mode=enc.get("residual_mode", "add"),
        norm_groups=int(enc.get("norm_groups", -1)),
        conv_mask=bool(enc.get("conv_mask", True)),
        frame_splicing=int(enc.get("frame_splicing", 1)),
        init_mode=enc.get("init_mode", "xavier_uniform"),
        jasper=blocks,
        quantize=bool(enc.get("quantize", False)),
    )
    dec = config["decoder"]
    labels: Optional[List[str]] = config.get("labels")
    num_classes = dec.get("num_classes", len(labels) if labels else None)
    if num_classes is None:
        raise ConfigError("NeMo decoder config has neither 'num_classes' nor model-level 'labels'")
    decoder = ConvASRDecoderClassification(
        int(dec.get("feat_in", encoder.feat_out)),
        int(num_classes),
        init_mode=dec.get("init_mode", "xavier_uniform"),
        return_logits=bool(dec.get("return_logits", True)),
        pooling_type=dec.get("pooling_type", "avg"),
    )
    return MatchboxNet(encoder, decoder)


def load_nemo_matchboxnet(path: Union[str, Path]) -> Tuple[MatchboxNet, List[str]]:
    """Builds a :class:`MatchboxNet` from a ``.nemo`` archive and loads its weights (``strict=True``).

    Args:
        path: A MatchboxNet ``.nemo`` file (e.g. NGC's ``commandrecognition_en_matchboxnet3x1x64_v1``),
            already on disk.

    Returns:
        ``(model in eval mode, labels)``; ``labels[i]`` names logit ``i`` (empty if the config has none).

    Raises:
        StorageError: Not a readable NeMo archive.
        ConfigError: The config does not describe a supported MatchboxNet.
        RuntimeError: The weights do not fit (``load_state_dict`` lists missing/unexpected keys).

    Example:
        A tiny archive written here; a downloaded checkpoint (e.g. NGC's
        ``commandrecognition_en_matchboxnet3x1x64_v1.nemo``) loads the same way.

        >>> import tempfile
        >>> from lhotse_lite.models.matchbox.nemo_checkpoint import TOY_CONFIG  # one block, 4 features, 2 labels
        >>> trained = matchboxnet_from_nemo_config(TOY_CONFIG)
        >>> path = Path(tempfile.mkdtemp()) / "toy.nemo"
        >>> write_nemo_archive(path, TOY_CONFIG, trained.state_dict())
        >>> model, labels = load_nemo_matchboxnet(path)
        >>> features = torch.randn(3, 4, 20)  # (batch, feat_in, frames)
        >>> labels, [labels[i] for i in model(features).argmax(-1)][0] in labels
        (['yes', 'no'], True)
        >>> torch.equal(model(features), trained.eval()(features))
        True
    """
    config, state_dict = read_nemo_archive(path)
    model_config = config["model"] if "model" in config and "encoder" not in config else config
    model = matchboxnet_from_nemo_config(model_config)
    model.load_state_dict(select_nemo_weights(state_dict), strict=True)
    return model.eval(), list(model_config.get("labels") or [])


def _block_from_nemo(entry: Mapping[str, Any], index: int) -> BlockConfig:
    entry = dict(entry)
    if entry.pop("quantize", False):  # NeMo reads quantize from the encoder section only
        raise ConfigError(
            f"NeMo block {index}: quantize=True is not supported (it needs NVIDIA's pytorch_quantization); "
            f"NeMo itself reads quantize from the encoder section, not from a block"
        )
    try:
        return BlockConfig.from_dict(entry)
    except ConfigError as err:
        raise ConfigError(f"NeMo block {index}: {err}") from err


def _reject_interpolations(section: Mapping[str, Any], name: str) -> None:
    text = yaml.safe_dump(dict(section))
    if "${" in text:
        raise ConfigError(
            f"NeMo {name} config still has ${{...}} interpolations; resolve them first "
            f"(OmegaConf.to_container(cfg, resolve=True))"
        )
