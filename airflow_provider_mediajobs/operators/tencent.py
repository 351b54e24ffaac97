"""Operators for Tencent Cloud CI jobs."""

from __future__ import annotations

from typing import Any

from airflow_provider_mediajobs.catalog import tencent as cat
from airflow_provider_mediajobs.operators.base import BatchedGetOperator, CatalogOperator, SubmitJobOperator
from airflow_provider_mediajobs.vendors import TENCENT


class TencentCIOperator(CatalogOperator):
    """Base of the Tencent CI operators.

    :param tencent_cloud_ci_conn_id: the ``tencent_cloud_ci`` connection id.
    """

    vendor = TENCENT


class TencentCIListJobsOperator(TencentCIOperator):
    """List CI jobs (GET /jobs) into XCom, paging by nextToken.

    :param tag: ``Translation``, ``SpeechRecognition``, ``WordsGeneralize``, ``Transcode``, ``Snapshot``,
        ``Animation``, ``Concat``, ``SmartCover``, ``VoiceSeparate`` or ``VideoMontage`` (required).
    :param queue_id: queue id.
    :param workflow_id: workflow id.
    :param inventory_trigger_job_id: batch job id.
    :param input_object: exact input object.
    :param order_by_time: ``Desc`` or ``Asc``.
    :param states: list or comma string of All, Submitted, Running, Success, Failed, Pause, Cancel.
    :param size: jobs per call, 1-100.
    :param start_creation_time: ``2001-01-01T00:00:00+0800`` or aware datetime.
    :param end_creation_time: same; after the start.
    :param max_items: stop after this many jobs.
    """

    operation = cat.LIST_JOBS


class TencentCIGetJobsOperator(BatchedGetOperator, TencentCIOperator):
    """Fetch one or more CI jobs (GET /jobs/{ids}) into XCom: ``JobsDetail`` and ``NonExistJobIds``.

    More than 10 ids (the vendor's cap per call) are asked for in calls of 10 and merged.

    :param job_ids: the ids, a list or comma-separated string.
    """

    operation = cat.GET_JOBS
    answer = cat.GET_JOBS_ANSWER
    ids_arg = "job_ids"


class TencentCISubmitJobOperator(SubmitJobOperator, TencentCIOperator):
    """Submit a CI job (POST /jobs) of any tag, AI or media processing, and push its JobId;
    optionally wait for it (``wait_for_completion``, ``deferrable``; see :class:`SubmitJobOperator`).

    Which arguments a tag takes and requires is its row of
    :data:`~airflow_provider_mediajobs.catalog.tencent.SUBMIT_TAGS` (see the how-to's tables).

    :param tag: ``Translation``, ``SpeechRecognition``, ``WordsGeneralize``, ``Transcode``, ``Snapshot``,
        ``Animation``, ``Concat``, ``SmartCover``, ``VoiceSeparate`` or ``VideoMontage``.
    :param input_object: the input object key (required but for Concat; VideoMontage: or ``input_url``).
    :param input_lang: the input's language (AI tags).
    :param input_type: the input's type (AI tags).
    :param input_url: VideoMontage's public input URL (Soccer scene).
    :param translation: Translation options, e.g. ``{"Lang": "en", "Type": "txt"}``.
    :param speech_recognition: SpeechRecognition options (or ``template_id``).
    :param words_generalize: WordsGeneralize options, e.g. ``{"NerMethod": "DL", "SegMethod": "MIX"}``.
    :param transcode: Transcode options (``Container``, ``Video``, ``Audio``...), or ``template_id``.
    :param snapshot: Snapshot options (``Mode``, ``Count``...), or ``template_id``.
    :param animation: Animation options (``Container``, ``Video``, ``TimeInterval``), or ``template_id``.
    :param concat_template: Concat options (``ConcatFragment`` list, ``Container``...), or ``template_id``.
    :param smart_cover: SmartCover options (``Format``, ``Count``...), or ``template_id``.
    :param voice_separate: VoiceSeparate options (``AudioMode``, ``AudioConfig``), or ``template_id``.
    :param video_montage: VideoMontage options (``Container``, ``Video``, ``Duration``...), or ``template_id``.
    :param template_id: a CI template instead of (or, read first, beside) the tag's options.
    :param watermark_template_ids: Transcode: at most 3 watermark template ids.
    :param watermark: Transcode: at most 3 watermarks (a list of objects).
    :param remove_watermark: Transcode: ``{"Dx", "Dy", "Width", "Height"}``.
    :param subtitles: Transcode: ``{"Subtitle": [{"Url": ...}]}``.
    :param digital_watermark: Transcode: ``{"Type", "Message", "Version", "IgnoreError"}``.
    :param output_region: output region (required for the media tags).
    :param output_bucket: output bucket (required but for WordsGeneralize).
    :param output_object: output object (required but for WordsGeneralize; Snapshot: or
        ``output_sprite_object``; VoiceSeparate: or ``output_au_object``).
    :param output_sprite_object: Snapshot's sprite image object.
    :param output_au_object: VoiceSeparate's voice track object.
    :param user_data: printable ASCII, at most 1024 characters (not Concat, VoiceSeparate).
    :param job_level: ``0``, ``1`` or ``2``.
    :param free_transcode: Transcode: ``true`` for idle-time transcoding.
    :param queue_id: the CI queue (required for the AI tags).
    :param queue_type: Transcode: ``SpeedTranscoding``.
    :param callback: callback URL.
    :param callback_format: ``JSON`` or ``XML``.
    :param callback_type: ``Url`` or ``TDMQ``.
    :param callback_mq_config: the TDMQ queue (``MqMode``, ``MqRegion``, ``MqName``), for ``TDMQ``.
    """

    operation = cat.SUBMIT_JOB
    job_kind = cat.TENCENT_CI_JOB

    def job_id_from(self, response: dict[str, Any]) -> str:
        """The new job's id: the submit answer is a ``JobsDetail``."""
        jobs = response.get("JobsDetail") or [{}]
        return super().job_id_from(dict(jobs[0]))
