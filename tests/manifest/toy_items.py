"""A minimal manifest item and set used by the generic ManifestSet tests."""

from __future__ import annotations

from dataclasses import dataclass

from lhotse_lite.errors import ManifestFieldError
from lhotse_lite.manifest import ManifestSet


@dataclass
class Item:
    id: str
    value: int = 0

    def to_dict(self) -> dict:
        return {"id": self.id, "value": self.value}

    @classmethod
    def from_dict(cls, d: dict) -> "Item":
        if "id" not in d:
            raise ManifestFieldError(f"missing 'id' in {d}")
        return cls(**d)


class ItemSet(ManifestSet[Item]):
    element_type = Item


def make(n: int) -> ItemSet:
    return ItemSet(Item(f"i{k}", k) for k in range(n))
