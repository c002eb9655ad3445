"""Workflow operations that write several kinds of row at once (accepting a request, logging a
meeting, ...): each runs in one transaction and raises models.ValidationError on bad input, so
pages, the API and the CLI share them."""
