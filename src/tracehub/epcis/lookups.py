"""A LIKE lookup with backslash escapes, for EPC pattern queries (urn:epc:idpat:…)."""

from django.db.models import CharField, Lookup


@CharField.register_lookup
class LikeEscaped(Lookup):
    """``field__like_escaped=pattern``: SQL LIKE where the caller escaped ``%``/``_`` with ``\\``."""

    lookup_name = "like_escaped"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", lhs_params + rhs_params
