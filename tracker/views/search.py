"""The search box (issue 23): /search?q= over what the user may see (tracker/search.py)."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import search

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.route("")
@login_required
def index():
    text = request.args.get("q")
    if text is None:  # the page opened without a query: the box alone
        return render_template("search/index.html", text="", results=None, problem=None)
    hit = search.by_readable_id(current_user, text)
    if hit is not None:
        return redirect(url_for(hit.endpoint, **hit.values))
    try:
        results = search.query(current_user, text, request.args.get("page"))
    except search.QueryProblem as problem:
        return render_template("search/index.html", text=text, results=None, problem=search.PROBLEMS[problem.code]), 400
    return render_template("search/index.html", text=text, results=results, problem=None)
