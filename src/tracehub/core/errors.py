"""Domain errors shared by every app's services, rendered by the API as problems (core.ninja).

Services raise Django's own ``ValidationError`` (400, each field named), ``PermissionDenied``
(403) and ``ObjectDoesNotExist`` (404); ``Conflict`` (409) is for a request that is valid but
does not fit the object's state, such as approving a filing that was already rejected.
"""


class Conflict(Exception):
    """The request cannot be done in the object's present state (HTTP 409)."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message
