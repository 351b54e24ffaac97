"""Parameter types of the catalog: each checks a Python value and turns it into the wire string.

A check names the Python argument (``page_size``), not the vendor's name (``PageSize``), and says
what is allowed, so a DAG author sees ``page_size must be an integer from 1 to 100, got 500``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow_provider_mediajobs.exceptions import MediaJobsValidationError

# Control characters (newlines included) never belong in an id or a filter value: they would
# break a header, a log line or an XML body long after the DAG author could see why.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def invalid(arg: str, allowed: str, value: Any) -> MediaJobsValidationError:
    """Build the one error shape every check uses; the argument stays data (``err.arg``).

    :param arg: the argument's name (``a/b`` for a rule over two arguments).
    :param allowed: what it may be.
    :param value: the refused value (quoted, at most 80 characters).
    """
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return MediaJobsValidationError.about(arg, allowed, shown)


def unrendered_template(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` (or a string inside it) still holds Jinja markup: a template field that
    was never rendered (a typo in ``template_fields``, a value built outside Airflow) would
    otherwise reach the vendor as the literal text ``{{ ti.xcom_pull(...) }}``."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if depth > 32:
        return False
    if isinstance(value, Mapping):
        return any(unrendered_template(k, depth + 1) or unrendered_template(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(unrendered_template(v, depth + 1) for v in value)
    return False


def refuse_template(arg: str, value: Any) -> None:
    """Raise when ``value`` still holds Jinja markup (see :func:`unrendered_template`)."""
    if unrendered_template(value):
        raise invalid(arg, "a rendered value (this still holds a Jinja template: is it in template_fields, "
                      "and was the task run by Airflow?)", value)


def check_seconds(arg: str, value: Any, *, allow_zero: bool = True, high: float = 366 * 86400.0,
                  or_none: bool = False) -> float:
    """A duration argument (``poll_interval``, ``wait_timeout``...): a finite number of seconds.

    Checked where the task or trigger is built, so ``poll_interval="60s"`` fails at DAG parse,
    not after a job was submitted.

    :param allow_zero: whether 0 is allowed.
    :param high: the largest value accepted (a year by default).
    :param or_none: say in the error that None is allowed too (the caller handles None).
    """
    low = "0" if allow_zero else "more than 0"
    allowed = f"a number of seconds from {low} to {high:g}" + (" or None" if or_none else "")
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if not isinstance(value, int | float) or isinstance(value, bool) or value != value:  # NaN != NaN
        raise invalid(arg, allowed, value)
    if value < 0 or (value == 0 and not allow_zero) or value > high:
        raise invalid(arg, allowed, value)
    return float(value)


def check_flag(arg: str, value: Any, *, allow_none: bool = False) -> bool | None:
    """A boolean argument (``wait_for_completion``, ``coalesce``...): True or False, not ``"yes"``."""
    if value is None and allow_none:
        return None
    if not isinstance(value, bool):
        raise invalid(arg, "True or False" + (" or None" if allow_none else ""), value)
    return value


def check_count(arg: str, value: Any, low: int = 0, high: int = 1_000_000) -> int:
    """A whole-number argument (``max_transient_errors``)."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(arg, f"an integer from {low} to {high}", value)
    return value


class Param:
    """One documented parameter of a vendor API.

    Plain slotted classes rather than dataclasses: operator modules build the catalog at DAG-parse
    time, and each dataclass costs about a millisecond to create.

    :param arg: the snake_case Python name.
    :param wire: the vendor's name on the wire.
    :param required: whether the vendor requires it.
    """

    __slots__ = ("arg", "required", "wire")

    def __init__(self, arg: str, wire: str, required: bool = False) -> None:
        self.arg = arg
        self.wire = wire
        self.required = required

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.arg!r}, {self.wire!r}, required={self.required})"

    def serialize(self, value: Any) -> str:
        """Check ``value`` and return the string sent on the wire."""
        raise NotImplementedError

    def normalize(self, value: Any) -> Any:
        """Check ``value`` and return it in the form cross-parameter checks compare."""
        return self.serialize(value)


class Str(Param):
    """Free text or an id.

    :param max_len: longest accepted value.
    :param forbid: characters refused (e.g. ``/,`` for ids that go into a URL path).
    :param pattern: a regular expression the whole value must match.
    :param hint: what ``pattern`` means, for the error.
    """

    __slots__ = ("forbid", "hint", "max_len", "pattern")

    def __init__(
        self,
        arg: str,
        wire: str,
        required: bool = False,
        *,
        max_len: int = 1024,  # a guard for free text whose length the vendor does not state
        forbid: str = "",
        pattern: str | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(arg, wire, required)
        self.max_len = max_len
        self.forbid = forbid
        self.pattern = pattern
        self.hint = hint

    def serialize(self, value: Any) -> str:
        if not isinstance(value, str):
            raise invalid(self.arg, "a string", value)
        if not value.strip():
            raise invalid(self.arg, "a non-empty string", value)
        if value != value.strip() or _CONTROL.search(value):
            raise invalid(self.arg, "free of surrounding spaces and control characters", value)
        if len(value) > self.max_len:
            raise invalid(self.arg, f"at most {self.max_len} characters long", value)
        bad = sorted({c for c in value if c in self.forbid})
        if bad or (".." in value and "/" in self.forbid):
            raise invalid(self.arg, f"free of {' '.join(repr(c) for c in self.forbid)} and '..'", value)
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise invalid(self.arg, self.hint or f"matching {self.pattern}", value)
        return value


# The shape vendors give job ids: letters, digits, '-', '_', '.'. Used for every id that goes
# into a URL path or a batch (Tencent) and as a first line of defence for the others. No vendor
# here documents an id length (their ids are 32-40 characters); 128 is this provider's guard.
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}"


def job_id(arg: str, wire: str, required: bool = True, what: str = "an id") -> Str:
    """An id (or a name used like one: queue, pipeline, project, function): letters, digits,
    ``-``, ``_``, ``.``; at most 128 characters. Nothing that could break out of a URL path, a
    query string or a header (``/``, ``&``, ``#``, ``,``, spaces, newlines) gets through."""
    return Str(
        arg,
        wire,
        required,
        max_len=128,
        pattern=ID_PATTERN,
        hint=f"{what} of letters, digits, '-', '_' or '.' (at most 128 characters)",
    )


class Int(Param):
    """An integer within ``[low, high]``."""

    __slots__ = ("high", "low")

    def __init__(self, arg: str, wire: str, required: bool = False, *, low: int = 0, high: int | None = None) -> None:
        super().__init__(arg, wire, required)
        self.low = low
        self.high = high

    def normalize(self, value: Any) -> int:
        # bool is an int in Python; page_size=True is a bug, not 1.
        # [0-9], not \d: int() would also read Arabic-Indic or fullwidth digits.
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value.strip()):
            value = int(value)  # rendered templates arrive as strings
        if not isinstance(value, int) or isinstance(value, bool):
            raise invalid(self.arg, self._allowed(), value)
        if value < self.low or (self.high is not None and value > self.high):
            raise invalid(self.arg, self._allowed(), value)
        return value

    def _allowed(self) -> str:
        if self.high is None:
            return f"an integer >= {self.low}"
        return f"an integer from {self.low} to {self.high}"

    def serialize(self, value: Any) -> str:
        return str(self.normalize(value))


class Bool(Param):
    """A boolean, sent as ``True`` / ``False`` as the Alibaba SDKs do."""

    def normalize(self, value: Any) -> bool:
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise invalid(self.arg, "True or False", value)
        return value

    def serialize(self, value: Any) -> str:
        return "True" if self.normalize(value) else "False"


class Enum(Param):
    """One of a fixed set of values."""

    __slots__ = ("values",)

    def __init__(self, arg: str, wire: str, required: bool = False, *, values: tuple[str, ...] = ()) -> None:
        super().__init__(arg, wire, required)
        self.values = values

    def serialize(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.values:
            raise invalid(self.arg, f"one of {', '.join(self.values)}", value)
        return value


def _as_list(arg: str, value: Any) -> list[Any]:
    if isinstance(value, str):
        # Only spaces around the commas are forgiven ("j1, j2"); a control character (a stray
        # "\r" from a rendered template) stays in its item, where the item's own check refuses it.
        items: list[Any] = [v.strip(" ") for v in value.split(",")] if value.strip() else []
    elif isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        items = list(value)
    else:
        raise invalid(arg, "a list or a comma-separated string", value)
    if not items:
        raise invalid(arg, "a non-empty list", value)
    return items


class EnumList(Param):
    """Several values of a fixed set, as a list or a comma-separated string.

    :param json_array: send as a compact JSON array (Alibaba) instead of comma-joined (Tencent).
    """

    __slots__ = ("json_array", "values")

    def __init__(
        self, arg: str, wire: str, required: bool = False, *, values: tuple[str, ...] = (), json_array: bool = False
    ) -> None:
        super().__init__(arg, wire, required)
        self.values = values
        self.json_array = json_array

    def normalize(self, value: Any) -> list[str]:
        items = _as_list(self.arg, value)
        bad = [v for v in items if not isinstance(v, str) or v not in self.values]
        if bad:
            raise invalid(self.arg, f"a subset of {', '.join(self.values)}", bad)
        return list(dict.fromkeys(items))

    def serialize(self, value: Any) -> str:
        items = self.normalize(value)
        return compact_json(items) if self.json_array else ",".join(items)


class StrList(Param):
    """Several strings sent as a compact JSON array.

    :param names: each item is a name used like an id (a task type): the :func:`job_id` rule.

    The defaults (100 items, 256 characters each) are this provider's guards, for lists whose
    bounds the vendor does not state.
    """

    __slots__ = ("max_items", "names")

    def __init__(
        self, arg: str, wire: str, required: bool = False, *, max_items: int = 100, names: bool = False
    ) -> None:
        super().__init__(arg, wire, required)
        self.max_items = max_items
        self.names = names

    def serialize(self, value: Any) -> str:
        items = _as_list(self.arg, value)
        if len(items) > self.max_items:
            raise invalid(self.arg, f"a list of at most {self.max_items} items", value)
        checker = job_id(self.arg, self.wire, what="a name") if self.names else Str(self.arg, self.wire, max_len=256)
        return compact_json([checker.serialize(v) for v in items])


def compact_json(value: Any) -> str:
    """Serialize as the Alibaba SDKs do: no spaces, non-ASCII kept as is."""
    # NaN and Infinity are not JSON: a vendor's parser refuses them (or reads them as strings).
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# An XML element name this provider will write: the vendors' option names are all of this shape.
XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


# XML 1.0 cannot carry most control characters at all, and a NUL would end the value early in
# some parsers: option values are refused with them, as ids are. The vendors' option nodes are
# two or three levels deep (Operation/Output/Bucket); 8 is our guard.
_XML_MAX_DEPTH = 8


def _xml_problem(value: Any, depth: int = 0) -> str | None:
    """What keeps ``value`` from becoming the child elements of one XML option node, or None."""
    if isinstance(value, Mapping):
        if depth >= _XML_MAX_DEPTH:
            return f"nested at most {_XML_MAX_DEPTH} levels deep"
        for key, child in value.items():
            if not (isinstance(key, str) and XML_NAME.fullmatch(key)):
                return "keyed by plain names (letters, digits, '_')"
            problem = _xml_problem(child, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, bool | int):
        return None
    if isinstance(value, float):
        return None if value == value and abs(value) != float("inf") else "free of NaN and Infinity"
    if isinstance(value, str):
        return "free of control characters" if _CONTROL.search(value) else None
    # None, lists and anything else: an option is a string, a number, a boolean or a node of them.
    return "made of strings, numbers, booleans or objects of them (no null, no list)"


class Shape:
    """The keys a JSON object may hold and what each may be, where the vendor's SDK model lists
    them (``Json(..., shape=...)``): a misspelt key, a missing required one or a value outside what
    a key allows is refused before any request, naming the argument and the path inside it
    (``input_group must be a JSON array whose [0].Type is one of OSS, Media, got 'oss'``).

    A key the model does not list is refused: the official SDK would not send it either.

    :param keys: each key the object may hold -> what its value may be: a nested :class:`Shape`;
        a :class:`Param` that checks the value (``Int(..., low=1, high=10)``, ``Str(...)``; its
        own ``arg`` is unused: errors name the path); a tuple of strings, one of which it must
        be; or None, any JSON value (left for the vendor to judge).
    :param required: the keys the object must hold.
    :param many: the value is a JSON array of such objects (the SDK models' ``List[...]`` fields).
    :param min_items: with ``many``, the fewest objects the array may hold.
    """

    __slots__ = ("keys", "many", "min_items", "required")

    def __init__(self, keys: Mapping[str, Shape | Param | tuple[str, ...] | None], *,
                 required: tuple[str, ...] = (), many: bool = False, min_items: int = 0) -> None:
        unknown = sorted(set(required) - set(keys))
        if unknown:
            raise TypeError(f"Shape: required keys {unknown} are not among its keys")
        self.keys = dict(keys)
        self.required = required
        self.many = many
        self.min_items = min_items

    def problem(self, value: Any, path: str = "") -> tuple[str, str, Any] | None:
        """The first place ``value`` breaks this shape, or None where it fits.

        :param path: where ``value`` sits in the argument (``[0].Output``; "" for the argument).
        :return: the path there, what is allowed there (a predicate: ``is one of OSS, Media``),
            and what is there.
        """
        if self.many:
            if not isinstance(value, list):
                return path, "is an array of objects", value
            if len(value) < self.min_items:
                return path, f"holds at least {self.min_items} object{'s' * (self.min_items > 1)}", value
            for index, item in enumerate(value):
                found = self._object_problem(item, f"{path}[{index}]")
                if found:
                    return found
            return None
        return self._object_problem(value, path)

    def _object_problem(self, value: Any, path: str) -> tuple[str, str, Any] | None:
        if not isinstance(value, Mapping):
            return path, "is an object", value
        unknown = sorted(str(key) for key in value if key not in self.keys)
        if unknown:
            return path, f"has only the keys {', '.join(self.keys)}", unknown[0]
        missing = [key for key in self.required if value.get(key) is None]
        if missing:
            return path, f"has the key {missing[0]} (required)", sorted(value)
        for key, spec in self.keys.items():
            if value.get(key) is None:
                continue
            where = f"{path}.{key}" if path else key
            found = _spec_problem(spec, value[key], where)
            if found:
                return found
        return None


def _spec_problem(spec: Shape | Param | tuple[str, ...] | None, value: Any, path: str) -> tuple[str, str, Any] | None:
    """Where ``value`` breaks ``spec`` (see :class:`Shape`), or None."""
    if spec is None:
        return None
    if isinstance(spec, Shape):
        return spec.problem(value, path)
    if isinstance(spec, tuple):
        return None if isinstance(value, str) and value in spec else (path, f"is one of {', '.join(spec)}", value)
    try:
        spec.normalize(value)
    except MediaJobsValidationError as err:
        return path, f"is {err.allowed}", value
    return None


class Json(Param):
    """A JSON object (or array) given as a dict/list or as a string that must parse.

    :param kind: ``dict`` or ``list``: what the parsed value must be.
    :param xml_names: the keys become XML element names (Tencent options): each must be a plain
        name, so no key can close an element or open another one in the request body.
    :param shape: the keys the value may hold, where the vendor's SDK model lists them (see
        :class:`Shape`; ``many=True`` for an array of objects, with ``kind=list``).
    """

    __slots__ = ("kind", "max_len", "shape", "xml_names")

    # 64 KiB of JSON: a guard (no vendor here states a bound for its JSON parameters).
    def __init__(self, arg: str, wire: str, required: bool = False, *, kind: type = dict, max_len: int = 65536,
                 xml_names: bool = False, shape: Shape | None = None) -> None:
        super().__init__(arg, wire, required)
        if shape is not None and shape.many != (kind is list):
            raise TypeError(f"Json {arg}: a shape of many objects goes with kind=list, one object with kind=dict")
        self.kind = kind
        self.max_len = max_len
        self.xml_names = xml_names
        self.shape = shape

    def serialize(self, value: Any) -> str:
        name = "object" if self.kind is dict else "array"
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as err:
                raise invalid(self.arg, f"a JSON {name} (it does not parse: {err.msg})", value) from None
        if not isinstance(value, self.kind):
            raise invalid(self.arg, f"a JSON {name}", value)
        if self.xml_names:
            problem = _xml_problem(value)
            if problem:
                raise invalid(self.arg, f"a JSON {name} of options {problem}", value)
        if self.shape is not None:
            found = self.shape.problem(value)
            if found:
                where, allowed, shown = found
                raise invalid(self.arg, f"a JSON {name} {f'whose {where}' if where else 'that'} {allowed}", shown)
        try:
            text = compact_json(value)
        except (TypeError, ValueError):
            raise invalid(self.arg, f"a JSON-serializable {name}", value) from None
        if len(text) > self.max_len:
            raise invalid(self.arg, f"at most {self.max_len} characters of JSON", f"{len(text)} characters")
        return text


def parse_time(arg: str, value: Any, fmt: str, example: str) -> datetime:
    """Accept an aware datetime or a string in the vendor's format ``fmt``; return it aware."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise invalid(arg, "a timezone-aware datetime (naive datetimes are ambiguous)", value)
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise invalid(arg, f"an aware datetime or a string like {example}", value)


class Time(Param):
    """A point in time, sent in the vendor's format.

    :param fmt: ``strptime``/``strftime`` format of the wire value.
    :param example: an example of the wire value, for errors.
    :param utc: convert to UTC before formatting (Alibaba wants ``...Z``).
    """

    __slots__ = ("example", "fmt", "utc")

    def __init__(
        self,
        arg: str,
        wire: str,
        required: bool = False,
        *,
        fmt: str = "%Y-%m-%dT%H:%M:%SZ",
        example: str = "2024-01-01T00:00:00Z",
        utc: bool = True,
    ) -> None:
        super().__init__(arg, wire, required)
        self.fmt = fmt
        self.example = example
        self.utc = utc

    def normalize(self, value: Any) -> datetime:
        return parse_time(self.arg, value, self.fmt, self.example)

    def serialize(self, value: Any) -> str:
        when = self.normalize(value)
        return when.astimezone(UTC).strftime(self.fmt) if self.utc else when.strftime(self.fmt)


class TimeRange(Param):
    """IMM's ``{"Start": ..., "End": ...}``, given as such a dict or a ``(start, end)`` pair."""

    def serialize(self, value: Any) -> str:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise invalid(self.arg, 'a {"Start": ..., "End": ...} object', value) from None
        if isinstance(value, Mapping):
            if set(value) - {"Start", "End"} or not value:
                raise invalid(self.arg, 'an object with the keys "Start" and "End"', value)
            start, end = value.get("Start"), value.get("End")
        elif isinstance(value, list | tuple) and len(value) == 2:
            start, end = value
        else:
            raise invalid(self.arg, 'a {"Start": ..., "End": ...} object or a (start, end) pair', value)
        out: dict[str, str] = {}
        times: list[datetime] = []
        for key, part in (("Start", start), ("End", end)):
            if part is None:
                continue
            when = parse_time(f"{self.arg}[{key!r}]", part, "%Y-%m-%dT%H:%M:%SZ", "2024-01-01T00:00:00Z")
            times.append(when)
            out[key] = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if not times:
            raise invalid(self.arg, "a range with a Start, an End or both", value)
        if len(times) == 2 and times[0] > times[1]:
            raise invalid(self.arg, "a range whose Start is not after its End", value)
        return compact_json(out)


class IdList(Param):
    """One or more job ids (a list or a comma-separated string), sent comma-joined.

    :param max_items: most ids in one call (None: any number, for checking a list before it is
        split into calls).
    """

    __slots__ = ("max_items",)

    def __init__(self, arg: str, wire: str, required: bool = False, *, max_items: int | None = 100) -> None:
        super().__init__(arg, wire, required)
        self.max_items = max_items

    def normalize(self, value: Any) -> list[str]:
        items = _as_list(self.arg, value)
        if self.max_items is not None and len(items) > self.max_items:
            raise invalid(self.arg, f"at most {self.max_items} ids", f"{len(items)} ids")
        checker = job_id(self.arg, self.wire)
        return list(dict.fromkeys(checker.serialize(v) for v in items))

    def serialize(self, value: Any) -> str:
        return ",".join(self.normalize(value))
