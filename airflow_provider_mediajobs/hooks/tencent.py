"""Hook for the ``tencent_cloud_ci`` connection: Tencent Cloud CI AI jobs on a bucket."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_mediajobs.assets import COS_BUCKET
from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.hooks.base import ConnectionFields, MediaJobsBaseHook, VendorApi
from airflow_provider_mediajobs.vendors import TENCENT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from airflow_provider_mediajobs.catalog.model import Operation

DEFAULT_REGION = TENCENT.default_region


def _protocol(fields: ConnectionFields) -> cat.TencentProtocol:
    """The CI protocol of a ``tencent_cloud_ci`` connection."""
    secret_id, secret_key = fields.secret_pair("SecretId", "SecretKey")
    bucket = fields.text("bucket", fields.extra.get("bucket"), required=True)
    if bucket is None or not COS_BUCKET.fullmatch(bucket):
        raise fields.fail("bucket", "must be BucketName-APPID, e.g. examplebucket-1250000000")
    return cat.TencentProtocol(
        credentials=cat.TencentCredentials(secret_id, secret_key, fields.secret("security_token")),
        region=fields.region(DEFAULT_REGION, cat.REGIONS, "Tencent Cloud"),
        bucket=bucket,
        endpoint_url=fields.endpoint_url({"region": DEFAULT_REGION, "bucket": "examplebucket-1250000000"}),
    )


#: Tencent Cloud CI as the hook and the async client use it.
API = VendorApi(TENCENT, cat.OPERATIONS, _protocol, extras=frozenset({"bucket"}), max_batch_size=cat.MAX_IDS_PER_CALL)


class TencentCloudCIHook(MediaJobsBaseHook):
    """Call Tencent Cloud CI job APIs (list, get, submit, cancel) with a signed, retried client.

    Connection: login = SecretId, password = SecretKey; extras ``region`` (default
    ``ap-beijing``), ``bucket`` (``BucketName-APPID``, required), ``security_token`` (temporary
    credentials; sent as ``x-ci-security-token`` and signed), ``endpoint_url`` (proxy or emulator).

    :param tencent_cloud_ci_conn_id: the Airflow connection id.
    """

    api = API

    def _test_call(self) -> tuple[Operation, dict[str, Any]]:
        return cat.LIST_JOBS, {"tag": "Translation", "size": 1}

    def iter_jobs(
        self,
        *,
        tag: str,
        queue_id: str | None = None,
        workflow_id: str | None = None,
        inventory_trigger_job_id: str | None = None,
        input_object: str | None = None,
        order_by_time: str | None = None,
        states: list[str] | str | None = None,
        size: int | None = None,
        start_creation_time: datetime | str | None = None,
        end_creation_time: datetime | str | None = None,
        max_items: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield jobs page by page (GET /jobs, nextToken paging).

        :param tag: a tag of :data:`~airflow_provider_mediajobs.catalog.tencent.TAGS`: ``Translation``,
            ``SpeechRecognition``, ``WordsGeneralize`` or a media tag (``Transcode``, ``Snapshot``,
            ``Animation``, ``Concat``, ``SmartCover``, ``VoiceSeparate``, ``VideoMontage``).
        :param queue_id: the queue the jobs were pulled from.
        :param workflow_id: the workflow that triggered them.
        :param inventory_trigger_job_id: the batch job that triggered them.
        :param input_object: exact input object name.
        :param order_by_time: ``Desc`` (vendor default) or ``Asc``.
        :param states: subset of All, Submitted, Running, Success, Failed, Pause, Cancel.
        :param size: jobs per call, 1-100.
        :param start_creation_time: aware datetime or ``2001-01-01T00:00:00+0800``.
        :param end_creation_time: same; after ``start_creation_time``.
        :param max_items: stop after this many jobs.
        """
        return self.iter_pages(
            cat.LIST_JOBS, max_items, tag=tag, queue_id=queue_id, workflow_id=workflow_id,
            inventory_trigger_job_id=inventory_trigger_job_id, input_object=input_object,
            order_by_time=order_by_time, states=states, size=size, start_creation_time=start_creation_time,
            end_creation_time=end_creation_time,
        )

    def list_jobs(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Return jobs, paging for the caller (see :meth:`iter_jobs`)."""
        return [job for page in self.iter_jobs(**kwargs) for job in page]

    def get_jobs(self, job_ids: list[str] | str) -> dict[str, Any]:
        """GET /jobs/{id1},{id2},...: ``{"JobsDetail": [...], "NonExistJobIds": [...]}``.

        The vendor takes at most 10 ids per call (DescribeMediaJob page); more are checked whole,
        then asked for in calls of 10 and the answers merged in the order given.

        :param job_ids: the ids, a list or a comma-separated string.
        :raises BadResponseError: an answer names an asked id in neither list (or in both).
        """
        return self.get_many(cat.GET_JOBS, "job_ids", job_ids, cat.GET_JOBS_ANSWER)

    def get_ci_job(self, job_id: str) -> dict[str, Any]:
        """One job's ``JobsDetail``.

        :raises NotFoundError: the vendor lists it in ``NonExistJobIds``.
        """
        # Checked here first so that an error names this method's ``job_id``, not ``job_ids``.
        cat.TENCENT_CI_JOB.check_ids({"job_ids": job_id}, names={"job_ids": "job_id"})
        return self.get_job(cat.TENCENT_CI_JOB, job_ids=job_id)

    def submit_job(self, **kwargs: Any) -> dict[str, Any]:
        """POST /jobs: submit a job of any tag of :data:`~airflow_provider_mediajobs.catalog.tencent.SUBMIT_TAGS`
        (the AI tags and the media tags: ``Transcode``, ``Snapshot``, ``Animation``, ``Concat``,
        ``SmartCover``, ``VoiceSeparate``, ``VideoMontage``).

        Takes the arguments of :data:`~airflow_provider_mediajobs.catalog.tencent.SUBMIT_JOB`
        (``tag``, ``input_object``, the tag's options such as ``translation`` or ``transcode``, or
        ``template_id``, ``output_region``, ``output_bucket``, ``output_object``, ``user_data``...);
        which a tag takes and requires is its row of ``SUBMIT_TAGS``. Returns the new job's
        ``JobsDetail``. Never retried ambiguously.
        """
        response = self.call(cat.SUBMIT_JOB, **kwargs)
        jobs = response.get("JobsDetail") or [{}]
        return dict(jobs[0])

    def cancel_job(self, job_id: str) -> None:
        """PUT /jobs/{id}?cancel.

        :param job_id: the job to cancel.
        """
        self.call(cat.CANCEL_JOB, job_id=job_id)

    def call_path(self, method: str, path: str, *, query: Mapping[str, str | int] | None = None,
                  body: str | None = None, idempotent: bool = False) -> dict[str, Any]:
        """Call a CI API the catalog does not have yet: the escape hatch.

        Signed (q-sign, with the connection's bucket host), rate-limited, retried, size-capped and
        scrubbed of secrets like every call; errors are the same typed errors. The XML body is
        checked to be a well-formed ``<Request>`` document, nothing more: the vendor checks the rest.
        See docs/operating.md, "Calls the catalog does not have".

        :param method: ``GET``, ``POST`` or ``PUT``.
        :param path: e.g. ``/template`` or ``/jobs/<id>``.
        :param query: query parameters (a flag such as ``cancel`` has the value ``""``).
        :param body: the XML request body for POST and PUT.
        :param idempotent: repeating it is harmless, so an ambiguous failure is retried; leave
            False for anything that creates something.
        :return: the ``<Response>`` content as nested dicts, read as every CI answer is
            (``JobsDetail`` always a list, empty for an empty answer).
        :raises MediaJobsValidationError: a bad argument, before any request.
        """
        return self._send_uncatalogued(*cat.uncatalogued(method, path, query, body, idempotent=idempotent))
