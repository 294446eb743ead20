"""``expand``, ``path``, ``shared``, ``query``, ``export``, ``verify`` and ``rings mark``."""

import sys
from enum import Enum
from pathlib import Path

import typer

from ..wording import counted
from . import FORMAT_HELP, Format, app, emit, err, out, write_json
from .rings import rings_app

TYPE_HELP = "What the id is: account, device, ip, address, instrument, order or promo (default: worked out from the id)."


class TreeFormat(str, Enum):
    tree = "tree"
    table = "table"
    json = "json"
    csv = "csv"
    graphml = "graphml"


class ChainFormat(str, Enum):
    chain = "chain"
    table = "table"
    json = "json"
    csv = "csv"


# --------------------------------------------------------------------------- expand

def _label(node, rel_text, describe) -> str:
    from rich.markup import escape

    ring = sorted(node.rings or [], key=lambda r: -(r.get("score") or 0))
    text = f"[dim]{node.type}[/dim] [bold]{escape(node.id)}[/bold]"
    details = describe(node.type, node.props)
    if details:
        text += f" [dim]· {escape(details)}[/dim]"
    if node.type != "account" and node.links is not None:
        text += f" [cyan]· {node.links:,} link{'s' if node.links != 1 else ''}[/cyan]"
    seen = [node.link.get("first_seen"), node.link.get("last_seen")]
    if seen[0]:
        text += f" [dim]· seen {escape(str(seen[0])[:10])} → {escape(str(seen[1] or seen[0])[:10])}[/dim]"
    if ring:
        r = ring[0]
        score = f" {r['score']:.2f}" if isinstance(r.get("score"), (int, float)) else ""
        more = f" +{len(ring) - 1}" if len(ring) > 1 else ""
        text += f" [bold red]● ring {escape(r['id'])}{score} ({escape(str(r.get('role') or 'member'))}){more}[/bold red]"
    if node.rel:
        text = f"[magenta]{escape(rel_text(node.rel, node.forward))}[/magenta] " + text
    return text


def _print_tree(hood) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    from ..investigate import More, describe, rel_text

    children = hood.children()
    cross = hood.cross_links()

    def add(node, branch):
        links = [(other, e) for other, e in cross.get(node.key, []) if other]
        if links:
            shown = [f"{rel_text(e.rel, e.source == node.key)} {other.type} {other.id}" for other, e in links[:4]]
            extra = f" … +{len(links) - 4}" if len(links) > 4 else ""
            branch.add(f"[yellow]↔ also {escape('; '.join(shown))}{extra}[/yellow]")
        for child in children.get(node.key, []):
            if isinstance(child, More):
                branch.add(f"[dim italic]{escape(rel_text(child.rel, child.forward))} {escape(child.text())}[/dim italic]")
            else:
                add(child, branch.add(_label(child, rel_text, describe)))

    tree = Tree(_label(hood.root, rel_text, describe), guide_style="dim")
    add(hood.root, tree)
    out.print(tree, soft_wrap=False)  # long labels wrap under their branch instead of being cut
    note = (f"{counted(len(hood.nodes), 'entity', 'entities')} within {counted(hood.hops, 'hop')} "
            f"of {hood.root.type} {hood.root.id}")
    if hood.more:
        groups = len(hood.more)
        note += f"; {groups} busy link group{'s' if groups != 1 else ''} summarised (top {hood.limit} shown)"
    if hood.stopped:
        note += "; stopped at the node cap, narrow with --limit or --hops"
    err.print(escape(note), highlight=False)


@app.command()
def expand(
    entity: str = typer.Argument(..., metavar="ID", help="An account, device, IP, address (as written), instrument, "
                                                         "card fingerprint (bin:last4), order, promo code, "
                                                         "IP subnet (203.0.113 or CIDR) or building (its address)."),
    hops: int = typer.Option(2, "--hops", min=1, max=4, help="How many links out to go."),
    type_: str = typer.Option(None, "--type", help=TYPE_HELP),
    limit: int = typer.Option(25, "--limit", min=1, max=1000,
                              help="Neighbours listed per node and link type; busier nodes show a count plus the top ones."),
    fmt: TreeFormat = typer.Option(TreeFormat.tree, "--format",
                                   help="tree for people; table, json, csv or graphml to stdout."),
) -> None:
    """The neighbourhood of any entity: how each neighbour connects, its ring and ring score.

    Super-nodes (a device behind thousands of accounts) are summarised: a count plus the
    top --limit neighbours (highest ring score first, then newest).

    Example: graphfraud expand "Hauptstr. 5, 10115 Berlin" --hops 2 --limit 10
    """
    from ..investigate import expand as expand_entity
    from ..store import Store

    with Store.open() as store:
        hood = expand_entity(store, entity, hops=hops, limit=limit, type_=type_)
    if fmt == TreeFormat.tree:
        _print_tree(hood)
    elif fmt == TreeFormat.json:
        write_json(hood.as_json())
    elif fmt == TreeFormat.graphml:   # the bundle's writer: well-formed XML whatever the ids hold
        from ..export import graphml_bytes
        from ..investigate import to_networkx

        sys.stdout.buffer.write(graphml_bytes(to_networkx(hood)))
        sys.stdout.flush()
    else:
        columns = ["depth", "type", "id", "parent", "link", "details", "links", "ring", "ring_score", "ring_role",
                   "first_seen", "last_seen"]
        emit(hood.rows(), Format(fmt.value), columns=columns,
             title=f"{hood.root.type} {hood.root.id}: {counted(len(hood.nodes), 'entity', 'entities')} within "
                   f"{counted(hood.hops, 'hop')}")


# --------------------------------------------------------------------------- path

@app.command()
def path(
    a: str = typer.Argument(..., metavar="A", help="Where the path starts (any entity id)."),
    b: str = typer.Argument(..., metavar="B", help="Where it ends (any entity id)."),
    max_hops: int = typer.Option(6, "--max-hops", min=1, max=6, help="Longest connection to look for (at most 6)."),
    limit: int = typer.Option(10, "--limit", min=1, max=100, help="At most this many paths."),
    type_a: str = typer.Option(None, "--type-a", help="Type of A. " + TYPE_HELP),
    type_b: str = typer.Option(None, "--type-b", help="Type of B. " + TYPE_HELP),
    fmt: ChainFormat = typer.Option(ChainFormat.chain, "--format", help="chain for people; table, json or csv."),
) -> None:
    """The shortest connections between two entities through shared identifiers and orders.

    Paths through quiet identifiers come first: a path through a promo code used by 40,000
    orders says less than one through a device two accounts share.

    Example: graphfraud path acc_104 acc_2291 --max-hops 4
    """
    from rich.markup import escape

    from ..investigate import ALL_PATHS_HOPS, paths
    from ..store import Store

    with Store.open() as store:
        ea, eb, found = paths(store, a, b, max_hops=max_hops, limit=limit, type_a=type_a, type_b=type_b)
    if fmt == ChainFormat.json:
        write_json([{"hops": p.hops, "chain": p.text(), "busiest_link_count": p.weakest, "nodes": p.nodes, "rels": p.rels}
               for p in found])
    elif fmt in (ChainFormat.table, ChainFormat.csv):
        emit([p.row(i) for i, p in enumerate(found, 1)], Format(fmt.value),
             columns=["path", "hops", "chain", "busiest_link_count", "through"],
             title=f"shortest connections between {ea} and {eb}")
    else:
        if found:
            out.print(f"[bold]{len(found)}[/bold] shortest connection{'s' if len(found) > 1 else ''} between "
                      f"{escape(str(ea))} and {escape(str(eb))} ({counted(found[0].hops, 'hop')}):", highlight=False)
            for i, p in enumerate(found, 1):
                out.print(f"{i:>3}. {escape(p.text())}", highlight=False)
    if not found:
        err.print(f"no connection between {escape(str(ea))} and {escape(str(eb))} "
                  f"within {counted(max_hops, 'hop')}",
                  highlight=False)
    elif found[0].hops > ALL_PATHS_HOPS:
        err.print(f"connections longer than {ALL_PATHS_HOPS} hops are shown one at a time")


# --------------------------------------------------------------------------- shared

@app.command()
def shared(
    a: str = typer.Argument(..., metavar="A", help="An account id."),
    b: str = typer.Argument(..., metavar="B", help="Another account id."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """What two accounts have in common: identifiers, counterparties, promo codes, with first/last seen.

    Identifiers count whether an account used them directly or through its orders; a card
    under two ids (same BIN and last 4) and IPs in one subnet are listed too, as are orders
    between the two accounts.

    Example: graphfraud shared acc_104 acc_2291 --format csv
    """
    from rich.markup import escape

    from ..investigate import shared as shared_links
    from ..store import Store

    with Store.open() as store:
        ea, eb, links = shared_links(store, a, b)
    rows = [link.row(ea.id, eb.id) for link in links]
    columns = ["kind", "id", "a_how", "a_first_seen", "a_last_seen", "b_how", "b_first_seen", "b_last_seen",
               "a_spellings", "b_spellings", "note"]
    if fmt == Format.json:
        write_json({"a": ea.id, "b": eb.id, "shared": rows})
    elif fmt == Format.csv:
        emit(rows, fmt, columns=columns)
    else:  # one cell per account: how, first → last seen, and the spellings it used
        def cell(r, side):
            seen = " → ".join(x for x in (r[f"{side}_first_seen"], r[f"{side}_last_seen"]) if x)
            text = ", ".join(x for x in (r[f"{side}_how"], seen) if x)
            return text + (f"\nas {r[f'{side}_spellings']}" if r[f"{side}_spellings"] else "")

        table = [{"kind": r["kind"], "id": r["id"], ea.id: cell(r, "a"), eb.id: cell(r, "b"), "note": r["note"]}
                 for r in rows]
        emit(table, fmt, columns=["kind", "id", ea.id, eb.id, "note"], title=f"what {ea.id} and {eb.id} share")
    if not links:
        err.print(f"{escape(ea.id)} and {escape(eb.id)} share nothing", highlight=False)


# --------------------------------------------------------------------------- query

@app.command()
def query(
    cypher: str = typer.Argument(..., metavar="CYPHER", help="One Cypher statement; use $name for parameters."),
    param: list[str] = typer.Option(None, "--param", "-p", metavar="NAME=VALUE",
                                    help="A parameter: numbers, true/false, null and JSON lists/maps are typed; "
                                         "anything else is a string, digits with a leading zero (an id like "
                                         "0012345) too. Repeat for more."),
    write: bool = typer.Option(False, "--write", help="Allow statements that change the graph."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Run your own Cypher, read-only unless --write (write clauses are refused before anything runs).

    Example: graphfraud query 'MATCH (a:Account)-[:USED_DEVICE]->(d:Device {id: $d}) RETURN a.id AS account' -p d=dev_ab12cd34
    """
    from ..query import parse_params, run
    from ..store import Store

    params = parse_params(param or [])
    with Store.open() as store:
        columns, rows = run(store, cypher, params, write=write)
    emit(rows, fmt, columns=columns)
    if fmt == Format.table:
        err.print(f"{len(rows):,} row{'s' if len(rows) != 1 else ''}")


# --------------------------------------------------------------------------- export / verify

@app.command()
def export(
    ring_id: str = typer.Argument(..., metavar="RING_ID", help="The ring to export."),
    out_dir: str = typer.Option(..., "--out", help="Folder to write the bundle into (created; must be empty; "
                                                  "not a symbolic link)."),
    unmask: bool = typer.Option(False, "--unmask", help="Show instrument ids and card data in full."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier bundle of the same ring in --out "
                                                      "(refused when the folder holds anything else)."),
    by: str = typer.Option(None, "--by", help="Who made the bundle (default: the OS user)."),
) -> None:
    """Write a ring's evidence bundle: CSVs, GraphML, an offline HTML report, queries and a hashed manifest.

    Files: members.csv, identifiers.csv, orders.csv, graph.graphml, report.html,
    summary.json, queries.cypher, manifest.json. Check it later with `graphfraud verify`.

    Example: graphfraud export R-1a2b3c4d5e --out cases/R-1a2b3c4d5e
    """
    from ..export import export_ring, shown
    from ..store import Store

    if not out_dir.strip():   # an empty path would be the current folder
        raise typer.BadParameter("is empty: give the folder to write the bundle into", param_hint="--out")
    with Store.open() as store:
        result = export_ring(store, ring_id, Path(out_dir), unmask=unmask, force=force, by=by)
    if unmask:
        err.print("[yellow]warning:[/yellow] instrument ids and card data are NOT masked in this bundle")
    err.print(f"bundle for ring {shown(result.ring_id)} written to {shown(result.out)}: {result.counts['members']} "
              f"members, {result.counts['identifiers']} shared identifiers, {result.counts['orders']:,} orders",
              markup=False, highlight=False)
    emit([{"file": _file_label(name), "sha256": _short(digest)} for name, digest in result.files.items()], Format.table)
    err.print(f"manifest hash {result.manifest_sha256}\nkeep it in the case file: "
              f"graphfraud verify {shown(result.out)} --expect HASH checks the bundle against it", markup=False,
              highlight=False)


def _short(digest: str) -> str:
    """A hash cut to its first 16 characters for a table ("…" only where something was cut)."""
    return digest[:16] + "…" if len(digest) > 16 else digest


def _file_label(name: str) -> str:
    """A file's name in a table of hashes. The manifest's is not its file's SHA-256 (sha256sum
    gives another) but that of its canonical JSON: the table says so."""
    return f"{name}: manifest hash (canonical JSON)" if name == "manifest.json" else name


@app.command()
def verify(
    folder: str = typer.Argument(..., metavar="DIR", help="A bundle folder written by `graphfraud export`."),
    expect: str = typer.Option(None, "--expect", metavar="HASH",
                               help="The manifest hash export printed (kept in the case file): the bundle must be that one."),
    fmt: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
) -> None:
    """Recompute every hash of an evidence bundle; exit 1 naming each changed, missing, extra or linked file.

    Example: graphfraud verify cases/R-1a2b3c4d5e --expect 3f5a…(the 64 hex digits export printed)
    """
    import re

    from ..export import VerificationFailed, shown, verify as verify_bundle

    if not folder.strip():   # an empty path would be the current folder
        raise typer.BadParameter("is empty: give the bundle's folder", param_hint="DIR")
    if expect is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", expect.strip()):
        raise typer.BadParameter("must be the 64 hex digits of the manifest hash export printed", param_hint="--expect")
    result = verify_bundle(Path(folder), expect=expect and expect.strip().lower())
    rows = [{k: shown(v) for k, v in r.items()} for r in result.rows]   # names and hashes come from the bundle
    if fmt == Format.table:  # full hashes in json/csv; enough to tell them apart on a terminal
        rows = [{**r, "file": _file_label(r["file"]), "expected_sha256": _short(r["expected_sha256"]),
                 "actual_sha256": _short(r["actual_sha256"])} for r in rows]
    emit(rows, fmt, columns=["file", "status", "expected_sha256", "actual_sha256"])
    if not result.ok:
        raise VerificationFailed(f"{shown(folder)} fails verification: " + ", ".join(result.problems))
    err.print(f"{shown(folder)}: all {len(result.rows) - 1} files match the manifest, and the manifest its own hash"
              + (" and the one recorded" if expect else ""), markup=False, highlight=False)


# --------------------------------------------------------------------------- rings mark

@rings_app.command("mark")
def mark(
    ring_id: str = typer.Argument(..., metavar="RING_ID", help="The ring's id."),
    status: str = typer.Option(..., "--status",
                               help="open, under_review, confirmed, dismissed or actioned."),
    note: str = typer.Option(..., "--note", help="Why: kept in the case history."),
    by: str = typer.Option(None, "--by", help="Who decided (default: the OS user)."),
) -> None:
    """Set a ring's case status; the change (who, when, why) is kept in its history.

    Example: graphfraud rings mark R-1a2b3c4d5e --status confirmed --note "same card, 14 accounts"
    """
    from rich.text import Text

    from ..cases import mark as mark_ring
    from ..store import Store

    with Store.open() as store:
        event = mark_ring(store, ring_id, status, note, by=by)
    out.print(Text.assemble(f"ring {event['ring_id']}: {event['previous']} → ", (event["status"], "bold"),
                            f" by {event['by']} at {str(event['at'])[:19]}"))
