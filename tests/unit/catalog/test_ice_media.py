"""ICE transcoding, snapshot and media convert jobs in the catalog: the nested JSON parameters checked
key by key (``catalog.shapes``) against the keys the official SDK's models list, each kind's states,
the objects a job reads and writes, hostile ``get`` answers, and the sweep and cancel declarations."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog.model import JobKind
from airflow_provider_mediajobs.catalog.params import Json
from airflow_provider_mediajobs.catalog.shapes import ANY, ListOf, Number, Obj, Shaped, Text
from airflow_provider_mediajobs.exceptions import BadResponseError, CancelNotSupportedError, MediaJobsValidationError
from airflow_provider_mediajobs.lineage import as_detail

KINDS = (cat.ICE_TRANSCODE_JOB, cat.ICE_SNAPSHOT_JOB, cat.ICE_MEDIA_CONVERT_JOB)
IN, OUT = "oss://media-in/clips/a.mp4", "oss://media-out/clips/a.mp4"


def _message(param: Json, value: Any) -> str:
    with pytest.raises(MediaJobsValidationError) as info:
        param.serialize(value)
    return str(info.value)


# -- the shape check, on its own -------------------------------------------------------------------
SHAPE = Shaped("cfg", "Cfg", ListOf(Obj({
    "Type": Text(values=("OSS", "Media")),
    "Priority": Number(whole=True, low=1, high=10),
    "Name": Text(max_len=4),
    "Tags": ListOf(Obj({"Key": ANY, "Value": ANY}, ("Key",))),
    "Any": ANY,
}, ("Type",)), min_items=1))


@pytest.mark.parametrize(("value", "message"), [
    ([], "cfg must be a list of at least 1 item, got '0 items'"),
    ([{"Type": "oss"}], "cfg[0]['Type'] must be one of OSS, Media, got 'oss'"),
    ([{"Type": "OSS"}, {"Tpye": "OSS"}], "cfg[1]['Tpye'] must be one of the keys Type, Priority, Name, Tags, Any, "
                                         "got 'Tpye'"),
    ([{"Priority": 3}], "cfg[0]['Type'] must be given: it is required, got None"),
    ([{"Type": "OSS", "Priority": 0}], "cfg[0]['Priority'] must be an integer from 1 to 10, got 0"),
    ([{"Type": "OSS", "Name": "toolong"}], "cfg[0]['Name'] must be at most 4 characters long, got 'toolong'"),
    ([{"Type": "OSS", "Tags": {"Key": "k"}}], "cfg[0]['Tags'] must be a list, got {'Key': 'k'}"),
    ([{"Type": "OSS", "Tags": [{"Value": "v"}]}], "cfg[0]['Tags'][0]['Key'] must be given: it is required, got None"),
])
def test_a_shape_names_the_argument_the_path_and_what_is_allowed(value: Any, message: str) -> None:
    assert _message(SHAPE, value) == message


def test_a_shape_lets_through_what_fits_and_leaves_open_values_to_the_vendor() -> None:
    value = [{"Type": "Media", "Priority": 7, "Name": "abc", "Tags": [{"Key": "k"}], "Any": {"x": [1, None]}}]
    assert SHAPE.serialize(value) == SHAPE.serialize(SHAPE.serialize(value))  # the JSON text parses the same
    assert '"Priority":7' in SHAPE.serialize(value)  # checked, then sent as given


def test_shape_declarations_that_cannot_work_are_refused_at_import() -> None:
    with pytest.raises(TypeError, match="required keys"):
        Obj({"A": ANY}, ("B",))


# -- the shapes list the keys of the SDK's models ------------------------------------------------------
def _sdk_model_keys(model: type, depth: int = 0) -> dict[str, Any]:
    """Every key ``model`` (an alibabacloud-ice20201109 DaraModel) writes, filled in as its to_map()
    writes them: nested models as objects (in lists where the model holds a list)."""
    import alibabacloud_ice20201109.models as models

    filled: dict[str, Any] = {}
    for name, param in inspect.signature(model.__init__).parameters.items():
        if name == "self":
            continue
        nested = re.search(r"main_models\.(\w+)", str(param.annotation))
        if nested and depth < 12:
            inner = models.__dict__[nested.group(1)]
            value: Any = inner(**_sdk_model_keys(inner, depth + 1))
            filled[name] = [value] if "List[" in str(param.annotation) else value
        else:
            filled[name] = "x"
    return filled


def _object(shape: Any) -> Obj | None:
    # The object shape a value of ``shape`` holds (each item's, for a list), None for a leaf.
    while isinstance(shape, ListOf):
        shape = shape.item
    return shape if isinstance(shape, Obj) else None


def _keys_missing(shape: Any, value: Any, path: str = "") -> list[str]:
    """The keys of ``value`` (an SDK to_map()) ``shape`` does not list, with their paths."""
    found = _object(shape)
    if found is None:
        return []
    items = value if isinstance(value, list) else [value]
    missing = []
    for item in items:
        for key, child in item.items():
            if key not in found.fields:
                missing.append(f"{path}.{key}")
            else:
                missing += _keys_missing(found.fields[key], child, f"{path}.{key}")
    return missing


def _keys_extra(shape: Any, value: Any, path: str = "") -> list[str]:
    """The keys ``shape`` lists that the SDK model does not write."""
    found = _object(shape)
    if found is None:
        return []
    item = (value[0] if value else {}) if isinstance(value, list) else value
    extra = []
    for key, child in found.fields.items():
        if key not in item:
            extra.append(f"{path}.{key}")
        else:
            extra += _keys_extra(child, item[key], f"{path}.{key}")
    return extra


def _sdk_request(model_name: str) -> dict[str, Any]:
    models = pytest.importorskip("alibabacloud_ice20201109.models")
    model = models.__dict__[model_name]
    result: dict[str, Any] = model(**_sdk_model_keys(model)).to_map()
    return result


@pytest.mark.sdk
@pytest.mark.parametrize(("operation", "model", "documented_extra"), [
    # IsInheritTags: in every answer's ProcessConfig, not in the request model (see the catalog).
    (cat.SUBMIT_TRANSCODE_JOB, "SubmitTranscodeJobRequest", {"OutputGroup.ProcessConfig.IsInheritTags"}),
    (cat.ICE_SUBMIT_SNAPSHOT_JOB, "SubmitSnapshotJobRequest", set()),
])
def test_the_shapes_list_exactly_the_keys_of_the_sdk_request_models(operation: Any, model: str,
                                                                    documented_extra: set[str]) -> None:
    sdk = _sdk_request(model)
    missing, extra = [], []
    for param in operation.params:
        if isinstance(param, Shaped):
            missing += _keys_missing(param.shape, sdk[param.wire], param.wire)
            extra += _keys_extra(param.shape, sdk[param.wire], param.wire)
    assert missing == []
    assert {e.lstrip(".") for e in extra} == documented_extra


@pytest.mark.sdk
def test_the_media_convert_config_lists_the_keys_of_media_convert_job_config() -> None:
    sdk = _sdk_request("MediaConvertJobConfig")
    shape = cat.SUBMIT_MEDIA_CONVERT_JOB.param("config").shape  # type: ignore[attr-defined]
    assert _keys_missing(shape, sdk) == []
    # Outputs is in every answer's Config (MediaConvertOutput), not in the request model.
    assert _keys_extra(shape, sdk) == [".Outputs"]
    answer = _sdk_request("MediaConvertOutput")
    assert _keys_missing(_object(shape).fields["Outputs"], answer) == []  # type: ignore[union-attr]


# -- states ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "state", "group"), [
    (cat.ICE_TRANSCODE_JOB, "Init", "pending"),
    (cat.ICE_TRANSCODE_JOB, "Processing", "pending"),
    (cat.ICE_TRANSCODE_JOB, "Success", "success"),
    # The vendor calls a parent a Success once one sub-job succeeded: partly successful is successful.
    (cat.ICE_TRANSCODE_JOB, "PartSuccess", "success"),
    (cat.ICE_TRANSCODE_JOB, "Fail", "failure"),
    (cat.ICE_TRANSCODE_JOB, "Deleted", "unknown"),  # a sub-job's state, not a parent's
    (cat.ICE_SNAPSHOT_JOB, "Init", "pending"),
    (cat.ICE_SNAPSHOT_JOB, "Success", "success"),
    (cat.ICE_SNAPSHOT_JOB, "Fail", "failure"),
    (cat.ICE_MEDIA_CONVERT_JOB, "Inited", "pending"),
    (cat.ICE_MEDIA_CONVERT_JOB, "Running", "pending"),
    (cat.ICE_MEDIA_CONVERT_JOB, "Complete", "success"),
    (cat.ICE_MEDIA_CONVERT_JOB, "Success", "success"),  # the Submit answer model's spelling
    (cat.ICE_MEDIA_CONVERT_JOB, "Error", "failure"),
    (cat.ICE_MEDIA_CONVERT_JOB, "Failed", "failure"),
    (cat.ICE_MEDIA_CONVERT_JOB, "Cancelled", "failure"),
])
def test_each_state_is_classified(kind: JobKind, state: str, group: str) -> None:
    assert kind.classify({kind.state[0]: state}) == group


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_the_state_groups_are_disjoint_and_the_listing_filters_are_states(kind: JobKind) -> None:
    assert not (kind.success & kind.failure)
    assert not (kind.success & kind.pending)
    assert not (kind.failure & kind.pending)
    assert kind.sweep is not None
    listed = kind.sweep.list.param("status").values  # type: ignore[attr-defined]
    assert set(listed) <= kind.success | kind.failure | kind.pending


# -- the objects a job reads and writes ------------------------------------------------------------------
@pytest.mark.parametrize(("media", "uri"), [
    ({"Type": "OSS", "Media": IN}, IN),
    ({"Type": "OSS", "Media": "https://media-in.oss-cn-shanghai.aliyuncs.com/clips/a%20b.mp4"},
     "oss://media-in/clips/a b.mp4"),
    ({"Type": "OSS", "Media": "http://Media-In.oss-cn-beijing-internal.aliyuncs.com/clips/a.mp4"}, IN),
    ({"Type": "Media", "Media": "a1b2c3d4e5f6"}, None),  # a media asset id
    ({"Type": "OSS", "Media": "oss://media-out/snap/{Count}.jpg"}, None),  # a template
    ({"Type": "OSS", "Media": "https://example.com/clips/a.mp4"}, None),  # not an OSS host
    ({"Type": "OSS", "Media": "https://u@media-in.oss-cn-shanghai.aliyuncs.com/a.mp4"}, None),
    ({"Type": "OSS", "Media": "https://media-in.oss-cn-shanghai.aliyuncs.com:8443/a.mp4"}, None),
    ({"Type": "OSS", "Media": "oss://x/a.mp4"}, None),  # not a bucket name
    ({"Type": "OSS", "Media": "m1", "OssFile": {"Bucket": "media-in", "Object": "clips/a.mp4"}}, IN),
    ({"Type": "OSS", "Media": "m1", "OssFile": {"Bucket": "media-in", "Object": "{Count}.jpg"}}, None),
    ('{"Type": "OSS", "Media": "oss://media-in/clips/a.mp4"}', IN),  # as a submit request holds it
    ("not json", None),
    (None, None),
])
def test_an_ice_media_object_names_an_oss_object_or_none(media: Any, uri: str | None) -> None:
    assert cat.ice_media_uri(media) == uri


def _request(operation: Any, **arguments: Any) -> dict[str, Any]:
    # What lineage reads for a submit that did not wait: the request's wire parameters.
    return as_detail(operation.bind(arguments))


TRANSCODE_REQUEST = {
    "input_group": [{"Type": "OSS", "Media": IN}, {"Type": "Media", "Media": "m1"}],
    "output_group": [{"Output": {"Type": "OSS", "Media": OUT}, "ProcessConfig": {"Transcode": {"TemplateId": "t"}}}],
}


def test_a_transcoding_job_reads_its_oss_inputs_and_writes_its_one_output() -> None:
    kind = cat.ICE_TRANSCODE_JOB
    request = _request(cat.SUBMIT_TRANSCODE_JOB, **TRANSCODE_REQUEST)
    detail = {"ParentJobId": "p1", "Status": "Success", "InputGroup": TRANSCODE_REQUEST["input_group"],
              "OutputGroup": TRANSCODE_REQUEST["output_group"]}
    for job in (request, detail):
        assert kind.inputs(job, lambda: None) == (IN,)
        assert kind.output(job) == OUT
    # Two outputs: no one object is the job's output.
    two = dict(detail, OutputGroup=detail["OutputGroup"] * 2)
    two["OutputGroup"] = [two["OutputGroup"][0], {"Output": {"Type": "OSS", "Media": "oss://media-out/b.mp4"}}]
    assert kind.output(two) is None


def test_a_snapshot_job_reads_its_input_and_writes_one_snapshot_but_not_a_series() -> None:
    kind = cat.ICE_SNAPSHOT_JOB
    request = _request(cat.ICE_SUBMIT_SNAPSHOT_JOB, input={"Type": "OSS", "Media": IN},
                       output={"Type": "OSS", "Media": "oss://media-out/a.jpg"}, template_config={"TemplateId": "t"})
    assert kind.inputs(request, lambda: None) == (IN,)
    assert kind.output(request) == "oss://media-out/a.jpg"
    series = {"JobId": "j1", "Status": "Success", "Input": {"Type": "Media", "Media": "m1"},
              "Output": {"Type": "OSS", "Media": "oss://media-out/{Count}.jpg"}}
    assert (kind.inputs(series, lambda: None), kind.output(series)) == ((), None)


def test_a_media_convert_job_reads_its_inputs_and_writes_what_its_details_name() -> None:
    kind = cat.ICE_MEDIA_CONVERT_JOB
    config = {"Inputs": [{"Name": "a", "InputFile": {"Type": "OSS", "Media": IN}}]}
    assert kind.inputs(_request(cat.SUBMIT_MEDIA_CONVERT_JOB, config=config), lambda: None) == (IN,)
    written = {"Result": {"OutputFile": {"Type": "OSS", "Media": "oss://media-out/hls/720p.m3u8"}}}
    job = {"JobId": "j1", "State": "Complete", "Config": config, "OutputDetails": [],
           "OutputGroupDetails": [{"Name": "g", "Outputs": [written]}]}
    assert kind.output(job) == "oss://media-out/hls/720p.m3u8"
    job["OutputDetails"] = [{"Result": {"OutputFile": {"Type": "OSS", "Media": OUT}}}]
    assert kind.output(job) is None  # two objects written


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
@pytest.mark.parametrize("odd", [
    {"InputGroup": "[[[", "OutputGroup": {"a": 1}, "Input": 7, "Output": [], "Config": "{\"Inputs\": 3}",
     "OutputDetails": "x", "OutputGroupDetails": [{"Outputs": {"Result": 1}}]},
    {"InputGroup": [None, 1, "x"], "Input": {"Type": "OSS", "Media": 5}, "Config": [1],
     "OutputDetails": [{"Result": "x"}]},
])
def test_odd_details_give_no_objects_rather_than_errors(kind: JobKind, odd: dict[str, Any]) -> None:
    assert kind.inputs(odd, lambda: None) == ()
    assert kind.output(odd) is None


# -- hostile get answers ---------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "answer", "text"), [
    (cat.ICE_TRANSCODE_JOB, {"TranscodeParentJob": [{"ParentJobId": "j1", "Status": "Success"}]}, "a list, not a job"),
    (cat.ICE_TRANSCODE_JOB, {"TranscodeParentJob": {"ParentJobId": "j2", "Status": "Success"}},
     "'j2'.*not the job asked for"),
    (cat.ICE_TRANSCODE_JOB, {"TranscodeParentJob": {"ParentJobId": "j1"}}, "without a state"),
    (cat.ICE_SNAPSHOT_JOB, {"SnapshotJob": "j1"}, "a str, not a job"),
    (cat.ICE_SNAPSHOT_JOB, {"SnapshotJob": {"JobId": "j1", "Status": ["Success"]}}, "without a state"),
    (cat.ICE_MEDIA_CONVERT_JOB, {"Job": {"JobId": 1, "State": "Complete"}}, "not the job asked for"),
    (cat.ICE_MEDIA_CONVERT_JOB, {"Job": {"JobId": "j1", "Status": "Complete"}}, "without a state"),
])
def test_an_answer_that_is_not_the_job_is_refused(kind: JobKind, answer: dict[str, Any], text: str) -> None:
    with pytest.raises(BadResponseError, match=text):
        kind.find({"RequestId": "r", **answer}, "j1")


def test_the_job_is_read_from_under_its_key() -> None:
    job = {"ParentJobId": "j1", "Status": "Fail", "TranscodeJobList": [{"JobId": "s1", "Status": "Fail"}]}
    assert cat.ICE_TRANSCODE_JOB.find({"RequestId": "r", "TranscodeParentJob": job}, "j1") == job


# -- sweeps and cancel -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_each_kind_sweeps_its_listing_newest_first_from_a_creation_time(kind: JobKind) -> None:
    sweep = kind.sweep
    assert sweep is not None
    assert sweep.since is not None
    when = datetime(2026, 6, 1, 12, tzinfo=UTC)
    wire = sweep.list.bind({**sweep.arguments, **sweep.since(when)})
    assert wire == {"OrderBy": "CreateTimeDesc", "PageSize": "100", "StartOfCreateTime": "2026-06-01T12:00:00Z"}
    assert sweep.as_detail is None  # an item lacks some of the detail: an ended job gets one get


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_no_kind_can_be_cancelled_and_each_says_where_that_is_read(kind: JobKind) -> None:
    assert kind.cancel.operation is None
    assert "SDK client" in kind.cancel.source
    with pytest.raises(CancelNotSupportedError, match=f"{kind.name} j1 cannot be cancelled"):
        kind.cancel_call(dict.fromkeys(kind.id_args, "j1"))
