"""Shared plumbing below every app: the API error envelope and API authentication."""
