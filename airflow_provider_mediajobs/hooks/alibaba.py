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
    # (methods of MTS_MEDIA go here)
    # (end of MTS_MEDIA)

    # -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ------------------------
    # (methods of ICE_MEDIA go here)
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
    # (methods of IMM_TASKS go here)
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
