"""The connection id of every operator is a template field: a DAG can choose the
account per run (``{{ params.account }}``), and the rendered id is the one the hook reads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_mediajobs.operators.alibaba import IceListSmartJobsOperator
from airflow_provider_mediajobs.operators.tencent import TencentCIListJobsOperator
from airflow_provider_mediajobs.testing import EmulatorHandle

OPERATORS: list[tuple[type[Any], str, dict[str, Any]]] = [
    (IceListSmartJobsOperator, "alibaba_cloud_media", {"max_items": 3}),
    (TencentCIListJobsOperator, "tencent_cloud_ci", {"tag": "Translation", "max_items": 3}),
]


@pytest.fixture
def second_accounts(mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> EmulatorHandle:
    """The emulator's connections again, under ids no operator defaults to."""
    for conn_id, conn in mediajobs_connections.connections().items():
        account = conn_id.replace("_default", "_account_b")
        monkeypatch.setenv(f"AIRFLOW_CONN_{account.upper()}", json.dumps(conn))
        # The defaults must not be what answers below.
        monkeypatch.delenv(f"AIRFLOW_CONN_{conn_id.upper()}")
    return mediajobs_connections


@pytest.mark.parametrize(("operator_class", "vendor", "arguments"), OPERATORS, ids=lambda v: getattr(v, "__name__", ""))
def test_operator_connection_id_is_rendered_and_used(
    second_accounts: EmulatorHandle, operator_class: type[Any], vendor: str, arguments: dict[str, Any]
) -> None:
    attr = f"{vendor}_conn_id"
    op = operator_class(task_id="t", **{attr: "{{ params.account }}"}, **arguments)
    assert attr in op.template_fields
    op.render_template_fields({"params": {"account": f"{vendor}_account_b"}})
    assert op.conn_id == f"{vendor}_account_b"
    before = second_accounts.counters().get("requests", 0)
    jobs = op.execute({})
    assert len(jobs) == 3
    assert second_accounts.counters().get("requests", 0) > before


def test_an_unrendered_or_unknown_connection_id_is_not_silently_replaced(second_accounts: EmulatorHandle) -> None:
    from airflow.exceptions import AirflowNotFoundException

    op = TencentCIListJobsOperator(task_id="t", tag="Translation", tencent_cloud_ci_conn_id="{{ params.account }}")
    op.render_template_fields({"params": {"account": "tencent_cloud_ci_account_c"}})
    with pytest.raises(AirflowNotFoundException, match="tencent_cloud_ci_account_c"):
        op.execute({})
