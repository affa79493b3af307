"""Typed data wrappers: a ``Dataset[T]`` of items and a ``DataLoader[T]`` that places batches.

``DataLoader`` wraps ``torch.utils.data.DataLoader`` and moves every tensor of each batch (at any
depth of dicts, lists and tuples) to its ``device``. The trainer sets that device; until then the
batches stay where the dataset put them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

import torch
import torch.utils.data

from artifact_ml.torch.device import move_to_device

__all__ = ["DataLoader", "Dataset"]

T = TypeVar("T")


class Dataset(torch.utils.data.Dataset[T], Generic[T]):
    """A map-style dataset over a sequence of items or a function of the item index.

    Args:
        items: the items, or a function returning the item at an index in ``[0, length)``.
        length: the number of items; required with a function, rejected with a sequence.

    Raises:
        ValueError: if ``length`` is missing or negative with a function, or given with a sequence.
    """

    def __init__(self, items: Sequence[T] | Callable[[int], T], length: int | None = None) -> None:
        if callable(items) and not isinstance(items, Sequence):
            if length is None or length < 0:
                raise ValueError(
                    f"Dataset built from a function needs length >= 0, got length={length!r}."
                )
            self._get_item: Callable[[int], T] = items
            self._length = length
        else:
            if length is not None:
                raise ValueError(
                    "Dataset built from a sequence takes its length from the sequence; "
                    f"remove length={length!r}."
                )
            sequence = items
            self._get_item = sequence.__getitem__
            self._length = len(sequence)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> T:
        if not 0 <= index < self._length:
            raise IndexError(f"Dataset index {index} is out of range [0, {self._length}).")
        return self._get_item(index)


class DataLoader(Generic[T]):
    """An iterable over batches of type ``T`` with every tensor placed on ``device``.

    The arguments are those of ``torch.utils.data.DataLoader``. Without ``collate_fn``, the batch
    type is the item type of ``dataset``, because default collation of a dict of tensors stacks
    each field into a dict of the same keys. ``device`` is ``None`` until the
    trainer sets it, in which case batches are yielded as collated. With ``pin_memory=True`` and a
    CUDA device, the copies are non-blocking.

    Under ``torchrun``, pass ``sampler=torch.utils.data.distributed.DistributedSampler(dataset)``
    (with ``shuffle`` in the sampler, not here) so that each rank loads its own shard. The trainer
    calls the sampler's ``set_epoch`` before each epoch, so the shuffle differs between epochs.
    """

    @overload
    def __init__(
        self: DataLoader[T],
        dataset: torch.utils.data.Dataset[T],
        batch_size: int | None = 1,
        *,
        shuffle: bool = False,
        drop_last: bool = False,
        num_workers: int = 0,
        collate_fn: None = None,
        sampler: torch.utils.data.Sampler[Any] | None = None,
        generator: torch.Generator | None = None,
        pin_memory: bool = False,
        persistent_workers: bool = False,
        device: torch.device | str | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        dataset: torch.utils.data.Dataset[Any],
        batch_size: int | None = 1,
        *,
        shuffle: bool = False,
        drop_last: bool = False,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], T],
        sampler: torch.utils.data.Sampler[Any] | None = None,
        generator: torch.Generator | None = None,
        pin_memory: bool = False,
        persistent_workers: bool = False,
        device: torch.device | str | None = None,
    ) -> None: ...

    def __init__(
        self,
        dataset: torch.utils.data.Dataset[Any],
        batch_size: int | None = 1,
        *,
        shuffle: bool = False,
        drop_last: bool = False,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], T] | None = None,
        sampler: torch.utils.data.Sampler[Any] | None = None,
        generator: torch.Generator | None = None,
        pin_memory: bool = False,
        persistent_workers: bool = False,
        device: torch.device | str | None = None,
    ) -> None:
        if shuffle and sampler is None and _has_no_items(dataset):
            raise ValueError(
                f"DataLoader got an empty dataset ({type(dataset).__name__} of length 0), so it "
                "has nothing to shuffle or load; pass a dataset with at least one item."
            )
        self.dataset = dataset
        self.generator = generator
        self.device: torch.device | None = None if device is None else torch.device(device)
        self._non_blocking = pin_memory
        self.loader: torch.utils.data.DataLoader[Any] = torch.utils.data.DataLoader(
            dataset,
            batch_size=batch_size,
            shuffle=shuffle if sampler is None else None,
            sampler=sampler,
            drop_last=drop_last,
            num_workers=num_workers,
            collate_fn=collate_fn,
            generator=generator,
            pin_memory=pin_memory,
            persistent_workers=persistent_workers,
        )

    def __len__(self) -> int:
        """Return the number of batches per pass.

        Raises:
            TypeError: if the dataset has no length (an iterable-style dataset of unknown size).
        """
        return len(self.loader)

    def __iter__(self) -> Iterator[T]:
        device = self.device
        if device is None:
            yield from self.loader
            return
        non_blocking = self._non_blocking and device.type == "cuda"
        for batch in self.loader:
            yield move_to_device(batch, device, non_blocking=non_blocking)


def _has_no_items(dataset: torch.utils.data.Dataset[Any]) -> bool:
    try:
        return len(dataset) == 0  # type: ignore[arg-type]
    except TypeError:
        return False
