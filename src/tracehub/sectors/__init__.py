"""Sector subsystems (DESIGN.md §2 ``sectors/``): sector profiles, sector records, entry forms, Excel."""
