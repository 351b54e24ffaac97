"""The ``oss://`` and ``cos://`` object URIs: built, checked and normalised for Airflow assets, and
named as OpenLineage datasets.

``get_provider_info()`` registers both schemes under ``asset-uris``: Airflow calls
:func:`sanitize_uri` for every ``Asset`` whose URI has one of them (at DAG parse too), and the
OpenLineage provider calls :func:`convert_asset_to_openlineage`. So this module imports the
standard library only; the converter and the factories import what they need when called. The
catalog builds every URI a job kind reports through :func:`object_uri` and :func:`checked_uri`, so
an asset event or a lineage dataset never carries a URI that ``Asset()`` would refuse.

Dataset names follow the OpenLineage naming conventions for blob storage
(``spec/Naming.md``, "Distributed file systems/blob stores"; the website's "Naming Conventions"
table): S3 is namespace ``s3://{bucket name}`` and name ``{object key}``, GCS ``gs://{bucket
name}`` and ``{object key}``, because a bucket name is unique across the service. The spec names
neither OSS nor COS; their bucket names are unique across each service too (an OSS name is
global, a COS name carries the account's APPID), so they take the same shape: ``oss://{bucket}``
and ``cos://{bucket}``, name ``{object key}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, unquote, urlsplit

if TYPE_CHECKING:
    from airflow.sdk import Asset
    from openlineage.client.event_v2 import Dataset

#: OSS bucket names: 3 to 63 lowercase letters, digits and hyphens, starting and ending with a
#: letter or digit (OSS "Bucket naming conventions").
OSS_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", re.ASCII)
#: COS bucket names: ``BucketName-APPID``, e.g. ``examplebucket-1250000000``; the Tencent
#: connection's ``bucket`` is checked against the same form.
COS_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{0,48}-[0-9]{6,12}", re.ASCII)

#: Each scheme's bucket form, and what to tell someone whose bucket does not have it.
BUCKETS: Mapping[str, tuple[re.Pattern[str], str]] = {
    "oss": (OSS_BUCKET, "3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit"),
    "cos": (COS_BUCKET, "BucketName-APPID, e.g. examplebucket-1250000000"),
}


def split(uri: str | SplitResult) -> tuple[str, str, str]:
    """``(scheme, bucket, key)`` of an object URI, scheme and bucket in lower case.

    :param uri: ``oss://bucket/key`` or ``cos://bucket-appid/key``, as text or split.
    :raises ValueError: it is not one: another scheme, no bucket or one of the wrong form, user
        info or a port, no object key. The message names the URI and what was expected.
    """
    parts = urlsplit(uri) if isinstance(uri, str) else uri
    scheme = parts.scheme.lower()
    # Shown with its // even without a bucket (urlunsplit would drop it): as the author wrote it.
    shown = f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    if scheme not in BUCKETS:
        raise ValueError(f"{shown!r} is not an object URI: the scheme is {parts.scheme!r}, not one of "
                         f"{', '.join(s + '://' for s in BUCKETS)}")
    form, rule = BUCKETS[scheme]
    expected = f"expected {scheme}://bucket/object"
    # Bucket names are lower case (both vendors' rules), like host names: any spelling is the same bucket.
    bucket = parts.netloc.lower()
    if not bucket:
        raise ValueError(f"{shown!r} names no bucket: {expected}")
    if not form.fullmatch(bucket):
        raise ValueError(f"{shown!r}: the bucket {parts.netloc!r} is not a valid {scheme.upper()} bucket name "
                         f"({rule}); {expected} (no user, password or port)")
    key = parts.path[1:] if parts.path.startswith("/") else parts.path
    if not key:
        raise ValueError(f"{shown!r} names a bucket but no object: {expected}")
    return scheme, bucket, key


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """Airflow's normaliser for ``oss://`` and ``cos://`` asset URIs (``asset-uris`` ``handler``).

    Airflow has already lower-cased the scheme, dropped a password, sorted the query and removed
    the fragment and trailing slashes; this lower-cases the bucket and refuses what names no
    object (see :func:`split`), so ``Asset("oss://bucket")`` fails where it is declared.

    :raises ValueError: the URI is not an object URI of its scheme.
    """
    scheme, bucket, _ = split(uri)
    return uri._replace(scheme=scheme, netloc=bucket)


def object_uri(scheme: str, bucket: Any, key: Any) -> str | None:
    """The URI of object ``key`` in ``bucket``, as Airflow stores it; None when the parts name no
    object (not text, empty, a bucket of the wrong form) or a URI would name another object.

    A leading ``/`` of the key is dropped and trailing ones too (Airflow drops those of any asset
    URI). A key holding ``?`` or ``#`` is not given a URI: Airflow would read the rest as a query
    or fragment and name another object.

    :param scheme: ``oss`` or ``cos``.
    """
    if not isinstance(bucket, str) or not isinstance(key, str) or "?" in key or "#" in key:
        return None
    key = key.strip("/")
    try:
        scheme, bucket, key = split(f"{scheme}://{bucket}/{key}")
    except ValueError:
        return None
    return f"{scheme}://{bucket}/{key}"


def checked_uri(text: Any, scheme: str) -> str | None:
    """``text`` as a ``scheme`` object URI (see :func:`object_uri`); None when it is not one (a
    media id, an HTTP URL, a template, another scheme)."""
    if not isinstance(text, str) or "?" in text or "#" in text:
        return None
    parts = urlsplit(text.strip())
    if parts.scheme.lower() != scheme:
        return None
    return object_uri(scheme, parts.netloc, parts.path)


#: An OSS object's URL host: ``{bucket}.oss-{region}.aliyuncs.com`` (and ``-internal`` forms), the
#: form ICE takes for an object besides ``oss://`` (SubmitMediaProducingJob page; the
#: SubmitIProductionJobRequestInput.media docstring of alibabacloud-ice20201109).
_OSS_HOST = re.compile(r"([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-[a-z0-9-]+\.aliyuncs\.com", re.ASCII)


def oss_uri(text: Any) -> str | None:
    """``text`` as an ``oss://`` object URI when it names an OSS object: ``oss://bucket/object``,
    or an OSS URL ``http(s)://bucket.oss-region.aliyuncs.com/object`` (its path percent-decoded);
    None for anything else (a media asset id, a CDN or other host, a URL with a query or port)."""
    uri = checked_uri(text, "oss")
    if uri is not None or not isinstance(text, str) or "?" in text or "#" in text:
        return uri
    parts = urlsplit(text.strip())
    host = _OSS_HOST.fullmatch(parts.netloc.lower())  # no user, password or port
    if parts.scheme.lower() not in ("http", "https") or host is None:
        return None
    return object_uri("oss", host.group(1), unquote(parts.path))


def dataset_name(uri: str) -> tuple[str, str]:
    """The OpenLineage ``(namespace, name)`` of an object URI: ``("oss://bucket", "key")``.

    :raises ValueError: it is not an object URI (see :func:`split`).
    """
    scheme, bucket, key = split(uri)
    return f"{scheme}://{bucket}", key


def convert_asset_to_openlineage(asset: Asset, lineage_context: Any) -> Dataset:
    """The OpenLineage dataset of an ``oss://`` or ``cos://`` asset (``asset-uris``
    ``to_openlineage_converter``; the OpenLineage provider calls it, with the URI normalised).

    :param lineage_context: what the OpenLineage provider passes; not needed here.
    """
    from openlineage.client.event_v2 import Dataset

    namespace, name = dataset_name(asset.uri)
    return Dataset(namespace=namespace, name=name)


def create_oss_asset(*, bucket: str, key: str, extra: dict[str, Any] | None = None) -> Asset:
    """``Asset("oss://{bucket}/{key}")`` (``asset-uris`` ``factory``, as hook lineage builds assets)."""
    from airflow.sdk import Asset

    return Asset(uri=f"oss://{bucket}/{key}", extra=extra)


def create_cos_asset(*, bucket: str, key: str, extra: dict[str, Any] | None = None) -> Asset:
    """``Asset("cos://{bucket}/{key}")`` (``asset-uris`` ``factory``, as hook lineage builds assets)."""
    from airflow.sdk import Asset

    return Asset(uri=f"cos://{bucket}/{key}", extra=extra)
