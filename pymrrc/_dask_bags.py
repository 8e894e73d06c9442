"""The bags of ``pymrrc.dask``: records stay whole in them (Dask's
``reify`` replaced, decision 0022) and ``read_marc``'s ``MarcBag`` hands
list and dict results to ``distributed`` in a form it moves whole
(decision 0040). Imported by ``pymrrc.dask``, which checks that Dask is
installed first."""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._core import RecordBase as _RecordBase

dask: Any = importlib.import_module("dask")
importlib.import_module("dask.bag.core")

# -- records in bags ------------------------------------------------------------------
# A pymarc record is its own iterator over its fields (it has ``__iter__``
# and ``__next__``), and Dask's bags make a list of every item that is an
# iterator whenever they materialise a partition (``dask.bag.core.reify``,
# after ``from_delayed``, ``map``, ``filter``...): a bag of records would
# become a bag of field lists. pymrrc.dask therefore installs, in every
# process that imports it, a ``reify`` that leaves MARC records alone and
# otherwise does what Dask's does (decision 0022). It also keeps a partition
# of records in a ``RecordList``, which ``distributed`` moves whole.


class RecordList(list[Any]):
    """A bag partition of records. A plain ``list`` is sent between Dask
    processes item by item (``distributed`` serialises each element on its
    own, about 50 microseconds apiece); a subclass is pickled whole, so a
    partition moves at the speed records pickle."""

    __slots__ = ()


def _is_record(item: object) -> bool:
    if isinstance(item, _RecordBase):
        return True
    pymarc_record = sys.modules.get("pymarc.record")
    return pymarc_record is not None and isinstance(item, pymarc_record.Record)


def _reify(seq: Any) -> Any:
    """Dask's ``reify``, except that MARC records stay records, and a
    partition of records is a ``RecordList`` (moved between processes
    whole)."""
    if isinstance(seq, Iterator):
        seq = list(seq)
    try:
        first = next(iter(seq))
    except StopIteration:
        return seq
    if _is_record(first):
        return seq if isinstance(seq, RecordList) else RecordList(seq)
    if isinstance(first, Iterator):
        seq = list(map(list, seq))
    return seq


if getattr(dask.bag.core, "reify", None) is not _reify:
    dask.bag.core.reify = _reify


# -- results that move whole ----------------------------------------------------------
# ``distributed`` sends a task result that is exactly a ``list``, ``tuple``,
# ``set`` or ``dict`` between processes one element at a time, at about 45
# microseconds an element here (dask/distributed#6368): a list of 250,000
# short strings takes 11.7 s to reach the client, the same list as a ``list``
# subclass 0.06 s. A bag aggregation over records (titles, identifiers)
# makes such results, partial counts and the final list of pairs, in Dask's
# own code. On a ``distributed`` worker a ``MarcBag`` therefore hands each
# task result that is exactly a list or a dict over as a subclass, which
# ``distributed`` pickles whole and which unpickles as the plain list or dict
# it was (decision 0040).


class _WholeList(list[Any]):
    """A list that ``distributed`` moves whole; a plain ``list`` again in
    the process that receives it."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return list, (list(self),)


class _WholeDict(dict[Any, Any]):
    """A dict that ``distributed`` moves whole; a plain ``dict`` again in
    the process that receives it."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (dict(self),)


def _on_distributed_worker() -> bool:
    worker = sys.modules.get("distributed.worker")
    if worker is None:
        return False
    try:
        worker.get_worker()
    except ValueError:
        return False
    return True


def _moved_whole(value: Any) -> Any:
    """``value``, on a ``distributed`` worker as a subclass that is pickled
    whole where it is exactly a ``list`` or ``dict``."""
    kind = type(value)
    if (kind is list or kind is dict) and _on_distributed_worker():
        return _WholeList(value) if kind is list else _WholeDict(value)
    return value


def _optimize(dsk: Any, keys: Any, **kwargs: Any) -> Any:
    """Dask's bag optimisation, then every task's result passed through
    ``_moved_whole`` (left as Dask makes it by a Dask older than its task
    objects, 2024.12)."""
    graph = dask.bag.core.Bag.__dask_optimize__(dsk, keys, **kwargs)
    try:
        spec: Any = importlib.import_module("dask._task_spec")
    except ImportError:
        return graph
    graph = spec.convert_legacy_graph(graph)
    return {key: spec.Task(key, _moved_whole, node, _data_producer=node.data_producer)
            for key, node in graph.items()}


def _merged_counts(counts: Any) -> dict[Any, int]:
    """Partial counts added up, keys in the order Dask's
    ``merge_frequencies`` gives them (first seen first): mostly
    ``dict.update``, with Python only for the keys counted more than once."""
    parts = list(counts)
    if not parts:
        return {}
    out = dict(parts[0])
    for more in parts[1:]:
        both = {key: out[key] + more[key] for key in out.keys() & more.keys()}
        out.update(more)
        out.update(both)
    return out


if TYPE_CHECKING:

    class _Bag:
        """What type checkers see of ``dask.bag.Bag`` (Dask's annotations
        are partial): any attribute, of type ``Any``."""

        def __init__(self, dsk: Any, name: str, npartitions: int) -> None: ...
        def reduction(self, *args: Any, **kwargs: Any) -> Any: ...
        def __getattr__(self, name: str) -> Any: ...

else:
    _Bag = dask.bag.Bag


class MarcBag(_Bag):
    """The ``dask.bag.Bag`` that ``read_marc`` returns: a bag in every
    respect, except that on a ``distributed`` cluster the results of its
    tasks that are exactly a ``list`` or a ``dict`` (bag partitions, partial
    counts, the final list of pairs) are pickled whole on their way to
    another process or the client, instead of one element at a time as
    ``distributed`` sends plain lists and dicts, and arrive as the plain
    list or dict they were. A function that a bag method calls on a whole
    partition or partial result made in the same worker process may see a
    ``list`` or ``dict`` subclass. Bags made from it (``map``, ``filter``,
    ``frequencies``, ``topk``, ``distinct``...) are ``MarcBag`` objects too."""

    __dask_optimize__: Any = staticmethod(_optimize)

    def frequencies(self, split_every: Any = None, sort: bool = False) -> Any:
        """Dask's ``Bag.frequencies``: the same pairs in the same order,
        with partial counts merged at the speed of ``dict.update``."""
        result = self.reduction(Counter, _merged_counts, out_type=dask.bag.Bag, split_every=split_every,
                                name="frequencies").map_partitions(dask.bag.core.dictitems)
        if sort:
            result = result.map_partitions(sorted, key=dask.bag.core.second, reverse=True)
        return result

    def reduction(self, perpartition: Any, aggregate: Any, split_every: Any = None,
                  out_type: Any = dask.bag.core.Item, name: Any = None) -> Any:
        result = super().reduction(perpartition, aggregate, split_every=split_every,
                                   out_type=out_type, name=name)
        if type(result) is dask.bag.Bag:
            return MarcBag(result.dask, result.name, result.npartitions)
        return result
