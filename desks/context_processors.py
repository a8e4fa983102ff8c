from policies.roles import role_of


def portal(request):
    """The signed-in member of staff's role, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"staff_role": role_of(user)}
