"""The shared core every app uses: optimistic locking, custom fields, Markdown,
the admin bases and lost-edit protection, readable imports, the Editors group.

It imports no app (an import-linter contract in `make lint` checks it); the
apps (market, then companies and faq) build on it.
"""
