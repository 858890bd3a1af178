"""The registry console under /console/registry/ (issue #3 item 6): one module per subject.

``base`` holds the plumbing (who asks, paging, service errors on forms); docs/consoles.md says what
each role sees.
"""
