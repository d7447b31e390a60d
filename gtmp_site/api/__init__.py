"""Site-wide API plumbing shared by every resource (the resources live in each app's api.py).

Split in modules because DRF imports the classes its settings name while
``rest_framework.views`` is still loading: those modules must not import it.
"""
