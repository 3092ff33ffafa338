"""The ``policy-search`` command: index, query, serve, check."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from indexer import store
from search_app.highlight import plain

# Server threads: one per core (at least 2, at most 8). A query is CPU work under the GIL, so
# more threads than cores only queue and each holds its own Whoosh readers (about 30 MB):
# measured on 2 cores, 2 threads gave 81 requests/s at 340 MB, 8 threads 57 at 424 MB.
DEFAULT_THREADS = min(8, max(2, os.cpu_count() or 2))

if TYPE_CHECKING:  # the build (readers of every format, Whoosh's writer) is loaded only by
    # the commands that build: a query answers without it
    from indexer.build import BuildReport, Progress

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = "index"
WARNINGS_SHOWN = 20


class CliError(click.ClickException):
    """A clear message and exit status 2 (bad input, missing index, not our folder)."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(click.style("Error: ", fg="red") + self.format_message(), err=True)


class _OneLine:
    """Usage errors (``--page -1``, a missing argument, an unknown command) as one line."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            path = f"{parent.command_path} {info_name}" if parent else info_name
            raise CliError(f"{err.format_message()} (see {path} --help)") from None


class OneLineCommand(_OneLine, click.Command):
    pass


class OneLineGroup(_OneLine, click.Group):
    command_class = OneLineCommand

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as err:
            raise CliError(f"{err.format_message()} (see {ctx.command_path} --help)") from None


index_dir_option = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_INDEX,
    envvar="POLICY_SEARCH_INDEX",
    show_default=True,
    show_envvar=True,
    help="Folder of the index.",
)


@click.group(cls=OneLineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy-search")
def cli() -> None:
    """Full-text search over Chinese policy reports: paragraphs and table rows, in either
    script, with region and year facets.

    \b
    Example:
      policy-search index corpus/
      policy-search query 东西部协作
      policy-search serve
    """


# ---- index --------------------------------------------------------------------------------


class _Bar:
    """Progress on stderr: a bar on a terminal, a line every few seconds otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        final = p.files_done == p.files_total
        if not final and now - self.last < (0.1 if self.tty else 5.0):
            return
        self.last = now
        rate = p.units / p.seconds if p.seconds > 0 else 0.0
        width = 30
        filled = int(width * p.files_done / max(1, p.files_total))
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {p.files_done}/{p.files_total} files"
                f"  {p.units:,} units  {rate:,.0f} units/s")
        if self.tty:
            click.echo("\r" + line, nl=final, err=True)
        else:
            click.echo(line, err=True)
        self.shown = True


def _summary(r: BuildReport) -> str:
    if r.up_to_date:
        head = f"index is up to date: {r.documents:,} documents, {r.units:,} units"
    else:
        kind = "full build" if r.full else "update"
        head = (f"{kind}: {r.documents:,} documents, {r.units:,} units in the index "
                f"({r.analysed_units:,} units analysed)")
    warned = f"; {len(r.warnings)} warnings" if r.warnings else ""
    return (f"{head}\n  added {r.added}, changed {r.changed}, deleted {r.deleted}, "
            f"unchanged {r.unchanged}; skipped {len(r.skipped)} files{warned}; "
            f"{r.seconds:.1f} s")


def run_build(corpus: Path, index_dir: Path, full: bool, jobs: int | None,
              quiet: bool = False) -> BuildReport:
    """Build with a progress bar and a summary; turn known failures into CliError."""
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame):  # clean up like Ctrl-C: the live index stays as it was
        raise KeyboardInterrupt

    if previous in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, on_term)
    from indexer.build import CorpusError, build_index

    try:
        report = build_index(corpus, index_dir, full=full, jobs=jobs,
                             progress=None if quiet else _Bar())
    except (CorpusError, store.IndexError_) as err:
        raise CliError(str(err)) from None
    except KeyboardInterrupt:
        raise CliError("build interrupted; the previous index is unchanged") from None
    finally:
        if previous in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for doc_id, reason in report.skipped:
        click.echo(click.style("warning: ", fg="yellow") + f"skipped {doc_id}: {reason}", err=True)
    _echo_warnings(report.warnings)
    if report.removed_leftovers:
        click.echo(f"removed {len(report.removed_leftovers)} unfinished build folder(s) "
                   "left by an interrupted build", err=True)
    if not quiet:
        click.echo(_summary(report))
    return report


def _echo_warnings(warnings: list[str]) -> None:
    """One line each (a table read with doubts, an unusual encoding), the first few only;
    tracebacks of skipped files are already summed up by their skip line."""
    lines = [w for w in warnings if "\n" not in w.strip()]
    for line in lines[:WARNINGS_SHOWN]:
        click.echo(click.style("warning: ", fg="yellow") + line, err=True)
    if len(lines) > WARNINGS_SHOWN:
        click.echo(f"… and {len(lines) - WARNINGS_SHOWN} more warnings", err=True)


@cli.command("index")
@click.argument("corpus_arg", metavar="[CORPUS]", required=False,
                type=click.Path(path_type=Path))
@click.option("--corpus", "corpus_opt", type=click.Path(path_type=Path),
              envvar="POLICY_SEARCH_CORPUS", show_envvar=True,
              help=f"Folder of reports (.txt/.md, any depth). Default: ./{DEFAULT_CORPUS}")
@index_dir_option
@click.option("--full", is_flag=True, help="Rebuild everything instead of updating.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: the number of cores, at most 4).")
def index_cmd(corpus_arg, corpus_opt, index_dir, full, jobs):
    """Build or update the index from a corpus folder.

    Only added, changed and deleted files are re-analysed; the new index replaces the old
    one in a single step at the end, so an interrupted build leaves the old one serving.

    \b
    Example:
      policy-search index corpus/ --index-dir index/
    """
    corpus = corpus_arg or corpus_opt or Path(DEFAULT_CORPUS)
    run_build(corpus, index_dir, full, jobs)


# ---- query --------------------------------------------------------------------------------


def _terminal_text(html: str, tty: bool) -> str:
    marked = html.replace("<mark>", "\x00").replace("</mark>", "\x01")
    text = plain(marked)
    if tty:
        return text.replace("\x00", "\x1b[1;33m").replace("\x01", "\x1b[0m")
    return text.replace("\x00", "[").replace("\x01", "]")


def _print_hits(data: dict, result, shown: list, show_facets: bool) -> None:
    """``shown``: the hits as present.hit_views labels them (marked title, heading path)."""
    tty = sys.stdout.isatty()
    pages = result.pages
    click.echo(f"{result.total:,} results for {result.query!r} ({result.took_ms:.0f} ms)"
               + (f", page {result.page} of {pages}" if pages > 1 else ""))
    for note in result.notes:
        click.echo(f"note: {note}")
    for rank, hit in enumerate(shown, start=(result.page - 1) * result.per_page + 1):
        click.echo("")
        title = " · ".join([_terminal_text(hit.title_html or hit.doc_id, tty), *hit.qualifier])
        click.echo(f"{rank:>3}. " + (click.style(title, bold=True) if tty else title))
        where = [hit.kind.replace("_", " ")]  # a row's caption opens its snippet
        if hit.section:
            where.append(_terminal_text(hit.section_html, tty))
        if hit.regions:
            where.append("、".join(r.rsplit("/", 1)[-1] for r in hit.regions[:3])
                         + ("…" if len(hit.regions) > 3 else ""))
        if hit.year:
            where.append(str(hit.year) + (" (inferred)" if hit.year_source == "inferred" else ""))
        where.append(f"{hit.doc_id}#u-{hit.ordinal}")
        click.echo("     " + " · ".join(where))
        click.echo("     " + _terminal_text(hit.snippet, tty))
    if show_facets:
        click.echo("")
        for name in ("region", "year"):
            values = data["facets"].get(name, [])
            shown = ", ".join(f"{v.get('label', v['value'])} ({v['count']})" for v in values[:20])
            click.echo(f"{name}: {shown or '—'}")


def _print_csv(index_dir: Path, q: str, region: list[str], year: list[str], kind,
               exact: bool = False) -> None:
    """The whole result set as CSV on stdout (export.py's rows; no BOM: a pipe, not Excel);
    the cap note, if any, on stderr."""
    from search_app.export import CAP_NOTE, MAX_UNITS, csv_text, rows
    from search_app.health import checked_search
    from search_app.params import SearchArgs
    from search_app.query import QueryError

    args = SearchArgs(q=q, region=region, year=year, kind=kind, exact=exact)

    def run(snap):
        total, items = rows(snap, args, lambda h: f"{h.doc_id}#u-{h.ordinal}")
        for line in csv_text(items, bom=False):
            click.echo(line, nl=False)
        return total

    try:
        total = checked_search(index_dir, run)
    except store.IndexError_ as err:
        raise CliError(f"{err}") from None
    except (QueryError, ValueError) as err:
        raise CliError(str(err)) from None
    if total > MAX_UNITS:
        click.echo("note: " + CAP_NOTE.format(cap=MAX_UNITS, total=total), err=True)


@cli.command("query")
@click.argument("text", nargs=-1, required=True)
@index_dir_option
@click.option("--limit", "-n", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Results per page.")
@click.option("--page", "-p", type=click.IntRange(1, None), default=1, show_default=True)
@click.option("--region", multiple=True, help="Only units about this place (any level).")
@click.option("--year", multiple=True, help="Only this year (2020) or range (2016-2018).")
@click.option("--kind", type=click.Choice(["paragraph", "table_row"]), default=None)
@click.option("--facets", "show_facets", is_flag=True, help="Also print region and year counts.")
@click.option("--json", "as_json", is_flag=True, help="Print the /api/search JSON object.")
@click.option("--csv", "as_csv", is_flag=True,
              help="Print every result (up to 10,000 units, all pages) as CSV, as /export.csv.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance",
              show_default=True, help="Order by relevance or by the document's year.")
@click.option("--group", is_flag=True, help="One hit per document (its best unit).")
@click.option("--exact", is_flag=True,
              help="Match terms in the units' own text only: no document context (region, "
                   "year, title) and no expansion of policy abbreviations.")
def query_cmd(text, index_dir, limit, page, region, year, kind, show_facets, as_json, as_csv,
              sort, group, exact):
    """Search the index and print the best paragraphs and table rows.

    Terms are ANDed; use "exact phrase", OR, -term or NOT term. Either script works.

    \b
    Example:
      policy-search query 闽宁协作
      policy-search query '"易地扶贫搬迁" 独山' --limit 5 --json
      policy-search query 扶贫车间 --region 贵州 --csv > results.csv
    """
    from search_app.health import checked_search
    from search_app.present import hit_views
    from search_app.query import QueryError
    from search_app.search import search
    from search_app.serialize import search_json

    q = " ".join(text)
    if as_csv:
        _print_csv(index_dir, q, list(region), list(year), kind, exact)
        return
    try:
        def run(snap):
            found = search(snap, q, region=list(region) or None, year=list(year) or None,
                           kind=kind, page=page, per_page=limit, exact=exact, sort=sort,
                           group=group)
            return found, hit_views(snap, found)

        result, shown = checked_search(index_dir, run)
    except store.IndexError_ as err:
        raise CliError(f"{err}") from None
    except (QueryError, ValueError) as err:
        raise CliError(str(err)) from None
    data = search_json(result, kind)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_hits(data, result, shown, show_facets)


# ---- serve --------------------------------------------------------------------------------


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="POLICY_SEARCH_HOST",
              help="Address to listen on (0.0.0.0 makes the page reachable from other machines).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              envvar="POLICY_SEARCH_PORT", help="Port to listen on (0 picks a free one).")
@index_dir_option
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS,
              envvar="POLICY_SEARCH_CORPUS", show_envvar=True, show_default=True,
              help="Folder of reports, indexed first when there is no index yet.")
@click.option("--threads", type=click.IntRange(1, 64), default=DEFAULT_THREADS, show_default=True,
              help="Requests answered at the same time.")
@click.option("--query-budget-ms", type=click.FloatRange(0), default=None,
              envvar="POLICY_SEARCH_QUERY_BUDGET_MS", show_envvar=True,
              help="Time after which a query stops its optional work and answers what it "
                   "found, marked partial (default 1000; 0: no limit).")
@click.option("--get", "get_path", metavar="PATH",
              help="Print the response to one request (e.g. /api/health) and exit.")
def serve_cmd(host, port, index_dir, corpus, threads, query_budget_ms, get_path):
    """Serve the search page and the JSON API.

    With no index yet, the corpus is indexed first (with a progress bar), so a fresh
    checkout only needs this one command. A rebuild while serving is picked up without
    a restart.

    \b
    Example:
      policy-search serve
      policy-search serve --port 8080 --index-dir /srv/index
      policy-search serve --get '/api/search?q=扶贫车间'
    """
    from search_app import create_app
    from search_app import server as S

    if query_budget_ms is not None:  # read by search() in every request thread
        os.environ["POLICY_SEARCH_QUERY_BUDGET_MS"] = str(query_budget_ms)
    if store.live_generation(index_dir) is None and not (index_dir / store.CURRENT).exists():
        click.echo(f"no index at {index_dir} yet: indexing {corpus} first", err=True)
        run_build(corpus, index_dir, full=False, jobs=None)
    app = create_app({"INDEX_DIR": str(index_dir), "CORPUS": str(corpus)})
    if get_path:
        response = app.test_client().get(get_path)
        text = response.get_data(as_text=True)
        app.extensions["policy_search"].close()
        click.echo(text, nl=not text.endswith("\n"))
        sys.exit(0 if response.status_code < 400 else 1)
    try:
        health = S.warm_up(app)
        server = S.make_server(app, host, port, threads)
    except store.DamagedIndex as err:  # serve the 503s that say so, and look again each second
        click.echo(click.style("warning: ", fg="yellow") + str(err), err=True)
        health = None
    except store.IndexError_ as err:
        raise CliError(str(err)) from None
    except OSError as err:
        raise CliError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    if health is None:
        try:
            server = S.make_server(app, host, port, threads)
        except OSError as err:
            raise CliError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
        click.echo("searches answer 503 until the index is rebuilt")
    else:
        click.echo(f"{health['documents']:,} documents, {health['units']:,} units "
                   f"(index built {health.get('built_at') or 'at an unknown time'})")
    click.echo(f"Serving on {S.server_url(server)}  (Ctrl-C to stop)")
    S.run(server, on_stop=lambda: click.echo("stopped", err=True))


# ---- check --------------------------------------------------------------------------------


@cli.command("check")
@index_dir_option
@click.option("--quick", is_flag=True, help="Compare file sizes only (no checksums).")
def check_cmd(index_dir, quick):
    """Verify the index: every file of the live generation and of the previous one against
    the sizes and CRC-32 checksums recorded when it was built, and SQLite's quick_check on
    the units database. One line per problem, naming the file.

    
    Exit status: 0 sound, 1 damaged, 2 no index (or a usage error).
    A generation built before checksums were recorded is a note, not a problem.

    
    Example:
      policy-search check --index-dir index/
    """
    from indexer.check import check_index

    started = time.perf_counter()
    try:
        found = check_index(index_dir, quick=quick)
    except store.IndexError_ as err:
        raise CliError(str(err)) from None
    for line in found.problems:
        click.echo(click.style("damaged: ", fg="red") + line)
    for line in found.notes:
        click.echo("note: " + line)
    what = "sizes" if quick else "sizes and checksums"
    checked = ", ".join(f"{r.gen.name} ({role}, {r.files} files, {r.bytes / 1e6:,.1f} MB)"
                        for role, r in found.reports)
    seconds = time.perf_counter() - started
    if found.problems:
        click.echo(f"the index is damaged: {len(found.problems)} problem(s); rebuild it with "
                   f"`policy-search index --full` ({what} of {checked or 'nothing'}, "
                   f"{seconds:.1f} s)")
        sys.exit(1)
    click.echo(f"the index is sound: {what} of {checked} verified in {seconds:.1f} s")


def main() -> None:  # pragma: no cover - console entry
    cli(prog_name=os.path.basename(sys.argv[0]) or "policy-search")
