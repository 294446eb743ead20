"""expand, path and shared on the real local server: every format, a super-node, unknown and ambiguous ids."""

import csv
import io
import json

import networkx as nx
import pytest
from typer.testing import CliRunner

from graphfraud import investigate
from graphfraud.cli import app
from graphfraud.errors import NotFoundError, UsageError
from investigate_data import KIOSK_USERS, PAN, RING_ID, load_marketplace


@pytest.fixture(scope="module")
def market(session_store, tmp_path_factory):
    """The small marketplace, loaded once for this module's read-only tests."""
    session_store.write("clear_graph")
    load_marketplace(session_store, tmp_path_factory.mktemp("investigate") / "drop")
    return session_store


@pytest.fixture(autouse=True)
def wide_terminal():
    """Tables as on a wide terminal, so cells are not folded."""
    from graphfraud.cli import out

    width = out.width
    out.width = 250
    yield
    out.width = width


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    # CliRunner catches a crash into result.exception: its output never shows a traceback
    assert result.exception is None or isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    return result


# --------------------------------------------------------------------------- resolving ids

@pytest.mark.parametrize("text,type_,stored", [
    ("r1", "account", "r1"),
    ("DEV-AB12-CD34", "device", "dev_ab12cd34"),
    ("{dev-ab12-cd34}", "device", "dev_ab12cd34"),
    ("198.51.100.7", "ip", "198.51.100.7"),
    ("Hauptstr. 5, 10115 Berlin", "address", "hauptstr 5 berlin 10115"),
    ("Hauptstraße 5, 10115 Berlin, Germany", "address", "hauptstr 5 berlin 10115"),
    ("pi_777", "instrument", "pi_777"),
    ("o-r1-0", "order", "o-r1-0"),
    ("ringpromo", "promo", "RINGPROMO"),
])
def test_type_is_inferred_from_the_id_and_spellings_are_normalised(market, text, type_, stored):
    assert investigate.resolve(market, text) == investigate.Entity(type_, stored)


def test_a_given_type_limits_the_lookup(market):
    assert investigate.resolve(market, "RINGPROMO", "promo").id == "RINGPROMO"
    with pytest.raises(NotFoundError):
        investigate.resolve(market, "RINGPROMO", "account")


def test_unknown_id_suggests_ids_that_start_alike(market):
    with pytest.raises(investigate.UnknownIdError) as e:
        investigate.resolve(market, "k0")
    assert [s.id for s in e.value.suggestions][:2] == ["k01", "k02"]
    with pytest.raises(investigate.UnknownIdError) as e:
        investigate.resolve(market, "no_such_entity_xyz")
    assert e.value.suggestions == []


def test_fingerprint_naming_two_instruments_is_ambiguous_and_lists_them(market):
    with pytest.raises(investigate.AmbiguousIdError) as e:
        investigate.resolve(market, "453914:6467")
    ids = sorted(c.id for c in e.value.candidates)
    assert len(ids) == 2 and "pi_777" in ids and ids[0].startswith("card:")


def test_a_fingerprint_behind_two_instruments_expands_as_one_card(market):
    """The same card under two ids (hashed, and a token): expanding its fingerprint shows the card,
    both instruments and who holds and paid with them, where resolving it alone is ambiguous."""
    hood = investigate.expand(market, "453914:6467", hops=2)
    assert (hood.root.type, hood.root.id, hood.root.depth) == ("fingerprint", "453914:6467", 0)
    first = sorted(n.id for n in hood.nodes if n.depth == 1)
    assert len(first) == 2 and "pi_777" in first and first[0].startswith("card:")
    assert {n.type for n in hood.nodes if n.depth == 1} == {"instrument"}
    holders = {n.id for n in hood.nodes if n.depth == 2 and n.type == "account"}
    assert {"r2", "r3"} <= holders
    assert {(e.source, e.rel) for e in hood.edges if e.rel == "FINGERPRINT"} == {("fingerprint:453914:6467", "FINGERPRINT")}
    shown = run("expand", "453914:6467", "--hops", "1")
    assert shown.exit_code == 0 and "card fingerprint of 2 instruments" in shown.stdout, shown.output
    assert "4539 1488 0343 6467" not in shown.stdout and "4539148803436467" not in shown.stdout


@pytest.mark.parametrize("typed", ["198.51.100", "198.51.100.0/24", "198.51.100.128/24"])
def test_a_subnet_expands_as_a_hub_of_its_ips(market, typed):
    """A subnet as the reasons and `shared` print it, or in CIDR: its IPs, then who used them."""
    hood = investigate.expand(market, typed, hops=2)
    assert (hood.root.type, hood.root.id) == ("subnet", "198.51.100")
    assert sorted(n.id for n in hood.nodes if n.depth == 1) == ["198.51.100.7", "198.51.100.8"]
    assert {n.id for n in hood.nodes if n.depth == 2 and n.type == "account"} == {"r1", "r2", "r3"}
    shown = run("expand", typed, "--hops", "1")
    assert shown.exit_code == 0 and "IP subnet of 2 IPs" in shown.stdout, shown.output


def test_a_hub_lists_its_busiest_nodes_and_counts_the_rest(market):
    """203.0.113.77 (b2 and k03) is busier than 203.0.113.10 (b1), which sorts first by id."""
    hood = investigate.expand(market, "203.0.113.0/24", hops=1, limit=1)
    assert [n.id for n in hood.nodes if n.depth == 1] == ["203.0.113.77"]
    assert [(m.parent, m.rel, m.total, m.shown, m.hidden) for m in hood.more] == [("subnet:203.0.113", "SUBNET", 2, 1, 1)]


def test_a_hub_key_that_also_names_an_entity_is_that_entity_unless_typed(market):
    """The account 203.0.113 shares its id with b1's and b2's subnet: the entity comes first, as an
    id an investigator was handed; --type ip asks for the subnet."""
    assert investigate.expand(market, "203.0.113", hops=1).root.type == "account"
    assert investigate.expand(market, "203.0.113", hops=1, type_="ip").root.type == "subnet"


@pytest.mark.parametrize("typed", ["192.0.2", "192.0.2.0/24"])
def test_a_subnet_of_one_ip_is_that_ip(market, typed):
    hood = investigate.expand(market, typed, hops=1)
    assert (hood.root.type, hood.root.id) == ("ip", "192.0.2.5")
    assert [n.id for n in hood.nodes if n.depth == 1] == ["k04"]


def test_a_building_expands_as_a_hub_of_its_flats(market):
    hood = investigate.expand(market, "Lindenallee 40, 50968 Köln", hops=2)
    assert (hood.root.type, hood.root.id) == ("building", "lindenallee 40 koln 50968")
    assert len([n for n in hood.nodes if n.depth == 1 and n.type == "address"]) == 2
    assert {n.id for n in hood.nodes if n.depth == 2 and n.type == "account"} == {"k01", "k02"}
    flat = investigate.expand(market, "Lindenallee 40, Whg. 17, 50968 Köln", hops=1)
    assert flat.root.type == "address" and flat.root.id.startswith("unit 17"), "a flat is an address, not its building"


@pytest.mark.parametrize("text,kind,keys", [
    ("10.1.2", "subnet", ["10.1.2"]),
    ("10.1.2.0/24", "subnet", ["10.1.2"]),
    ("2001:db8::/64", "subnet", ["2001:db8:0:0"]),
    ("2001:db8:0:0", "subnet", ["2001:db8:0:0"]),
    ("10.1.2.3", "subnet", []),
    ("453914:6467", "fingerprint", ["453914:6467"]),
])
def test_hub_keys_read_what_an_investigator_copies(text, kind, keys):
    assert investigate.hub_keys(text)[kind] == keys


@pytest.mark.parametrize("typed", ["10.1.0.0/16", "203.0.113.0/25", "2001:db8::/48"])
def test_a_subnet_of_another_size_is_refused_saying_which_expand_takes(market, typed):
    shown = run("expand", typed)
    assert shown.exit_code == 2 and "expand takes a /24 (IPv4) or /64 (IPv6) subnet" in shown.output, shown.output


@pytest.mark.parametrize("typed", ["203.0.113.0/33", "2001:db8::/129", "203.0.113.0/x"])
def test_a_network_no_address_can_have_is_a_usage_error_not_an_unknown_id(market, typed):
    shown = run("expand", typed)
    assert shown.exit_code == 2 and shown.stderr.startswith(f"error: {typed} is not a network:"), shown.output


def test_a_hub_key_that_names_one_node_resolves_to_it(market):
    """b1's card is the only one with its fingerprint: no hub, the instrument itself, also when the
    card is typed as messages and bundles show it, masked."""
    for typed in ("411111:1111", "411111******1111"):
        hood = investigate.expand(market, typed, hops=1)
        assert (hood.root.type, hood.root.id) == ("instrument", "pi_b1"), typed


def test_unknown_type_is_a_usage_error(market):
    with pytest.raises(UsageError):
        investigate.resolve(market, "r1", "person")


# --------------------------------------------------------------------------- expand

def test_super_node_shows_a_count_and_the_top_neighbours_ring_members_first(market):
    hood = investigate.expand(market, "KIOSK-0001", hops=1, limit=5)
    accounts = [n for n in hood.nodes if n.type == "account"]
    assert len(accounts) == 5
    assert accounts[0].id == "r1", "the ring member ranks first among 61 users"
    assert accounts[0].rings[0]["id"] == RING_ID
    [more] = hood.more
    assert (more.total, more.shown, more.hidden, more.type) == (len(KIOSK_USERS) + 1, 5, 56, "account")


def test_two_hops_reach_ring_partners_with_their_ring_and_score(market):
    hood = investigate.expand(market, "r1", hops=2, limit=25)
    by_id = {n.id: n for n in hood.nodes}
    for partner in ("r2", "r3", "r4", "rs"):
        ring = by_id[partner].rings[0]
        assert (ring["id"], ring["score"]) == (RING_ID, 0.87)
    assert by_id["dev_ab12cd34"].depth == 1 and by_id["r2"].depth == 2
    kiosk = [m for m in hood.more if m.parent == "device:kiosk-0001"]
    assert kiosk and kiosk[0].hidden == len(KIOSK_USERS) + 1 - 25 - 1, "r1 was expanded already: counted, not listed"
    assert all(n.type != "ring" for n in hood.nodes), "ring membership is an annotation, not a hop"
    assert all(not n.rings for n in hood.nodes if n.type != "account"), "only accounts are ring members"
    assert by_id["s1"].rings == [], "s1 is in no ring"


def test_expansion_stops_at_the_node_cap_and_says_so(market):
    hood = investigate.expand(market, "r1", hops=2, limit=100, max_nodes=10)
    assert hood.stopped and len(hood.nodes) == 10


def test_expand_tree_is_the_default_and_summarises_the_super_node(market):
    result = run("expand", "r1", "--limit", "5")
    assert result.exit_code == 0, result.output
    assert "account r1" in result.stdout
    assert "… 55 more accounts (61 in all through USED_DEVICE)" in result.stdout, "5 listed, r1 is the root"
    assert f"ring {RING_ID} 0.87" in result.stdout
    assert "entities within 2 hops" in result.stderr


def test_expand_json_lists_nodes_edges_and_summaries(market):
    result = run("expand", "DEV-AB12-CD34", "--hops", "1", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["root"] == "device:dev_ab12cd34"
    assert {n["id"] for n in data["nodes"] if n["type"] == "account"} == {"r1", "r2", "r3", "r4"}
    assert all({"source", "target", "rel"} <= set(e) for e in data["edges"])
    r2 = next(n for n in data["nodes"] if n["id"] == "r2")
    assert r2["ring"] == RING_ID and r2["link"]["raw"] == ["dev_ab12cd34"], "the spelling r2's data used"


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_expand_rows_for_tables_and_spreadsheets(market, fmt):
    result = run("expand", "KIOSK-0001", "--hops", "1", "--limit", "3", "--format", fmt)
    assert result.exit_code == 0
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert rows[0]["type"] == "device" and rows[0]["depth"] == "0"
        assert [r["id"] for r in rows if r["type"] == "account"] == ["r1", "k01", "k02"]
        assert rows[-1]["type"] == "more" and "58 more accounts" in rows[-1]["details"]
    else:
        assert "kiosk-0001" in result.stdout and "58 more accounts" in result.stdout


def test_expand_graphml_reads_back_with_networkx(market):
    result = CliRunner().invoke(app, ["expand", "r1", "--hops", "2", "--limit", "5", "--format", "graphml"])
    assert result.exit_code == 0
    g = nx.read_graphml(io.BytesIO(result.stdout_bytes))
    assert g.nodes["account:r1"]["type"] == "account"
    assert g.nodes["account:r2"]["rings"] == RING_ID
    assert g.has_edge("account:r1", "device:dev_ab12cd34")
    assert any(d["type"] == "more" and d["hidden"] == 55 for _, d in g.nodes(data=True))


def test_expand_an_address_typed_as_a_person_writes_it(market):
    result = run("expand", "Hauptstraße 5, 10115 Berlin", "--hops", "1", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["root"] == "address:hauptstr 5 berlin 10115"
    assert {"r1", "r2", "r3"} <= {n["id"] for n in data["nodes"]}


def test_unknown_id_is_one_line_exit_1_with_close_matches(market):
    result = run("expand", "k0")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "no entity" in result.stderr and "'k01'" in result.stderr
    result = run("expand", "no_such_entity_xyz")
    assert result.exit_code == 1 and "did you mean" not in result.stderr


def test_a_pasted_page_is_not_echoed_back_and_an_empty_ring_id_is_a_usage_error(market):
    result = run("expand", "x" * 100_000)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert len(result.stderr) < 300 and "(100,000 characters)" in result.stderr
    result = run("rings", "show", "")
    assert (result.exit_code, result.stderr) == (2, "error: the ring id is empty\n")


def test_a_card_number_finds_its_instrument_and_is_never_echoed(market):
    found = investigate.resolve(market, PAN.replace(" ", "-"))
    assert found.type == "instrument" and found.id.startswith("card:")
    assert "4539148803436467" in investigate.candidate_keys("4539148803436467")["account"], \
        "a long numeric account id that happens to pass Luhn is still an account id"
    other = "4111 1111 1111 1111"   # Luhn-valid, never loaded
    result = run("expand", other)
    assert result.exit_code == 1 and "411111******1111" in result.stderr
    assert other.replace(" ", "") not in result.stderr.replace(" ", "")


def test_ambiguous_id_lists_the_candidates(market):
    result = run("path", "453914:6467", "r1")   # expand shows such a card as a hub; a path needs one end
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr and "pi_777" in result.stderr
    assert "give one of their ids" in result.stderr, "--type cannot help: both are instruments"
    mixed = investigate.AmbiguousIdError("x1", [investigate.Entity("account", "x1"), investigate.Entity("order", "x1")])
    assert str(mixed).endswith("say which with --type")


def test_a_ring_id_points_at_rings_show(market):
    result = run("expand", RING_ID)
    assert result.exit_code == 2
    assert f"rings show {RING_ID}" in result.stderr


def test_bad_hops_is_a_usage_error(market):
    assert run("expand", "r1", "--hops", "9").exit_code == 2
    assert run("expand", "r1", "--type", "person").exit_code == 2


# --------------------------------------------------------------------------- path

def test_path_goes_through_the_shared_device(market):
    a, b, found = investigate.paths(market, "r1", "r4")
    assert (a.id, b.id) == ("r1", "r4")
    assert found[0].hops == 2
    assert [n["id"] for n in found[0].nodes] == ["r1", "dev_ab12cd34", "r4"]
    assert found[0].text() == (f"account r1 [ring {RING_ID}] -[USED_DEVICE]-> device dev_ab12cd34 (12 links) "
                               f"<-[USED_DEVICE]- account r4 [ring {RING_ID}]")


def test_quiet_identifiers_come_before_busy_ones(market):
    _, _, found = investigate.paths(market, "r1", "r2", limit=20)
    through = [p.nodes[1]["id"] for p in found]
    assert through[0] == "198.51.100.7", "an IP two accounts used beats a device, address or card used by many"
    assert found[0].weakest <= found[-1].weakest


def test_path_chain_output_and_other_formats(market):
    result = run("path", "k01", "b1")
    assert result.exit_code == 0
    assert "6 hops" in result.stdout and "device kiosk-0001 (61 links)" in result.stdout
    data = json.loads(run("path", "r1", "r4", "--format", "json").stdout)
    assert data[0]["hops"] == 2 and data[0]["rels"][0] == {"type": "USED_DEVICE", "forward": True,
                                                           "props": data[0]["rels"][0]["props"]}
    rows = list(csv.DictReader(io.StringIO(run("path", "r1", "r4", "--format", "csv").stdout)))
    assert rows[0]["through"] == "device:dev_ab12cd34"
    assert "USED_DEVICE" in run("path", "r1", "r4", "--format", "table").stdout


def test_no_path_within_the_limit_is_said_on_stderr(market):
    result = run("path", "r1", "z1")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no connection between account r1 and account z1 within 6 hops" in result.stderr
    assert json.loads(run("path", "k01", "b1", "--max-hops", "4", "--format", "json").stdout) == []


def test_path_between_an_entity_and_itself_is_refused(market):
    assert run("path", "r1", "r1").exit_code == 2


# --------------------------------------------------------------------------- shared

def test_shared_lists_identifiers_counterparties_and_promo_with_dates(market):
    a, b, links = investigate.shared(market, "r1", "r2")
    rows = {(s.kind, s.id): s.row(a.id, b.id) for s in links}
    device = rows[("device", "dev_ab12cd34")]
    assert device["a_how"] == "directly + 2 orders" and device["a_first_seen"] == "2025-09-01"
    assert (device["a_spellings"], device["b_spellings"]) == ("DEV-AB12-CD34", "dev_ab12cd34")
    address = rows[("address", "hauptstr 5 berlin 10115")]
    assert "Hauptstraße 5, 10115 Berlin" in address["a_spellings"]
    assert ("promo", "RINGPROMO") in rows and ("seller (both bought from)", "rs") in rows
    fingerprint = rows[("card fingerprint", "453914:6467")]
    assert "different ids" in fingerprint["note"], "a hashed card and its token are one card"
    assert ("IP subnet", "198.51.100") not in rows, "the same IP is listed already"


def test_shared_shows_trades_between_the_two_accounts(market):
    _, _, links = investigate.shared(market, "rs", "r3")
    trade = [s for s in links if s.kind == "trade between them"]
    assert trade and trade[0].note == "r3 bought from rs: 2 orders"


def test_shared_formats(market):
    data = json.loads(run("shared", "r1", "r2", "--format", "json").stdout)
    assert data["a"] == "r1" and any(s["kind"] == "device" for s in data["shared"])
    rows = list(csv.DictReader(io.StringIO(run("shared", "r1", "r2", "--format", "csv").stdout)))
    assert "a_spellings" in rows[0]
    result = run("shared", "r1", "r2")
    assert result.exit_code == 0 and "dev_ab12cd34" in result.stdout


def test_shared_with_nothing_in_common_says_so(market):
    result = run("shared", "r2", "z1")
    assert result.exit_code == 0 and "share nothing" in result.stderr


def test_shared_needs_accounts_and_names_what_another_id_is(market):
    result = run("shared", "r1", "DEV-AB12-CD34")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no account has the id 'DEV-AB12-CD34': it names device 'dev_ab12cd34'"
    assert "no account has the id 'nothing-here'" in run("shared", "r1", "nothing-here").stderr


def test_a_mistyped_or_cut_card_number_is_masked_in_the_error(market):
    """One digit off (fails Luhn) or one digit short: still most of a card, masked as in the quarantine."""
    for typed, shown in [("5145834972070369", "514583******0369"), ("514583497207036", "514583******7036")]:
        result = run("expand", typed)
        assert result.exit_code == 1 and shown in result.stderr
        assert typed not in result.stderr and result.stderr.count("\n") == 1


# --------------------------------------------------------------------------- ids equal across types
# (last: these tests load their own graph)

def _write_rows(path, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture
def numeric_ids(store, tmp_path):
    """Account 1001 and order 1001, as numeric ids from separate tables collide, around one device."""
    from graphfraud.load import load

    _write_rows(tmp_path / "accounts.csv", [["account_id", "role", "created_at", "country", "status"]] + [
        [i, role, "2025-01-01T00:00:00Z", "US", "active"] for i, role in
        [("1001", "buyer"), ("1002", "buyer"), ("1003", "seller")]])
    _write_rows(tmp_path / "account_devices.csv", [["account_id", "device_id", "first_seen", "last_seen", "ip"]] + [
        [i, "dv-shared-77", "2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", ""] for i in ("1001", "1002")])
    _write_rows(tmp_path / "orders.csv", [["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at",
                                           "status", "device_id", "address", "instrument_id", "promo_code"]] + [
        [o, "1002", "1003", amount, "USD", f"2025-01-0{day}T00:00:00Z", "completed", "dv-shared-77", "", "", ""]
        for o, amount, day in [("1001", "10.00", 5), ("1003", "11.00", 6)]])
    load(store, [tmp_path])
    return store


def test_expand_lists_a_neighbour_whose_id_is_that_of_an_expanded_node_of_another_type(numeric_ids):
    hood = investigate.expand(numeric_ids, "1001", hops=2, type_="account")
    device = next(n for n in hood.nodes if n.type == "device")
    under_device = {n.key for n in hood.nodes if n.parent == device.key}
    assert under_device == {"account:1002", "order:1001", "order:1003"}
    assert not hood.more, "nothing is left out"
    one_hop = json.loads(run("expand", device.id, "--hops", "1", "--format", "json").stdout)
    assert {n["key"] for n in one_hop["nodes"]} == {device.key, "account:1001", "account:1002", "order:1001",
                                                    "order:1003"}


def test_an_id_of_two_types_names_the_option_that_says_which(numeric_ids):
    result = run("expand", "1001")
    assert result.exit_code == 1 and result.stderr.rstrip().endswith("say which with --type")
    result = run("path", "1001", "1002")
    assert result.exit_code == 1 and result.stderr.rstrip().endswith("say which with --type-a")
    result = run("path", "1002", "1001")
    assert result.exit_code == 1 and result.stderr.rstrip().endswith("say which with --type-b")
    assert run("path", "1001", "1002", "--type-a", "order", "--format", "json").exit_code == 0
