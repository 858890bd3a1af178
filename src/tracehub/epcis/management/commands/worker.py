"""tracehub worker: process background jobs (capture documents, …) from the database queue."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run a background worker for all TraceHub queues (capture jobs and others)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Every queue by default: one kind of worker for every kind of job (DESIGN.md §1).
        parser.set_defaults(queue_name="*")
