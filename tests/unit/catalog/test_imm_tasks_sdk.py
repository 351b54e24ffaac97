"""The IMM Create*Task operations against the official SDK's request models (alibabacloud-imm20200930).

Every parameter of each operation, and every key of its nested JSON shapes, is one the SDK model
has, of the same type, and the model's every field is declared: the catalog was read from these
models, and this keeps it so when either changes.
"""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog import params as p
from airflow_provider_mediajobs.catalog import shapes as s

pytestmark = pytest.mark.sdk
models = pytest.importorskip("alibabacloud_imm20200930.models")

REQUESTS = {
    "MediaConvert": "CreateMediaConvertTaskRequest",
    "VideoLabelClassification": "CreateVideoLabelClassificationTaskRequest",
    "FaceClustering": "CreateFigureClusteringTaskRequest",
    "OfficeConversion": "CreateOfficeConversionTaskRequest",
    "FileCompression": "CreateFileCompressionTaskRequest",
}


def _fields(model: type) -> dict[str, tuple[str, Any, bool]]:
    """Wire key -> (python name, type, documented as required) of an SDK model."""
    to_map = inspect.getsource(model.to_map)
    wires = dict(re.findall(r"if self\.(\w+) is not None:\n\s+result\['(\w+)'\]", to_map))
    wires.update({attr: wire for wire, attr in re.findall(r"result\['(\w+)'\] = \[\]\n\s+if self\.(\w+) is not None",
                                                          to_map)})
    hints = typing.get_type_hints(model.__init__, globalns={**vars(models), "main_models": models, "List": list,
                                                            "Dict": dict, "Any": Any})
    init = inspect.getsource(model.__init__)
    required = set(re.findall(r"This parameter is required\.\n\s+self\.(\w+) =", init))
    return {wires[name]: (name, hints[name], name in required) for name in inspect.signature(model.__init__).parameters
            if name != "self"}


def _compare(where: str, shape: s.Shape, hint: Any) -> list[str]:
    problems: list[str] = []
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if isinstance(shape, s.ListOf):
        if origin is not list:
            return [f"{where}: a list here, {hint} in the SDK"]
        return _compare(f"{where}[]", shape.item, args[0])
    if isinstance(shape, s.FreeMap):
        return [] if origin is dict or hint is dict else [f"{where}: a free map here, {hint} in the SDK"]
    if isinstance(shape, s.Obj):
        if not (isinstance(hint, type) and hasattr(hint, "to_map")):
            return [f"{where}: an object here, {hint} in the SDK"]
        sdk = _fields(hint)
        if set(shape.fields) != set(sdk):
            problems.append(f"{where}: keys {sorted(set(shape.fields) ^ set(sdk))} differ from the SDK's")
        for key in set(shape.fields) & set(sdk):
            problems += _compare(f"{where}.{key}", shape.fields[key], sdk[key][1])
        if set(shape.required) != {key for key, (_, _, req) in sdk.items() if req}:
            problems.append(f"{where}: required {shape.required} differ from the SDK's")
        return problems
    expected = {s.Text: (str,), s.Flag: (bool,), s.Number: (int, float)}[type(shape)]
    if hint not in expected or (isinstance(shape, s.Number) and shape.whole and hint is not int):
        problems.append(f"{where}: {type(shape).__name__} here, {hint} in the SDK")
    return problems


def _param_type(param: p.Param) -> tuple[type, ...]:
    if isinstance(param, p.Bool):
        return (bool,)
    if isinstance(param, p.Int):
        return (int,)
    return (str,)


@pytest.mark.parametrize("task_type", list(REQUESTS))
def test_each_operation_declares_exactly_the_sdk_models_parameters(task_type: str) -> None:
    operation = cat.IMM_TASK_TYPES[task_type].create
    assert operation.name == REQUESTS[task_type].removesuffix("Request")
    sdk = _fields(getattr(models, REQUESTS[task_type]))
    declared = {param.wire: param for param in operation.params}
    assert set(declared) == set(sdk), sorted(set(declared) ^ set(sdk))
    problems: list[str] = []
    for wire, param in declared.items():
        name, hint, required = sdk[wire]
        # The SDK's name, except TargetURIPrefix's (target_uriprefix there), which reads as two words here.
        assert param.arg == {"target_uriprefix": "target_uri_prefix"}.get(name, name)
        assert param.required == required, wire
        if isinstance(param, s.Shaped):
            problems += _compare(param.arg, param.shape, hint)
        elif hint not in _param_type(param):
            problems.append(f"{wire}: {type(param).__name__} here, {hint} in the SDK")
    assert not problems, problems


@pytest.mark.parametrize("task_type", list(REQUESTS))
def test_the_sdk_sends_the_shaped_parameters_as_json_strings(task_type: str) -> None:
    # The *ShrinkRequest variant holds, as a string, each parameter the SDK sends as JSON text.
    operation = cat.IMM_TASK_TYPES[task_type].create
    shrink = _fields(getattr(models, REQUESTS[task_type].replace("Request", "ShrinkRequest")))
    as_json = {wire for wire, (name, _, _) in shrink.items() if name.endswith("_shrink")}
    assert as_json == {param.wire for param in operation.params if isinstance(param, s.Shaped)}
