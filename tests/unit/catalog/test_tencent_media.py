"""The Tencent CI tag table (``catalog.tencent.SUBMIT_TAGS``): the media tags' options, the rules
read from it, the XML they become, what lineage reads from a media job, and the how-to's table,
which is the table rendered (so the page cannot drift from the catalog)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.catalog import xml
from airflow_provider_mediajobs.catalog.params import Json
from airflow_provider_mediajobs.exceptions import MediaJobsValidationError
from tests.helpers import ROOT

BUCKET = "examplebucket-1250000000"
OUT = {"output_region": "ap-beijing", "output_bucket": BUCKET, "output_object": "out/a.mp4"}
MEDIA = {"Transcode": "transcode", "Snapshot": "snapshot", "Animation": "animation", "Concat": "concat_template",
         "SmartCover": "smart_cover", "VoiceSeparate": "voice_separate", "VideoMontage": "video_montage"}
NODES = {"Transcode": "Transcode", "Snapshot": "Snapshot", "Animation": "Animation", "Concat": "ConcatTemplate",
         "SmartCover": "SmartCover", "VoiceSeparate": "VoiceSeparate", "VideoMontage": "VideoMontage"}


def _bind(**args: Any) -> dict[str, str]:
    return cat.SUBMIT_JOB.bind({"input_object": "in/a.mp4", **args})


def _refused(arg: str, **args: Any) -> str:
    with pytest.raises(MediaJobsValidationError) as info:
        _bind(**args)
    assert str(info.value.arg).partition("[")[0] == arg, str(info.value)
    return str(info.value)


def test_every_media_tag_has_its_option_node_and_is_listed() -> None:
    for tag, option in MEDIA.items():
        spec = cat.SUBMIT_TAG_OF[tag]
        assert (spec.option, spec.node) == (option, NODES[tag])
        param = cat.SUBMIT_JOB.param(option)
        assert isinstance(param, Json)
        assert param.wire == f"Operation/{NODES[tag]}"
        assert tuple(param.shape.fields) == spec.keys  # type: ignore[attr-defined]
        assert tag in cat.LIST_JOBS.param("tag").values  # type: ignore[attr-defined]
        assert tag in cat.SUBMIT_JOB.param("tag").values  # type: ignore[attr-defined]
        assert cat.TAG_ARGS[option] == (tag,)  # an option belongs to its tag alone


@pytest.mark.parametrize("tag", list(MEDIA))
def test_a_media_tag_takes_its_options_or_a_template(tag: str) -> None:
    spec = cat.SUBMIT_TAG_OF[tag]
    outputs = {"output_sprite_object": "s.jpg", "output_au_object": "v.mp3"}
    extra = {arg: value for arg, value in outputs.items() if arg in spec.takes}
    wire = _bind(tag=tag, template_id="t1460606b9752148c4ab182f55163ba7cd", **OUT, **extra)
    assert wire["Operation/TemplateId"] == "t1460606b9752148c4ab182f55163ba7cd"
    message = _refused(spec.option, tag=tag, **OUT, **extra)
    assert "or template_id" in message


@pytest.mark.parametrize(("args", "arg", "says"), [
    ({"tag": "Transcode", "transcode": {"Video": {}, "Vidoe": {}}, **OUT}, "transcode",
     "transcode['Vidoe'] must be one of the keys Container, Video, TimeInterval, Audio, TransConfig"),
    ({"tag": "Snapshot", "snapshot": {"Mode": "Interval"}, **OUT}, "snapshot", "snapshot['Count'] must be given"),
    ({"tag": "Concat", "concat_template": {"ConcatFragment": [{"Url": "u"}]}, **OUT}, "concat_template",
     "concat_template['Container'] must be given"),
    ({"tag": "Concat", "concat_template": {"Container": {"Format": "mp4"}, "Audio": [{"Codec": "aac"}]}, **OUT},
     "concat_template", "a list only under AudioMixArray, ConcatFragment"),
    ({"tag": "Snapshot", "snapshot": {"Count": "3"}, "watermark": [{"Type": "Text"}], **OUT}, "watermark",
     "left unset for tag Snapshot (it belongs to tag Transcode)"),
    ({"tag": "Transcode", "template_id": "t1", "watermark_template_ids": ["t2", "t3", "t4", "t5"], **OUT},
     "watermark_template_ids", "at most 3 items"),
    ({"tag": "Transcode", "template_id": "t1", "watermark": [{"Type": "Text"}] * 4, **OUT}, "watermark",
     "at most 3 items"),
    ({"tag": "Transcode", "template_id": "t1", "remove_watermark": {"Dx": "1", "Dy": "1", "Width": "9"}, **OUT},
     "remove_watermark", "remove_watermark['Height'] must be given"),
    ({"tag": "Transcode", "template_id": "t1", "output_bucket": BUCKET, "output_object": "a.mp4"},
     "output_region/output_bucket/output_object", "it writes its result there"),
    ({"tag": "Snapshot", "template_id": "t1", "output_region": "ap-beijing", "output_bucket": BUCKET},
     "output_object/output_sprite_object", "one at least"),
    ({"tag": "VoiceSeparate", "template_id": "t1", "output_region": "ap-beijing", "output_bucket": BUCKET},
     "output_object/output_au_object", "one at least"),
    ({"tag": "Concat", "template_id": "t1", "user_data": "run-1", **OUT}, "user_data",
     "left unset for tag Concat (it belongs to tags Translation, SpeechRecognition, WordsGeneralize, Transcode"),
    ({"tag": "Animation", "animation": {"Video": {"Codec": "gif"}}, "translation": {"Lang": "en"}, **OUT},
     "translation", "left unset for tag Animation (it belongs to tag Translation)"),
    ({"tag": "Transcode", "transcode": {"Container": {"Format": "mp4"}}, "callback_type": "TDMQ", **OUT},
     "callback_mq_config", 'given when callback_type is "TDMQ"'),
    ({"tag": "Transcode", "transcode": {"Container": {"Format": "mp4"}}, "queue_type": "Speed", **OUT},
     "queue_type", "one of SpeedTranscoding"),
    ({"tag": "Translation", "translation": {"Lang": "en", "Typ": "txt"}, "queue_id": "q", **OUT}, "translation",
     "one of the keys Lang, Type"),
])
def test_the_rules_read_from_the_table_refuse_before_any_request(args: dict[str, Any], arg: str, says: str) -> None:
    assert says in _refused(arg, **args)


def test_inputs_follow_the_tag() -> None:
    # Concat's Input is optional; VideoMontage takes a public Url instead; the others need an object.
    base = {"template_id": "t1", **OUT}
    assert "Input/Object" not in cat.SUBMIT_JOB.bind({"tag": "Concat", **base})
    wire = cat.SUBMIT_JOB.bind({"tag": "VideoMontage", "input_url": "https://example.com/match.mp4", **base})
    assert wire["Input/Url"] == "https://example.com/match.mp4"
    with pytest.raises(MediaJobsValidationError, match=r"^input_object/input_url must be given for tag VideoMontage"):
        cat.SUBMIT_JOB.bind({"tag": "VideoMontage", **base})
    with pytest.raises(MediaJobsValidationError, match=r"^input_object must be given for tag Transcode"):
        cat.SUBMIT_JOB.bind({"tag": "Transcode", **base})
    with pytest.raises(MediaJobsValidationError, match=r"^input_url must be left unset for tag Transcode"):
        _bind(tag="Transcode", input_url="https://example.com/a.mp4", **base)


def test_the_media_tags_need_no_queue_and_the_ai_tags_still_do() -> None:
    assert "QueueId" not in _bind(tag="SmartCover", template_id="t1", **OUT)
    with pytest.raises(MediaJobsValidationError, match=r"^queue_id must be given"):
        _bind(tag="WordsGeneralize")


def _body(wire: Mapping[str, str]) -> dict[str, Any]:
    from airflow_provider_mediajobs.catalog.tencent import TencentCredentials, TencentProtocol

    protocol = TencentProtocol(TencentCredentials("AKIDx", "secret"), "ap-beijing", BUCKET)
    root, content = xml.parse(protocol.build(cat.SUBMIT_JOB, wire).body)
    assert root == "Request"
    return content


def test_lists_become_the_element_repeated_in_the_request_body() -> None:
    fragments = [{"Url": f"https://{BUCKET}.cos.ap-beijing.myqcloud.com/clips/{i}.mp4"} for i in range(3)]
    body = _body(_bind(tag="Concat", concat_template={"ConcatFragment": fragments, "Container": {"Format": "mp4"}},
                       **OUT))
    assert body["Operation"]["ConcatTemplate"]["ConcatFragment"] == fragments
    body = _body(_bind(tag="Transcode", template_id="t1", watermark_template_ids="w1, w2",
                       watermark=[{"Type": "Text", "Text": {"Text": "hi"}}], **OUT))
    assert body["Operation"]["WatermarkTemplateId"] == ["w1", "w2"]
    assert body["Operation"]["Watermark"] == [{"Type": "Text", "Text": {"Text": "hi"}}]
    # Text that looks like JSON stays text: only the JSON parameters are read as nodes.
    body = _body(_bind(tag="Animation", template_id="t1", user_data='{"run": 1}', **OUT))
    assert body["Operation"]["UserData"] == '{"run": 1}'


def test_output_lineage_names_one_object_or_none() -> None:
    def out(**output: str) -> Any:
        return cat.TENCENT_CI_JOB.output({"Operation": {"Output": {"Bucket": BUCKET, **output}}})

    assert out(Object="out/a.mp4") == f"cos://{BUCKET}/out/a.mp4"
    for wildcard in ("snap-${Number}.jpg", "cover-${number}.jpg", "out.${ext}", "${jobid}.mp4"):
        assert out(Object=wildcard) is None  # a template names no one object
    assert out(AuObject="voice.mp3") == f"cos://{BUCKET}/voice.mp3"  # VoiceSeparate's voice alone
    assert out(Object="bg.mp3", AuObject="voice.mp3") == f"cos://{BUCKET}/bg.mp3"
    assert out(SpriteObject="sprite.jpg") == f"cos://{BUCKET}/sprite.jpg"


def test_concat_inputs_are_the_fragments_that_are_objects_of_the_bucket() -> None:
    ours = f"https://{BUCKET}.cos.ap-beijing.myqcloud.com"
    fragments = [{"Url": f"{ours}/clips/a%20b.mp4"}, {"Url": f"http://{BUCKET}.cos.ap-beijing.myqcloud.com/c.mp4"},
                 {"Url": "https://other-1250000001.cos.ap-beijing.myqcloud.com/x.mp4"},
                 {"Url": "https://cdn.example.com/y.mp4"}, {"Url": "http://[::1"}, {"Url": 7}, "not a fragment"]
    detail = {"Operation": {"ConcatTemplate": {"ConcatFragment": fragments}}}
    assert cat.TENCENT_CI_JOB.inputs(detail, lambda: BUCKET) == (f"cos://{BUCKET}/clips/a b.mp4",
                                                                  f"cos://{BUCKET}/c.mp4")
    # One fragment answers as an object, not a list; the detail's Input/BucketId wins over the connection's.
    one = {"Input": {"Object": "in/a.mp4", "BucketId": BUCKET},
           "Operation": {"ConcatTemplate": {"ConcatFragment": {"Url": f"{ours}/d.mp4"}}}}
    assert cat.TENCENT_CI_JOB.inputs(one, lambda: None) == (f"cos://{BUCKET}/in/a.mp4", f"cos://{BUCKET}/d.mp4")
    # From a submit request (lineage before the job's detail is seen), the node is its JSON text.
    wire = _bind(tag="Concat", concat_template={"ConcatFragment": fragments[:1], "Container": {"Format": "mp4"}},
                 **OUT)
    from airflow_provider_mediajobs.lineage import as_detail

    assert cat.TENCENT_CI_JOB.inputs(as_detail(wire), lambda: BUCKET) == (f"cos://{BUCKET}/in/a.mp4",
                                                                           f"cos://{BUCKET}/clips/a b.mp4")


def test_a_hostile_media_detail_is_checked_without_crashing() -> None:
    hostile = ({"ConcatTemplate": "[1, 2"}, {"ConcatTemplate": {"ConcatFragment": [None, 3]}},
               {"Output": {"Object": ["a"], "AuObject": 5}}, {"ConcatTemplate": {"ConcatFragment": {"Url": {}}}})
    for operation in hostile:
        job = {"JobId": "j1", "State": "Running", "Operation": operation}
        assert cat.TENCENT_CI_JOB.check(job, "j1") is job


def render_tag_table() -> str:
    """The how-to's table of tags, rendered from :data:`SUBMIT_TAGS` (what the page must hold)."""
    needs = {"required": "does not replace the options, which are required",
             "or_template": "yes, instead of the options", "optional": "optional, as the options are"}
    rows = ["| Tag | Option argument | Node | Keys checked | Template (`template_id`) | Output required | "
            "Source |", "|---|---|---|---|---|---|---|"]
    for spec in cat.SUBMIT_TAGS:
        output = ", ".join(f"`{a}`" for a in spec.output) or "none"
        if spec.output_one_of:
            output += "; and " + " or ".join(f"`{a}`" for a in spec.output_one_of)
        keys = ", ".join(f"`{k}`" + (" (required)" if k in spec.required_keys else "") for k in spec.keys)
        page = f"[{spec.page}](https://cloud.tencent.com/document/product/{spec.page})"
        rows.append(f"| `{spec.tag}` | `{spec.option}` | `Operation/{spec.node}` | {keys} | {needs[spec.options]} "
                    f"| {output} | {page}; {spec.models} |")
    return "\n".join(rows) + "\n"


def render_tag_args_table() -> str:
    """The how-to's table of the arguments only some tags take (options aside), from :data:`TAG_ARGS`."""
    options = {spec.option for spec in cat.SUBMIT_TAGS}
    rows = ["| Argument | Sent as | Taken by |", "|---|---|---|"]
    for arg, tags in cat.TAG_ARGS.items():
        if arg not in options:
            rows.append(f"| `{arg}` | `{cat.SUBMIT_JOB.param(arg).wire}` | {', '.join(tags)} |")
    return "\n".join(rows) + "\n"


def test_the_howto_tables_are_the_catalog_tables() -> None:
    page = (ROOT / "docs" / "howto" / "tencent-ci.md").read_text(encoding="utf-8")
    for render in (render_tag_table, render_tag_args_table):
        assert render() in page, f"docs/howto/tencent-ci.md: paste {render.__name__}() of this module"


def test_media_jobs_are_read_with_the_ci_job_states() -> None:
    # The media pages list the AI jobs' six states; a media job is a TENCENT_CI_JOB like any other.
    kind = cat.TENCENT_CI_JOB
    groups = {state: kind.classify({"State": state})
              for state in ("Submitted", "Running", "Pause", "Success", "Failed", "Cancel")}
    assert groups == {"Submitted": "pending", "Running": "pending", "Pause": "pending", "Success": "success",
                      "Failed": "failure", "Cancel": "failure"}
    assert kind.cancel.only_in == frozenset({"Submitted", "Pause"})
    assert kind.max_batch == 10
