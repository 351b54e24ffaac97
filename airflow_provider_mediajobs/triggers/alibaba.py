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
