"""The console menu: apps contribute entries, core renders them.

Adding a console page never means editing a core template. An app that has console pages
describes them in its own ``console.py``, which ``CoreConfig.ready`` imports::

    from django.utils.translation import gettext_lazy as _

    from tracehub.core.console import MenuEntry, MenuGroup, menu

    menu.register_group(MenuGroup("registry", _("Registry"), order=20))
    menu.register(
        MenuEntry(
            "registry.parties",
            _("Parties"),
            "registry:party-list",
            group="registry",
            order=10,
            permission="registry.view_party",
        )
    )

``console/base.html`` shows each user the entries they may see, grouped and ordered, with the
entry of the current page marked. ``manage.py check`` reports entries whose URL name does not
resolve or whose group is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuGroup:
    """A heading of the console menu (e.g. "Registry"); groups are shown by ``order``."""

    key: str
    label: Any
    order: int = 100


@dataclass(frozen=True)
class MenuEntry:
    """One link of the console menu.

    ``permission`` names Django permissions the user must all hold (``user.has_perms``: model
    permissions and ``rules`` alike); ``visible`` is any further test of the user. ``exact``
    marks an entry active only on its own URL, not on the pages below it.
    """

    key: str
    label: Any
    url_name: str
    group: str = "workspace"
    order: int = 100
    permission: str | tuple[str, ...] | None = None
    visible: Callable[[Any], bool] | None = None
    exact: bool = False
    description: Any = ""

    def permissions(self) -> tuple[str, ...]:
        if self.permission is None:
            return ()
        return (self.permission,) if isinstance(self.permission, str) else tuple(self.permission)

    def is_visible_to(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        if self.permissions() and not user.has_perms(self.permissions()):
            return False
        return self.visible is None or bool(self.visible(user))


@dataclass(frozen=True)
class ResolvedEntry:
    """A menu entry as one user sees it on one page."""

    entry: MenuEntry
    url: str
    active: bool

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def label(self):
        return self.entry.label

    @property
    def description(self):
        return self.entry.description


@dataclass(frozen=True)
class ResolvedGroup:
    group: MenuGroup
    entries: list[ResolvedEntry] = field(default_factory=list)

    @property
    def label(self):
        return self.group.label


class ConsoleMenu:
    """The registry of menu groups and entries (one instance: ``menu``)."""

    def __init__(self) -> None:
        self._groups: dict[str, MenuGroup] = {}
        self._entries: dict[str, MenuEntry] = {}

    def register_group(self, group: MenuGroup) -> MenuGroup:
        if group.key in self._groups and self._groups[group.key] != group:
            raise ImproperlyConfigured(f"console menu group {group.key!r} is registered twice")
        self._groups[group.key] = group
        return group

    def register(self, entry: MenuEntry) -> MenuEntry:
        # Two apps claiming one key is a mistake to see at start-up, not a silent override.
        if entry.key in self._entries and self._entries[entry.key] != entry:
            raise ImproperlyConfigured(f"console menu entry {entry.key!r} is registered twice")
        self._entries[entry.key] = entry
        return entry

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    @property
    def groups(self) -> list[MenuGroup]:
        return sorted(self._groups.values(), key=lambda g: (g.order, g.key))

    @property
    def entries(self) -> list[MenuEntry]:
        return sorted(self._entries.values(), key=lambda e: (e.order, e.key))

    def problems(self) -> Iterable[str]:
        """What is wrong with the registered entries (``manage.py check`` reports it)."""
        for entry in self.entries:
            if entry.group not in self._groups:
                yield f"console menu entry {entry.key!r} names an unknown group {entry.group!r}"
            try:
                reverse(entry.url_name)
            except NoReverseMatch:
                yield (
                    f"console menu entry {entry.key!r} names the URL {entry.url_name!r}, "
                    "which does not resolve"
                )

    def for_user(self, user, path: str = "") -> list[ResolvedGroup]:
        """The groups and entries ``user`` may see, with the entry of ``path`` marked active."""
        visible: list[tuple[MenuEntry, str]] = []
        for entry in self.entries:
            if entry.group in self._groups and entry.is_visible_to(user):
                visible.append((entry, reverse(entry.url_name)))
        # The most specific entry wins: /console/registry/parties/7/ marks "Parties", not "Overview".
        matches = [
            (len(url), entry.key)
            for entry, url in visible
            if path == url or (not entry.exact and url.endswith("/") and path.startswith(url))
        ]
        active_key = max(matches)[1] if matches else None
        groups = []
        for group in self.groups:
            resolved = [
                ResolvedEntry(entry, url, entry.key == active_key)
                for entry, url in visible
                if entry.group == group.key
            ]
            if resolved:
                groups.append(ResolvedGroup(group, resolved))
        return groups


menu = ConsoleMenu()

# Core's own part of the menu: the landing page every console user has.
menu.register_group(MenuGroup("workspace", _("Workspace"), order=0))
menu.register(
    MenuEntry(
        "core.overview",
        _("Overview"),
        "console",
        group="workspace",
        order=0,
        exact=True,
        description=_("Your account and the workspaces open to you."),
    )
)
