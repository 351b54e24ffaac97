"""An event read back (``waiting.conclude``) raises the provider's own typed error it names, and
never a class an event could pick from elsewhere."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_mediajobs.exceptions import MediaJobsError, NotFoundError
from airflow_provider_mediajobs.waiting import conclude


@pytest.mark.parametrize("name", ["os.system", "AirflowException", "ValueError", "__class__", None, 5])
def test_an_event_cannot_pick_a_foreign_class(name: Any) -> None:
    event = {"status": "error", "kind": "k", "job_id": "j", "message": "boom", "error": name}
    with pytest.raises(MediaJobsError) as info:
        conclude(event)
    assert type(info.value) is MediaJobsError
    assert str(info.value) == "boom"


def test_an_event_keeps_the_provider_class_it_names() -> None:
    event = {"status": "error", "kind": "k", "job_id": "j", "message": "gone", "error": "NotFoundError",
             "code": "JobNotFound", "http_status": 404}
    with pytest.raises(NotFoundError) as info:
        conclude(event)
    assert info.value.code == "JobNotFound"
    assert info.value.status == 404
