"""Background work of the event store, run by ``tracehub worker`` (DESIGN.md §1)."""

from __future__ import annotations

from django_tasks import task

from tracehub.epcis.models import CaptureJob, CaptureStatus


@task(queue_name="capture")
def run_capture_job(*, job_id: int) -> str:
    """Process a spooled capture document; a job already finished is left alone."""
    from tracehub.epcis.services import capture_job_run

    job = CaptureJob.objects.get(pk=job_id)
    if job.status not in (CaptureStatus.PENDING, CaptureStatus.RUNNING):
        return job.status
    return capture_job_run(job=job).job.status
