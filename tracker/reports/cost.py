"""Cost of support (issue 19): minutes x the attending ISPs' hourly rates, by stage and per engagement."""


def engagement_cost(engagement_id):
    """Filled in by the cost work; None: nothing to show yet."""
    return None
