from django.http import HttpRequest

from partnering.core.navigation import ARRANGEMENT_TABS


def service(request: HttpRequest) -> dict[str, object]:
    """The service name in every page's header and title, and the arrangement tabs."""
    return {"service_name": "Partnering", "arrangement_tabs": ARRANGEMENT_TABS}
