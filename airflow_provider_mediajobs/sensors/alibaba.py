"""Sensors for Alibaba Cloud jobs: MTS IProduction, ICE smart jobs, IMM tasks.

Each sensor takes the ids its job kind names (``id_args`` in the catalog) and the
``alibaba_cloud_media_conn_id`` connection id.
"""

from __future__ import annotations

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.sensors.base import MediaJobSensor
from airflow_provider_mediajobs.vendors import ALIBABA


class MtsIProductionJobSensor(MediaJobSensor):
    """Wait for an MTS IProduction job to reach ``Success`` (returns the job) or ``Fail`` (raises
    with the job's ``Result.Code`` and ``Result.Message``).

    :param job_id: the job id, e.g. ``MtsSubmitIProductionJobOperator``'s output.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.MTS_IPRODUCTION_JOB


class IceSmartJobSensor(MediaJobSensor):
    """Wait for an ICE smart job to reach ``Finished`` or ``Failed`` (``ErrorCode``/``ErrorMessage``).

    :param job_id: the smart job id.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.ICE_SMART_JOB


class ImmTaskSensor(MediaJobSensor):
    """Wait for an IMM task to reach ``Succeeded`` or ``Failed`` (``Code``/``Message``).

    :param project_name: the IMM project.
    :param imm_task_id: the IMM task id (``task_id`` is the Airflow task's own).
    :param imm_task_type: the IMM task type (``task_type`` is BaseOperator's).
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.IMM_TASK
    renamed = {"task_id": "imm_task_id", "task_type": "imm_task_type"}


# -- MTS transcoding, snapshots and media info (issue 18, part 1) ----------------------------------
class MtsTranscodeJobSensor(MediaJobSensor):
    """Wait for an MTS transcoding job to reach ``TranscodeSuccess`` (returns the job), or
    ``TranscodeFail`` / ``TranscodeCancelled`` (raises with the job's ``Code`` and ``Message``).

    Deferred waits of one connection are answered together: QueryJobList takes 10 ids per call,
    and ListJob pages answer up to 100 (the extra ``list_sweeps``).

    :param job_id: the transcoding job id, e.g. ``MtsSubmitJobsOperator``'s output.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.MTS_TRANSCODE_JOB
    renamed = {"job_ids": "job_id"}


class MtsSnapshotJobSensor(MediaJobSensor):
    """Wait for an MTS snapshot job to reach ``Success`` (returns the job) or ``Fail`` (raises with
    its ``Code`` and ``Message``). Deferred waits are answered 10 ids a call, or by list sweeps.

    :param snapshot_job_id: the snapshot job id, e.g. ``MtsSubmitSnapshotJobOperator``'s output.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.MTS_SNAPSHOT_JOB
    renamed = {"snapshot_job_ids": "snapshot_job_id"}


class MtsMediaInfoJobSensor(MediaJobSensor):
    """Wait for an MTS media info job to reach ``Success`` (returns the job, its ``Properties``) or
    ``Fail`` (raises with its ``Code`` and ``Message``). Deferred waits are answered 10 ids a call.

    :param media_info_job_id: the media info job id, e.g. ``MtsSubmitMediaInfoJobOperator``'s output.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.MTS_MEDIA_INFO_JOB
    renamed = {"media_info_job_ids": "media_info_job_id"}
# (end of MTS_MEDIA)


# -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ----------------------------
class IceTranscodeJobSensor(MediaJobSensor):
    """Wait for an ICE transcoding (parent) job to reach ``Success`` (returns the
    ``TranscodeParentJob`` with its sub-jobs) or ``Fail`` (raises; a parent job carries no error
    code, so the error names its state).

    :param parent_job_id: the parent job id, e.g. ``IceSubmitTranscodeJobOperator``'s output.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.ICE_TRANSCODE_JOB


class IceSnapshotJobSensor(MediaJobSensor):
    """Wait for an ICE snapshot job to reach ``Success`` (returns the ``SnapshotJob``) or ``Fail``
    (raises with its ``Code`` and ``Message``).

    :param job_id: the snapshot job id.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.ICE_SNAPSHOT_JOB


class IceMediaConvertJobSensor(MediaJobSensor):
    """Wait for an ICE media convert job to reach ``Complete`` (returns the ``Job``) or ``Error``
    or ``Cancelled`` (raises with its ``Code`` and ``Message``).

    :param job_id: the media convert job id.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.ICE_MEDIA_CONVERT_JOB
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
class IceMediaProducingJobSensor(MediaJobSensor):
    """Wait for an ICE media producing job to reach ``Success`` (returns the ``MediaProducingJob``)
    or ``Failed`` (raises with its ``Code`` and ``Message``). Waits of many jobs are answered by
    ListMediaProducingJobs sweeps where that costs fewer calls.

    :param job_id: the job id, e.g. ``IceSubmitMediaProducingJobOperator``'s output.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.ICE_MEDIA_PRODUCING_JOB


class IceIProductionJobSensor(MediaJobSensor):
    """Wait for an ICE IProduction job to reach ``Success`` (returns the job) or ``Fail`` (raises,
    with ``Result``'s ``Code`` and ``Message`` where it has them).

    :param job_id: the job id, e.g. ``IceSubmitIProductionJobOperator``'s output.
    :param alibaba_cloud_media_conn_id: the ``alibaba_cloud_media`` connection id.
    """

    vendor = ALIBABA
    kind = cat.ICE_IPRODUCTION_JOB
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
# (sensors of IMM_TASKS go here)
# (end of IMM_TASKS)
