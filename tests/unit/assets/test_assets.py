"""oss:// and cos:// object URIs: what the asset handler normalises and refuses, the URIs the
catalog builds, and the OpenLineage dataset each names (spec/Naming.md: blob stores are
namespace ``{scheme}://{bucket}``, name ``{object key}``)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest

from airflow_provider_mediajobs import assets

COS = "examplebucket-1250000000"


def _sanitized(uri: str) -> str:
    return urlunsplit(assets.sanitize_uri(urlsplit(uri)))


@pytest.mark.parametrize(("uri", "normalised"), [
    ("oss://media-in/clips/a.mp4", "oss://media-in/clips/a.mp4"),
    # Bucket names are lower case on both vendors: any spelling is the same bucket.
    ("OSS://Media-In/clips/a.mp4", "oss://media-in/clips/a.mp4"),
    (f"cos://{COS.upper()}/docs/a b.txt", f"cos://{COS}/docs/a b.txt"),
    # The key is kept as written: it is case sensitive.
    ("oss://abc/Dir/File.MP4", "oss://abc/Dir/File.MP4"),
])
def test_the_handler_lower_cases_scheme_and_bucket_and_keeps_the_key(uri: str, normalised: str) -> None:
    assert _sanitized(uri) == normalised


@pytest.mark.parametrize(("uri", "says"), [
    ("oss:///clips/a.mp4", "names no bucket"),
    ("oss://media-in", "names a bucket but no object"),
    ("oss://media-in/", "names a bucket but no object"),
    (f"cos://{COS}", "names a bucket but no object"),
    ("oss://ab/a.mp4", "is not a valid OSS bucket name"),  # 3 characters at least
    ("oss://-media/a.mp4", "is not a valid OSS bucket name"),
    ("oss://media_in/a.mp4", "is not a valid OSS bucket name"),
    ("oss://user@media-in/a.mp4", "is not a valid OSS bucket name"),
    ("oss://media-in:80/a.mp4", "is not a valid OSS bucket name"),
    ("cos://examplebucket/a.txt", "is not a valid COS bucket name"),  # no APPID
    ("s3://media-in/a.mp4", "is not an object URI"),
])
def test_the_handler_refuses_what_names_no_object(uri: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as refused:
        assets.sanitize_uri(urlsplit(uri))
    # The message shows the URI and the form expected, so the DAG author sees what to fix.
    assert uri in str(refused.value)
    if "not an object URI" not in says:
        assert f"expected {urlsplit(uri).scheme}://bucket/object" in str(refused.value)


@pytest.mark.parametrize(("uri", "namespace", "name"), [
    ("oss://media-in/clips/a.mp4", "oss://media-in", "clips/a.mp4"),
    (f"cos://{COS}/translated/a.en.txt", f"cos://{COS}", "translated/a.en.txt"),
    ("oss://Media-In/x", "oss://media-in", "x"),
])
def test_a_uri_is_the_dataset_of_its_bucket_and_key(uri: str, namespace: str, name: str) -> None:
    assert assets.dataset_name(uri) == (namespace, name)
    from airflow.sdk import Asset

    dataset = assets.convert_asset_to_openlineage(Asset(uri), None)
    assert (dataset.namespace, dataset.name) == (namespace, name)


@pytest.mark.parametrize(("factory", "scheme"), [(assets.create_oss_asset, "oss"), (assets.create_cos_asset, "cos")])
def test_the_factories_build_the_asset_of_an_object(factory: object, scheme: str) -> None:
    bucket = COS if scheme == "cos" else "media-out"
    asset = factory(bucket=bucket, key="a/b.mp4", extra={"k": "v"})  # type: ignore[operator]
    assert asset.uri == f"{scheme}://{bucket}/a/b.mp4"
    assert asset.extra == {"k": "v"}


@pytest.mark.parametrize(("bucket", "key", "uri"), [
    ("media-out", "enhanced/a.mp4", "oss://media-out/enhanced/a.mp4"),
    ("media-out", "/enhanced/a.mp4", "oss://media-out/enhanced/a.mp4"),  # a leading / is no part of the key
    ("media-out", "enhanced/dir/", "oss://media-out/enhanced/dir"),  # Airflow drops trailing slashes too
    ("Media-Out", "a.mp4", "oss://media-out/a.mp4"),
    ("media-out", "a?versionId=1", None),  # Airflow would read a query: another object
    ("media-out", "a#1.mp4", None),  # ...or a fragment
    ("media-out", "", None),
    ("media-out", "/", None),
    ("", "a.mp4", None),
    ("ab", "a.mp4", None),
    (None, "a.mp4", None),
    ("media-out", 7, None),
])
def test_object_uri_gives_only_uris_the_handler_keeps(bucket: object, key: object, uri: str | None) -> None:
    built = assets.object_uri("oss", bucket, key)
    assert built == uri
    if built is not None:
        # What the catalog reports is what Airflow stores for Asset(built): the event's asset is the
        # one a DAG declares.
        assert _sanitized(built) == built


@pytest.mark.parametrize(("text", "uri"), [
    ("oss://media-in/clips/a.mp4", "oss://media-in/clips/a.mp4"),
    (" oss://media-in/clips/a.mp4 ", "oss://media-in/clips/a.mp4"),
    ("oss://media-in/{Count}.jpg", "oss://media-in/{Count}.jpg"),  # a brace is a legal key character
    ("https://media-in.oss-cn-shanghai.aliyuncs.com/a.mp4", None),
    ("****20b48fb04483915d4f2cd8ac****", None),  # an ICE media asset id
    (f"cos://{COS}/a.txt", None),  # another scheme than asked
    (None, None),
    ("", None),
])
def test_checked_uri_takes_only_object_uris_of_its_scheme(text: object, uri: str | None) -> None:
    assert assets.checked_uri(text, "oss") == uri
