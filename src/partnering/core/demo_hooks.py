"""Features add their own demo data to the demo arrangement here.

Each feature registers a function; `partnering demo` calls them in order.
Every hook must be idempotent, like the command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_HOOKS: list[Callable[[Any], None]] = []


def demo_hook(func: Callable[[Any], None]) -> Callable[[Any], None]:
    _HOOKS.append(func)
    return func


def run_demo_hooks(arrangement: Any) -> None:
    # Import each app's demo module so that its hooks register.
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("partnering."):
            try:
                importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
    for hook in _HOOKS:
        hook(arrangement)
