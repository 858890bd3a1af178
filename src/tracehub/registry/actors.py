"""Who is acting (操作主体): a console user or an API client, with what it may oversee.

Every service takes an ``Actor``; the API builds one per request, the console from
``request.user``, management commands use ``Actor.system``. It is built once (a few queries) and
then answers every permission question without touching the database (``permissions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import ApiClient, ApiClientKind, DepartmentSector, District, Role


class ActorKind:
    """The kinds of actor of the permission matrix (docs/permissions.md)."""

    OPERATOR = "operator"
    OFFICIAL = "official"
    ENTERPRISE_ADMIN = "enterprise_admin"
    ENTERPRISE_STAFF = "enterprise_staff"
    AUDITOR = "auditor"
    PLATFORM_CLIENT = "platform_client"
    PARTY_CLIENT = "party_client"
    DEPARTMENT_CLIENT = "department_client"
    SYSTEM = "system"
    NOBODY = "nobody"  # a logged-in user without a role, or the anonymous public


@dataclass(frozen=True)
class Actor:
    kind: str
    user: Any = None
    client: ApiClient | None = None
    party_id: int | None = None
    department_id: int | None = None
    sectors: frozenset[str] = field(default_factory=frozenset)
    #: GB/T 2260 district codes the actor oversees; None means every district (and parties
    #: outside Xiamen).
    districts: frozenset[str] | None = None
    label: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """The platform itself (management commands, the demo loader): every right."""
        return cls(kind=ActorKind.SYSTEM, label=label)

    @property
    def sees_all(self) -> bool:
        return self.kind in (ActorKind.OPERATOR, ActorKind.PLATFORM_CLIENT, ActorKind.SYSTEM)

    @property
    def oversees(self) -> bool:
        """An official or a department subsystem: scoped by sectors and districts."""
        return self.kind in (ActorKind.OFFICIAL, ActorKind.DEPARTMENT_CLIENT)

    @property
    def acts_for_party(self) -> bool:
        return self.party_id is not None and self.kind in (
            ActorKind.ENTERPRISE_ADMIN,
            ActorKind.ENTERPRISE_STAFF,
            ActorKind.PARTY_CLIENT,
        )

    @property
    def audit(self) -> dict[str, Any]:
        """Keyword arguments naming this actor in ``accounts.services.audit_record``."""
        return {"actor_user": self.user, "actor_client": self.client}

    def __str__(self) -> str:
        return self.label or self.kind


def _department_sectors(department_id: int | None) -> frozenset[str]:
    """A department's sectors and those of its sub-departments (商务局 oversees 酒类流通管理局's)."""
    if department_id is None:
        return frozenset()
    from django.db.models import Q

    rows = DepartmentSector.objects.filter(
        Q(department_id=department_id) | Q(department__parent_id=department_id)
    ).values_list("sector", flat=True)
    return frozenset(rows)


def actor_for_user(user) -> Actor:
    """The actor of a console user (anonymous or role-less users may do nothing)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Actor(kind=ActorKind.NOBODY, label=str(_("anonymous")))
    from tracehub.accounts.models import UserProfile
    from tracehub.registry.models import PartyMember

    label = user.get_username()
    profile = UserProfile.objects.filter(user=user).first()
    if profile is None:
        # A Django superuser made with createsuperuser runs the platform.
        kind = ActorKind.OPERATOR if user.is_superuser else ActorKind.NOBODY
        return Actor(kind=kind, user=user, label=label)
    if profile.role == Role.OPERATOR:
        return Actor(kind=ActorKind.OPERATOR, user=user, label=label)
    if profile.role == Role.AUDITOR:
        return Actor(kind=ActorKind.AUDITOR, user=user, label=label)
    if profile.role == Role.OFFICIAL:
        codes = frozenset(profile.districts or ())
        districts = None if District.CITY in codes else codes
        return Actor(
            kind=ActorKind.OFFICIAL,
            user=user,
            department_id=profile.department_id,
            sectors=_department_sectors(profile.department_id),
            districts=districts,
            label=label,
        )
    member = PartyMember.objects.filter(user=user).values_list("party_id", flat=True).first()
    if member is None:
        # An enterprise user whose party is not registered yet may only register it.
        return Actor(kind=ActorKind.NOBODY, user=user, label=label)
    kind = ActorKind.ENTERPRISE_ADMIN if profile.role == Role.ENTERPRISE_ADMIN else ActorKind.ENTERPRISE_STAFF
    return Actor(kind=kind, user=user, party_id=member, label=label)


def actor_for_client(client: ApiClient) -> Actor:
    """The actor of an API client: platform, party or department (issue #3 item 5)."""
    label = f"client:{client.name}"
    if client.kind == ApiClientKind.PARTY:
        from tracehub.registry.models import PartyApiClient

        party_id = PartyApiClient.objects.filter(client=client).values_list("party_id", flat=True).first()
        if party_id is None:
            return Actor(kind=ActorKind.NOBODY, client=client, label=label)
        return Actor(kind=ActorKind.PARTY_CLIENT, client=client, party_id=party_id, label=label)
    if client.kind == ApiClientKind.DEPARTMENT:
        # A department subsystem works city-wide within its sectors.
        return Actor(
            kind=ActorKind.DEPARTMENT_CLIENT,
            client=client,
            department_id=client.department_id,
            sectors=_department_sectors(client.department_id),
            districts=None,
            label=label,
        )
    return Actor(kind=ActorKind.PLATFORM_CLIENT, client=client, label=label)


def actor_for_request(request) -> Actor:
    """The request's actor, built once: its API client if it sent a key, else its session user."""
    actor = getattr(request, "_tracehub_actor", None)
    if actor is None:
        client = getattr(request, "api_client", None)
        actor = (
            actor_for_client(client) if client is not None else actor_for_user(getattr(request, "user", None))
        )
        request._tracehub_actor = actor
    return actor
