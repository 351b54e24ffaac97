"""XML for the Tencent CI API, both ways, with no string templates.

Parsing goes through ``defusedxml``: a DTD, an entity declaration or an external reference in an
answer is refused with a clear :class:`BadResponseError` (billion laughs, XXE), as is anything
that is not well-formed XML or that nests deeper than :data:`~.nesting.MAX_DEPTH` elements.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from airflow_provider_mediajobs.catalog.nesting import MAX_DEPTH, too_deep
from airflow_provider_mediajobs.catalog.params import XML_NAME
from airflow_provider_mediajobs.exceptions import BadResponseError

# Elements the vendor may repeat: always lists, even with one (or no) occurrence. The media jobs'
# ConcatFragment, Watermark, WatermarkTemplateId and AudioMixArray are repeated in their requests and
# echoed so in JobsDetail (the DescribeMediaJob samples), so a reader gets them in the form it sent.
ALWAYS_LISTS = frozenset({"JobsDetail", "Result", "ResultDetail", "WordsGeneralizeLable", "WordsGeneralizeToken",
                          "ConcatFragment", "Watermark", "WatermarkTemplateId", "AudioMixArray"})


def parse(body: bytes, limit: int = MAX_DEPTH) -> tuple[str, dict[str, Any]]:
    """Parse an answer; return the root tag and its content as nested dicts.

    Elements are read as a stream and converted on the way, with an explicit stack, so neither
    the depth check nor the conversion recurses: an answer nested deeper than ``limit`` is
    refused as soon as the parser gets there, before the rest is even built.

    :param body: the answer's bytes.
    :param limit: most element levels accepted, the root counting as one.
    :raises BadResponseError: not XML, XML carrying a DTD or entities, or nested too deep.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    # One frame per open element: its tag and, once it has children, their converted values.
    stack: list[tuple[str, dict[str, Any] | None]] = []
    root_tag, content = "", None
    try:
        for event, node in iterparse(io.BytesIO(body), events=("start", "end"), forbid_dtd=True,
                                     forbid_entities=True, forbid_external=True):
            if event == "start":
                if len(stack) >= limit:
                    raise too_deep("the XML answer", limit)
                stack.append((node.tag, None))
                continue
            tag, children = stack.pop()
            value: Any = children if children is not None else (node.text or "").strip()
            node.clear()  # its content is converted: let the tree go as we read
            if not stack:
                root_tag, content = tag, value
                continue
            parent_tag, siblings = stack[-1]
            if siblings is None:
                siblings = {}
                stack[-1] = (parent_tag, siblings)
            _add(siblings, tag, value)
    except DefusedXmlException as err:
        raise BadResponseError(f"the XML answer was refused: it declares a DTD or entities ({type(err).__name__})") \
            from None
    except (ParseError, ValueError) as err:
        raise BadResponseError(f"the answer is not well-formed XML: {err}") from None
    return root_tag, content if isinstance(content, dict) else {}


def _add(siblings: dict[str, Any], tag: str, value: Any) -> None:
    if tag in siblings:
        # A converted value is never a list, so a list here means "already repeated".
        if not isinstance(siblings[tag], list):
            siblings[tag] = [siblings[tag]]
        siblings[tag].append(value)
    else:
        siblings[tag] = [value] if tag in ALWAYS_LISTS else value


def build(root_tag: str, fields: Mapping[str, Any]) -> bytes:
    """Build a request body from slash paths (``Operation/Output/Bucket``) to values.

    A dict value becomes child elements, a list the element repeated (one per item, as the vendor
    takes ``WatermarkTemplateId`` or ``ConcatFragment``); booleans are ``true``/``false``. Paths are
    created in the order given, which is the order the vendor documents.
    """
    root = Element(root_tag)
    for path, value in fields.items():
        *parents, leaf = path.split("/")
        node = root
        for part in parents:
            found = node.find(part)
            node = found if found is not None else SubElement(node, part)
        for item in value if isinstance(value, list) else [value]:
            _fill(SubElement(node, leaf), item)
    text: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + text


def _fill(node: Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            # ElementTree writes tag names unescaped: a key like "a></b><c" would restructure
            # the body. The catalog refuses such keys first; this is the last line.
            if not isinstance(key, str) or not XML_NAME.fullmatch(key):
                raise ValueError(f"refusing to write an XML element named {key!r}")
            # A list is the element repeated; the catalog allows one only where the vendor repeats it.
            for item in child if isinstance(child, list) else [child]:
                _fill(SubElement(node, key), item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif isinstance(value, str | int | float):
        node.text = str(value)
    else:
        # None would be written as the text "None", a list in a list as its repr: refuse, as the catalog does.
        raise ValueError(f"refusing to write {type(value).__name__} as XML text")
