"""The shape that keeps the provider changeable: one name per argument, one renaming table, job
kinds that drive sensors and triggers, layers that only point down."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as ali
from airflow_provider_mediajobs.catalog import tencent as ci
from airflow_provider_mediajobs.catalog.model import JobKind
from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import AlibabaCloudMediaHook
from airflow_provider_mediajobs.hooks.tencent import TencentCloudCIHook
from airflow_provider_mediajobs.operators.alibaba import ImmGetTaskOperator, ImmListTasksOperator
from airflow_provider_mediajobs.sensors import alibaba as ali_sensors
from airflow_provider_mediajobs.sensors import tencent as ci_sensors
from airflow_provider_mediajobs.sensors.base import MediaJobSensor
from airflow_provider_mediajobs.tasks import trigger_for
from airflow_provider_mediajobs.testing import EmulatorHandle
from airflow_provider_mediajobs.triggers import coalesce
from airflow_provider_mediajobs.vendors import ALIBABA, TENCENT

OPERATIONS = [*ali.OPERATIONS.values(), *ci.OPERATIONS.values()]
KINDS = [value for module in (ali, ci) for value in vars(module).values() if isinstance(value, JobKind)]
SENSORS = [
    value for module in (ali_sensors, ci_sensors) for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, MediaJobSensor) and "kind" in value.__dict__
]
HOOKS = (AlibabaCloudMediaHook, TencentCloudCIHook)


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.paging], ids=lambda op: op.name)
def test_page_size_names_the_parameter_that_sizes_each_page(operation: Any) -> None:
    by_wire = {p.wire: p.arg for p in operation.params}
    assert operation.paging.size_param in by_wire, "the page size parameter is in the catalog"
    # page_size everywhere, but where the vendor's own name is already plain (Tencent's size).
    assert by_wire[operation.paging.size_param] == ("size" if operation.service.vendor == "tencent" else "page_size")


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h.__name__)
def test_hook_list_methods_take_the_catalog_names(hook: Any) -> None:
    # No per-method renaming: an iter_* method's arguments are its operation's, plus max_items.
    methods = [getattr(hook, name) for name in dir(hook) if name.startswith("iter_") and name != "iter_pages"]
    assert methods
    names = {p.arg for op in hook.api.operations.values() for p in op.params}
    for method in methods:
        taken = set(inspect.signature(method).parameters) - {"self", "max_items"}
        assert taken <= names, (method.__name__, taken - names)


def test_errors_carry_the_argument_as_data_under_the_name_users_gave() -> None:
    with pytest.raises(MediaJobsValidationError) as info:
        ImmGetTaskOperator(task_id="t", project_name="p", imm_task_id="no spaces", imm_task_type="X").execute({})
    assert info.value.arg == "imm_task_id"
    assert str(info.value).startswith("imm_task_id must be")
    with pytest.raises(MediaJobsValidationError) as info:
        ci_sensors.TencentCIJobSensor(task_id="w", job_id="a,b").job_ids()
    assert info.value.arg == "job_id"
    with pytest.raises(MediaJobsValidationError) as info:
        TencentCloudCIHook().get_ci_job("a,b")
    assert info.value.arg == "job_id"


def test_a_window_error_is_renamed_part_by_part() -> None:
    err = MediaJobsValidationError.about("start/end", "a window", "('a', 'b')")
    assert err.renamed({"end": "until"}).arg == "start/until"
    assert err.renamed({}) is err


def test_max_results_is_accepted_as_the_former_name_of_page_size() -> None:
    with pytest.warns(DeprecationWarning, match="max_results= is now page_size="):
        op = ImmListTasksOperator(task_id="t", project_name="p", max_results=5)
    assert op.page_size == 5
    assert "max_results" not in op.template_fields
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="give page_size= only"):
            ImmListTasksOperator(task_id="t", project_name="p", max_results=5, page_size=6)


@pytest.mark.parametrize("sensor", SENSORS, ids=lambda s: s.__name__)
def test_sensors_take_exactly_the_ids_their_kind_declares(sensor: Any) -> None:
    shown = [sensor.renamed.get(arg, arg) for arg in sensor.kind.id_args]
    assert list(sensor.template_fields) == [*shown, sensor.conn_name_attr]
    required = [p.name for p in inspect.signature(sensor.__init__).parameters.values() if p.default is p.empty
                and p.kind is p.KEYWORD_ONLY]
    assert required == shown
    with pytest.raises(TypeError, match="missing keyword argument"):
        sensor(task_id="w")


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_has_a_trigger_and_a_sensor(kind: JobKind) -> None:
    vendor = ALIBABA if kind.get.service.vendor == "alibaba" else TENCENT
    assert trigger_for(vendor, kind).kind is kind
    assert [s for s in SENSORS if s.kind is kind]


def test_vendor_identity_is_stated_once() -> None:
    for hook, vendor in zip(HOOKS, (ALIBABA, TENCENT), strict=True):
        assert (hook.conn_type, hook.conn_name_attr, hook.default_conn_name) == (
            vendor.conn_type, vendor.conn_name_attr, vendor.default_conn_id)
        assert vendor.hook_class() is hook
        assert hook.api.identity is vendor


def test_the_package_has_no_import_cycle() -> None:
    from benchmarks.code_metrics import import_cycles

    assert import_cycles() == []


async def test_starting_a_shared_poller_reads_the_connection_once(
    mediajobs_connections: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.sdk import BaseHook

    reads: list[str] = []
    original = BaseHook.aget_connection

    async def counted(conn_id: str) -> Any:
        reads.append(conn_id)
        return await original(conn_id)

    monkeypatch.setattr(BaseHook, "aget_connection", counted)
    poller = await coalesce.acquire(TencentCloudCIHook.api, "tencent_cloud_ci_default")
    try:
        assert reads == ["tencent_cloud_ci_default"]
        assert poller.client.quota_key.startswith("tencent_cloud_ci:")
    finally:
        await coalesce.release(poller)


def test_an_error_inside_a_json_argument_is_renamed_by_its_head() -> None:
    # A shape names the path inside the argument; an operator that shows the argument under
    # another name (ICE snapshots: input -> input_file) renames the path's head only.
    err = MediaJobsValidationError.about("input['Type']", "one of OSS, Media", "'oss'")
    renamed = err.renamed({"input": "input_file", "Type": "kind"})
    assert renamed.arg == "input_file['Type']"
    assert str(renamed) == "input_file['Type'] must be one of OSS, Media, got 'oss'"
