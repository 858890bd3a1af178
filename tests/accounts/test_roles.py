"""Departments, roles and notifications (issue #3 item 4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tracehub.accounts.models import AuditEntry, DepartmentSector, Notification, Role
from tracehub.accounts.selectors import department_by_code, notification_list
from tracehub.accounts.services import notification_mark_read, notification_send, user_create
from tracehub.registry.actors import ActorKind, actor_for_user

pytestmark = pytest.mark.django_db


def test_the_departments_of_the_plan_are_there_with_their_sectors():
    sectors = {
        code: set(DepartmentSector.objects.filter(department__code=code).values_list("sector", flat=True))
        for code in ("amr", "commerce", "liquor", "agri", "customs")
    }
    assert sectors == {
        "amr": {"food", "drug"},
        "commerce": {"meat_veg", "enterprise"},
        "liquor": {"liquor"},
        "agri": {"agri", "agri_input"},
        "customs": {"import_food"},
    }
    assert department_by_code("liquor").parent.code == "commerce"


def test_an_official_oversees_the_sectors_of_the_department_and_its_sub_departments():
    user = user_create(
        username="wang",
        password=None,
        role=Role.OFFICIAL,
        department=department_by_code("commerce"),
        districts=["350206"],
    )
    actor = actor_for_user(user)
    assert actor.kind == ActorKind.OFFICIAL
    assert actor.sectors == {"meat_veg", "enterprise", "liquor"}
    assert actor.districts == {"350206"}
    city = user_create(
        username="li",
        password=None,
        role=Role.OFFICIAL,
        department=department_by_code("amr"),
        districts=["350200"],
    )
    assert actor_for_user(city).districts is None
    assert AuditEntry.objects.filter(action="user.create").count() == 2


def test_user_create_names_every_wrong_field():
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        user_create(username="", password=None, role=Role.OFFICIAL, districts=["110101"])
    assert set(raised.value.message_dict) == {"username", "department", "districts"}
    with pytest.raises(ValidationError) as raised:
        user_create(
            username="x",
            password="123",
            role=Role.AUDITOR,
            department=department_by_code("amr"),
            admin_site=True,
        )
    assert set(raised.value.message_dict) == {"department", "password", "admin_site"}


def test_notifications_are_translated_when_read():
    user = user_create(username="zhao", password=None, role=Role.AUDITOR)
    notification_send(
        users=[user],
        message="The filing of %(party)s was approved; filing number %(number)s.",
        params={"party": "甲", "number": "XMZS-2026-000001"},
    )
    [note] = notification_list(user=user, unread_only=True)
    with translation.override("en"):
        assert note.text == "The filing of 甲 was approved; filing number XMZS-2026-000001."
    assert notification_mark_read(user=user) == 1
    assert not notification_list(user=user, unread_only=True).exists()
    assert Notification.objects.get().read_at is not None
