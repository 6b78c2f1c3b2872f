"""Response headers that depend on the request (the static ones are set in settings)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreWhenSignedInMiddleware:
    """Nothing answered to a signed-in session is kept by the browser or any cache in between
    (ASVS 14.3: a shared computer's back button or disk shows no one's hours or bank account).

    Runs after AuthenticationMiddleware; the check happens on the way out, so the response to
    the login itself counts, and a logout's does not need to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Drops a view's "public" (patch_cache_control does, given private).
            patch_cache_control(response, no_store=True, private=True)
        return response
