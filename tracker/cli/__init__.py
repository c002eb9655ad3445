"""Every `flask --app tracker ...` command, registered one way: `init_app(app)` adds each command of
COMMANDS to `app.cli`. A command is a click command defined in a module of this package, or, for the
developer and operations tools in tracker/tools/, a LazyCommand: its name and one-line help here, its
definition (options, output) beside the tool, imported only when the command runs or shows its help,
so `create_app()` never imports tracker.tools.

    init-db          create the schema (latest version) and load the default catalogs   cli/schema.py
    migrate          apply the migrations this database has not had yet                 cli/schema.py
    create-user      create a user who can sign in                                      cli/users.py
    create-token     create an API token for a user and print it once                   cli/tokens.py
    backup           write a consistent copy of the SQLite database                      cli/backup.py
    restore          replace the SQLite database with a backup                           cli/backup.py
    export-research  tidy CSV files, a codebook and a REDCap data dictionary             cli/research.py
    rebuild-search   the search index filled again from the records                     cli/search.py
    rebuild-rollups  the report rollups computed again from the raw rows                 cli/search.py
    portfolio-template, import-portfolio, export-portfolio
                     the portfolio workbook: its template, import, export               cli/portfolio.py
    send-surveys     send the periodic feedback survey where one is due (cron)           cli/feedback.py
    send-mail        send the outbox's due emails, retrying failed ones (cron)           cli/mail.py
    send-digests     the daily notification digests and the ISPs' weekly summary (cron) cli/notifications.py
    seed-demo        the demo data: five ISPs supporting a foundation's units            tools/demo.py
    generate-data    a synthetic portfolio for performance work                          tools/generate.py
    bench            page times and query counts on synthetic portfolios                 tools/bench.py
    load-test        virtual ISPs against running servers, then every write checked      tools/loadtest.py

A new command: define it with @click.command in a module here (or beside its tool, with a
LazyCommand below), add it to COMMANDS and to the README's command table (tests/test_structure.py
checks that the two agree).
"""

import importlib

import click

from .backup import backup_command, restore_command
from .feedback import send_surveys_command
from .mail import send_mail_command
from .notifications import send_digests_command
from .portfolio import export_portfolio_command, import_portfolio_command, portfolio_template_command
from .research import export_research_command
from .schema import init_db_command, migrate_command
from .search import rebuild_rollups_command, rebuild_search_command
from .tokens import create_token_command
from .users import create_user_command


class LazyCommand(click.Command):
    """A command whose definition lives in `target` ("module:attribute"), imported on first use.

    `flask --help` lists it from the name and the help given here (the real command's first line);
    running it, or asking for its --help, imports the module and hands parsing and running to the real
    command (tests/test_structure.py checks that the two helps agree)."""

    def __init__(self, name, target, help_text):
        super().__init__(name, help=help_text)
        self.target = target

    def load(self):
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def make_context(self, info_name, args, parent=None, **extra):
        return self.load().make_context(info_name, args, parent=parent, **extra)


COMMANDS = [
    init_db_command,
    migrate_command,
    create_user_command,
    create_token_command,
    backup_command,
    restore_command,
    export_research_command,
    portfolio_template_command,
    import_portfolio_command,
    export_portfolio_command,
    send_surveys_command,
    send_mail_command,
    send_digests_command,
    rebuild_search_command,
    rebuild_rollups_command,
    LazyCommand(
        "seed-demo",
        "tracker.tools.demo:seed_demo_command",
        "Fill the database with the reference setting: five ISPs supporting a foundation's units.",
    ),
    LazyCommand(
        "generate-data",
        "tracker.tools.generate:generate_data_command",
        "Fill a fresh database with a synthetic portfolio proportional to --scale.",
    ),
    LazyCommand(
        "bench",
        "tracker.tools.bench:bench_command",
        "Measure every page cold and warm against its honest floor on synthetic portfolios; check the targets.",
    ),
    LazyCommand(
        "load-test",
        "tracker.tools.loadtest:load_test_command",
        "Drive the servers at URL with virtual ISPs, then check every acknowledged write once.",
    ),
]


def init_app(app):
    for command in COMMANDS:
        app.cli.add_command(command)
