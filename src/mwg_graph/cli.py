"""``mwg-graph build | validate | diff | publish | serve | rollout | export``: thin wrappers.

Every setting of :mod:`mwg_graph.config` is also a flag (``--query-timeout 5``), so the CLI, the
environment and the README table can never disagree about which settings exist.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

from mwg_graph.build.load import LoadError
from mwg_graph.config import Settings, env_name, from_env, setting_names

EXPORT_HASH_SEED = "0"


class CommandFailed(Exception):
    """A command could not do its job for a reason the user can act on (bad data, a store that
    refuses, a replica that does not answer): its message goes to standard error and the exit
    status is 1, never a traceback."""


@contextmanager
def failing_as(prefix: str, *errors: type[Exception], then: str = "") -> Iterator[None]:
    """Turn the ``errors`` a command expects into :class:`CommandFailed` ``"{prefix}: {error}"``
    (and the line ``then``, when given): every command reports its failures the same way."""
    try:
        yield
    except errors as error:
        raise CommandFailed(f"{prefix}: {error}" + (f"\n{then}" if then else "")) from error


def _add_setting_flags(parser: argparse.ArgumentParser, only: list[str] | None = None) -> None:
    for f in fields(Settings):
        if only is not None and f.name not in only:
            continue
        flag = "--" + f.name.replace("_", "-")
        help_text = f"{f.metadata['help']} [env {env_name(f.name)}; default {f.default}]"
        if f.type in ("bool", bool):
            parser.add_argument(flag, action="store_true", default=None, help=help_text)
        else:
            parser.add_argument(flag, type=f.metadata["parse"], default=None, help=help_text)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mwg-graph", description="Build, validate and serve the MWG knowledge graph."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_only = [
        "base_iri", "dist_dir", "data_dir", "ontology_dir", "shapes_dir", "partners_dir",
        "license_iri", "publisher_name", "publisher_url", "contact_email",
    ]  # fmt: skip
    _add_setting_flags(
        commands.add_parser("build", help="validate data/ and publish a release to dist/"),
        build_only,
    )
    _add_setting_flags(
        commands.add_parser("validate", help="check data/ against the SHACL shapes"),
        ["base_iri", "data_dir", "ontology_dir", "shapes_dir"],
    )
    _add_setting_flags(
        commands.add_parser(
            "diff", help="say which facts data/ adds or removes against the release"
        ),
        build_only,
    )
    _add_setting_flags(
        commands.add_parser(
            "publish",
            help="load the current release into a triple store (SPARQL Graph Store Protocol)",
        ),
        ["base_iri", "dist_dir", "graph_store", "graph_store_update"],
    )
    _add_setting_flags(commands.add_parser("serve", help="serve the latest valid release"))
    _add_rollout_arguments(
        commands.add_parser(
            "rollout", help="move replicas behind nginx to a release, half at a time"
        )
    )
    export = commands.add_parser(
        "export", help="write the current release as a static site (hosting/ has the rules)"
    )
    export.add_argument("site_dir", metavar="DIR", type=Path, help="folder of the static site")
    _add_setting_flags(export, ["base_iri", "public_url", "dist_dir", "license_iri"])
    return parser


def _add_rollout_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of one operation, not settings of the server: README "Hosting" explains them."""
    parser.add_argument("version", help="the release to serve (a folder of dist/releases)")
    parser.add_argument(
        "--replica",
        action="append",
        required=True,
        metavar="HOST:PORT=DIST",
        help="a replica and its own dist directory (give each, in order)",
    )
    parser.add_argument(
        "--upstream-file",
        type=Path,
        required=True,
        help="the file hosting/nginx/mwg-replicas.conf includes (@UPSTREAM@)",
    )
    parser.add_argument(
        "--nginx-pid",
        type=Path,
        default=Path("/run/nginx.pid"),
        help="nginx's pid file [default /run/nginx.pid]",
    )
    parser.add_argument(
        "--releases-dir",
        type=Path,
        default=None,
        help="the shared releases [default: dist/releases of --dist-dir]",
    )
    parser.add_argument(
        "--host-header",
        default=None,
        help="the Host the replicas answer for (their --allowed-hosts)",
    )
    parser.add_argument(
        "--wait", type=float, default=60.0, help="seconds each step may take [default 60]"
    )
    parser.add_argument(
        "--init",
        action="store_true",
        help="first setup: point every replica at the release and write the "
        "upstream file, touching no running process",
    )
    _add_setting_flags(parser, ["dist_dir"])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    overrides = {name: getattr(args, name, None) for name in setting_names()}
    settings = from_env(**overrides)
    try:
        if args.command == "export":
            return cmd_export(settings, args.site_dir, sys.argv[1:] if argv is None else argv)
        if args.command == "rollout":
            return cmd_rollout(settings, args)
        handler = {
            "build": cmd_build, "validate": cmd_validate, "diff": cmd_diff, "publish": cmd_publish,
            "serve": cmd_serve,
        }  # fmt: skip
        return handler[args.command](settings)
    except CommandFailed as failure:
        print(failure, file=sys.stderr)
        return 1


def cmd_validate(settings: Settings) -> int:
    from mwg_graph.build.release import check

    with failing_as("error", LoadError):
        result = check(settings)
    print(result.text(), file=sys.stdout if result.conforms else sys.stderr)
    return 0 if result.conforms else 1


def cmd_build(settings: Settings) -> int:
    from mwg_graph.build.release import BuildFailed, build

    with failing_as(
        "build failed", BuildFailed,
        then="The previous release (if any) is unchanged and keeps serving.",
    ):  # fmt: skip
        result = build(settings)
    verb = "published" if result.changed else "unchanged"
    print(f"release {result.version} {verb}: {result.triples} triples in {_show(result.path)}")
    print(result.changes)
    return 0


def cmd_diff(settings: Settings) -> int:
    from mwg_graph.build.load import load_data, load_ontology
    from mwg_graph.build.release import diff_against_release
    from mwg_graph.dist import current_release, read_release_info

    release = current_release(settings)
    if release is None:
        print("No release yet: every fact in data/ would be new.")
        return 0
    with failing_as("error", LoadError):
        content = load_ontology(settings) + load_data(settings)
    version = read_release_info(release)["version"]
    print(diff_against_release(release, content).text(version))
    return 0


def cmd_rollout(settings: Settings, args: argparse.Namespace) -> int:
    from mwg_graph.dist import releases_dir
    from mwg_graph.publish.rollout import (
        Plan,
        RolloutFailed,
        point,
        replica_from_arg,
        rollout,
        upstream_conf,
    )

    try:
        replicas = [replica_from_arg(text) for text in args.replica]
    except ValueError as error:
        print(f"error: --replica {error}", file=sys.stderr)
        return 2
    plan = Plan(replicas, args.releases_dir or releases_dir(settings), args.upstream_file,
                args.nginx_pid, args.host_header, args.wait)  # fmt: skip
    with failing_as("rollout stopped", RolloutFailed, OSError):
        if args.init:
            for replica in replicas:
                point(replica, plan.releases, args.version)
            plan.upstream_file.write_text(upstream_conf(replicas, args.version), encoding="utf-8")
            print(f"{len(replicas)} replicas point at {args.version}; {args.upstream_file} written")
        else:
            rollout(plan, args.version)
    return 0


def cmd_publish(settings: Settings) -> int:
    from mwg_graph.publish.graph_store import PublishFailed, publish

    with failing_as("publish failed", PublishFailed):
        published = publish(settings)
    for graph, triples in published.graphs:
        where = settings.graph_store
        print(f"release {published.version}: {triples} triples in <{graph}> at {where}")
    return 0


def cmd_serve(settings: Settings) -> int:
    from mwg_graph.web.serve import serve

    if not ensure_release(settings):
        return 1
    return serve(settings)


def ensure_release(settings: Settings) -> bool:
    """Build when there is no release yet; with broken data/ an existing release still serves.

    A missing or dangling ``dist/current`` is no reason to build: the workers serve the newest
    release that loads, and ``/healthz`` says why (``web.releases.ReleaseHolder``). Here, in the
    command, and not in ``web/``: a web worker never loads the build (pySHACL and all).
    """
    from mwg_graph.dist import RELEASE_INFO, current_release, releases_dir

    folder = releases_dir(settings)
    if current_release(settings) is not None or (
        folder.is_dir() and any((p / RELEASE_INFO).is_file() for p in folder.iterdir())
    ):
        return True
    from mwg_graph.build.release import BuildFailed, build

    try:
        result = build(settings)
    except BuildFailed as failure:
        print(f"no release to serve, and the build failed: {failure}", file=sys.stderr)
        return False
    print(f"built release {result.version}", file=sys.stderr)
    return True


def cmd_export(settings: Settings, site_dir: Path, argv: list[str]) -> int:
    """Run in a process with a fixed hash seed: rdflib writes N-Triples, RDF/XML and JSON-LD in
    the order of its sets, which follows the seed, and an export must be the same bytes every
    time (the server's answers are right in any order; only their bytes differ per process)."""
    from mwg_graph.publish.export.site import ExportFailed, export_site

    if os.environ.get("PYTHONHASHSEED") != EXPORT_HASH_SEED:
        env = os.environ | {"PYTHONHASHSEED": EXPORT_HASH_SEED}
        # exec, not a child: one process, so stopping it stops the export
        os.execve(sys.executable, [sys.executable, "-m", "mwg_graph", *argv], env)

    with failing_as("export failed", ExportFailed):
        result = export_site(settings, site_dir)
    done = result.written
    print(
        f"release {result.version} exported to {_show(result.site)}: {done.files} files, "
        f"{result.bytes / 1e6:.1f} MB; {len(done.written)} written, {len(done.kept)} unchanged, "
        f"{len(done.removed)} removed ({result.seconds:.1f} s)"
    )
    return 0


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
