"""Adherence (issue 19): planned against delivered sessions and minutes per plan item."""


def engagement_adherence(engagement_id, as_of=None):
    """Filled in by the adherence work; None: nothing to show yet."""
    return None
