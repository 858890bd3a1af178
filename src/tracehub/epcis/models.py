"""The event store (事件库): EPCIS 2.0 events, their identifier index and capture jobs.

DESIGN.md §3: everything that happens to a product is an EPCIS event, kept as submitted and
never changed (O3); an index of (identifier, event, role) answers every per-identifier query
and every trace; a hash chain over record order makes any later change detectable.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import ApiClient


class CaptureStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a worker")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class CaptureErrorBehaviour(models.TextChoices):
    ROLLBACK = "rollback", _("store nothing if any event fails")
    PROCEED = "proceed", _("store the valid events, report the others")


class CaptureJob(models.Model):
    """A capture job (采集任务): one submitted EPCIS document and what became of it.

    EPCIS 2.0 REST binding: ``POST /capture`` answers 202 with the job's URL; the job tells
    whether it is still running, whether it succeeded and, if not, every error by path.
    """

    capture_id = models.CharField(_("capture ID"), max_length=40, unique=True)
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("API client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CaptureStatus.choices,
        default=CaptureStatus.PENDING,
        db_index=True,
    )
    error_behaviour = models.CharField(
        _("capture error behaviour"),
        max_length=10,
        choices=CaptureErrorBehaviour.choices,
        default=CaptureErrorBehaviour.ROLLBACK,
    )
    media_type = models.CharField(_("media type"), max_length=40, help_text=_("json or xml"))
    size_bytes = models.BigIntegerField(_("size in bytes"), default=0)
    spool_path = models.CharField(
        _("spooled document"), max_length=500, blank=True, help_text=_("Where the body waits for a worker.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    event_count = models.IntegerField(_("events in the document"), default=0)
    captured_count = models.IntegerField(_("events stored"), default=0)
    duplicate_count = models.IntegerField(
        _("events already stored"),
        default=0,
        help_text=_("Same event hash as a stored event: not stored again."),
    )
    error_count = models.IntegerField(_("events refused"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("capture job")
        verbose_name_plural = _("capture jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.capture_id

    @property
    def running(self) -> bool:
        return self.status in (CaptureStatus.PENDING, CaptureStatus.RUNNING)


class Event(models.Model):
    """An EPCIS event (追溯事件) as recorded: immutable once written (O3).

    ``document`` is the event exactly as captured (JSON-LD form; XML is converted on capture).
    The primary key is the record order, which the hash chain follows: ``chain_hash`` =
    SHA-256 over the previous row's chain hash and this row's content, so changing, inserting
    or deleting a stored row breaks every link after it (``tracehub verify_events``).
    An error declaration (EPCIS 2.0 §7.4.1.4) is a row of its own pointing at the event it
    declares erroneous, which itself stays as it was.
    """

    # The foreign keys of events and index rows are not declared to the database (db_constraint=False):
    # the capture service writes both in one transaction from ids it has just allocated, rows are never
    # updated or deleted, and ``tracehub verify_events`` checks the links. A declared key costs a
    # deferred trigger and an index probe per row at commit: 15 % of capture time (issue #2).
    # Looked up through the partial unique constraint below (every reader asks for recorded
    # events, not declarations); a second plain index would only slow capture.
    event_id = models.CharField(_("event ID"), max_length=500)
    event_hash = models.CharField(_("event hash"), max_length=200, help_text=_("CBV 2.0 event hash ID."))
    event_type = models.CharField(_("event type"), max_length=24)
    event_time = models.DateTimeField(_("event time"))
    event_time_zone_offset = models.CharField(_("event time zone offset"), max_length=6)
    record_time = models.DateTimeField(_("record time"))
    action = models.CharField(_("action"), max_length=8, blank=True)
    biz_step = models.CharField(_("business step"), max_length=300, blank=True)
    disposition = models.CharField(_("disposition"), max_length=300, blank=True)
    read_point = models.CharField(_("read point"), max_length=300, blank=True)
    biz_location = models.CharField(_("business location"), max_length=300, blank=True)
    declares_error_for = models.ForeignKey(
        "self",
        verbose_name=_("declares an error in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="error_declarations",
        db_constraint=False,
        # Indexed by the partial index ``event_declares_error_idx`` below instead: nearly every
        # row has no target, and a full index would hold one entry per event of the store.
        db_index=False,
    )
    error_declared = models.BooleanField(
        _("captured with an error declaration"),
        default=False,
        help_text=_("The event arrived already carrying an errorDeclaration (EPCIS 2.0 §7.4.1.4)."),
    )
    capture_job = models.ForeignKey(
        CaptureJob,
        verbose_name=_("capture job"),
        on_delete=models.PROTECT,
        related_name="events",
        db_constraint=False,
    )
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("captured by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    document = models.TextField(_("event as captured"), help_text=_("JSON-LD, exactly as stored."))
    namespaces = models.TextField(
        _("namespaces"), default="{}", help_text=_("Extension prefixes of the event's document (JSON).")
    )
    chain_hash = models.CharField(_("chain hash"), max_length=64)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            # One stored event per hash: capturing the same event again stores nothing new.
            models.UniqueConstraint(fields=["event_hash"], name="event_hash_unique"),
            models.UniqueConstraint(
                fields=["event_id"],
                condition=models.Q(declares_error_for__isnull=True),
                name="event_id_unique_unless_declaration",
            ),
        ]
        indexes = [
            models.Index(fields=["event_time", "id"], name="event_time_idx"),
            models.Index(fields=["biz_step", "event_time"], name="event_bizstep_idx"),
            models.Index(fields=["event_type", "event_time"], name="event_type_idx"),
            # Every trace asks of each event it meets whether a declaration points at it (issue
            # #4: cost grows with the answer, not the store). Only declarations are indexed, so
            # the index stays a few pages however large the store grows, and stays in memory.
            models.Index(
                fields=["declares_error_for"],
                name="event_declares_error_idx",
                condition=models.Q(declares_error_for__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class IndexRole(models.TextChoices):
    EPC = "epc", _("EPC")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    INPUT = "input", _("input")
    OUTPUT = "output", _("output")
    CLASS = "class", _("class (quantity)")
    CHILD_CLASS = "child_class", _("child class")
    INPUT_CLASS = "input_class", _("input class")
    OUTPUT_CLASS = "output_class", _("output class")
    READ_POINT = "read_point", _("read point")
    BIZ_LOCATION = "biz_location", _("business location")
    BIZ_TRANSACTION = "biz_transaction", _("business transaction")
    SOURCE = "source", _("source")
    DESTINATION = "destination", _("destination")
    #: The lot class (``01/{GTIN}/10/{lot}``) of objects commissioned with an ILMD lot number.
    LOT = "lot", _("lot (ILMD)")


class EventIndex(models.Model):
    """One identifier of one event (标识索引): what serves every per-identifier query and trace.

    ``key`` is the identifier's canonical key (its GS1 key as a Digital Link path, whatever form
    it arrived in, or the URI itself when it is not a GS1 key), so an SGTIN captured as an EPC URN
    and asked for as a Digital Link is the same object (DESIGN.md §3).
    """

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="index", db_constraint=False
    )
    key = models.CharField(_("identifier key"), max_length=300)
    role = models.CharField(_("role"), max_length=16, choices=IndexRole.choices)
    qualifier = models.CharField(
        _("qualifier"), max_length=300, blank=True, help_text=_("bizTransaction, source or destination type.")
    )

    class Meta:
        verbose_name = _("event index entry")
        verbose_name_plural = _("event index entries")
        indexes = [
            # The foreign key already indexes ``event``: no second index on it (capture speed).
            models.Index(fields=["key", "role", "event"], name="eventindex_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.role}"


class CompanyPrefix(models.Model):
    """A GS1 company prefix whose length is known (厂商识别代码).

    Answers give EPC URNs only where the company-prefix length is known (DESIGN.md §3): learned
    from captured EPC URNs here, and from registered parties once the registry knows them.
    """

    prefix = models.CharField(_("company prefix"), max_length=12, unique=True)
    learned_at = models.DateTimeField(_("learned at"), default=timezone.now)

    class Meta:
        verbose_name = _("GS1 company prefix")
        verbose_name_plural = _("GS1 company prefixes")

    def __str__(self) -> str:
        return self.prefix
