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
class IceSubmitTranscodeJobOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit an ICE transcoding job (SubmitTranscodeJob); push its ``ParentJobId`` to XCom, and
    optionally wait for it (``wait_for_completion``, ``deferrable``; see :class:`SubmitJobOperator`).

    The nested objects are checked key by key against the SDK's model before any request.

    :param input_group: the inputs, ``[{"Type": "OSS" | "Media", "Media": ..., "InputUrl": ...}]`` (required).
    :param output_group: the outputs, ``[{"Output": {...}, "ProcessConfig": {"Transcode": {"TemplateId": ...}}}]``
        (required).
    :param name: the job's name.
    :param schedule_config: ``{"PipelineId": ..., "Priority": 1-10}``.
    :param user_data: custom JSON text, at most 512 bytes.
    :param client_token: an idempotency key.
    """

    operation = cat.SUBMIT_TRANSCODE_JOB
    job_kind = cat.ICE_TRANSCODE_JOB
    job_id_path = ("TranscodeParentJob", "ParentJobId")


class IceGetTranscodeJobOperator(AlibabaCloudMediaOperator):
    """Fetch one ICE transcoding job (GetTranscodeJob) into XCom: the parent job and its sub-jobs.

    :param parent_job_id: the parent job id.
    """

    operation = cat.GET_TRANSCODE_JOB


class IceListTranscodeJobsOperator(AlibabaCloudMediaOperator):
    """List ICE transcoding (parent) jobs (ListTranscodeJobs) into XCom, paging by NextPageToken.

    :param start_of_create_time: created at or after (UTC ``yyyy-MM-ddTHH:mm:ssZ`` or aware datetime).
    :param end_of_create_time: created before; after ``start_of_create_time``.
    :param status: ``Init``, ``Success`` or ``Fail``.
    :param parent_job_id: one job's id.
    :param order_by: ``CreateTimeDesc`` or ``CreateTimeAsc``.
    :param page_size: jobs per call, 1-100.
    :param max_items: stop after this many jobs.
    """

    operation = cat.LIST_TRANSCODE_JOBS


class IceSubmitSnapshotJobOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit an ICE snapshot job (SubmitSnapshotJob); push its ``JobId`` to XCom, and optionally
    wait for it (``wait_for_completion``, ``deferrable``; see :class:`SubmitJobOperator`).

    :param input_file: the video, ``{"Type": "OSS" | "Media", "Media": ...}`` (``Input``; required).
    :param output_file: where the snapshots go, same shape (``Output``; ``output`` is BaseOperator's
        XComArg; required).
    :param template_config: ``{"TemplateId": ..., "OverwriteParams": {...}}`` (required).
    :param name: the job's name.
    :param schedule_config: ``{"PipelineId": ...}``.
    :param user_data: custom JSON text.
    """

    operation = cat.SUBMIT_SNAPSHOT_JOB
    renamed = {"input": "input_file", "output": "output_file"}
    job_kind = cat.ICE_SNAPSHOT_JOB


class IceGetSnapshotJobOperator(AlibabaCloudMediaOperator):
    """Fetch one ICE snapshot job (GetSnapshotJob) into XCom.

    :param job_id: the snapshot job id.
    """

    operation = cat.GET_SNAPSHOT_JOB


class IceListSnapshotJobsOperator(AlibabaCloudMediaOperator):
    """List ICE snapshot jobs (ListSnapshotJobs) into XCom, paging by NextPageToken; the filters
    of :class:`IceListTranscodeJobsOperator` (``start_of_create_time``, ``end_of_create_time``,
    ``order_by``, ``page_size``, ``max_items``), and:

    :param status: ``Init``, ``Success`` or ``Fail``.
    :param job_id: one job's id.
    """

    operation = cat.LIST_SNAPSHOT_JOBS


class IceSubmitMediaConvertJobOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit an ICE media convert job (SubmitMediaConvertJob); push its ``JobId`` to XCom, and
    optionally wait for it (``wait_for_completion``, ``deferrable``; see :class:`SubmitJobOperator`).

    :param config: ``{"Inputs": [...], "OutputGroups": [...], "Outputs": [...], "JobName": ...}``,
        checked key by key (required).
    :param pipeline_id: the pipeline (queue) id.
    :param user_data: custom data.
    :param client_token: an idempotency key.
    """

    operation = cat.SUBMIT_MEDIA_CONVERT_JOB
    job_kind = cat.ICE_MEDIA_CONVERT_JOB
    job_id_path = ("Job", "JobId")


class IceGetMediaConvertJobOperator(AlibabaCloudMediaOperator):
    """Fetch one ICE media convert job (GetMediaConvertJob) into XCom.

    :param job_id: the media convert job id.
    """

    operation = cat.GET_MEDIA_CONVERT_JOB


class IceListMediaConvertJobsOperator(AlibabaCloudMediaOperator):
    """List ICE media convert jobs (ListMediaConvertJobs) into XCom, paging by NextPageToken; the
    filters of :class:`IceListTranscodeJobsOperator` (``start_of_create_time``,
    ``end_of_create_time``, ``order_by``, ``page_size``, ``max_items``), and:

    :param status: ``Inited``, ``Running``, ``Complete`` or ``Error``.
    :param job_id: one job's id.
    """

    operation = cat.LIST_MEDIA_CONVERT_JOBS
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
# (operators of ICE_EDITING go here)
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
# (operators of IMM_TASKS go here)
# (end of IMM_TASKS)
