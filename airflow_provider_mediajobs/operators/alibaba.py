"""Operators for Alibaba Cloud ICE, MTS and IMM jobs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.catalog.params import invalid
from airflow_provider_mediajobs.operators.base import BatchedGetOperator, CatalogOperator, SubmitJobOperator
from airflow_provider_mediajobs.vendors import ALIBABA

if TYPE_CHECKING:
    from airflow.sdk import Context


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
# (operators of ICE_MEDIA go here)
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
# (operators of ICE_EDITING go here)
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
# (operators of IMM_TASKS go here)
# (end of IMM_TASKS)
