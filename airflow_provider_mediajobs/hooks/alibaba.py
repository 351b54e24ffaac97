"""Hook for the ``alibaba_cloud_media`` connection: ICE, MTS and IMM job APIs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.hooks.base import ConnectionFields, MediaJobsBaseHook, VendorApi
from airflow_provider_mediajobs.vendors import ALIBABA

if TYPE_CHECKING:
    from airflow_provider_mediajobs.catalog.model import Operation

DEFAULT_REGION = ALIBABA.default_region


def _protocol(fields: ConnectionFields) -> cat.AlibabaProtocol:
    """The RPC protocol of an ``alibaba_cloud_media`` (or ``alibaba_cloud``) connection."""
    key_id, secret = fields.secret_pair("AccessKeyId", "AccessKeySecret")
    token = fields.secret("security_token")
    version = fields.choice("signature_version", ("v3", "v1"), "v3")
    return cat.AlibabaProtocol(
        credentials=cat.AlibabaCredentials(key_id, secret, token),
        region=fields.region(DEFAULT_REGION, cat.REGIONS, "Alibaba Cloud"),
        endpoint_url=fields.endpoint_url({"product": "ice", "region": DEFAULT_REGION}),
        signature_version="v1" if version == "v1" else "v3",
    )


#: Alibaba Cloud as the hook and the async client use it.
API = VendorApi(
    ALIBABA, cat.OPERATIONS, _protocol,
    extras=frozenset({"signature_version", "access_key_id", "access_key_secret"}),
    max_batch_size=cat.MAX_IDS_PER_CALL,
    # The official provider's connection type: its key pair extras are read too.
    compatible_conn_types=("alibaba_cloud",),
)


class AlibabaCloudMediaHook(MediaJobsBaseHook):
    """Call Alibaba Cloud ICE, MTS and IMM job APIs with a signed, retried, pooled client.

    Connection: login = AccessKeyId, password = AccessKeySecret (or the extras ``access_key_id``
    / ``access_key_secret`` of the official ``alibaba_cloud`` connection); extras ``region``
    (default ``cn-shanghai``), ``security_token`` (STS), ``endpoint_url`` (VPC host, proxy or the
    emulator; may contain ``{product}``), ``signature_version`` (``v3`` default, or ``v1``).

    :param alibaba_cloud_media_conn_id: the Airflow connection id.
    """

    api = API

    def _test_call(self) -> tuple[Operation, dict[str, Any]]:
        return cat.LIST_SMART_JOBS, {"page_size": 1}

    # -- ICE -------------------------------------------------------------------------------
    def iter_smart_jobs(
        self,
        *,
        job_state: str | None = None,
        job_type: str | None = None,
        sort_by: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ICE smart jobs page by page (ListSmartJobs, NextToken paging).

        :param job_state: ``Created``, ``Executing``, ``Finished`` or ``Failed``.
        :param job_type: ``ASR``, ``DynamicChart``, ``VideoTranslation`` or ``TextToSpeech``.
        :param sort_by: ``CreationTime:Asc`` or ``CreationTime:Desc`` (vendor default).
        :param page_size: jobs per call, 1-100 (``MaxResults``).
        :param max_items: stop after this many jobs.
        """
        return self.iter_pages(
            cat.LIST_SMART_JOBS, max_items, job_state=job_state, job_type=job_type,
            sort_by=sort_by, page_size=page_size,
        )

    def list_smart_jobs(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Return ICE smart jobs (ListSmartJobs), paging for the caller.

        Takes the arguments of :meth:`iter_smart_jobs`.
        """
        return [job for page in self.iter_smart_jobs(**kwargs) for job in page]

    def get_smart_handle_job(self, job_id: str) -> dict[str, Any]:
        """Return one ICE smart job (GetSmartHandleJob): ``State``, ``JobResult``, ``SmartJobInfo``...

        :param job_id: the smart job's id.
        """
        return self.call(cat.GET_SMART_HANDLE_JOB, job_id=job_id)

    def iter_live_snapshot_jobs(
        self,
        *,
        start_time: datetime | str | None = None,
        end_time: datetime | str | None = None,
        search_key_word: str | None = None,
        status: str | None = None,
        sort_by: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ICE live snapshot jobs page by page (ListLiveSnapshotJobs, PageNo paging).

        :param start_time: window start, aware datetime or ``yyyy-MM-ddTHH:mm:ssZ`` (UTC).
        :param end_time: window end; the window is at most 30 days and starts before it ends.
        :param search_key_word: job id or (fuzzy) name, at most 128 characters.
        :param status: ``init``, ``paused`` or ``started``.
        :param sort_by: ``asc`` or ``desc`` by creation time.
        :param page_size: jobs per call, 1-100.
        :param max_items: stop after this many jobs.
        """
        return self.iter_pages(
            cat.LIST_LIVE_SNAPSHOT_JOBS, max_items, start_time=start_time, end_time=end_time,
            search_key_word=search_key_word, status=status, sort_by=sort_by, page_size=page_size,
        )

    def list_live_snapshot_jobs(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Return ICE live snapshot jobs, paging for the caller (see :meth:`iter_live_snapshot_jobs`)."""
        return [job for page in self.iter_live_snapshot_jobs(**kwargs) for job in page]

    # -- MTS -------------------------------------------------------------------------------
    def query_iproduction_job(self, job_id: str) -> dict[str, Any]:
        """Return one MTS IProduction job (QueryIProductionJob).

        :param job_id: the job id SubmitIProductionJob returned.
        """
        return self.call(cat.QUERY_IPRODUCTION_JOB, job_id=job_id)

    def submit_iproduction_job(
        self,
        *,
        function_name: str,
        input: str | None = None,
        output: str | None = None,
        job_params: dict[str, Any] | str | None = None,
        model_id: str | None = None,
        notify_url: str | None = None,
        pipeline_id: str | None = None,
        schedule_params: dict[str, Any] | str | None = None,
        user_data: str | None = None,
    ) -> dict[str, Any]:
        """Submit an MTS IProduction job (SubmitIProductionJob); return ``JobId`` and ``Result``.

        A submission is retried only when the vendor certainly did not act on it (throttled, or
        the connection never opened), so a retry never creates a second job.

        :param function_name: the IProduction function, e.g. ``VideoQualityEnhancement``.
        :param input: input object, ``oss://bucket/object``.
        :param output: output object or template, ``oss://bucket/path/{Count}.jpg``.
        :param job_params: function parameters, a dict or a JSON string.
        :param model_id: model id, where the function has several.
        :param notify_url: callback URL.
        :param pipeline_id: MTS pipeline (queue) id.
        :param schedule_params: scheduling parameters, a dict or a JSON string.
        :param user_data: free data echoed back, at most 1024 characters.
        """
        return self.call(
            cat.SUBMIT_IPRODUCTION_JOB, function_name=function_name, input=input, output=output,
            job_params=job_params, model_id=model_id, notify_url=notify_url, pipeline_id=pipeline_id,
            schedule_params=schedule_params, user_data=user_data,
        )

    # -- IMM -------------------------------------------------------------------------------
    def iter_tasks(
        self,
        *,
        project_name: str,
        task_types: list[str] | str | None = None,
        start_time_range: Any = None,
        end_time_range: Any = None,
        sort: str | None = None,
        order: str | None = None,
        status: str | None = None,
        tag_selector: str | None = None,
        request_definition: bool | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield IMM tasks page by page (ListTasks, NextToken paging).

        :param project_name: the IMM project (required).
        :param task_types: task types, a list or comma-separated string.
        :param start_time_range: ``{"Start": ..., "End": ...}`` or a ``(start, end)`` pair.
        :param end_time_range: same shape, on the tasks' end time.
        :param sort: ``TaskId``, ``StartTime`` or ``EndTime``.
        :param order: ``asc`` or ``desc``.
        :param status: ``Running``, ``Succeeded`` or ``Failed``.
        :param tag_selector: ``key=value`` tag filter.
        :param request_definition: include each task's request definition.
        :param page_size: tasks per call, 1-100 (``MaxResults``).
        :param max_items: stop after this many tasks.
        """
        return self.iter_pages(
            cat.LIST_TASKS, max_items, project_name=project_name, task_types=task_types,
            start_time_range=start_time_range, end_time_range=end_time_range, sort=sort, order=order,
            status=status, tag_selector=tag_selector, request_definition=request_definition, page_size=page_size,
        )

    def list_tasks(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Return IMM tasks, paging for the caller (see :meth:`iter_tasks`)."""
        return [task for page in self.iter_tasks(**kwargs) for task in page]

    def get_task(
        self, *, project_name: str, task_id: str, task_type: str, request_definition: bool | None = None
    ) -> dict[str, Any]:
        """Return one IMM task (GetTask).

        :param project_name: the IMM project.
        :param task_id: the task id.
        :param task_type: the task type, e.g. ``VideoLabelClassification``.
        :param request_definition: include the task's request definition.
        """
        return self.call(
            cat.GET_TASK, project_name=project_name, task_id=task_id, task_type=task_type,
            request_definition=request_definition,
        )

    # -- MTS transcoding, snapshots and media info (issue 18, part 1) ------------------------------
    def submit_jobs(
        self,
        *,
        input: dict[str, Any] | str,
        output_bucket: str,
        outputs: list[dict[str, Any]] | str,
        pipeline_id: str,
        output_location: str | None = None,
    ) -> dict[str, Any]:
        """Submit MTS transcoding jobs (SubmitJobs): one job per output. Never retried ambiguously.

        :param input: the input object, ``{"Bucket", "Location", "Object"}`` (Object URL-encoded).
        :param output_bucket: the bucket the outputs are written to.
        :param outputs: at most 30 outputs, each with ``OutputObject`` and ``TemplateId``.
        :param pipeline_id: the MPS queue.
        :param output_location: the output bucket's region, e.g. ``oss-cn-shanghai``.
        :return: the answer; its jobs, in the order of ``outputs``, are
            :func:`~airflow_provider_mediajobs.catalog.alibaba.submitted_jobs`.
        :raises VendorError: an output was refused (its ``JobResult`` says ``Success`` false): the
            typed error of its ``Code``, naming the jobs the other outputs created.
        """
        response = self.call(cat.SUBMIT_JOBS, input=input, output_bucket=output_bucket, outputs=outputs,
                             pipeline_id=pipeline_id, output_location=output_location)
        cat.submitted_jobs(response)
        return response

    def query_job_list(self, job_ids: list[str] | str) -> dict[str, Any]:
        """MTS transcoding jobs by id (QueryJobList): ``{"JobList": {"Job": [...]}, "NonExistJobIds":
        {"String": [...]}}``. The vendor takes at most 10 ids per call; more are checked whole, then
        asked for in calls of 10 and the answers merged in the order given.

        :param job_ids: the ids, a list or a comma-separated string.
        :raises BadResponseError: an answer names an asked id in neither list (or in both).
        """
        return self.get_many(cat.QUERY_JOB_LIST, "job_ids", job_ids, cat.TRANSCODE_ANSWER)

    def list_job(self, *, max_items: int | None = None, **filters: Any) -> list[dict[str, Any]]:
        """Return MTS transcoding jobs newest first (ListJob), paging by NextPageToken for the caller.

        :param state: ``All``, ``Submitted``, ``Transcoding``, ``TranscodeSuccess``, ``TranscodeFail``
            or ``TranscodeCancelled``.
        :param pipeline_id: only the jobs of this MPS queue.
        :param start_of_job_created_time_range: created at or after, aware datetime or UTC
            ``yyyy-MM-ddTHH:mm:ssZ`` (the vendor answers the last 90 days).
        :param end_of_job_created_time_range: created before; after the start.
        :param page_size: jobs per call, 1-100 (``MaximumPageSize``).
        :param max_items: stop after this many jobs.
        """
        return self.paginate(cat.LIST_JOB, max_items, **filters)

    def cancel_job(self, job_id: str) -> None:
        """Cancel an MTS transcoding job (CancelJob); the vendor does so only while it is ``Submitted``.

        :param job_id: the transcoding job's id.
        """
        self.call(cat.CANCEL_JOB, job_id=job_id)

    def submit_snapshot_job(
        self,
        *,
        input: dict[str, Any] | str,
        snapshot_config: dict[str, Any] | str,
        pipeline_id: str | None = None,
        user_data: str | None = None,
    ) -> dict[str, Any]:
        """Submit an MTS snapshot job (SubmitSnapshotJob); return the answer (``SnapshotJob``, its
        ``Id``). Never retried ambiguously.

        :param input: the input object, ``{"Bucket", "Location", "Object"}``.
        :param snapshot_config: the snapshot settings, with ``OutputFile`` ``{"Bucket", "Location",
            "Object"}``; with ``Interval`` or ``Num`` the job runs asynchronously.
        :param pipeline_id: the MPS queue (its notifications).
        :param user_data: data echoed back, at most 1024 characters.
        """
        return self.call(cat.SUBMIT_SNAPSHOT_JOB, input=input, snapshot_config=snapshot_config,
                         pipeline_id=pipeline_id, user_data=user_data)

    def query_snapshot_job_list(self, snapshot_job_ids: list[str] | str) -> dict[str, Any]:
        """MTS snapshot jobs by id (QuerySnapshotJobList with SnapshotJobIds): ``{"SnapshotJobList":
        {"SnapshotJob": [...]}, "NonExistSnapshotJobIds": {"String": [...]}}``, in calls of at most 10.

        :param snapshot_job_ids: the ids, a list or a comma-separated string.
        :raises BadResponseError: an answer names an asked id in neither list (or in both).
        """
        return self.get_many(cat.QUERY_SNAPSHOT_JOB_LIST, "snapshot_job_ids", snapshot_job_ids, cat.SNAPSHOT_ANSWER)

    def list_snapshot_jobs(self, *, max_items: int | None = None, **filters: Any) -> list[dict[str, Any]]:
        """Return MTS snapshot jobs newest first (QuerySnapshotJobList without ids), paging for the caller.

        :param state: ``Submitted``, ``Snapshoting``, ``Success`` or ``Fail``.
        :param pipeline_id: only the jobs of this MPS queue.
        :param start_of_job_created_time_range: created at or after (UTC ``yyyy-MM-ddTHH:mm:ssZ``).
        :param end_of_job_created_time_range: created before; after the start.
        :param page_size: jobs per call, 1-300 (``MaximumPageSize``).
        :param max_items: stop after this many jobs.
        """
        return self.paginate(cat.QUERY_SNAPSHOT_JOB_LIST, max_items, **filters)

    def submit_media_info_job(
        self,
        *,
        input: dict[str, Any] | str,
        async_: bool | None = None,
        config: str | None = None,
        pipeline_id: str | None = None,
        user_data: str | None = None,
    ) -> dict[str, Any]:
        """Submit an MTS media info job (SubmitMediaInfoJob); return the answer (``MediaInfoJob``,
        its ``JobId``). Never retried ambiguously.

        :param input: the input object, ``{"Bucket", "Location", "Object"}``.
        :param async_: ``True`` queues the analysis (the vendor recommends it); ``False`` answers
            with it done.
        :param config: the vendor's ``Config`` (undocumented), sent as given.
        :param pipeline_id: the MPS queue.
        :param user_data: data echoed back, at most 1024 characters.
        """
        return self.call(cat.SUBMIT_MEDIA_INFO_JOB, input=input, async_=async_, config=config,
                         pipeline_id=pipeline_id, user_data=user_data)

    def query_media_info_job_list(self, media_info_job_ids: list[str] | str) -> dict[str, Any]:
        """MTS media info jobs by id (QueryMediaInfoJobList): ``{"MediaInfoJobList": {"MediaInfoJob":
        [...]}, "NonExistMediaInfoJobIds": {"String": [...]}}``, in calls of at most 10.

        :param media_info_job_ids: the ids, a list or a comma-separated string.
        :raises BadResponseError: an answer names an asked id in neither list (or in both).
        """
        return self.get_many(cat.QUERY_MEDIA_INFO_JOB_LIST, "media_info_job_ids", media_info_job_ids,
                             cat.MEDIA_INFO_ANSWER)
    # (end of MTS_MEDIA)

    # -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ------------------------
    def submit_transcode_job(
        self,
        *,
        input_group: list[dict[str, Any]] | str,
        output_group: list[dict[str, Any]] | str,
        name: str | None = None,
        schedule_config: dict[str, Any] | str | None = None,
        user_data: str | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        """Submit an ICE transcoding job (SubmitTranscodeJob); return the answer, whose
        ``TranscodeParentJob`` is the new parent job (``ParentJobId``, ``Status``, sub-jobs).

        The nested objects are checked key by key against the SDK's model before any request.
        A submission is retried only when the vendor certainly did not act on it.

        :param input_group: the inputs, ``[{"Type": "OSS" | "Media", "Media": ..., "InputUrl": ...}]``;
            one input transcodes it, several merge their streams.
        :param output_group: one entry per output, ``[{"Output": {"Type", "Media", "OutputUrl"},
            "ProcessConfig": {"Transcode": {"TemplateId": ..., "OverwriteParams": ...}, ...}}]``.
        :param name: the job's name.
        :param schedule_config: ``{"PipelineId": ..., "Priority": 1-10}``.
        :param user_data: custom JSON text, at most 512 bytes.
        :param client_token: an idempotency key: the vendor makes one job of submissions that share it.
        """
        return self.call(
            cat.SUBMIT_TRANSCODE_JOB, input_group=input_group, output_group=output_group, name=name,
            schedule_config=schedule_config, user_data=user_data, client_token=client_token,
        )

    def get_transcode_job(self, parent_job_id: str) -> dict[str, Any]:
        """Return one ICE transcoding job (GetTranscodeJob): the answer, whose ``TranscodeParentJob``
        holds the parent job's ``Status`` and its sub-jobs (``TranscodeJobList``).

        :param parent_job_id: the parent job id SubmitTranscodeJob returned.
        """
        return self.call(cat.GET_TRANSCODE_JOB, parent_job_id=parent_job_id)

    def iter_transcode_jobs(
        self,
        *,
        start_of_create_time: datetime | str | None = None,
        end_of_create_time: datetime | str | None = None,
        status: str | None = None,
        parent_job_id: str | None = None,
        order_by: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ICE transcoding (parent) jobs page by page (ListTranscodeJobs, NextPageToken paging).

        :param start_of_create_time: created at or after, aware datetime or ``yyyy-MM-ddTHH:mm:ssZ`` (UTC).
        :param end_of_create_time: created before; after ``start_of_create_time``.
        :param status: ``Init``, ``Success`` or ``Fail``.
        :param parent_job_id: one job's id.
        :param order_by: ``CreateTimeDesc`` or ``CreateTimeAsc``.
        :param page_size: jobs per call, 1-100 (vendor default 20).
        :param max_items: stop after this many jobs.
        """
        return self.iter_pages(
            cat.LIST_TRANSCODE_JOBS, max_items, start_of_create_time=start_of_create_time,
            end_of_create_time=end_of_create_time, status=status, parent_job_id=parent_job_id, order_by=order_by,
            page_size=page_size,
        )

    def list_transcode_jobs(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Return ICE transcoding jobs, paging for the caller (see :meth:`iter_transcode_jobs`)."""
        return [job for page in self.iter_transcode_jobs(**kwargs) for job in page]

    def submit_ice_snapshot_job(
        self,
        *,
        input: dict[str, Any] | str,
        output: dict[str, Any] | str,
        template_config: dict[str, Any] | str,
        name: str | None = None,
        schedule_config: dict[str, Any] | str | None = None,
        user_data: str | None = None,
    ) -> dict[str, Any]:
        """Submit an ICE snapshot job (SubmitSnapshotJob); return ``JobId``.

        :param input: the video, ``{"Type": "OSS" | "Media", "Media": ...}``.
        :param output: where the snapshots go, ``{"Type": "OSS" | "Media", "Media": ...}`` (an OSS
            object with ``{Count}`` for several snapshots, ``{TileCount}`` for a sprite).
        :param template_config: ``{"TemplateId": ..., "OverwriteParams": {...}}``.
        :param name: the job's name.
        :param schedule_config: ``{"PipelineId": ...}``.
        :param user_data: custom JSON text.
        """
        return self.call(
            cat.ICE_SUBMIT_SNAPSHOT_JOB, input=input, output=output, template_config=template_config, name=name,
            schedule_config=schedule_config, user_data=user_data,
        )

    def get_snapshot_job(self, job_id: str) -> dict[str, Any]:
        """Return one ICE snapshot job (GetSnapshotJob): the answer, whose ``SnapshotJob`` holds its
        ``Status``, ``Code``, ``Message``, ``Input``, ``Output``...

        :param job_id: the job id SubmitSnapshotJob returned.
        """
        return self.call(cat.GET_SNAPSHOT_JOB, job_id=job_id)

    def iter_ice_snapshot_jobs(
        self,
        *,
        start_of_create_time: datetime | str | None = None,
        end_of_create_time: datetime | str | None = None,
        status: str | None = None,
        job_id: str | None = None,
        order_by: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ICE snapshot jobs page by page (ListSnapshotJobs, NextPageToken paging); the filters mean
        what they mean on :meth:`iter_transcode_jobs`.

        :param start_of_create_time: created at or after.
        :param end_of_create_time: created before.
        :param status: ``Init``, ``Success`` or ``Fail``.
        :param job_id: one job's id.
        :param order_by: ``CreateTimeDesc`` or ``CreateTimeAsc``.
        :param page_size: jobs per call, 1-100.
        :param max_items: stop after this many jobs.
        """
        return self.iter_pages(
            cat.LIST_SNAPSHOT_JOBS, max_items, start_of_create_time=start_of_create_time,
            end_of_create_time=end_of_create_time, status=status, job_id=job_id, order_by=order_by,
            page_size=page_size,
        )

    def list_ice_snapshot_jobs(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Return ICE snapshot jobs, paging for the caller (see :meth:`iter_ice_snapshot_jobs`)."""
        return [job for page in self.iter_ice_snapshot_jobs(**kwargs) for job in page]

    def submit_media_convert_job(
        self,
        *,
        config: dict[str, Any] | str,
        pipeline_id: str | None = None,
        user_data: str | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        """Submit an ICE media convert job (SubmitMediaConvertJob); return the answer, whose ``Job``
        is the new job (``JobId``, ``State``...).

        :param config: the job, ``{"Inputs": [...], "OutputGroups": [...], "Outputs": [...],
            "JobName": ...}`` (the SDK's MediaConvertJobConfig), checked key by key.
        :param pipeline_id: the pipeline (queue) id.
        :param user_data: custom data.
        :param client_token: an idempotency key: the vendor makes one job of submissions that share it.
        """
        return self.call(
            cat.SUBMIT_MEDIA_CONVERT_JOB, config=config, pipeline_id=pipeline_id, user_data=user_data,
            client_token=client_token,
        )

    def get_media_convert_job(self, job_id: str) -> dict[str, Any]:
        """Return one ICE media convert job (GetMediaConvertJob): the answer, whose ``Job`` holds its
        ``State``, ``Code``, ``Message``, ``Config`` and ``OutputDetails``...

        :param job_id: the job id SubmitMediaConvertJob returned.
        """
        return self.call(cat.GET_MEDIA_CONVERT_JOB, job_id=job_id)

    def iter_media_convert_jobs(
        self,
        *,
        start_of_create_time: datetime | str | None = None,
        end_of_create_time: datetime | str | None = None,
        status: str | None = None,
        job_id: str | None = None,
        order_by: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ICE media convert jobs page by page (ListMediaConvertJobs, NextPageToken paging); the filters mean
        what they mean on :meth:`iter_transcode_jobs`.

        :param start_of_create_time: created at or after.
        :param end_of_create_time: created before.
        :param status: ``Inited``, ``Running``, ``Complete`` or ``Error``.
        :param job_id: one job's id.
        :param order_by: ``CreateTimeDesc`` or ``CreateTimeAsc``.
        :param page_size: jobs per call, 1-100.
        :param max_items: stop after this many jobs.
        """
        return self.iter_pages(
            cat.LIST_MEDIA_CONVERT_JOBS, max_items, start_of_create_time=start_of_create_time,
            end_of_create_time=end_of_create_time, status=status, job_id=job_id, order_by=order_by,
            page_size=page_size,
        )

    def list_media_convert_jobs(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Return ICE media convert jobs, paging for the caller (see :meth:`iter_media_convert_jobs`)."""
        return [job for page in self.iter_media_convert_jobs(**kwargs) for job in page]
    # (end of ICE_MEDIA)

    # -- ICE timeline editing and IProduction (issue 18, part 2) -----------------------------------
    def submit_media_producing_job(
        self,
        *,
        output_media_config: dict[str, Any] | str,
        timeline: dict[str, Any] | str | None = None,
        template_id: str | None = None,
        clips_param: dict[str, Any] | str | None = None,
        project_id: str | None = None,
        output_media_target: str | None = None,
        editing_produce_config: dict[str, Any] | str | None = None,
        media_metadata: dict[str, Any] | str | None = None,
        project_metadata: dict[str, Any] | str | None = None,
        source: str | None = None,
        user_data: dict[str, Any] | str | None = None,
        client_token: str | None = None,
    ) -> dict[str, Any]:
        """Submit an ICE media producing (timeline editing) job (SubmitMediaProducingJob); return
        ``JobId``, ``ProjectId``, ``MediaId``, ``VodMediaId``.

        Give exactly one of ``timeline``, ``template_id`` (with ``clips_param``) and ``project_id``.
        Never repeated after an ambiguous failure (a second job would be produced).

        :param output_media_config: where the output goes, a dict or JSON string: ``MediaURL`` (an
            OSS object's URL) or ``StorageLocation`` and ``FileName`` (VOD); ``Width``, ``Height``...
        :param timeline: the timeline (tracks of clips), a dict or JSON string, at most 1 MiB.
        :param template_id: a template to build the timeline from.
        :param clips_param: the template's materials, a dict or JSON string.
        :param project_id: an editing project whose timeline to produce.
        :param output_media_target: ``oss-object``, ``vod-media`` or ``S3``.
        :param editing_produce_config: editing and producing settings, a dict or JSON string.
        :param media_metadata: the output's metadata, a dict or JSON string.
        :param project_metadata: the project's metadata, a dict or JSON string.
        :param source: ``OpenAPI``, ``AliyunConsole`` or ``WebSDK``.
        :param user_data: custom JSON (a callback's ``NotifyAddress``...), at most 512 bytes.
        :param client_token: an idempotency token, printable ASCII, at most 64 characters.
        """
        return self.call(
            cat.SUBMIT_MEDIA_PRODUCING_JOB, output_media_config=output_media_config, timeline=timeline,
            template_id=template_id, clips_param=clips_param, project_id=project_id,
            output_media_target=output_media_target, editing_produce_config=editing_produce_config,
            media_metadata=media_metadata, project_metadata=project_metadata, source=source, user_data=user_data,
            client_token=client_token,
        )

    def get_media_producing_job(self, job_id: str) -> dict[str, Any]:
        """Return one ICE media producing job (GetMediaProducingJob): the answer, whose
        ``MediaProducingJob`` holds ``Status``, ``Timeline``, ``MediaURL``, ``Code``/``Message``...

        :param job_id: the job id SubmitMediaProducingJob returned.
        """
        return self.call(cat.GET_MEDIA_PRODUCING_JOB, job_id=job_id)

    def iter_media_producing_jobs(
        self,
        *,
        start_time: datetime | str | None = None,
        end_time: datetime | str | None = None,
        job_type: str | None = None,
        keyword: str | None = None,
        master_job_id: str | None = None,
        project_id: str | None = None,
        sort_by: str | None = None,
        status: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield ICE media producing jobs page by page (ListMediaProducingJobs, NextToken paging).

        :param start_time: creation window start, aware datetime or ``yyyy-MM-ddTHH:mm:ssZ`` (UTC).
        :param end_time: creation window end; at most 30 days after ``start_time``.
        :param job_type: ``LiveEditingJob``, ``EditingJob`` or ``VETemplateJob``.
        :param keyword: a search keyword, e.g. a job id.
        :param master_job_id: list the subjobs of this quick video production job.
        :param project_id: the editing project's jobs only.
        :param sort_by: ``CreationTime:Asc`` or ``CreationTime:Desc`` (vendor default).
        :param status: ``Init``, ``Processing``, ``Success`` or ``Failed``.
        :param page_size: jobs per call, 1-100 (``MaxResults``).
        :param max_items: stop after this many jobs.
        """
        return self.iter_pages(
            cat.LIST_MEDIA_PRODUCING_JOBS, max_items, start_time=start_time, end_time=end_time, job_type=job_type,
            keyword=keyword, master_job_id=master_job_id, project_id=project_id, sort_by=sort_by, status=status,
            page_size=page_size,
        )

    def list_media_producing_jobs(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Return ICE media producing jobs, paging for the caller (see :meth:`iter_media_producing_jobs`)."""
        return [job for page in self.iter_media_producing_jobs(**kwargs) for job in page]

    def submit_ice_iproduction_job(
        self,
        *,
        function_name: str,
        input: dict[str, Any] | str,
        output: dict[str, Any] | str,
        job_params: dict[str, Any] | str | None = None,
        model_id: str | None = None,
        name: str | None = None,
        schedule_config: dict[str, Any] | str | None = None,
        template_id: str | None = None,
        user_data: str | None = None,
    ) -> dict[str, Any]:
        """Submit an ICE IProduction job (ICE's SubmitIProductionJob, not MTS's); return ``JobId``.

        Never repeated after an ambiguous failure (a second job would run).

        :param function_name: the function: ``Cover``, ``VideoClip``, ``VideoDelogo``, ``VideoDetext``,
            ``CaptionExtraction``, ``VideoGreenScreenMatting``, ``FaceBeauty``, ``VideoH2V``,
            ``MusicSegmentDetect``, ``AudioBeatDetection``, ``AudioQualityAssessment``,
            ``SpeechDenoise``, ``AudioMixing`` or ``MusicDemix``.
        :param input: ``{"Type": "OSS" | "Media", "Media": ...}``: an OSS object or a media asset id.
        :param output: ``{"Type", "Media", "OutputUrl", "Biz"}``; ``Type`` and ``Media`` required.
        :param job_params: the function's parameters, a dict or JSON string.
        :param model_id: a model other than the function's default.
        :param name: the job's name, at most 100 characters.
        :param schedule_config: ``{"PipelineId", "Priority"}``, priority 1-10.
        :param template_id: a template id.
        :param user_data: data returned as is, at most 256 characters.
        """
        return self.call(
            cat.ICE_SUBMIT_IPRODUCTION_JOB, function_name=function_name, input=input, output=output,
            job_params=job_params, model_id=model_id, name=name, schedule_config=schedule_config,
            template_id=template_id, user_data=user_data,
        )

    def query_ice_iproduction_job(self, job_id: str, client_token: str | None = None) -> dict[str, Any]:
        """Return one ICE IProduction job (ICE's QueryIProductionJob): ``Status``, ``Input``,
        ``Output``, ``Result``, ``OutputUrls``...

        :param job_id: the job id :meth:`submit_ice_iproduction_job` returned.
        :param client_token: an idempotency token.
        """
        return self.call(cat.ICE_QUERY_IPRODUCTION_JOB, job_id=job_id, client_token=client_token)

    def cancel_ice_iproduction_job(self, job_id: str, client_token: str | None = None) -> dict[str, Any]:
        """Cancel an ICE IProduction job (CancelIProductionJob); return the answer (``Message``).

        Which states can be cancelled, and what a cancelled job then reports, is not documented
        (docs/vendor-behaviour.md). ``cancel_job_of(ICE_IPRODUCTION_JOB, job_id=...)`` makes the same
        call from the job kind's declaration.

        :param job_id: the job id.
        :param client_token: an idempotency token.
        """
        return self.call(cat.ICE_CANCEL_IPRODUCTION_JOB, job_id=job_id, client_token=client_token)
    # (end of ICE_EDITING)

    # -- IMM Create*Task (issue 18, part 3) --------------------------------------------------------
    def create_task(self, task_type: str, **params: Any) -> dict[str, Any]:
        """Create an IMM task of ``task_type`` with its Create*Task action (one of
        ``catalog.alibaba.IMM_TASK_TYPES``); return ``TaskId``, ``EventId`` and ``RequestId``.

        Wait for it with ``ImmTaskSensor(project_name=..., imm_task_id=TaskId,
        imm_task_type=task_type)``, or read it with :meth:`get_task`. A creation is retried only
        when the vendor certainly did not act on it, so a retry never creates a second task. Any
        other Create*Task goes through :meth:`call_action`.

        :param task_type: ``MediaConvert``, ``VideoLabelClassification``, ``FaceClustering``
            (CreateFigureClusteringTask), ``OfficeConversion`` or ``FileCompression``.
        :param params: that action's parameters in snake_case (``project_name``, ``sources``...),
            checked before any request; an unknown one is refused with the type's list.
        :raises MediaJobsValidationError: an unknown task type or a bad parameter.
        """
        return self.call(cat.imm_task_type(task_type).create, **params)

    def create_media_convert_task(
        self, *, project_name: str, sources: list[dict[str, Any]] | str,
        targets: list[dict[str, Any]] | str | None = None, target_groups: list[dict[str, Any]] | str | None = None,
        alignment_index: int | None = None,
        credential_config: dict[str, Any] | str | None = None, notification: dict[str, Any] | str | None = None,
        tags: dict[str, Any] | str | None = None, user_data: str | None = None,
    ) -> dict[str, Any]:
        """Create an IMM media conversion task (CreateMediaConvertTask, TaskType ``MediaConvert``).

        :param project_name: the IMM project.
        :param sources: the media files, concatenated in order (at most 11): ``[{"URI": "oss://..."}]``.
        :param targets: the outputs: ``[{"URI", "Container", "Video", "Audio", "Subtitle", "Image", "Segment"...}]``.
        :param target_groups: HLS packaging groups: ``[{"URI": master playlist, "Targets": [...]}]``.
        :param alignment_index: the source whose video and audio settings are the defaults (default 0).
        :param credential_config: chained authorization (``ServiceRole``, ``Chain``, ``Policy``).
        :param notification: ``{"MNS": {"TopicName"}}``, ``{"RocketMQ": {...}}`` or ``{"ExtendedMessageURI"}``.
        :param tags: custom tags to find the task by.
        :param user_data: returned in the notification, at most 2,048 bytes.
        """
        return self.create_task(
            "MediaConvert", project_name=project_name, sources=sources, targets=targets, target_groups=target_groups,
            alignment_index=alignment_index, credential_config=credential_config, notification=notification,
            tags=tags, user_data=user_data,
        )

    def create_video_label_classification_task(
        self, *, project_name: str, source_uri: str, credential_config: dict[str, Any] | str | None = None,
        notification: dict[str, Any] | str | None = None, tags: dict[str, Any] | str | None = None,
        user_data: str | None = None,
    ) -> dict[str, Any]:
        """Create an IMM video label detection task (CreateVideoLabelClassificationTask, TaskType
        ``VideoLabelClassification``).

        :param project_name: the IMM project.
        :param source_uri: the video, ``oss://bucket/object``.
        :param credential_config: chained authorization.
        :param notification: where the result is announced.
        :param tags: custom tags to find the task by.
        :param user_data: returned in the notification, at most 2,048 bytes.
        """
        return self.create_task(
            "VideoLabelClassification", project_name=project_name, source_uri=source_uri,
            credential_config=credential_config, notification=notification, tags=tags, user_data=user_data,
        )

    def create_figure_clustering_task(
        self, *, project_name: str, dataset_name: str, notification: dict[str, Any] | str | None = None,
        tags: dict[str, Any] | str | None = None, user_data: str | None = None,
    ) -> dict[str, Any]:
        """Create an IMM face clustering task over a dataset (CreateFigureClusteringTask, TaskType
        ``FaceClustering``).

        :param project_name: the IMM project.
        :param dataset_name: the dataset whose indexed images are clustered.
        :param notification: where the result is announced.
        :param tags: custom tags to find the task by.
        :param user_data: returned in the notification, at most 2,048 bytes.
        """
        return self.create_task("FaceClustering", project_name=project_name, dataset_name=dataset_name,
                                notification=notification, tags=tags, user_data=user_data)

    def create_office_conversion_task(self, *, project_name: str, target_type: str, **params: Any) -> dict[str, Any]:
        """Create an IMM document conversion task (CreateOfficeConversionTask, TaskType
        ``OfficeConversion``).

        :param project_name: the IMM project.
        :param target_type: ``png``, ``jpg``, ``pdf`` or ``txt``.
        :param params: the other parameters of CreateOfficeConversionTask: ``source_uri`` and one
            of ``target_uri`` / ``target_uri_prefix`` (required), and ``source_type``, ``password``
            (masked in logs), ``start_page``, ``end_page``, ``pages``, ``sheet_index``,
            ``sheet_count``, ``max_sheet_row``, ``max_sheet_column``, ``image_dpi``, ``quality``,
            ``scale_percentage``, ``paper_size``, ``paper_horizontal``, ``fit_to_height``,
            ``fit_to_width``, ``first_page``, ``long_picture``, ``long_text``, ``hold_line_feed``,
            ``show_comments``, ``trim_policy``, ``sources``, ``credential_config``,
            ``notification``, ``tags``, ``user_data`` (see docs/howto/alibaba-imm.md).
        """
        return self.create_task("OfficeConversion", project_name=project_name, target_type=target_type, **params)

    def create_file_compression_task(
        self, *, project_name: str, target_uri: str, sources: list[dict[str, Any]] | str | None = None,
        source_manifest_uri: str | None = None, compressed_format: str | None = None,
        credential_config: dict[str, Any] | str | None = None, notification: dict[str, Any] | str | None = None,
        user_data: str | None = None,
    ) -> dict[str, Any]:
        """Create an IMM file compression task (CreateFileCompressionTask, TaskType ``FileCompression``).

        :param project_name: the IMM project.
        :param target_uri: the archive written, ``oss://bucket/name.zip``.
        :param sources: at most 100 packing rules ``[{"URI", "Mode": "prefix"|"fullname", "Alias"}]``;
            give these or ``source_manifest_uri``.
        :param source_manifest_uri: an OSS JSON file of such rules (up to 80,000).
        :param compressed_format: ``zip`` (the only one).
        :param credential_config: chained authorization.
        :param notification: where the result is announced.
        :param user_data: returned in the notification, at most 2,048 bytes.
        """
        return self.create_task(
            "FileCompression", project_name=project_name, target_uri=target_uri, sources=sources,
            source_manifest_uri=source_manifest_uri, compressed_format=compressed_format,
            credential_config=credential_config, notification=notification, user_data=user_data,
        )
    # (end of IMM_TASKS)

    def call_action(self, product: str, action: str, params: Mapping[str, Any] | None = None, *,
                    idempotent: bool = False) -> dict[str, Any]:
        """Call an RPC action the catalog does not have yet: the escape hatch.

        Signed (V3 or V1, as the connection says), rate-limited, retried, size-capped and scrubbed
        of secrets like every call; errors are the same typed errors. Nothing about the action's
        own parameters is checked beyond their names and types: the vendor checks them.
        See docs/operating.md, "Calls the catalog does not have".

        :param product: ``ice``, ``mts`` or ``imm``.
        :param action: the action, e.g. ``SubmitTranscodeJob``.
        :param params: its parameters under the vendor's names; mappings and lists go as JSON.
        :param idempotent: repeating it is harmless, so an ambiguous failure (a timeout after
            sending) is retried; leave False for anything that creates something.
        :return: the vendor's JSON answer.
        :raises MediaJobsValidationError: a bad argument, before any request.
        """
        return self._send_uncatalogued(*cat.uncatalogued(product, action, params, idempotent=idempotent))
