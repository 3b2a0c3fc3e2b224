"""Settings for the benchmark server: the production settings plus the ceiling route.

The runner starts gunicorn with DJANGO_SETTINGS_MODULE=partnering.bench.settings and
DEBUG=false, so everything but the URLconf and the static root is what production runs.
"""

from partnering.settings import *  # noqa: F403
from partnering.settings import VAR_DIR

ROOT_URLCONF = "partnering.bench.urls"
# Collected separately so that a benchmark never touches a deployment's collected files.
STATIC_ROOT = VAR_DIR / "bench" / "static"
