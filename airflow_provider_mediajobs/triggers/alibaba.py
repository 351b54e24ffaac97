"""Triggers for Alibaba Cloud jobs: MTS IProduction, ICE smart jobs, IMM tasks."""

from __future__ import annotations

from airflow_provider_mediajobs.catalog import alibaba as cat
from airflow_provider_mediajobs.triggers.base import MediaJobTrigger

_HOOK = "airflow_provider_mediajobs.hooks.alibaba.AlibabaCloudMediaHook"


class MtsIProductionJobTrigger(MediaJobTrigger):
    """Wait for an MTS IProduction job (QueryIProductionJob): ``Success`` / ``Fail``."""

    kind = cat.MTS_IPRODUCTION_JOB
    hook_class_path = _HOOK


class IceSmartJobTrigger(MediaJobTrigger):
    """Wait for an ICE smart job (GetSmartHandleJob): ``Finished`` / ``Failed``."""

    kind = cat.ICE_SMART_JOB
    hook_class_path = _HOOK


class ImmTaskTrigger(MediaJobTrigger):
    """Wait for an IMM task (GetTask): ``Succeeded`` / ``Failed``."""

    kind = cat.IMM_TASK
    hook_class_path = _HOOK
