"""Triggers for Alibaba Cloud jobs: MTS IProduction, ICE smart jobs, IMM tasks."""

from __future__ import annotations

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.hooks.alibaba import API
from airflow_provider_mediajobs.triggers.base import MediaJobTrigger


class MtsIProductionJobTrigger(MediaJobTrigger):
    """Wait for an MTS IProduction job (QueryIProductionJob): ``Success`` / ``Fail``."""

    vendor = API
    kind = cat.MTS_IPRODUCTION_JOB


class IceSmartJobTrigger(MediaJobTrigger):
    """Wait for an ICE smart job (GetSmartHandleJob): ``Finished`` / ``Failed``."""

    vendor = API
    kind = cat.ICE_SMART_JOB


class ImmTaskTrigger(MediaJobTrigger):
    """Wait for an IMM task (GetTask): ``Succeeded`` / ``Failed``."""

    vendor = API
    kind = cat.IMM_TASK


# -- MTS transcoding, snapshots and media info (issue 18, part 1) ----------------------------------
class MtsTranscodeJobTrigger(MediaJobTrigger):
    """Wait for an MTS transcoding job (QueryJobList, 10 ids a call; ListJob sweeps):
    ``TranscodeSuccess``; ``TranscodeFail`` / ``TranscodeCancelled``."""

    vendor = API
    kind = cat.MTS_TRANSCODE_JOB


class MtsSnapshotJobTrigger(MediaJobTrigger):
    """Wait for an MTS snapshot job (QuerySnapshotJobList, 10 ids a call, or its listing's sweeps):
    ``Success``; ``Fail``."""

    vendor = API
    kind = cat.MTS_SNAPSHOT_JOB


class MtsMediaInfoJobTrigger(MediaJobTrigger):
    """Wait for an MTS media info job (QueryMediaInfoJobList, 10 ids a call): ``Success``; ``Fail``."""

    vendor = API
    kind = cat.MTS_MEDIA_INFO_JOB
# (end of MTS_MEDIA)


# -- ICE transcoding, snapshots and media conversion (issue 18, part 2) ----------------------------
class IceTranscodeJobTrigger(MediaJobTrigger):
    """Wait for an ICE transcoding job (GetTranscodeJob; swept by ListTranscodeJobs): ``Success`` / ``Fail``."""

    vendor = API
    kind = cat.ICE_TRANSCODE_JOB


class IceSnapshotJobTrigger(MediaJobTrigger):
    """Wait for an ICE snapshot job (GetSnapshotJob; swept by ListSnapshotJobs): ``Success`` / ``Fail``."""

    vendor = API
    kind = cat.ICE_SNAPSHOT_JOB


class IceMediaConvertJobTrigger(MediaJobTrigger):
    """Wait for an ICE media convert job (GetMediaConvertJob; swept by ListMediaConvertJobs):
    ``Complete`` / ``Error``, ``Cancelled``."""

    vendor = API
    kind = cat.ICE_MEDIA_CONVERT_JOB
# (end of ICE_MEDIA)


# -- ICE timeline editing and IProduction (issue 18, part 2) ---------------------------------------
class IceMediaProducingJobTrigger(MediaJobTrigger):
    """Wait for an ICE media producing job (GetMediaProducingJob; ListMediaProducingJobs sweeps):
    ``Success`` / ``Failed``."""

    vendor = API
    kind = cat.ICE_MEDIA_PRODUCING_JOB


class IceIProductionJobTrigger(MediaJobTrigger):
    """Wait for an ICE IProduction job (ICE's QueryIProductionJob): ``Success`` / ``Fail``."""

    vendor = API
    kind = cat.ICE_IPRODUCTION_JOB
# (end of ICE_EDITING)


# -- IMM Create*Task (issue 18, part 3) ------------------------------------------------------------
# (triggers of IMM_TASKS go here)
# (end of IMM_TASKS)
