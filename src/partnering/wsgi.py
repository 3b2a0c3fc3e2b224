"""WSGI entry point for gunicorn: `gunicorn partnering.wsgi`.

The whole application (every URL's views, serializers and templates' libraries) is imported here,
at boot, and then frozen out of the garbage collector (`gc.freeze`): those objects live as long as
the worker, and leaving them out makes each later full collection cost tens of milliseconds
instead of over a hundred. The PDF renderer relies on that (see core/pdf.py). A first request no
longer pays for the imports either.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnering.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view now, not at the first request
gc.collect()
gc.freeze()
