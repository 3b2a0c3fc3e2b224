"""WSGI entry point for gunicorn: `gunicorn partnering.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnering.settings")

application = get_wsgi_application()
