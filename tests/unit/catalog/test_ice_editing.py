"""ICE timeline editing and IProduction in the catalog (issue 18, part 2), without I/O: states, the
rules of SubmitMediaProducingJob and ICE's SubmitIProductionJob, the form body Timeline travels in
(signed as the SDK signs it, V3 and V1), lineage read from a job's detail, the catalog names ICE's
IProduction calls go by, and the sweep's window."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.exceptions import BadResponseError, MediaJobsValidationError
from airflow_provider_mediajobs.hooks.alibaba import API
from airflow_provider_mediajobs.signing import acs3_signature, parse_acs3_authorization, v1_signature

SECRET = "test-secret-value-123"
OSS_OUT = {"MediaURL": "https://media-out.oss-cn-shanghai.aliyuncs.com/edits/cut.mp4"}
TIMELINE = {"VideoTracks": [{"VideoTrackClips": [
    {"MediaURL": "https://media-in.oss-cn-shanghai.aliyuncs.com/clips/a%20b.mp4", "Out": 5},
    {"MediaId": "****20b48fb04483915d4f2cd8ac****"},
    {"MediaURL": "oss://media-in/clips/c.mp4"},
    {"MediaURL": "https://cdn.example.com/clips/d.mp4"},
]}], "AudioTracks": [{"AudioTrackClips": [{"MediaURL": "https://media-in.oss-cn-shanghai.aliyuncs.com/music.mp3"}]}]}


def _refused(operation: Any, arg: str, **arguments: Any) -> str:
    with pytest.raises(MediaJobsValidationError) as info:
        operation.bind(arguments)
    assert str(info.value.arg).partition("[")[0] == arg, str(info.value)
    return str(info.value)


@pytest.mark.parametrize(("kind", "state", "group"), [
    (cat.ICE_MEDIA_PRODUCING_JOB, "Init", "pending"), (cat.ICE_MEDIA_PRODUCING_JOB, "Queuing", "pending"),
    (cat.ICE_MEDIA_PRODUCING_JOB, "Processing", "pending"), (cat.ICE_MEDIA_PRODUCING_JOB, "Success", "success"),
    (cat.ICE_MEDIA_PRODUCING_JOB, "Failed", "failure"), (cat.ICE_MEDIA_PRODUCING_JOB, "Fail", "unknown"),
    (cat.ICE_IPRODUCTION_JOB, "Queuing", "pending"), (cat.ICE_IPRODUCTION_JOB, "Analyzing", "pending"),
    (cat.ICE_IPRODUCTION_JOB, "Success", "success"), (cat.ICE_IPRODUCTION_JOB, "Fail", "failure"),
    # MTS's spelling of the running state is not ICE's: an unknown state, warned about, never an end.
    (cat.ICE_IPRODUCTION_JOB, "Analysing", "unknown"), (cat.ICE_IPRODUCTION_JOB, "Failed", "unknown"),
])
def test_states(kind: Any, state: str, group: str) -> None:
    assert kind.classify({"Status": state}) == group


def test_every_documented_state_is_in_one_group() -> None:
    for kind, states in ((cat.ICE_MEDIA_PRODUCING_JOB, cat.MEDIA_PRODUCING_STATES),
                         (cat.ICE_IPRODUCTION_JOB, cat.ICE_IPRODUCTION_STATES)):
        groups = (kind.success, kind.failure, kind.pending)
        assert set(states) == set().union(*groups)
        assert sum(len(g) for g in groups) == len(states)


# -- SubmitMediaProducingJob's rules -----------------------------------------------------------------
def test_exactly_one_source_is_given() -> None:
    op = cat.SUBMIT_MEDIA_PRODUCING_JOB
    message = _refused(op, "project_id/timeline/template_id", output_media_config=OSS_OUT)
    assert "exactly one" in message
    _refused(op, "project_id/timeline/template_id", output_media_config=OSS_OUT, timeline=TIMELINE, project_id="p1")
    assert op.bind({"output_media_config": OSS_OUT, "project_id": "p1"})["ProjectId"] == "p1"


def test_a_template_needs_its_clips() -> None:
    op = cat.SUBMIT_MEDIA_PRODUCING_JOB
    _refused(op, "clips_param", output_media_config=OSS_OUT, template_id="tpl-1")
    wire = op.bind({"output_media_config": OSS_OUT, "template_id": "tpl-1", "clips_param": {"Video1": "m1"}})
    assert json.loads(wire["ClipsParam"]) == {"Video1": "m1"}


@pytest.mark.parametrize(("target", "config", "ok"), [
    ("oss-object", OSS_OUT, True),
    ("oss-object", {"StorageLocation": "outin-x.oss-cn-shanghai.aliyuncs.com", "FileName": "a.mp4"}, False),
    ("vod-media", {"StorageLocation": "outin-x.oss-cn-shanghai.aliyuncs.com", "FileName": "a.mp4"}, True),
    ("vod-media", OSS_OUT, False),
    (None, OSS_OUT, True),
    (None, {"Width": 1280}, False),
    ("S3", {"Width": 1280}, True),  # S3's fields are not documented: not checked
])
def test_the_output_config_names_its_target(target: str | None, config: dict[str, Any], ok: bool) -> None:
    args = {"timeline": TIMELINE, "output_media_config": config, "output_media_target": target}
    if ok:
        cat.SUBMIT_MEDIA_PRODUCING_JOB.bind(args)
    else:
        _refused(cat.SUBMIT_MEDIA_PRODUCING_JOB, "output_media_config", **args)


def test_output_config_is_required_and_user_data_is_at_most_512_bytes() -> None:
    op = cat.SUBMIT_MEDIA_PRODUCING_JOB
    _refused(op, "output_media_config", timeline=TIMELINE)
    over = {"NotifyAddress": "é" * 250}  # 270 characters of JSON, 520 bytes of UTF-8
    message = _refused(op, "user_data", timeline=TIMELINE, output_media_config=OSS_OUT, user_data=over)
    assert "512 bytes" in message
    op.bind({"timeline": TIMELINE, "output_media_config": OSS_OUT, "user_data": {"NotifyAddress": "é" * 200}})


def test_a_timeline_is_bounded_in_bytes() -> None:
    op = cat.SUBMIT_MEDIA_PRODUCING_JOB
    clip = {"MediaURL": "https://media-in.oss-cn-shanghai.aliyuncs.com/" + "é" * 100}
    # Fewer characters than the bound, more bytes: the byte rule refuses it.
    big = {"VideoTracks": [{"VideoTrackClips": [clip] * (cat.TIMELINE_MAX_BYTES // 180)}]}
    assert len(json.dumps(big, ensure_ascii=False, separators=(",", ":"))) < cat.TIMELINE_MAX_BYTES
    assert "bytes" in _refused(op, "timeline", timeline=big, output_media_config=OSS_OUT)


@pytest.mark.parametrize(("arg", "value"), [
    ("output_media_target", "oss"), ("source", "API"), ("client_token", "has space"), ("client_token", "x" * 65),
    ("timeline", "[1, 2]"), ("clips_param", "{not json"),
])
def test_submit_values(arg: str, value: Any) -> None:
    _refused(cat.SUBMIT_MEDIA_PRODUCING_JOB, arg, **{"timeline": TIMELINE, "output_media_config": OSS_OUT, arg: value})


def test_the_listing_window_is_at_most_30_days() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    op = cat.LIST_MEDIA_PRODUCING_JOBS
    _refused(op, "start_time/end_time", start_time=now, end_time=now + timedelta(days=30, seconds=1))
    op.bind({"start_time": now, "end_time": now + timedelta(days=30)})
    _refused(op, "status", status="Queuing")  # the filter documents Init, Failed, Success, Processing
    _refused(op, "page_size", page_size=101)


# -- ICE SubmitIProductionJob's nested objects ------------------------------------------------------------
IN = {"Type": "OSS", "Media": "oss://media-in/clips/a.mp4"}
OUT = {"Type": "OSS", "Media": "oss://media-out/covers/a.jpg"}


@pytest.mark.parametrize(("arg", "value", "says"), [
    ("input", {"Type": "OSS"}, "input['Media'] must be given"),
    ("input", {"Type": "oss", "Media": "m"}, "input['Type'] must be one of OSS, Media"),
    ("input", {**IN, "Bucket": "b"}, "input['Bucket'] must be one of the keys Type, Media"),
    ("output", {"Media": "oss://b/o"}, "output['Type'] must be given"),
    ("output", {**OUT, "Type": "Vod"}, "output['Type'] must be one of OSS, Media"),
    ("schedule_config", {"Priority": 11}, "schedule_config['Priority'] must be an integer from 1 to 10"),
    ("schedule_config", {"Priority": "5"}, "schedule_config['Priority'] must be an integer from 1 to 10"),
    ("schedule_config", {"Queue": "q"}, "schedule_config['Queue'] must be one of the keys PipelineId, Priority"),
    ("function_name", "VideoQualityEnhancement", "MusicDemix"),  # MTS's function, not ICE's
    ("name", "n" * 101, "at most 100"),
    ("user_data", "u" * 257, "at most 256"),
])
def test_iproduction_values(arg: str, value: Any, says: str) -> None:
    args = {"function_name": "Cover", "input": IN, "output": OUT, arg: value}
    assert says in _refused(cat.ICE_SUBMIT_IPRODUCTION_JOB, arg, **args)


def test_iproduction_objects_go_as_json_text() -> None:
    wire = cat.ICE_SUBMIT_IPRODUCTION_JOB.bind({
        "function_name": "Cover", "input": IN, "output": {**OUT, "Biz": "IMS"},
        "schedule_config": {"PipelineId": "p1", "Priority": 10}, "name": "n" * 100, "user_data": "u" * 256,
    })
    assert json.loads(wire["Input"]) == IN
    assert json.loads(wire["ScheduleConfig"]) == {"PipelineId": "p1", "Priority": 10}
    for arg in ("input", "output", "function_name"):
        _refused(cat.ICE_SUBMIT_IPRODUCTION_JOB, arg, **{k: v for k, v in
                 {"function_name": "Cover", "input": IN, "output": OUT}.items() if k != arg})


# -- the form body -----------------------------------------------------------------------------------------
def _protocol(version: str) -> cat.AlibabaProtocol:
    return cat.AlibabaProtocol(cat.AlibabaCredentials("LTAItestKEYID", SECRET), endpoint_url="http://127.0.0.1:1",
                               signature_version=version)  # type: ignore[arg-type]


def test_the_timeline_travels_in_a_signed_form_body_v3() -> None:
    wire = cat.SUBMIT_MEDIA_PRODUCING_JOB.bind({"timeline": TIMELINE, "output_media_config": OSS_OUT})
    request = _protocol("v3").build(cat.SUBMIT_MEDIA_PRODUCING_JOB, wire)
    query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    assert "Timeline" not in query
    assert "OutputMediaConfig" in query
    assert dict(parse_qsl(request.body.decode())) == {"Timeline": wire["Timeline"]}
    headers = dict(request.headers)
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert headers["x-acs-content-sha256"] == hashlib.sha256(request.body).hexdigest()
    auth = parse_acs3_authorization(headers["Authorization"])
    names = auth["SignedHeaders"].split(";")
    assert "content-type" in names
    signed = {name: headers[name] for name in names}
    assert acs3_signature("POST", query, signed, headers["x-acs-content-sha256"], SECRET)[0] == auth["Signature"]


def test_the_timeline_travels_in_a_signed_form_body_v1() -> None:
    wire = cat.SUBMIT_MEDIA_PRODUCING_JOB.bind({"timeline": TIMELINE, "output_media_config": OSS_OUT})
    request = _protocol("v1").build(cat.SUBMIT_MEDIA_PRODUCING_JOB, wire)
    query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    form = dict(parse_qsl(request.body.decode()))
    assert set(form) == {"Timeline"}
    assert "Timeline" not in query
    # V1 signs the body's parameters with the query's, as the SDK's do_rpcrequest does.
    signed = {k: v for k, v in {**query, **form}.items() if k != "Signature"}
    assert v1_signature("POST", signed, SECRET) == query["Signature"]
    assert v1_signature("POST", {k: v for k, v in query.items() if k != "Signature"}, SECRET) != query["Signature"]


def test_every_other_call_keeps_an_empty_body() -> None:
    for op, args in ((cat.GET_MEDIA_PRODUCING_JOB, {"job_id": "j"}), (cat.ICE_SUBMIT_IPRODUCTION_JOB,
                     {"function_name": "Cover", "input": IN, "output": OUT})):
        request = _protocol("v3").build(op, op.bind(args))
        assert request.body == b""
        assert "content-type" not in request.headers


# -- lineage from a job's detail ---------------------------------------------------------------------------
def test_a_producing_job_reads_its_oss_clips_and_writes_its_media_url() -> None:
    kind = cat.ICE_MEDIA_PRODUCING_JOB
    job = {"JobId": "j", "Status": "Success", "Timeline": json.dumps(TIMELINE), **OSS_OUT}
    # A media asset id and a CDN URL name no object; the URL's path is percent-decoded.
    assert kind.inputs(job, lambda: None) == (
        "oss://media-in/clips/a b.mp4", "oss://media-in/clips/c.mp4", "oss://media-in/music.mp3")
    assert kind.output(job) == "oss://media-out/edits/cut.mp4"
    assert kind.output({**job, "MediaURL": "https://outin-x.vod.example.com/a.mp4"}) is None
    # A submit request of the same shape (the lineage of a submit that does not wait).
    wire = cat.SUBMIT_MEDIA_PRODUCING_JOB.bind({"timeline": TIMELINE, "output_media_config": OSS_OUT})
    assert len(kind.inputs(wire, lambda: None)) == 3
    assert kind.inputs({"JobId": "j", "TemplateId": "t"}, lambda: None) == ()


def test_a_hostile_timeline_fails_as_the_fetch() -> None:
    kind = cat.ICE_MEDIA_PRODUCING_JOB
    deep = "[" * 200 + "]" * 200
    answer = {"MediaProducingJob": {"JobId": "j", "Status": "Processing", "Timeline": '{"VideoTracks":' + deep + "}"}}
    with pytest.raises(BadResponseError):
        kind.find(answer, "j")
    odd = {"MediaProducingJob": {"JobId": "j", "Status": "Processing", "Timeline": {"VideoTracks": "x"}}}
    assert kind.find(odd, "j") is not None  # shapes it cannot read name nothing, and fail nothing
    with pytest.raises(BadResponseError, match="not the job asked for"):
        kind.find({"MediaProducingJob": {"JobId": "other", "Status": "Success"}}, "j")


def test_an_iproduction_job_reads_its_input_and_writes_its_output() -> None:
    kind = cat.ICE_IPRODUCTION_JOB
    job = {"JobId": "j", "Status": "Success", "Input": IN,
           "Output": {"Type": "OSS", "Media": "https://media-out.oss-cn-shanghai.aliyuncs.com/covers/a.jpg"}}
    assert kind.inputs(job, lambda: None) == ("oss://media-in/clips/a.mp4",)
    assert kind.output(job) == "oss://media-out/covers/a.jpg"
    asset = {"Type": "Media", "Media": "****mediaid****", "OutputUrl": "oss://media-out/covers/b.jpg"}
    assert kind.output({**job, "Output": asset}) == "oss://media-out/covers/b.jpg"
    assert kind.output({**job, "Output": {"Type": "OSS", "Media": "oss://media-out/{index}.jpg"}}) is None
    assert kind.inputs({**job, "Input": {"Type": "Media", "Media": "****mediaid****"}}, lambda: None) == ()
    wire = cat.ICE_SUBMIT_IPRODUCTION_JOB.bind({"function_name": "Cover", "input": IN, "output": OUT})
    assert kind.inputs(wire, lambda: None) == ("oss://media-in/clips/a.mp4",)  # the JSON text, read alike


def test_a_failed_iproduction_job_names_the_result_code_where_there_is_one() -> None:
    from airflow_provider_mediajobs.waiting import evaluate

    kind = cat.ICE_IPRODUCTION_JOB
    result = json.dumps({"Code": "InvalidInput.Media", "Message": "cannot decode"})
    event = evaluate(kind, "j", {"JobId": "j", "Status": "Fail", "Result": result})
    assert (event["code"], event["message"]) == ("InvalidInput.Media", "cannot decode")  # type: ignore[index]
    event = evaluate(kind, "j", {"JobId": "j", "Status": "Fail", "Result": ""})
    assert (event["code"], event["message"]) == ("Fail", "the job ended in state Fail")  # type: ignore[index]


# -- names, cancel, sweep ----------------------------------------------------------------------------------
def test_ice_and_mts_iproduction_calls_have_their_own_catalog_names() -> None:
    assert cat.OPERATIONS["SubmitIProductionJob"] is cat.SUBMIT_IPRODUCTION_JOB  # MTS's keeps its name
    assert cat.OPERATIONS["ice.SubmitIProductionJob"] is cat.ICE_SUBMIT_IPRODUCTION_JOB
    assert cat.OPERATIONS["ice.QueryIProductionJob"] is cat.ICE_QUERY_IPRODUCTION_JOB
    assert API.operation(cat.ICE_SUBMIT_IPRODUCTION_JOB) is cat.ICE_SUBMIT_IPRODUCTION_JOB
    assert API.operation("ice.QueryIProductionJob") is cat.ICE_QUERY_IPRODUCTION_JOB
    assert API.operation("QueryIProductionJob") is cat.QUERY_IPRODUCTION_JOB
    # An operation that only looks like a catalog one is still refused.
    with pytest.raises(MediaJobsValidationError, match="operation"):
        API.operation(cat.ICE_QUERY_IPRODUCTION_JOB._replace(params=()))
    with pytest.raises(TypeError, match="two catalog operations"):
        cat._by_name((cat.QUERY_IPRODUCTION_JOB, cat.ICE_QUERY_IPRODUCTION_JOB, cat.ICE_QUERY_IPRODUCTION_JOB))


def test_only_the_iproduction_job_can_be_cancelled() -> None:
    operation, arguments = cat.ICE_IPRODUCTION_JOB.cancel_call({"job_id": "j1"})
    assert operation is cat.ICE_CANCEL_IPRODUCTION_JOB
    assert arguments == {"job_id": "j1"}
    assert cat.ICE_IPRODUCTION_JOB.cancel.only_in == frozenset()  # no states documented
    from airflow_provider_mediajobs.exceptions import CancelNotSupportedError

    with pytest.raises(CancelNotSupportedError, match="no cancel"):
        cat.ICE_MEDIA_PRODUCING_JOB.cancel_call({"job_id": "j1"})
    assert cat.ICE_IPRODUCTION_JOB.sweep is None  # the SDK client has no listing of IProduction jobs


def test_the_sweep_bounds_creation_time_where_a_window_reaches() -> None:
    sweep = cat.ICE_MEDIA_PRODUCING_JOB.sweep
    assert sweep is not None
    assert sweep.since is not None
    recent = datetime.now(UTC) - timedelta(days=2)
    since = sweep.since(recent)
    assert since == {"start_time": recent, "end_time": recent + timedelta(days=30)}
    API.start_listing(sweep.list, None, {**sweep.arguments, **since})  # its own checks accept it
    assert sweep.since(datetime.now(UTC) - timedelta(days=45)) == {}  # no window reaches now: none
