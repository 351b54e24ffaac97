"""XML for the Tencent CI API, both ways, with no string templates.

Parsing goes through ``defusedxml``: a DTD, an entity declaration or an external reference in an
answer is refused with a clear :class:`BadResponseError` (billion laughs, XXE), as is anything
that is not well-formed XML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from airflow_provider_mediajobs.catalog.params import XML_NAME
from airflow_provider_mediajobs.exceptions import BadResponseError

# Elements the vendor may repeat: always lists, even with one (or no) occurrence.
ALWAYS_LISTS = frozenset({"JobsDetail", "Result", "ResultDetail", "WordsGeneralizeLable", "WordsGeneralizeToken"})


def parse(body: bytes) -> tuple[str, dict[str, Any]]:
    """Parse an answer; return the root tag and its content as nested dicts.

    :raises BadResponseError: not XML, or XML carrying a DTD or entities.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise BadResponseError(f"the XML answer was refused: it declares a DTD or entities ({type(err).__name__})") \
            from None
    except (ParseError, ValueError) as err:
        raise BadResponseError(f"the answer is not well-formed XML: {err}") from None
    content = _to_dict(root)
    return root.tag, content if isinstance(content, dict) else {}


def _to_dict(node: Any) -> Any:
    children = list(node)
    if not children:
        return (node.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        value = _to_dict(child)
        if child.tag in out:
            # _to_dict never returns a list, so a list here means "already repeated".
            if not isinstance(out[child.tag], list):
                out[child.tag] = [out[child.tag]]
            out[child.tag].append(value)
        else:
            out[child.tag] = [value] if child.tag in ALWAYS_LISTS else value
    return out


def build(root_tag: str, fields: Mapping[str, Any]) -> bytes:
    """Build a request body from slash paths (``Operation/Output/Bucket``) to values.

    A dict value becomes child elements; booleans are ``true``/``false``. Paths are created in
    the order given, which is the order the vendor documents.
    """
    root = Element(root_tag)
    for path, value in fields.items():
        node = root
        for part in path.split("/"):
            found = node.find(part)
            node = found if found is not None else SubElement(node, part)
        _fill(node, value)
    text: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + text


def _fill(node: Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            # ElementTree writes tag names unescaped: a key like "a></b><c" would restructure
            # the body. The catalog refuses such keys first; this is the last line.
            if not isinstance(key, str) or not XML_NAME.fullmatch(key):
                raise ValueError(f"refusing to write an XML element named {key!r}")
            _fill(SubElement(node, key), child)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif isinstance(value, str | int | float):
        node.text = str(value)
    else:
        # None would be written as the text "None" and a list as its repr: refuse, as the catalog does.
        raise ValueError(f"refusing to write {type(value).__name__} as XML text")
