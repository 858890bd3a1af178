"""One module per sector profile (DESIGN.md §3); importing this package registers them all."""

from tracehub.sectors.profiles import (  # noqa: F401
    agri,
    agri_input,
    drug,
    enterprise,
    food,
    import_food,
    liquor,
    meat_veg,
)
