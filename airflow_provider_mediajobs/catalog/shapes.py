"""JSON shapes: the keys, types, values and bounds a vendor documents for a nested request parameter.

Several APIs take an object or a list of objects as one JSON parameter (IMM ``Sources``,
``Targets``, ``Notification``...), whose keys the SDK models list one by one. A :class:`Shape`
states them (wire key -> shape), and :class:`Shaped` is the parameter that checks a value against
its shape before any request, naming the path of what it refuses
(``targets[0]['Video']['TranscodeVideo']['Codec'] must be one of copy, h264, h265, vp9``).

Plain slotted classes, as :mod:`.params`: operator modules build the catalog at DAG parse.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from airflow_provider_mediajobs.catalog.params import _CONTROL, Json, Param, Str, invalid
from airflow_provider_mediajobs.exceptions import MediaJobsValidationError

HIDDEN = "(hidden)"
"""What an error shows instead of a value it must not quote (a document password, a policy)."""


class Shape:
    """What one value inside a JSON parameter may be."""

    __slots__ = ()

    def check(self, where: str, value: Any) -> None:
        """Refuse ``value`` (at the path ``where``) unless it has this shape.

        :raises MediaJobsValidationError: naming ``where`` and what is allowed.
        """
        raise NotImplementedError


class Text(Shape):
    """A string: free text (at most ``max_len`` characters), one of ``values``, or starting with
    ``prefix`` (``oss://``)."""

    __slots__ = ("max_len", "prefix", "values")

    def __init__(self, *, max_len: int = 2048, values: tuple[str, ...] = (), prefix: str = "") -> None:
        self.max_len = max_len
        self.values = values
        self.prefix = prefix

    def check(self, where: str, value: Any) -> None:
        if self.values:
            if not isinstance(value, str) or value not in self.values:
                raise invalid(where, f"one of {', '.join(self.values)}", value)
            return
        if not isinstance(value, str):
            raise invalid(where, "a string", value)
        if _CONTROL.search(value):
            raise invalid(where, "free of control characters", value)
        if len(value) > self.max_len:
            raise invalid(where, f"at most {self.max_len} characters long", value)
        if self.prefix and not value.startswith(self.prefix):
            raise invalid(where, f"a URI starting with {self.prefix}", value)


class Number(Shape):
    """A JSON number (``whole``: an integer) within ``[low, high]``, or one of ``values``."""

    __slots__ = ("high", "low", "values", "whole")

    def __init__(self, *, whole: bool = False, low: float | None = None, high: float | None = None,
                 values: tuple[int, ...] = ()) -> None:
        self.whole = whole
        self.low = low
        self.high = high
        self.values = values

    def _allowed(self) -> str:
        if self.values:
            return f"one of {', '.join(str(v) for v in self.values)}"
        what = "an integer" if self.whole else "a number"
        if self.low is not None and self.high is not None:
            return f"{what} from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{what} >= {self.low:g}"
        return what

    def check(self, where: str, value: Any) -> None:
        kinds = int if self.whole else int | float
        # bool is an int in Python, and JSON's true is no number; NaN is no JSON number either.
        if not isinstance(value, kinds) or isinstance(value, bool) or value != value:
            raise invalid(where, self._allowed(), value)
        if self.values and value not in self.values:
            raise invalid(where, self._allowed(), value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise invalid(where, self._allowed(), value)


class Flag(Shape):
    """A JSON boolean."""

    __slots__ = ()

    def check(self, where: str, value: Any) -> None:
        if not isinstance(value, bool):
            raise invalid(where, "true or false", value)


class Anything(Shape):
    """A value the vendor documents by its key only: any JSON value, left for the vendor to judge."""

    __slots__ = ()

    def check(self, where: str, value: Any) -> None:
        return None


ANY = Anything()


class ListOf(Shape):
    """A list of ``min_items`` to ``max_items`` items of one shape (our guard where undocumented)."""

    __slots__ = ("item", "max_items", "min_items")

    def __init__(self, item: Shape, *, max_items: int = 100, min_items: int = 0) -> None:
        self.item = item
        self.max_items = max_items
        self.min_items = min_items

    def check(self, where: str, value: Any) -> None:
        if not isinstance(value, list):
            raise invalid(where, "a list", value)
        if len(value) > self.max_items:
            raise invalid(where, f"a list of at most {self.max_items} items", f"{len(value)} items")
        if len(value) < self.min_items:
            raise invalid(where, f"a list of at least {self.min_items} item{'s' * (self.min_items > 1)}",
                          f"{len(value)} items")
        for index, item in enumerate(value):
            self.item.check(f"{where}[{index}]", item)


class Obj(Shape):
    """An object with the documented keys only (each of its shape), ``required`` ones present.

    :param open: other keys are let through unchecked, where the vendor documents only some of an
        object's keys (MTS ``Outputs``: the required ones on one page, the rest across others).
    """

    __slots__ = ("fields", "open", "required")

    def __init__(self, fields: Mapping[str, Shape], required: tuple[str, ...] = (), *, open: bool = False) -> None:
        unknown = sorted(set(required) - set(fields))
        if unknown:
            raise TypeError(f"Obj: the required keys {unknown} are not among its keys")
        self.fields = dict(fields)
        self.required = required
        self.open = open

    def check(self, where: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise invalid(where, f"an object with the keys {', '.join(self.fields)}", value)
        unknown = sorted(str(key) for key in value if key not in self.fields)
        if unknown and not self.open:
            raise invalid(f"{where}[{unknown[0]!r}]", f"one of the keys {', '.join(self.fields)}", unknown[0])
        for key in self.required:
            if value.get(key) is None or value.get(key) == "":
                raise invalid(f"{where}[{key!r}]", "given: it is required", None)
        for key, child in value.items():
            if child is not None and key in self.fields:
                self.fields[key].check(f"{where}[{key!r}]", child)


def obj(*, required: tuple[str, ...] = (), **fields: Shape) -> Obj:
    """An :class:`Obj` from keyword arguments: ``obj(URI=OSS_URI, Mode=Text(values=...))``."""
    return Obj(fields, required)


def keys(names: tuple[str, ...], required: tuple[str, ...] = (), *, open: bool = False) -> Obj:
    """An :class:`Obj` of documented keys whose values are left for the vendor to judge
    (:data:`ANY`): the shape where a page or SDK model names an object's keys and nothing more."""
    return Obj(dict.fromkeys(names, ANY), required, open=open)


class FreeMap(Shape):
    """An object whose keys the vendor leaves to the user (IMM ``Tags``): string keys and
    scalar values."""

    __slots__ = ()

    def check(self, where: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise invalid(where, "an object", value)
        for key, child in value.items():
            if not isinstance(key, str) or not key or _CONTROL.search(key):
                raise invalid(where, "an object keyed by non-empty strings", key)
            if not isinstance(child, str | int | float | bool):
                raise invalid(f"{where}[{key!r}]", "a string, number or boolean", child)


class Shaped(Json):
    """A JSON parameter whose value must have ``shape`` (see :mod:`.shapes`); given as a dict or
    list, or as a JSON string that parses.

    :param hide: never quote a refused value (it may hold something its owner keeps to itself).
    :param json_options: :class:`~.params.Json`'s own options (``xml_names``, ``repeated``, ``max_len``).
    """

    __slots__ = ("hide", "shape")

    def __init__(self, arg: str, wire: str, shape: Shape, required: bool = False, *, hide: bool = False,
                 **json_options: Any) -> None:
        # json_options: Json's own (xml_names and repeated for Tencent option nodes, max_len).
        super().__init__(arg, wire, required, kind=list if isinstance(shape, ListOf) else dict, **json_options)
        self.shape = shape
        self.hide = hide

    def serialize(self, value: Any) -> str:
        try:
            parsed = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            parsed = None  # Json.serialize says why
        try:
            if parsed is not None:
                self.shape.check(self.arg, parsed)
            return super().serialize(value)
        except MediaJobsValidationError as err:
            raise _hidden(err) if self.hide else err from None


class Utf8Str(Str):
    """Free text the vendor bounds in UTF-8 bytes (IMM ``UserData``: at most 2,048 bytes)."""

    __slots__ = ("max_bytes",)

    def __init__(self, arg: str, wire: str, required: bool = False, *, max_bytes: int) -> None:
        super().__init__(arg, wire, required, max_len=max_bytes)
        self.max_bytes = max_bytes

    def serialize(self, value: Any) -> str:
        text = super().serialize(value)
        if len(text.encode("utf-8")) > self.max_bytes:
            raise invalid(self.arg, f"at most {self.max_bytes} bytes in UTF-8", f"{len(text.encode('utf-8'))} bytes")
        return text


class SecretStr(Str):
    """Free text no error may quote (a document's password)."""

    __slots__ = ()

    def serialize(self, value: Any) -> str:
        try:
            return super().serialize(value)
        except MediaJobsValidationError as err:
            raise _hidden(err) from None


def _hidden(err: MediaJobsValidationError) -> MediaJobsValidationError:
    if err.arg is None or err.allowed is None:
        return MediaJobsValidationError(str(err).split(",")[0], arg=err.arg)
    return MediaJobsValidationError.about(err.arg, err.allowed, HIDDEN)


def secret_params(params: tuple[Param, ...]) -> tuple[str, ...]:
    """The arguments whose values are the user's own secrets (a document's password): never quoted
    in an error, and to be masked in logs by whoever sends them."""
    return tuple(p.arg for p in params if isinstance(p, SecretStr))
