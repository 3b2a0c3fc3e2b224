"""The `partnering` console script: the project's manage.py."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnering.settings")
    # A command's standard output is its result (`TOKEN=$(partnering create_token EMAIL)`), so its
    # log lines (django-axes' start-up line among them) go to standard error. The development
    # server's request lines stay on standard output, as gunicorn's do.
    if sys.argv[1:2] != ["runserver"]:
        os.environ.setdefault("LOG_STREAM", "stderr")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
