"""Each job kind's console page (``Console`` in the catalog): how its address is filled in, that a
placeholder nothing fills is refused where the kind is declared, and that docs/operating.md gives
every kind's address and its source."""

from __future__ import annotations

import re

import pytest

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.catalog.model import Console, JobKind
from tests.helpers import ROOT

KINDS = [value for module in (ali, ci) for value in vars(module).values() if isinstance(value, JobKind)]


def test_every_kind_has_a_console_page() -> None:
    assert KINDS
    assert [kind.name for kind in KINDS if kind.console is None] == []


def test_the_address_is_filled_in_percent_encoded() -> None:
    console = Console("X console", "https://x.example/{region}/jobs?id={job_id}", "a test")
    assert console.fields == {"region", "job_id"}
    assert console.link({"region": "cn-hangzhou", "job_id": "a/b c&d"}) == \
        "https://x.example/cn-hangzhou/jobs?id=a%2Fb%20c%26d"


@pytest.mark.parametrize("parts", [{"region": "cn-hangzhou"}, {"region": "cn-hangzhou", "job_id": ""},
                                   {"region": "cn-hangzhou", "job_id": 7}])
def test_a_missing_part_gives_no_address(parts: dict[str, object]) -> None:
    assert Console("X console", "https://x.example/{region}?id={job_id}", "a test").link(parts) == ""


def test_a_placeholder_nothing_fills_is_refused_where_the_kind_is_declared() -> None:
    typo = Console("MTS console", "https://mps.console.aliyun.com/{regoin}", "a test")
    with pytest.raises(TypeError, match=r"names \['regoin'\]"):
        JobKind(*ali.MTS_IPRODUCTION_JOB[:-1], console=typo)


def test_the_docs_give_every_kind_its_address_and_source() -> None:
    page = (ROOT / "docs" / "operating.md").read_text()
    section = page.split("## Console links", 1)[1].split("\n## ", 1)[0]
    rows = {row.split("|")[1].strip(" `"): row for row in section.splitlines() if re.match(r"\| `\w+` \|", row)}
    for kind in KINDS:
        assert kind.console is not None
        row = rows.get(kind.name)
        assert row is not None, f"docs/operating.md: no row for {kind.name}"
        assert f"`{kind.console.url}`" in row
        assert kind.console.title in row
