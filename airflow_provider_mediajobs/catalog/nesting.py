"""How deep a vendor answer may nest, and JSON decoding that enforces it without recursing.

Python's own tools recurse once per level: ``json.loads`` gives up with ``RecursionError`` near
1,000 levels, and what does parse (say 900 levels) later breaks ``repr``, ``json.dumps`` of a
trigger event or Airflow's serializer, far from the answer that caused it. So every answer is
measured right after parsing, by loops rather than recursion, and one nested deeper than
:data:`MAX_DEPTH` is refused there with a :class:`BadResponseError` that says so.
"""

from __future__ import annotations

import json
from typing import Any

from airflow_provider_mediajobs.exceptions import BadResponseError

MAX_DEPTH = 64
"""Most levels of objects/arrays (JSON) or elements (XML, the root counting as one) accepted.

The deepest documented answers nest about six levels (Tencent ``Response/JobsDetail/Operation/
SpeechRecognitionResult/ResultDetail/...``; Alibaba ``SmartJobInfo/OutputConfig/Bucket``), so 64
leaves ample room for vendor additions, while staying far below the ~1,000 Python frames that
``json``, ``repr`` and Airflow's event serialization may each spend on one answer.
"""


def too_deep(what: str, limit: int = MAX_DEPTH) -> BadResponseError:
    """The error for an answer nested deeper than ``limit``.

    :param what: what was nested, for the message (``"the JSON answer"``).
    :param limit: the depth limit that was exceeded.
    """
    return BadResponseError(
        f"{what} is nested too deep: more than {limit} levels (depth limit {limit}); "
        "the vendor's answers nest a few levels, so it was refused"
    )


def check_depth(value: Any, what: str, limit: int = MAX_DEPTH) -> None:
    """Refuse ``value`` if its dicts and lists nest deeper than ``limit``; scalars are depth 0.

    :param value: a decoded JSON value.
    :param what: what it is, for the message.
    :param limit: the most levels accepted.
    :raises BadResponseError: nested too deep.
    """
    # Level by level with plain lists: walking a hostile value must not recurse any more than
    # parsing it did, and this runs on every page of every listing, so it stays cheap (exact
    # type checks: decoded JSON and the XML converter only make plain dicts and lists).
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 1
    while level:
        if depth > limit:
            raise too_deep(what, limit)
        deeper: list[Any] = []
        add = deeper.append
        for node in level:
            for child in node.values() if type(node) is dict else node:
                kind = type(child)
                if kind is dict or kind is list:
                    add(child)
        level = deeper
        depth += 1


def loads(text: str | bytes, what: str, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``limit`` with a clear error.

    :param text: the JSON text.
    :param what: what it is, for the message.
    :param limit: the most levels accepted.
    :raises BadResponseError: nested too deep (whether or not ``json`` itself gave up).
    :raises ValueError: not JSON (invalid text or invalid UTF-8), as ``json.loads`` does.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        # The C decoder stops at the interpreter's recursion limit: only nesting gets it there.
        raise too_deep(what, limit) from None
    check_depth(value, what, limit)
    return value
