"""Access checks for portal views: signed in, with the right role at this agency."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def role_required(role: str):
    """The person must hold ``role`` at the host's agency; request.membership becomes that role.

    Anyone else gets 404, as for an object of another agency: nothing reveals what exists.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = next((m for m in request.memberships if m.role == role), None)
            if membership is None:
                raise Http404
            request.membership = membership
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
