"""The admin area (administrators only): users, the audit log, the catalog, and the deleted parts of
an engagement to restore."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from .. import policy
from ..db import database
from ..forms import BaseForm
from ..forms.admin import (
    BenchmarkTemplateForm,
    CatalogEntryForm,
    EditUserForm,
    FeedbackItemForm,
    GoalTemplateForm,
    NewBenchmarkTemplateForm,
    NewCatalogEntryForm,
    NewFeedbackItemForm,
    NewUserForm,
    PasswordForm,
    UserFilterForm,
    capacity_form,
    organization_rates_form,
    settings_form,
)
from ..models import (
    MAX_CAPACITY_HOURS,
    ROLES,
    SETTINGS,
    BenchmarkTemplate,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    FeedbackInstrument,
    FeedbackItem,
    GoalTemplate,
    Organization,
    Principle,
    Setting,
    Stage,
    Strategy,
    StrategyCluster,
    Unit,
    User,
    UserInvitation,
    ValidationError,
)
from ..paging import paginate
from ..reports import coverage
from ..services import account as account_service
from ..services import admin as service
from ..services import parts as parts_service
from .helpers import form_page, form_status, save_fields, save_form, show_date

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@policy.required(policy.can_administer)
def admins_only():
    return None


def _choices(form):
    units = Unit.select(Unit, Organization).join(Organization).order_by(Unit.name, Organization.name)
    return form.set_choices(list(units), list(Organization.select().order_by(Organization.name)))


# --- users ------------------------------------------------------------------------------------


def _ended(revoked):
    """What else ending a user's sessions did, for the administrator's confirmation."""
    tokens = f"{account_service.token_words(revoked)} revoked" if revoked else "no API tokens to revoke"
    return f"Every session of theirs has ended ({tokens}), and they were told by email."


@bp.route("/")
def index():
    return render_template("admin/index.html")


@bp.route("/users")
def users():
    form = UserFilterForm(request.args)
    filters = form.cleaned()
    page = paginate(service.users_query(filters), request.args.get("page"), current_app.config["PER_PAGE"])
    return render_template(
        "admin/users.html", form=form, filters=filters, page=page, users=list(page.get_object_list()), roles=dict(ROLES)
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = _choices(NewUserForm())
    if request.method == "GET":
        form.role.data = "isp"
    return form_page(
        form,
        lambda f: service.invite_user(f.domain_data(), current_user),
        lambda done: (
            f"Invited {done[0].name} <{done[0].email}> as {done[0].role_label.lower()}: an email with a link to "
            f"set their password is on its way (it works until {show_date(done[1].expires_at)})."
        ),
        url_for("admin.users"),
        "admin/user_form.html",
        user=None,
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id):
    user = get_object_or_404(User, User.id == user_id)
    form = _choices(EditUserForm(obj=user if request.method == "GET" else None))
    if request.method == "GET":
        form.unit.data = str(user.unit_id or "")
        form.organization.data = str(user.organization_id or "")
    return form_page(
        form,
        lambda f: service.update_user(f.start_from(user), f.domain_data(), current_user),
        f"Saved {user.name}.",
        url_for("admin.users"),
        "admin/user_form.html",
        user=user,
        invitation=UserInvitation.open_for(user),
        link_form=BaseForm(),
    )


@bp.route("/users/<int:user_id>/send-link", methods=["POST"])
def send_link(user_id):
    """Resend an invitation (or send a password reset link): a new link replaces the old one."""
    user = get_object_or_404(User, User.id == user_id)
    if not BaseForm().validate_on_submit():  # a bad CSRF token answers 400
        abort(400)
    invited = user.is_invited
    with database.atomic():
        invitation = service.send_invitation(user, current_user)
    what = "a new invitation" if invited else "a link to set a new password"
    until = show_date(invitation.expires_at)
    flash(
        f"Sent {what} to {user.name} <{user.email}>; earlier links no longer work. It works until {until}.", "success"
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id):
    user = get_object_or_404(User, User.id == user_id)
    form = PasswordForm()
    done = save_form(
        form,
        lambda f: service.set_password(user, f.password.data),
        lambda done: f"Set a new password for {user.name}. {_ended(done[1])} Any sign-in lock is lifted.",
        url_for("admin.edit_user", user_id=user.id),
    )
    if done:
        return done
    form.password.data = ""
    return render_template("admin/password.html", form=form, user=user), form_status(form)


@bp.route("/users/<int:user_id>/sign-out-everywhere", methods=["GET", "POST"])
def sign_out_everywhere(user_id):
    user = get_object_or_404(User, User.id == user_id)
    form = PasswordForm()  # only for its CSRF check
    if request.method == "POST":
        done = save_form(
            form,
            lambda f: service.sign_out_everywhere(user),
            lambda done: f"{user.name} is signed out on every device. {_ended(done[1])}",
            url_for("admin.edit_user", user_id=user.id),
        )
        if done:
            return done
    return render_template(
        "confirm.html",
        title=f"Sign {user.name} out everywhere?",
        message=(
            f"{user.name} will be signed out on every browser and device and must sign in again. "
            "Use this when a device was lost or an account may be misused."
        ),
        action=url_for("admin.sign_out_everywhere", user_id=user.id),
        button="Sign out everywhere",
        cancel=url_for("admin.edit_user", user_id=user.id),
    )


# --- cost rates (issue 19) ---------------------------------------------------------------------


@bp.route("/cost-rates", methods=["GET", "POST"])
def cost_rates():
    """The ISPs with their hourly rates (each set on the user's form) and the one form of the intermediary
    organizations' rates, which ISPs without their own take (reports/cost.py)."""
    organizations, isps = service.rate_settings()
    form_class = organization_rates_form(organizations, current_app.config["COST_CURRENCY"])
    form = form_class(data={f"org_{o.id}": o.hourly_rate for o in organizations} if request.method == "GET" else None)
    return form_page(
        form,
        lambda f: service.set_organization_rates(f.rates()),
        "Saved the organization rates.",
        url_for("admin.cost_rates"),
        "admin/cost_rates.html",
        organizations=organizations,
        isps=isps,
    )


# --- the organization's settings (issue 23) ------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The organization's settings (models/settings.py SETTINGS): who reviews logs, which logs the reports
    count by default, the on-time working days and the coverage days; each change audited."""
    form_class = settings_form(SETTINGS)
    data = {d.key: str(Setting.value_of(d.key)) for d in SETTINGS}
    data["coverage_days"] = str(coverage.coverage_days())  # the COVERAGE_DAYS config until one is chosen
    form = form_class(data=data if request.method == "GET" else None)
    return form_page(
        form,
        lambda f: Setting.choose_all(f.texts()),
        lambda changed: f"Saved the settings ({len(changed)} changed).",
        url_for("admin.settings"),
        "admin/settings.html",
        definitions=SETTINGS,
    )


# --- monthly capacity (issue 22) ----------------------------------------------------------------


@bp.route("/capacity", methods=["GET", "POST"])
def capacity():
    """Each active ISP's monthly capacity, in hours (stored in minutes): what the Team report and the
    co-lead picker at triage measure their load against (reports/workload.py)."""
    isps = service.capacity_settings()
    form_class = capacity_form(isps)
    data = {f"isp_{u.id}": u.capacity_minutes // 60 for u in isps if u.capacity_minutes is not None}
    form = form_class(data=data if request.method == "GET" else None)
    return form_page(
        form,
        lambda f: service.set_capacities(f.capacities()),
        lambda changed: f"Saved the monthly capacities ({len(changed)} changed).",
        url_for("admin.capacity"),
        "admin/capacity.html",
        isps=isps,
        max_hours=MAX_CAPACITY_HOURS,
    )


# --- audit log --------------------------------------------------------------------------------


@bp.route("/audit")
def audit():
    form = service.audit_filter_form(request.args)
    filters = form.cleaned()
    page = paginate(service.audit_query(filters), request.args.get("page"), current_app.config["PER_PAGE"])
    rows = service.audit_rows(page.get_object_list())
    return render_template(
        "admin/audit.html", form=form, filters=filters, page=page, rows=rows, csv_max=service.AUDIT_CSV_MAX
    )


# --- deleted parts of an engagement ----------------------------------------------------------------


def _restoring_engagement(engagement_id):
    if not policy.can_restore(current_user):
        abort(403)
    return policy.get_engagement(engagement_id)


@bp.route("/engagements/<int:engagement_id>/deleted")
def deleted_parts(engagement_id):
    """Every deleted part of one engagement (team members, goals, meetings, benchmarks, deliverables,
    context notes, next steps, feedback responses), who deleted it and when, each with Restore."""
    engagement = _restoring_engagement(engagement_id)
    return render_template("admin/deleted_parts.html", e=engagement, rows=parts_service.deleted_parts(engagement))


@bp.route("/engagements/<int:engagement_id>/deleted/<kind>/<int:part_id>/restore", methods=["POST"])
def restore_part(engagement_id, kind, part_id):
    engagement = _restoring_engagement(engagement_id)
    part = parts_service.get_deleted_part(kind, engagement, part_id)
    if part is None:
        abort(404)
    if not BaseForm().validate_on_submit():  # a bad CSRF token answers 400
        abort(400)
    parts_service.restore_part(part)
    name = parts_service.PARTS[kind]
    flash(f"{name.name} restored: {name.title(part)}.", "success")
    return redirect(url_for("admin.deleted_parts", engagement_id=engagement.id))


# --- catalog ----------------------------------------------------------------------------------


@bp.route("/catalog")
def catalog():
    frameworks = list(
        CompetencyFramework.select().order_by(CompetencyFramework.is_default.desc(), CompetencyFramework.id)
    )
    domains = list(CompetencyDomain.select().order_by(CompetencyDomain.position, CompetencyDomain.id))
    competencies = list(Competency.select().order_by(Competency.position, Competency.id))
    clusters = list(StrategyCluster.select().order_by(StrategyCluster.number))
    strategies = list(Strategy.select().order_by(Strategy.number, Strategy.id))
    stages = list(Stage.ordered())
    templates = list(BenchmarkTemplate.select().order_by(BenchmarkTemplate.position, BenchmarkTemplate.id))
    by = {}
    for d in domains:
        by.setdefault(("framework", d.framework_id), []).append(d)
    for c in competencies:
        by.setdefault(("domain", c.domain_id), []).append(c)
    for s in strategies:
        by.setdefault(("cluster", s.cluster_id), []).append(s)
    for t in templates:
        by.setdefault(("stage", t.stage_id), []).append(t)
    principles = list(Principle.select().order_by(Principle.position, Principle.id))
    # (kind, id of an earlier version) -> the entry that replaced it
    replaced = {
        (kind, e.replaces_id): e
        for kind, entries in (("competencies", competencies), ("strategies", strategies), ("principles", principles))
        for e in entries
        if e.replaces_id
    }
    return render_template(
        "admin/catalog.html",
        frameworks=frameworks,
        clusters=clusters,
        stages=stages,
        principles=principles,
        by=by,
        replaced=replaced,
        instruments=service.feedback_instruments(),
    )


_ENTRIES = {
    "competencies": (Competency, "competency"),
    "strategies": (Strategy, "strategy"),
    "principles": (Principle, "principle"),
}


def _entry_kind(kind):
    if kind not in _ENTRIES:
        abort(404)
    return _ENTRIES[kind]


def _saved_entry(noun, done):
    """The confirmation of an edit: a rename names the new name (and the old one, kept on old records)."""
    entry, old_name = done
    if old_name is not None:
        return f"Renamed to “{entry.name}” (a new version; records logged as “{old_name}” keep that name)."
    return f"Saved the {noun} “{entry.name}”."


@bp.route("/catalog/<kind>/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(kind, entry_id):
    model, noun = _entry_kind(kind)
    entry = get_object_or_404(model, model.id == entry_id)
    form = CatalogEntryForm(obj=entry if request.method == "GET" else None)
    return form_page(
        form,
        lambda f: service.update_entry(entry, f),
        lambda done: _saved_entry(noun, done),
        url_for("admin.catalog", _anchor=kind),
        "admin/catalog_entry.html",
        entry=entry,
        noun=noun,
        kind=kind,
        replaced_by=service.replacement(entry),
        earlier=model.get_or_none(model.id == entry.replaces_id) if entry.replaces_id else None,
    )


_PARENTS = {"competencies": ("Competency domain", "domain"), "strategies": ("Cluster", "cluster")}


def _parent_choices(kind):
    if kind == "competencies":
        domains = CompetencyDomain.select(CompetencyDomain, CompetencyFramework).join(CompetencyFramework)
        rows = domains.order_by(CompetencyFramework.id, CompetencyDomain.position, CompetencyDomain.id)
        return [(str(d.id), f"{d.name} ({d.framework.short_name})") for d in rows]
    return [(str(c.id), f"{c.number}. {c.name}") for c in StrategyCluster.select().order_by(StrategyCluster.number)]


@bp.route("/catalog/<kind>/new", methods=["GET", "POST"])
def new_entry(kind):
    """Add a competency (to a domain), a strategy (to a cluster) or a principle."""
    model, noun = _entry_kind(kind)
    form = NewCatalogEntryForm()
    if kind in _PARENTS:
        form.parent.label.text = _PARENTS[kind][0]
        form.parent.choices = [("", "Choose one")] + _parent_choices(kind)
        if request.method == "GET":
            form.parent.data = request.args.get("in", "")

    def add(f):
        parent = int(f.parent.data) if kind in _PARENTS and f.parent.data else None
        if kind in _PARENTS and parent is None:
            raise ValidationError({"parent": f"Choose the {_PARENTS[kind][1]} it belongs to."})
        return service.add_entry(model, f, parent)

    return form_page(
        form,
        add,
        lambda entry: f"Added the {noun} “{entry.name}”: new forms offer it from now on.",
        url_for("admin.catalog", _anchor=kind),
        "admin/catalog_entry.html",
        entry=None,
        noun=noun,
        kind=kind,
        with_parent=kind in _PARENTS,
    )


@bp.route("/catalog/benchmarks/<int:template_id>/edit", methods=["GET", "POST"])
def edit_benchmark_template(template_id):
    template = get_object_or_404(BenchmarkTemplate, BenchmarkTemplate.id == template_id)
    form = BenchmarkTemplateForm(obj=template if request.method == "GET" else None)
    return form_page(
        form,
        lambda f: service.update_benchmark_template(template, f),
        "Saved the benchmark.",
        url_for("admin.catalog", _anchor="stages"),
        "admin/benchmark_template.html",
        bt=template,
        stage=template.stage,
    )


@bp.route("/catalog/stages/<int:stage_id>/benchmarks/new", methods=["GET", "POST"])
def new_benchmark_template(stage_id):
    stage = get_object_or_404(Stage, Stage.id == stage_id)
    form = NewBenchmarkTemplateForm()
    return form_page(
        form,
        lambda f: service.add_benchmark_template(stage, f),
        f"Added a benchmark to {stage.name}.",
        url_for("admin.catalog", _anchor="stages"),
        "admin/benchmark_template.html",
        bt=None,
        stage=stage,
    )


# --- feedback items: each change makes a new version of the instrument ------------------------------

_FEEDBACK = "feedback"  # the catalog's section


def _of_version(instrument):
    return f"version {instrument.version} of “{instrument.name}”"


def _item_page(form, write, success, item=None, instrument=None):
    instrument = instrument or item.instrument
    return form_page(
        form,
        write,
        success,
        url_for("admin.catalog", _anchor=_FEEDBACK),
        "admin/feedback_item.html",
        item=item,
        instrument=instrument,
        newer=instrument.newer,
        scale_names=instrument.scale_names,
        kinds=dict(FeedbackItem.kind.choices),
    )


@bp.route("/catalog/feedback-items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_feedback_item(item_id):
    """Reword a feedback question: a new version of its instrument asks the new wording."""
    item = get_object_or_404(FeedbackItem, FeedbackItem.id == item_id)
    form = FeedbackItemForm(obj=item if request.method == "GET" else None)
    return _item_page(
        form,
        lambda f: service.reword_feedback_item(item, f),
        lambda done: (
            f"Reworded to “{done[2].text}” — {_of_version(done[0])}. Answers given before keep the wording they were "
            "asked with."
        ),
        item=item,
    )


@bp.route("/catalog/feedback/<int:instrument_id>/items/new", methods=["GET", "POST"])
def new_feedback_item(instrument_id):
    """Add a feedback question (an agreement question on one of the instrument's scales, or an open one)."""
    instrument = get_object_or_404(FeedbackInstrument, FeedbackInstrument.id == instrument_id)
    form = NewFeedbackItemForm().set_scales(instrument.scale_names)

    def added(done):
        new_instrument, item = done
        where = instrument.scale_names.get(item.scale, item.scale) if item.scale else "open answer"
        return f"Item added: “{item.text}” ({where}) — {_of_version(new_instrument)}. New requests ask it."

    return _item_page(form, lambda f: service.add_feedback_item(instrument, f), added, instrument=instrument)


@bp.route("/catalog/feedback-items/<int:item_id>/retire", methods=["GET", "POST"])
def retire_feedback_item(item_id):
    """Retire a feedback question, after a confirmation: a new version of the instrument no longer asks it."""
    item = get_object_or_404(FeedbackItem, FeedbackItem.id == item_id)
    form = BaseForm()  # its CSRF check
    back = url_for("admin.catalog", _anchor=_FEEDBACK)
    if request.method == "POST":
        done = save_form(
            form,
            lambda f: service.retire_feedback_item(item),
            lambda done: (
                f"Item retired: “{done[1].text}” — {_of_version(done[0])} no longer asks it. Answers given before "
                "stay in the reports."
            ),
            back,
        )
        if done:
            return done
        if not form.form_errors:
            abort(400)  # a bad CSRF token
        flash(" ".join(form.form_errors), "error")  # refused (a newer version exists, the last question)
        return redirect(back)
    return render_template(
        "confirm.html",
        title="Retire this feedback question?",
        message=(
            f"“{item.text}” will no longer be asked: version {item.instrument.version + 1} of "
            f"“{item.instrument.name}” leaves it out. Answers already given to it keep it and stay in the reports."
        ),
        action=url_for("admin.retire_feedback_item", item_id=item.id),
        button="Retire the question",
        cancel=back,
    )


# --- goal templates (issue 23): offered when adding a goal ---------------------------------------------


@bp.route("/goal-templates")
def goal_templates():
    """The goal templates, those offered first; each with edit and retire (or offer again)."""
    return render_template("admin/goal_templates.html", templates=list(service.goal_templates()), form=BaseForm())


@bp.route("/goal-templates/new", methods=["GET", "POST"])
def new_goal_template():
    return form_page(
        GoalTemplateForm(),
        lambda f: save_fields(GoalTemplate(), f),
        lambda t: f"Goal template “{t.title}” added: it is offered when adding a goal.",
        url_for("admin.goal_templates"),
        "admin/goal_template.html",
        gt=None,
    )


@bp.route("/goal-templates/<int:goal_template_id>/edit", methods=["GET", "POST"])
def edit_goal_template(goal_template_id):
    template = get_object_or_404(GoalTemplate, GoalTemplate.id == goal_template_id)
    return form_page(
        GoalTemplateForm(obj=template),
        lambda f: save_fields(f.start_from(template), f),
        lambda t: f"Goal template “{t.title}” saved. Goals made from it keep their own text.",
        url_for("admin.goal_templates"),
        "admin/goal_template.html",
        gt=template,
    )


@bp.route("/goal-templates/<int:goal_template_id>/retire", methods=["POST"])
def retire_goal_template(goal_template_id):
    """Retire a template (no longer offered) or offer a retired one again."""
    template = get_object_or_404(GoalTemplate, GoalTemplate.id == goal_template_id)
    done = save_form(
        BaseForm(),
        lambda f: service.retire_goal_template(template, not template.retired),
        lambda t: f"Goal template “{t.title}” " + ("retired: no longer offered." if t.retired else "offered again."),
        url_for("admin.goal_templates"),
    )
    return done or abort(400)
