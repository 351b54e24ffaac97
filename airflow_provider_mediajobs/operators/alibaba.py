"""Operators for Alibaba Cloud ICE, MTS and IMM jobs."""

from __future__ import annotations

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.operators.base import CatalogOperator, SubmitJobOperator
from airflow_provider_mediajobs.vendors import ALIBABA


class AlibabaCloudMediaOperator(CatalogOperator):
    """Base of the Alibaba operators.

    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA


class IceListSmartJobsOperator(AlibabaCloudMediaOperator):
    """List ICE smart jobs (ListSmartJobs) into XCom, paging by NextToken.

    :param job_state: ``Created``, ``Executing``, ``Finished`` or ``Failed``.
    :param job_type: ``ASR``, ``DynamicChart``, ``VideoTranslation`` or ``TextToSpeech``.
    :param page_size: jobs per call, 1-100 (``MaxResults``; ``max_results=`` is its former name).
    :param sort_by: ``CreationTime:Asc`` or ``CreationTime:Desc``.
    :param max_items: stop after this many jobs.
    """

    operation = cat.LIST_SMART_JOBS
    formerly = {"max_results": "page_size"}


class IceGetSmartHandleJobOperator(AlibabaCloudMediaOperator):
    """Fetch one ICE smart job (GetSmartHandleJob) into XCom.

    :param job_id: the smart job id.
    """

    operation = cat.GET_SMART_HANDLE_JOB


class IceListLiveSnapshotJobsOperator(AlibabaCloudMediaOperator):
    """List ICE live snapshot jobs (ListLiveSnapshotJobs) into XCom, paging by PageNo.

    :param start_time: window start (UTC ``yyyy-MM-ddTHH:mm:ssZ`` or aware datetime).
    :param end_time: window end; at most 30 days after ``start_time``.
    :param search_key_word: job id or name (fuzzy), at most 128 characters.
    :param status: ``init``, ``paused`` or ``started``.
    :param page_size: jobs per call, 1-100.
    :param sort_by: ``asc`` or ``desc``.
    :param max_items: stop after this many jobs.
    """

    operation = cat.LIST_LIVE_SNAPSHOT_JOBS


class MtsQueryIProductionJobOperator(AlibabaCloudMediaOperator):
    """Fetch one MTS IProduction job (QueryIProductionJob) into XCom.

    :param job_id: the job id.
    """

    operation = cat.QUERY_IPRODUCTION_JOB


class MtsSubmitIProductionJobOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit an MTS IProduction job (SubmitIProductionJob); push its ``JobId`` to XCom, and
    optionally wait for it (``wait_for_completion``, ``deferrable``; see :class:`SubmitJobOperator`).

    :param function_name: the IProduction function (required).
    :param input_uri: input object, ``oss://bucket/object`` (``Input``).
    :param output_uri: output object or template (``Output``; ``output`` is BaseOperator's XComArg).
    :param job_params: function parameters, dict or JSON string.
    :param model_id: model id.
    :param notify_url: callback URL.
    :param pipeline_id: MTS pipeline id.
    :param schedule_params: scheduling parameters, dict or JSON string.
    :param user_data: data echoed back, at most 1024 characters.
    """

    operation = cat.SUBMIT_IPRODUCTION_JOB
    renamed = {"input": "input_uri", "output": "output_uri"}
    job_kind = cat.MTS_IPRODUCTION_JOB


class ImmListTasksOperator(AlibabaCloudMediaOperator):
    """List IMM tasks (ListTasks) into XCom, paging by NextToken.

    :param project_name: the IMM project (required).
    :param task_types: list or comma-separated string of task types.
    :param start_time_range: ``{"Start", "End"}`` or a ``(start, end)`` pair.
    :param end_time_range: same shape, on end time.
    :param page_size: tasks per call, 1-100 (``MaxResults``; ``max_results=`` is its former name).
    :param sort: ``TaskId``, ``StartTime`` or ``EndTime``.
    :param order: ``asc`` or ``desc``.
    :param status: ``Running``, ``Succeeded`` or ``Failed``.
    :param tag_selector: ``key=value``.
    :param request_definition: include request definitions.
    :param max_items: stop after this many tasks.
    """

    operation = cat.LIST_TASKS
    formerly = {"max_results": "page_size"}


class ImmGetTaskOperator(AlibabaCloudMediaOperator):
    """Fetch one IMM task (GetTask) into XCom.

    :param project_name: the IMM project.
    :param imm_task_id: the IMM task id (``TaskId``; named so because ``task_id`` is the Airflow
        task's own id).
    :param imm_task_type: the IMM task type (``TaskType``; ``task_type`` is BaseOperator's).
    :param request_definition: include the request definition.
    """

    operation = cat.GET_TASK
    renamed = {"task_id": "imm_task_id", "task_type": "imm_task_type"}


# -- MTS transcoding, snapshots and media info (issue 18, part 1) ----------------------------------
# (operators of MTS_MEDIA go here)
# (end of MTS_MEDIA)


# -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ----------------------------
# (operators of ICE_MEDIA go here)
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
class IceSubmitMediaProducingJobOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit an ICE media producing (timeline editing) job (SubmitMediaProducingJob); push its
    ``JobId`` to XCom, and optionally wait for it (``wait_for_completion``, ``deferrable``; see
    :class:`SubmitJobOperator`). Give exactly one of ``timeline``, ``template_id`` and ``project_id``.

    :param output_media_config: where the output goes (required): ``MediaURL``, an OSS object's URL,
        or ``StorageLocation`` and ``FileName`` (VOD); dict or JSON string.
    :param timeline: the timeline, dict or JSON string, at most 1 MiB (sent in the form body).
    :param template_id: a template to build the timeline from (needs ``clips_param``).
    :param clips_param: the template's materials, dict or JSON string.
    :param project_id: an editing project whose timeline to produce.
    :param output_media_target: ``oss-object``, ``vod-media`` or ``S3``.
    :param editing_produce_config: editing and producing settings, dict or JSON string.
    :param media_metadata: the output's metadata, dict or JSON string.
    :param project_metadata: the project's metadata, dict or JSON string.
    :param source: ``OpenAPI``, ``AliyunConsole`` or ``WebSDK``.
    :param user_data: custom JSON, at most 512 bytes.
    :param client_token: idempotency token, printable ASCII, at most 64 characters.
    """

    operation = cat.SUBMIT_MEDIA_PRODUCING_JOB
    job_kind = cat.ICE_MEDIA_PRODUCING_JOB


class IceGetMediaProducingJobOperator(AlibabaCloudMediaOperator):
    """Fetch one ICE media producing job (GetMediaProducingJob) into XCom.

    :param job_id: the job id.
    """

    operation = cat.GET_MEDIA_PRODUCING_JOB


class IceListMediaProducingJobsOperator(AlibabaCloudMediaOperator):
    """List ICE media producing jobs (ListMediaProducingJobs) into XCom, paging by NextToken.

    :param start_time: creation window start (UTC ``yyyy-MM-ddTHH:mm:ssZ`` or aware datetime).
    :param end_time: creation window end; at most 30 days after ``start_time``.
    :param job_type: ``LiveEditingJob``, ``EditingJob`` or ``VETemplateJob``.
    :param keyword: search keyword, e.g. a job id.
    :param master_job_id: the subjobs of this quick video production job.
    :param project_id: the editing project's jobs.
    :param sort_by: ``CreationTime:Asc`` or ``CreationTime:Desc``.
    :param status: ``Init``, ``Processing``, ``Success`` or ``Failed``.
    :param page_size: jobs per call, 1-100 (``MaxResults``).
    :param max_items: stop after this many jobs.
    """

    operation = cat.LIST_MEDIA_PRODUCING_JOBS


class IceSubmitIProductionJobOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit an ICE IProduction job (ICE's SubmitIProductionJob; MTS's is
    :class:`MtsSubmitIProductionJobOperator`); push its ``JobId`` to XCom, and optionally wait for it.

    :param function_name: the function (required): ``Cover``, ``VideoClip``, ``VideoDelogo``,
        ``VideoDetext``, ``CaptionExtraction``, ``VideoGreenScreenMatting``, ``FaceBeauty``,
        ``VideoH2V``, ``MusicSegmentDetect``, ``AudioBeatDetection``, ``AudioQualityAssessment``,
        ``SpeechDenoise``, ``AudioMixing`` or ``MusicDemix``.
    :param input_media: ``{"Type": "OSS" | "Media", "Media": ...}`` (required; ``Input``).
    :param output_media: ``{"Type", "Media", "OutputUrl", "Biz"}`` (required; ``Output``, which is
        BaseOperator's XComArg).
    :param job_params: the function's parameters, dict or JSON string.
    :param model_id: a model other than the function's default.
    :param name: the job's name, at most 100 characters.
    :param schedule_config: ``{"PipelineId", "Priority"}``, priority 1-10.
    :param template_id: a template id.
    :param user_data: data echoed back, at most 256 characters.
    """

    operation = cat.ICE_SUBMIT_IPRODUCTION_JOB
    renamed = {"input": "input_media", "output": "output_media"}
    job_kind = cat.ICE_IPRODUCTION_JOB


class IceQueryIProductionJobOperator(AlibabaCloudMediaOperator):
    """Fetch one ICE IProduction job (ICE's QueryIProductionJob) into XCom.

    :param job_id: the job id.
    :param client_token: idempotency token.
    """

    operation = cat.ICE_QUERY_IPRODUCTION_JOB
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
# (operators of IMM_TASKS go here)
# (end of IMM_TASKS)
