"""Operators for Alibaba Cloud ICE, MTS and IMM jobs."""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_mediajobs import links
from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog.params import invalid, refuse_template, unrendered_template
from airflow_provider_mediajobs.operators.base import BatchedGetOperator, CatalogOperator, SubmitJobOperator
from airflow_provider_mediajobs.tasks import declare_signature, reserved_names
from airflow_provider_mediajobs.vendors import ALIBABA

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_mediajobs.catalog.model import Operation
    from airflow_provider_mediajobs.exceptions import MediaJobsValidationError


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
class MtsSubmitJobsOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit MTS transcoding jobs (SubmitJobs), one per output; optionally wait for it
    (``wait_for_completion``, ``deferrable``; see :class:`SubmitJobOperator`).

    XCom: the return value is the job id of the first output (the one waited for); the key
    ``job_ids`` holds every output's job id, in the order of ``outputs``, as soon as they are
    submitted (wait for several with :class:`~airflow_provider_mediajobs.sensors.alibaba.
    MtsTranscodeJobSensor` mapped over them). ``wait_for_completion`` takes a single output. An output
    the vendor refuses (``JobResult`` ``Success`` false) fails the task with the typed error of its
    ``Code``, naming the jobs the other outputs created.

    :param input: the input object, ``{"Bucket", "Location", "Object"}`` (Object URL-encoded).
    :param output_bucket: the bucket the outputs are written to.
    :param outputs: at most 30 outputs, each with ``OutputObject`` and ``TemplateId``.
    :param pipeline_id: the MPS queue.
    :param output_location: the output bucket's region, e.g. ``oss-cn-shanghai``.
    """

    operation = cat.SUBMIT_JOBS
    job_kind = cat.MTS_TRANSCODE_JOB

    def execute(self, context: Context) -> Any:
        """Check the arguments (one output to wait for), then submit (or reattach) and optionally wait."""
        wire = self.operation.bind(self.api_arguments(), self.renamed)
        count = len(json.loads(wire["Outputs"]))
        if self.wait_for_completion and count > 1:
            raise invalid("outputs", "a single output with wait_for_completion=True (wait for several with "
                          "MtsTranscodeJobSensor mapped over the XCom job_ids)", f"{count} outputs")
        return self.execute_resumable(context)

    def job_id_from(self, response: dict[str, Any]) -> str:
        """The first output's job id (see :func:`~airflow_provider_mediajobs.catalog.alibaba.submitted_jobs`)."""
        return str(cat.submitted_jobs(response)[0]["JobId"])

    def submit_job(self, context: Context) -> str:
        """Submit once; push every output's job id under ``job_ids``; return the first."""
        ids = [str(job["JobId"]) for job in cat.submitted_jobs(self.get_hook().call(self.operation,
                                                                                    **self.api_arguments()))]
        ti = context.get("ti")
        if ti is not None:
            ti.xcom_push(key="job_ids", value=ids)
        self.log.info("Submitted %s jobs %s", self.job_kind.name, ", ".join(ids))
        return ids[0]


class MtsQueryJobListOperator(BatchedGetOperator, AlibabaCloudMediaOperator):
    """Fetch MTS transcoding jobs by id (QueryJobList) into XCom: ``{"JobList": {"Job": [...]},
    "NonExistJobIds": {"String": [...]}}``, both present even when empty. More than 10 ids (the
    vendor's cap per call) are asked for in calls of 10 and merged.

    :param job_ids: the ids, a list or comma-separated string.
    """

    operation = cat.QUERY_JOB_LIST
    answer = cat.TRANSCODE_ANSWER
    ids_arg = "job_ids"


class MtsListJobOperator(AlibabaCloudMediaOperator):
    """List MTS transcoding jobs newest first (ListJob) into XCom, paging by NextPageToken.

    :param state: ``All``, ``Submitted``, ``Transcoding``, ``TranscodeSuccess``, ``TranscodeFail``
        or ``TranscodeCancelled``.
    :param pipeline_id: only the jobs of this MPS queue.
    :param start_of_job_created_time_range: created at or after (UTC ``yyyy-MM-ddTHH:mm:ssZ`` or an
        aware datetime); the vendor answers the last 90 days.
    :param end_of_job_created_time_range: created before; after the start.
    :param page_size: jobs per call, 1-100 (``MaximumPageSize``).
    :param max_items: stop after this many jobs.
    """

    operation = cat.LIST_JOB


class MtsCancelJobOperator(AlibabaCloudMediaOperator):
    """Cancel an MTS transcoding job (CancelJob); the vendor does so only while the job is
    ``Submitted``. XCom: the answer, ``{"RequestId", "JobId"}``.

    :param job_id: the transcoding job's id.
    """

    operation = cat.CANCEL_JOB


class MtsSubmitSnapshotJobOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit an MTS snapshot job (SubmitSnapshotJob); push its ``SnapshotJob.Id`` to XCom, and
    optionally wait for it (``wait_for_completion``, ``deferrable``; see :class:`SubmitJobOperator`).

    :param input: the input object, ``{"Bucket", "Location", "Object"}``.
    :param snapshot_config: the snapshot settings, with ``OutputFile`` ``{"Bucket", "Location",
        "Object"}``; with ``Interval`` or ``Num`` the job runs asynchronously, else at once.
    :param pipeline_id: the MPS queue (its notifications).
    :param user_data: data echoed back, at most 1024 characters.
    """

    operation = cat.SUBMIT_SNAPSHOT_JOB
    job_kind = cat.MTS_SNAPSHOT_JOB
    job_id_path = ("SnapshotJob", "Id")


class MtsQuerySnapshotJobListOperator(BatchedGetOperator, AlibabaCloudMediaOperator):
    """Fetch MTS snapshot jobs (QuerySnapshotJobList) into XCom, by id or by filters.

    With ``snapshot_job_ids``: ``{"SnapshotJobList": {"SnapshotJob": [...]}, "NonExistSnapshotJobIds":
    {"String": [...]}}``, in calls of at most 10. Without: the list of jobs the filters select, newest
    first, paging by NextPageToken up to ``max_items``. Ids and filters do not go together.

    :param snapshot_job_ids: the ids, a list or comma-separated string.
    :param state: ``Submitted``, ``Snapshoting``, ``Success`` or ``Fail``.
    :param pipeline_id: only the jobs of this MPS queue.
    :param start_of_job_created_time_range: created at or after (UTC ``yyyy-MM-ddTHH:mm:ssZ``).
    :param end_of_job_created_time_range: created before; after the start.
    :param page_size: jobs per call, 1-300 (``MaximumPageSize``).
    :param max_items: stop after this many jobs (listing only).
    """

    operation = cat.QUERY_SNAPSHOT_JOB_LIST
    answer = cat.SNAPSHOT_ANSWER
    ids_arg = "snapshot_job_ids"

    def execute(self, context: Context) -> Any:
        """By id (in calls of 10), or list by filters."""
        if self.snapshot_job_ids is None:
            return CatalogOperator.execute(self, context)
        self.operation.bind(self.api_arguments(), self.renamed)  # ids and filters together are refused
        if self.max_items is not None:
            raise invalid("max_items", "left unset with snapshot_job_ids (it bounds a listing)", self.max_items)
        return super().execute(context)


class MtsSubmitMediaInfoJobOperator(SubmitJobOperator, AlibabaCloudMediaOperator):
    """Submit an MTS media info job (SubmitMediaInfoJob); push its ``MediaInfoJob.JobId`` to XCom,
    and optionally wait for it (``wait_for_completion``, ``deferrable``; see :class:`SubmitJobOperator`).
    With ``async_=False`` the vendor analyses the input before it answers; waiting then finds the
    job ended at its first look.

    :param input: the input object, ``{"Bucket", "Location", "Object"}``.
    :param async_: ``True`` queues the analysis (the vendor recommends it).
    :param config: the vendor's ``Config`` (undocumented), sent as given.
    :param pipeline_id: the MPS queue.
    :param user_data: data echoed back, at most 1024 characters.
    """

    operation = cat.SUBMIT_MEDIA_INFO_JOB
    job_kind = cat.MTS_MEDIA_INFO_JOB
    job_id_path = ("MediaInfoJob", "JobId")


class MtsQueryMediaInfoJobListOperator(BatchedGetOperator, AlibabaCloudMediaOperator):
    """Fetch MTS media info jobs by id (QueryMediaInfoJobList) into XCom: ``{"MediaInfoJobList":
    {"MediaInfoJob": [...]}, "NonExistMediaInfoJobIds": {"String": [...]}}``, in calls of at most 10.

    :param media_info_job_ids: the ids, a list or comma-separated string.
    """

    operation = cat.QUERY_MEDIA_INFO_JOB_LIST
    answer = cat.MEDIA_INFO_ANSWER
    ids_arg = "media_info_job_ids"
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

    operation = cat.ICE_SUBMIT_SNAPSHOT_JOB
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
def _plain(value: Any, depth: int = 0) -> bool:
    # A value already known at DAG parse: plain data without Jinja (an XComArg or a template is not).
    if isinstance(value, str):
        return not unrendered_template(value)
    if value is None or isinstance(value, bool | int | float):
        return True
    if depth < 32 and isinstance(value, list | tuple):
        return all(_plain(item, depth + 1) for item in value)
    if depth < 32 and isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    return False


class _ImmTaskFamily(SubmitJobOperator, AlibabaCloudMediaOperator):
    """What :class:`ImmCreateTaskOperator` does: one operator for the Create*Task family, the action
    chosen per task by ``imm_task_type`` through ``catalog.alibaba.IMM_TASK_TYPES``."""

    job_kind = cat.IMM_TASK
    job_id_path = ("TaskId",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # As CatalogOperator does for one operation: every parameter of every type is an argument
        # and a template field (a task takes its own type's), the type itself too.
        cls.template_fields = ("imm_task_type", *cls.api_args(), cls.conn_name_attr)
        if "__init__" not in cls.__dict__:
            declare_signature(cls, required=("imm_task_type",), optional=(*cls.api_args(), cls.conn_name_attr))
        links.attach(cls)

    @classmethod
    def api_catalog_args(cls) -> list[str]:
        """Every parameter of every declared task type, in catalog order."""
        return list(dict.fromkeys(arg for spec in cat.IMM_TASK_TYPES.values() for arg in spec.create.args))

    def __init__(self, *, imm_task_type: str, **kwargs: Any) -> None:
        self.imm_task_type = imm_task_type  # first: operation_of() reads it
        known = {*self.api_args(), *_accepted(type(self))}
        unknown = sorted(set(kwargs) - known)
        if unknown:  # BaseOperator would refuse it too, without saying what the type takes
            raise self._not_a_parameter(unknown[0], self._parse_time_type())
        super().__init__(**kwargs)
        self._check_at_parse()

    def task_type_of(self) -> cat.ImmTaskType:
        """The (rendered) task type's declaration.

        :raises MediaJobsValidationError: not one of the declared types (listing them).
        """
        refuse_template("imm_task_type", self.imm_task_type)
        return cat.imm_task_type(self.imm_task_type, "imm_task_type")

    def operation_of(self) -> Operation:
        """The Create*Task action of this task's type."""
        return self.task_type_of().create

    def _parse_time_type(self) -> cat.ImmTaskType | None:
        # The type, where the DAG names it outright (not a template).
        return self.task_type_of() if _plain(self.imm_task_type) else None

    def _not_a_parameter(self, arg: str, spec: cat.ImmTaskType | None) -> MediaJobsValidationError:
        if spec is None:
            return invalid(arg, f"a parameter of one of the task types {', '.join(cat.IMM_TASK_TYPES)}", "unknown")
        return invalid(arg, f"one of the parameters of task type {spec.name} ({spec.create.name}): "
                       f"{', '.join(spec.create.args)}", "unknown")

    def _given(self) -> dict[str, Any]:
        return {arg: value for arg, value in self.catalog_values(self.api_catalog_args()).items() if value is not None}

    def _check_names(self, spec: cat.ImmTaskType) -> None:
        other = sorted(set(self._given()) - set(spec.create.args))
        if other:  # a parameter of another task type: refused, not silently left out
            raise self._not_a_parameter(other[0], spec)

    def _check_at_parse(self) -> None:
        # What is known at DAG parse is checked there: the type, the names given, and each value
        # that is neither a template nor an XComArg (all of them together once none is either).
        spec = self._parse_time_type()
        if spec is None:
            return
        self._check_names(spec)
        operation = spec.create
        values = {arg: getattr(self, arg) for arg in operation.args}
        if all(_plain(value) for value in values.values()):
            operation.bind(values)
            return
        for param in operation.params:
            value = values[param.arg]
            if value is None and param.required:
                raise invalid(param.arg, f"given: {operation.name} requires it", None)
            if value is not None and _plain(value):
                param.serialize(value)

    def execute(self, context: Context) -> Any:
        """Check the rendered type and parameters, create the task (or reattach), and wait if asked."""
        self._check_names(self.task_type_of())
        return super().execute(context)

    def _ids(self, job_id: str) -> dict[str, str]:
        # IMM_TASK's ids: GetTask takes the project, the task id and its type.
        return {"project_name": self.project_name, "task_id": job_id, "task_type": self.task_type_of().name}

    def submitted_objects(self, request: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The oss:// objects the Create*Task request reads and writes (GetTask names none)."""
        spec = self.task_type_of()
        return spec.reads(request), spec.writes(request)


def _accepted(cls: type) -> set[str]:
    """The arguments a task class takes besides its catalog parameters: BaseOperator's, the
    connection's, and those of each ``__init__`` along its MRO (waiting, timing, cancelling)."""
    names = set(reserved_names()) | {"conn_id"}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is not None:
            names |= {name for name, param in inspect.signature(init).parameters.items()
                      if param.kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD)}
    return names


class ImmCreateTaskOperator(_ImmTaskFamily):
    """Create an IMM task with its Create*Task action, the type chosen by ``imm_task_type``; push its
    ``TaskId`` to XCom, and optionally wait for it (``wait_for_completion``, ``deferrable``; see
    :class:`SubmitJobOperator`), as :class:`~airflow_provider_mediajobs.sensors.alibaba.ImmTaskSensor`
    does.

    Every argument is a template field. The type's parameters are checked before any request, and
    at DAG parse where they are not templates: a parameter the type does not take is refused,
    naming it and listing the type's. Any other Create*Task goes through
    ``AlibabaCloudMediaHook.call_action("imm", "Create...Task", {...})``; see
    docs/howto/alibaba-imm.md for each type's parameters.

    :param imm_task_type: ``MediaConvert`` (CreateMediaConvertTask), ``VideoLabelClassification``
        (CreateVideoLabelClassificationTask), ``FaceClustering`` (CreateFigureClusteringTask),
        ``OfficeConversion`` (CreateOfficeConversionTask) or ``FileCompression``
        (CreateFileCompressionTask): the TaskType GetTask then takes.
    :param project_name: the IMM project (every type).
    :param kwargs: the type's parameters in snake_case (``sources``, ``targets``, ``source_uri``,
        ``target_uri``...), the waiting arguments of :class:`SubmitJobOperator`, the connection
        (``alibaba_cloud_media_conn_id``) and BaseOperator's.
    """
# (end of IMM_TASKS)
