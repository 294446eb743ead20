"""Evidence on a hand-built marketplace: every number of a ring's reasons checked by hand.

The marketplace, in Germany, over four months:

- 60 honest buyers, each with its own device and address, years old, placing 4 orders
  each with five established shops (240 orders; 3 of them charged back);
- a household: 3 buyers holding one address (accounts opened in 2019, 2020, 2021), 4 orders
  each with the same five shops;
- a brushing ring: a shop opened in September and 6 buyer accounts created on 1 October,
  all on one device that the shop's owner uses too; each buyer places 5 orders of 9.99
  with the ring shop on 1–2 October, two of the 30 charged back.
"""

import csv
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from graphfraud import investigate
from graphfraud.cli import app
from graphfraud.detection import find_rings, ring_detail, run_detection
from graphfraud.errors import NotFoundError, UsageError
from graphfraud.export import export_ring
from graphfraud.load import load
from graphfraud.normalise import address_key, building_key
from graphfraud.project import project
from graphfraud.score import combine, hold_signals, log10_binom_sf, p_text

SHOPS = [f"shop{i}" for i in range(1, 6)]
HONEST = [f"h{i:02d}" for i in range(1, 61)]
HOUSE = ["f1", "f2", "f3"]
RING = [f"r{i}" for i in range(1, 7)]
RING_SHOP = "rs"
HOUSE_ADDRESS = "Hauptstraße 5, 10115 Berlin"


def _write(folder: Path, name: str, header: list[str], rows: list[list]) -> None:
    with open(folder / name, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def build(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    accounts, devices, addresses, orders = [], [], [], []
    for s in SHOPS:
        accounts.append([s, "seller", "2023-01-01T00:00:00Z", "DE", "active"])
    accounts.append([RING_SHOP, "seller", "2025-09-01T00:00:00Z", "DE", "active"])
    devices.append([RING_SHOP, "ringphone", "2025-09-01T00:00:00Z", "2025-10-02T00:00:00Z", ""])
    n = 0
    chargebacks_left = 3
    for i, h in enumerate(HONEST):
        accounts.append([h, "buyer", "2024-03-01T00:00:00Z", "DE", "active"])
        devices.append([h, f"dev-{h}", "2024-03-01T00:00:00Z", "2025-12-01T00:00:00Z", ""])
        addresses.append([h, f"Gartenweg {i + 1}, 8{i:04d} München", "shipping", "DE"])
        for k in range(4):
            n += 1
            status = "completed"
            if chargebacks_left and k == 3 and i % 20 == 0:
                status, chargebacks_left = "chargeback", chargebacks_left - 1
            day = 1 + (i + 7 * k) % 28
            orders.append([f"o{n}", h, SHOPS[(i + k) % 5], f"{20 + 7 * ((i * 3 + k) % 11)}.00", "EUR",
                           f"2025-{9 + k:02d}-{day:02d}T12:00:00Z", status, "", "", "", ""])
    for i, f in enumerate(HOUSE):
        accounts.append([f, "buyer", f"{2019 + i}-05-01T00:00:00Z", "DE", "active"])
        devices.append([f, f"dev-{f}", f"{2019 + i}-05-01T00:00:00Z", "2025-12-01T00:00:00Z", ""])
        addresses.append([f, HOUSE_ADDRESS, "home", "DE"])
        for k in range(4):
            n += 1
            orders.append([f"o{n}", f, SHOPS[(i + k) % 5], f"{35 + 10 * k}.00", "EUR",
                           f"2025-{9 + k:02d}-{10 + i:02d}T18:00:00Z", "completed", "", "", "", ""])
    for i, r in enumerate(RING):
        accounts.append([r, "buyer", "2025-10-01T00:00:00Z", "DE", "active"])
        devices.append([r, "ringphone", "2025-10-01T00:00:00Z", "2025-10-02T00:00:00Z", ""])
        for k in range(5):
            n += 1
            status = "chargeback" if (i, k) in ((0, 4), (1, 4)) else "completed"
            orders.append([f"o{n}", r, RING_SHOP, "9.99", "EUR", f"2025-10-0{1 + k % 2}T{10 + i:02d}:{10 * k:02d}:00Z",
                           status, "", "", "", ""])
    _write(folder, "accounts.csv", ["account_id", "role", "created_at", "country", "status"], accounts)
    _write(folder, "account_devices.csv", ["account_id", "device_id", "first_seen", "last_seen", "ip"], devices)
    _write(folder, "account_addresses.csv", ["account_id", "address", "kind", "country"], addresses)
    _write(folder, "orders.csv", ["order_id", "buyer_id", "seller_id", "amount", "currency", "created_at", "status",
                                  "device_id", "address", "instrument_id", "promo_code"], orders)
    return folder


@pytest.fixture
def hand_built(store, tmp_path):
    result = load(store, [build(tmp_path / "market")])
    assert result.quarantined == 0
    return store


def _ring(store):
    projection = project(store)
    _, scored, _, _ = find_rings(projection)
    candidates = [scored.candidate(c) for c in scored.order()]
    by_members = {frozenset(projection.ids[c.members].tolist()): c for c in candidates}
    return projection, candidates, by_members


def _reason(candidate, signal):
    return next(r for r in candidate.reasons if r["signal"] == signal)


def test_ring_is_found_with_its_seller_and_dismissed_household(hand_built):
    _, candidates, by_members = _ring(hand_built)
    ring = by_members[frozenset(RING + [RING_SHOP])]
    assert ring.score >= 50
    assert dict(zip(sorted(RING + [RING_SHOP]), ring.roles))[RING_SHOP] == "seller"
    assert ring.typology == "brushing"
    house = by_members[frozenset(HOUSE)]
    assert house.score < 50
    assert house.dismissal == "household: 3 accounts, 5 distinct sellers, no concentration; nothing unusual"
    assert len([c for c in candidates if c.score >= 50]) == 1


def test_one_members_habit_is_not_the_groups_act(store, tmp_path):
    """One household member ordering the same lunch from a corner shop 8 times: the group's orders
    are concentrated on that shop with identical amounts, but only one buyer does it."""
    folder = build(tmp_path / "market")
    with open(folder / "accounts.csv", "a", newline="") as f:
        csv.writer(f).writerow(["corner", "seller", "2023-01-01T00:00:00Z", "DE", "active"])
    with open(folder / "orders.csv", "a", newline="") as f:
        csv.writer(f).writerows([[f"lunch{k}", HOUSE[0], "corner", "8.50", "EUR", f"2025-11-{k + 1:02d}T12:30:00Z",
                                  "completed", "", "", "", ""] for k in range(8)])
    assert load(store, [folder]).quarantined == 0
    _, _, by_members = _ring(store)
    members, house = next((m, c) for m, c in by_members.items() if HOUSE[0] in m)
    assert set(HOUSE) | {"corner"} == members
    held = {r["signal"] for r in house.held}
    assert not held & {"concentration", "uniform_amounts"}, held
    assert house.score < 50


def test_sellers_buying_from_each_other_in_a_circle(store, tmp_path):
    """Three shops on one phone, each buying from the next (c1 → c2 → c3 → c1), four orders a leg.

    The five established shops share nothing with anyone and are on no circle: the baseline is
    half a seller in five (0.1), and 3 of 3 sellers on the circle is p = 0.1^3 = 1e-3."""
    folder = build(tmp_path / "market")
    circle = ["c1", "c2", "c3"]
    with open(folder / "accounts.csv", "a", newline="") as f:
        csv.writer(f).writerows([[c, "both", "2025-08-01T00:00:00Z", "DE", "active"] for c in circle])
    with open(folder / "account_devices.csv", "a", newline="") as f:
        csv.writer(f).writerows([[c, "circlephone", "2025-08-01T00:00:00Z", "2025-12-01T00:00:00Z", ""] for c in circle])
    with open(folder / "orders.csv", "a", newline="") as f:
        csv.writer(f).writerows([[f"circle{i}{k}", c, circle[(i + 1) % 3], f"{50 + 10 * k}.00", "EUR",
                                  f"2025-11-{3 * k + i + 1:02d}T12:00:00Z", "completed", "", "", "", ""]
                                 for i, c in enumerate(circle) for k in range(4)])
    assert load(store, [folder]).quarantined == 0
    _, _, by_members = _ring(store)
    group = by_members[frozenset(circle)]
    reason = _reason(group, "trade_circle")
    assert reason["evidence"] == {"sellers_in_circle": 3, "sellers": 3}
    assert reason["baseline"] == pytest.approx(0.1)
    assert reason["log10_p"] == pytest.approx(-3.0, abs=0.01)
    assert reason["holds"]
    assert group.typology == "collusion"
    assert reason["text"].startswith("3 of the group's 3 sellers buy from each other in a circle")


def test_regulars_of_the_rings_cafe_are_not_ring_members(store, tmp_path):
    """The ring connects from a café's network; three honest regulars connect from it too."""
    folder = build(tmp_path / "market")
    rows = list(csv.reader(open(folder / "account_devices.csv", newline="")))
    for i, row in enumerate(rows[1:]):
        if row[0] in RING:
            row[4] = f"203.0.113.{10 + i}"
    regulars = HONEST[:3]
    rows += [[h, f"cafe-{h}", "2025-10-01T00:00:00Z", "2025-10-02T00:00:00Z", f"203.0.113.{200 + k}"]
             for k, h in enumerate(regulars)]
    _write(folder, "account_devices.csv", rows[0], rows[1:])
    assert load(store, [folder]).quarantined == 0
    _, _, by_members = _ring(store)
    assert [members for members, c in by_members.items() if c.score >= 50] == [frozenset(RING + [RING_SHOP])]


def test_the_strangers_a_brushing_ring_ships_to_are_not_ring_members(store, tmp_path):
    """The ring ships its parcels to two strangers' homes, and the strangers' internet comes from the
    ring's /24 subnet (one provider in one town). Neither has anything to do with the ring: naming
    them as members would point enforcement at its victims."""
    folder = build(tmp_path / "market")
    strangers = HONEST[:2]
    devices = list(csv.reader(open(folder / "account_devices.csv", newline="")))
    for i, row in enumerate(devices[1:]):
        if row[0] in RING or row[0] in strangers:
            row[4] = f"198.51.100.{10 + i}"
    _write(folder, "account_devices.csv", devices[0], devices[1:])
    homes = {row[0]: row[1] for row in csv.reader(open(folder / "account_addresses.csv", newline=""))}
    orders = list(csv.reader(open(folder / "orders.csv", newline="")))
    for row in orders[1:]:
        if row[1] in RING:
            row[8] = homes[strangers[RING.index(row[1]) % 2]]
    _write(folder, "orders.csv", orders[0], orders[1:])
    assert load(store, [folder]).quarantined == 0
    _, _, by_members = _ring(store)
    assert [members for members, c in by_members.items() if c.score >= 50] == [frozenset(RING + [RING_SHOP])]


@pytest.mark.parametrize("honest_buyers, charged_back, victim", [(16, 6, True), (2, 8, True), (0, 8, False)],
                         ids=["established shop", "small shop", "cash-out shop"])
def test_the_shop_a_chargeback_ring_defrauds_is_its_target_not_a_member(store, tmp_path, honest_buyers, charged_back,
                                                                         victim):
    """Four new accounts on one phone buy TVs from a shop (12 orders) and charge some of them back.

    An established shop sells to 16 honest buyers too: 12 of its 28 orders come from the ring. A
    small one sells to 2: 12 of its 14, but 8 of those 12 were charged back, so it lost that money.
    Either way it shares no identifier with the ring and buys nothing from it: the ring's target
    (named in the evidence), not a member an analyst would act against. A shop that sells to the
    ring alone may be its own cash-out (stolen cards charged back): it stays a member."""
    folder = build(tmp_path / "market")
    ring = [f"cb{i}" for i in range(1, 5)]
    with open(folder / "accounts.csv", "a", newline="") as f:
        csv.writer(f).writerow(["tvshop", "seller", "2023-01-01T00:00:00Z", "DE", "active"])
        csv.writer(f).writerows([[r, "buyer", "2025-11-15T00:00:00Z", "DE", "active"] for r in ring])
    with open(folder / "account_devices.csv", "a", newline="") as f:
        csv.writer(f).writerows([[r, "cbphone", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", ""] for r in ring])
    orders = [(i, r, k) for k in range(3) for i, r in enumerate(ring)]   # the first `charged_back` are disputed
    with open(folder / "orders.csv", "a", newline="") as f:
        w = csv.writer(f)
        w.writerows([[f"tv{h}", h, "tvshop", "450.00", "EUR", "2025-10-20T12:00:00Z", "completed", "", "", "", ""]
                     for h in HONEST[:honest_buyers]])
        w.writerows([[f"cb{i}{k}", r, "tvshop", "899.00", "EUR", f"2025-11-15T{10 + i:02d}:{10 * k:02d}:00Z",
                      "chargeback" if n < charged_back else "completed", "", "", "", ""]
                     for n, (i, r, k) in enumerate(orders)])
    assert load(store, [folder]).quarantined == 0
    _, _, by_members = _ring(store)
    flagged = {members: c for members, c in by_members.items() if c.score >= 50}
    members = frozenset(ring) if victim else frozenset(ring + ["tvshop"])
    assert members in flagged, list(flagged)
    group = flagged[members]
    assert group.typology == "chargeback"
    assert _reason(group, "concentration")["evidence"]["sellers"] == ["tvshop"]
    assert ("one seller (tvshop)" if victim else "1 ring seller") in _reason(group, "concentration")["text"]


def test_a_family_with_its_weekly_basket_and_one_members_disputes_is_no_ring(store, tmp_path):
    """Three accounts of one home buy their weekly basket from the corner shop (about 30 EUR, give
    or take 13 %), and one of them disputes eight of those orders: a group's habit and one
    person's disputes, not a ring's act (amounts are identical within 10 %; chargebacks count
    when two or more members have them)."""
    folder = build(tmp_path / "market")
    family = ["fam1", "fam2", "fam3"]
    with open(folder / "accounts.csv", "a", newline="") as f:
        csv.writer(f).writerows([[a, "buyer", "2021-02-01T00:00:00Z", "DE", "active"] for a in family]
                                + [["corner", "seller", "2015-01-01T00:00:00Z", "DE", "active"]])
    with open(folder / "account_addresses.csv", "a", newline="") as f:
        csv.writer(f).writerows([[a, "Lindenstraße 9, 10969 Berlin", "home", "DE"] for a in family])
    with open(folder / "orders.csv", "a", newline="") as f:
        basket = ["25.50", "30.00", "34.50", "26.00", "34.00"]
        csv.writer(f).writerows([[f"{a}-{k}", a, "corner", basket[(i + k) % 5], "EUR",
                                  f"2025-{9 + k // 4:02d}-{1 + 7 * (k % 4):02d}T09:{10 * i:02d}:00Z",
                                  "chargeback" if a == "fam1" and k < 8 else "completed", "", "", "", ""]
                                 for i, a in enumerate(family) for k in range(12)]
                                + [[f"corner-h{k}", HONEST[k], "corner", f"{5 + 9 * k}.00", "EUR",
                                    "2025-11-20T12:00:00Z", "completed", "", "", "", ""] for k in range(12)])
    assert load(store, [folder]).quarantined == 0
    projection = project(store)
    membership, scored, _, _ = find_rings(projection)
    group = int(membership[np.searchsorted(projection.ids, "fam1")])
    house = scored.candidate(group, explain=True)
    assert projection.ids[house.members].tolist() == family
    assert _reason(house, "concentration")["holds"], "the shop is their habit"
    amounts = _reason(house, "uniform_amounts")
    assert amounts["value"] > 0.10 and amounts["lift"] >= 3 and amounts["log10_p"] < -6, "uniform, not identical"
    assert not amounts["holds"]
    chargebacks = _reason(house, "chargebacks")
    assert chargebacks["evidence"] == {"chargebacks": 8, "orders": 36, "members": 1}
    assert chargebacks["log10_p"] < -6 and chargebacks["lift"] >= 3 and not chargebacks["holds"], "one member's disputes"
    assert house.score < 50


def test_a_ring_spread_over_the_flats_of_one_building_is_one_ring(store, tmp_path):
    """Four new accounts, each with its own phone and its own flat of one building (no address is
    shared), buy TVs from an established shop within a day and charge most of them back."""
    folder = build(tmp_path / "market")
    ring = [f"fl{i}" for i in range(1, 5)]
    flats = ["Apt 5", "Whg. 17", "#3", "Wohnung 12"]
    with open(folder / "accounts.csv", "a", newline="") as f:
        csv.writer(f).writerows([[r, "buyer", "2025-11-15T00:00:00Z", "DE", "active"] for r in ring])
    with open(folder / "account_devices.csv", "a", newline="") as f:
        csv.writer(f).writerows([[r, f"phone-{r}", "2025-11-15T00:00:00Z", "2025-11-16T00:00:00Z", ""] for r in ring])
    with open(folder / "account_addresses.csv", "a", newline="") as f:
        csv.writer(f).writerows([[r, f"Lindenallee 40, {flat}, 50968 Köln", "shipping", "DE"]
                                 for r, flat in zip(ring, flats)])
    with open(folder / "orders.csv", "a", newline="") as f:
        csv.writer(f).writerows([[f"{r}-{k}", r, SHOPS[0], "899.00", "EUR", f"2025-11-15T{10 + i:02d}:{10 * k:02d}:00Z",
                                  "chargeback" if k < 2 else "completed", "", "", "", ""]
                                 for i, r in enumerate(ring) for k in range(3)])
    assert load(store, [folder]).quarantined == 0
    _, _, by_members = _ring(store)
    flagged = [members for members, c in by_members.items() if c.score >= 50]
    assert frozenset(ring) in flagged, flagged
    assert by_members[frozenset(ring)].typology == "chargeback"
    found = next(r for r in run_detection(store).rings if set(r["members"]) == set(ring))
    shared = ring_detail(store, found["id"])["identifiers"]
    building = building_key(address_key("Lindenallee 40, Apt 5, 50968 Köln", "DE"))
    assert {"kind": "Building", "identifier": building, "ring_members": 4} in \
        [{k: i[k] for k in ("kind", "identifier", "ring_members")} for i in shared], shared
    export_ring(store, found["id"], tmp_path / "bundle")
    report = (tmp_path / "bundle" / "report.html").read_text(encoding="utf-8")
    assert "log10 bar" in report and "at or below its bar" in report, "the bundle shows and explains each bar"
    with open(tmp_path / "bundle" / "identifiers.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["type"] == "Building"]
    assert sorted(r["account_id"] for r in rows) == ring and {r["identifier"] for r in rows} == {building}
    _, _, links = investigate.shared(store, "fl1", "fl2")
    assert [(s.kind, s.id) for s in links] == [("building", building), ("seller (both bought from)", SHOPS[0])]
    assert links[0].note == ("different flats of one building: unit 17 lindenallee 40 koln 50968, "
                             "unit 5 lindenallee 40 koln 50968")
    kinds = store.read("weekly_ring_identifier_kinds", rings=[{"id": found["id"], "members": ring}],
                       until="2026-01-01T00:00:00Z")
    assert [(k["kind"], k["identifiers"]) for k in kinds] == [("Building", 1)], "the weekly report counts it too"
    # a graph loaded before addresses kept their building (schema version 2) gets them back
    store.run_cypher("MATCH (n:Address) REMOVE n.building", {}, write=True)
    assert "Building" not in {i["kind"] for i in ring_detail(store, found["id"])["identifiers"]}
    store.write("schema_version_set", version=2)
    store.ensure_schema()
    assert ring_detail(store, found["id"])["identifiers"] == shared


def test_concentration_reason_is_numerically_right(hand_built):
    _, _, by_members = _ring(hand_built)
    ring = by_members[frozenset(RING + [RING_SHOP])]
    r = _reason(ring, "concentration")
    assert r["holds"]
    assert r["evidence"] == {"orders_to_sellers": 30, "orders": 30, "sellers": [RING_SHOP], "country": "DE"}
    # no other German buyer ordered from the ring shop: the share is floored at half an order
    others = 60 * 4 + 3 * 4
    assert r["value"] == 1.0
    assert r["baseline"] == pytest.approx(0.5 / others, rel=1e-3)
    sellers_in_de = 6
    expected = float(log10_binom_sf(30, 30, 0.5 / others)) + math.log10(sellers_in_de)
    assert r["log10_p"] == pytest.approx(expected, abs=0.01)
    assert r["text"] == ("100 % of the group's orders (30 of 30) went to 1 ring seller "
                         "(its market share in DE: 0.2 %; p < 1e-12, allowing for picking 1 seller of the 6 in DE)")


def test_status_fresh_and_seller_link_reasons_are_numerically_right(hand_built):
    _, _, by_members = _ring(hand_built)
    ring = by_members[frozenset(RING + [RING_SHOP])]
    cb = _reason(ring, "chargebacks")
    assert (cb["evidence"]["chargebacks"], cb["evidence"]["orders"]) == (2, 30)
    assert cb["value"] == pytest.approx(2 / 30, rel=1e-3)
    assert cb["baseline"] == pytest.approx(3 / 252, rel=1e-3), "the marketplace rate leaves the group out"
    assert cb["text"] == f"chargeback rate 6.7 % (2 of 30 orders, by 2 members; marketplace 1.2 %; {p_text(cb['log10_p'])})"
    fresh = _reason(ring, "fresh_accounts")
    assert fresh["holds"] and fresh["evidence"]["fresh"] == 6 and fresh["evidence"]["buyers"] == 6
    assert fresh["evidence"]["median_age_days"] < 1
    links = _reason(ring, "seller_links")
    assert links["holds"] and links["evidence"] == {"linked_pairs": 6, "pairs": 6}
    amounts = _reason(ring, "uniform_amounts")
    assert amounts["holds"] and amounts["value"] == pytest.approx(0.0, abs=1e-6)
    assert amounts["evidence"]["mean_amount"] == pytest.approx(9.99)


def test_every_reason_has_a_number_a_baseline_evidence_and_a_sentence(hand_built):
    _, _, by_members = _ring(hand_built)
    ring = by_members[frozenset(RING + [RING_SHOP])]
    assert {r["signal"] for r in ring.reasons} >= {"concentration", "block", "devotion", "fresh_accounts",
                                                   "signup_burst", "chargebacks", "refunds", "cancellations",
                                                   "promo_reuse", "promo_burst", "order_burst", "uniform_amounts",
                                                   "seller_links"}
    for r in ring.reasons:
        assert set(r) >= {"signal", "family", "holds", "value", "baseline", "lift", "log10_p", "bar", "evidence", "text"}
        assert isinstance(r["evidence"], dict) and r["text"]
        if r["holds"]:
            assert r["log10_p"] <= r["bar"] < 0, "a reason that holds is significant at the bar it names"
    held = [r for r in ring.reasons if r["holds"]]
    assert held == ring.reasons[:len(held)], "the reasons that hold come first"
    from graphfraud.score import FAMILY, WEIGHTS

    families = {FAMILY[r["signal"]] for r in held}
    assert ring.score == combine(WEIGHTS[f] for f in families)


def test_a_signal_with_nothing_to_measure_carries_no_figures(hand_built):
    """The household shares no promo code and holds no seller: its promo and seller-pair reasons say
    so in words, with no value, lift or p-value a program could read as a measurement."""
    projection = project(hand_built)
    _, scored, _, _ = find_rings(projection)
    house = next(scored.candidate(c, explain=True) for c in scored.order()
                 if set(projection.ids[scored.candidate(c).members]) == set(HOUSE))
    for name in ("promo_reuse", "promo_burst", "seller_links"):
        r = _reason(house, name)
        assert (r["value"], r["baseline"], r["lift"], r["log10_p"], r["holds"]) == (None, None, None, None, False), r
        assert r["text"].startswith("no "), r["text"]
    concentration = _reason(house, "concentration")
    assert concentration["value"] is not None and concentration["log10_p"] is not None


def test_detection_writes_rings_members_and_run(hand_built):
    result = run_detection(hand_built)
    assert len(result.rings) == 1
    ring = result.rings[0]
    assert ring["id"].startswith("R-") and ring["typology"] == "brushing"
    runs = CliRunner().invoke(app, ["rings", "list", "--members", "--format", "csv"])
    assert runs.exit_code == 0, runs.output
    lines = runs.stdout.splitlines()
    assert lines[0].startswith("ring_id,account_id,score")
    assert sorted(line.split(",")[1] for line in lines[1:]) == sorted(RING + [RING_SHOP])
    shown = CliRunner().invoke(app, ["rings", "show", ring["id"]], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "ring shop" not in shown.output and "ringphone" in shown.output.replace("dev-", "")
    assert "log10 bar" in shown.output, "each reason shows the bar it was held to"
    run = hand_built.read("rings_latest_run")[0]
    assert run["id"] == result.run_id
    import json

    counts = json.loads(run["counts"])
    assert counts["rings"] == 1 and counts["dismissed"] == counts["candidates"] - 1
    assert counts["dismissed_by_kind"].get("household") == 1
    assert set(json.loads(run["timings"])) >= {"projection", "candidates", "evidence", "write-back", "total"}


def test_case_status_is_never_overwritten_by_detection(hand_built):
    first = run_detection(hand_built)
    rid = first.rings[0]["id"]
    hand_built.run_cypher("MATCH (r:Ring {id: $id}) SET r.status = 'confirmed'", {"id": rid}, write=True)
    second = run_detection(hand_built)
    assert second.rings[0]["id"] == rid, "the same group keeps its id"
    status = hand_built.run_cypher("MATCH (r:Ring {id: $id}) RETURN r.status AS s", {"id": rid})[1][0]["s"]
    assert status == "confirmed"


def test_as_of_before_the_ring_hides_it(hand_built):
    result = run_detection(hand_built, as_of="2025-09-30")
    assert result.rings == []
    assert result.as_of == "2025-09-30T23:59:59Z"
    with pytest.raises(UsageError, match="no accounts as of 2010-01-01T23:59:59Z: none was created by then"):
        run_detection(hand_built, as_of="2010-01-01")


def test_empty_graph_is_a_clear_error(store):
    with pytest.raises(UsageError, match="holds no accounts"):
        run_detection(store)
    result = CliRunner().invoke(app, ["detect", "--quiet"])
    assert result.exit_code == 2
    assert "holds no accounts" in result.output
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"


def test_an_empty_as_of_is_a_usage_error_not_today(store):
    """`--as-of "$WEEK"` with the variable unset: detection as of today would replace the latest rings."""
    result = CliRunner().invoke(app, ["detect", "--as-of", " "])
    assert result.exit_code == 2 and result.stderr.startswith("error: --as-of is empty"), result.output


def test_unknown_ring_is_not_found(hand_built):
    run_detection(hand_built)
    result = CliRunner().invoke(app, ["rings", "show", "R-doesnotexist"])
    assert result.exit_code == NotFoundError.exit_code
    assert len(result.output.strip().splitlines()) == 1 and "R-doesnotexist" in result.output


def test_score_helpers():
    assert combine([0.4, 0.25]) == 55.0
    assert combine([0.25, 0.25]) < 50 <= combine([0.4, 0.25])
    assert combine([0.25] * 7) == combine([0.4]) < 50, "weak families alone never make a ring"
    assert float(log10_binom_sf(0, 10, 0.5)) == 0.0
    assert float(np.round(log10_binom_sf(10, 10, 0.5), 6)) == pytest.approx(-10 * math.log10(2), abs=1e-6)


def test_a_group_holding_a_strong_signal_is_tested_again_among_such_groups_only():
    """1,000 groups: the first bar is 0.01 over the groups a signal was tested on (1e-05). At
    1e-06, groups 0 and 1 hold new accounts, group 3 an order burst, group 4 a promo-code burst
    and group 7 a trade circle (strong); group 5 devotion (weak); group 8 chargebacks counted as
    weak evidence. The promo code is then tested again among the groups that hold a strong signal
    of another kind and were tested on it: 0, 3 and 7 (group 1 was not tested on it, 5 and 8 hold
    nothing strong, and group 4's burst is of that very code's uses), at 0.01 / 3, where groups
    0 and 3 (p = 1e-03) hold. Accounts created together are tested again only where the strong
    signal is not about the same act (groups 4 and 7; not new accounts or an order burst); a
    second test still asks for a lift of three; and a signal never lowers its own family's bar
    (group 3's promo burst is a burst too)."""
    C = 1000

    def signal(log10_p, lift=10.0, untested=(), **extra):
        p = np.zeros(C)
        for c, v in log10_p.items():
            p[c] = v
        eligible = np.ones(C, bool)
        eligible[list(untested)] = False
        return {"log10_p": p, "lift": np.full(C, lift), "eligible": eligible, **extra}

    signals = {"fresh_accounts": signal({0: -6, 1: -6}), "order_burst": signal({3: -6}),
               "promo_burst": signal({4: -6, 3: -3}), "trade_circle": signal({7: -6}),
               "devotion": signal({5: -6}), "chargebacks": signal({8: -6}, weight=np.full(C, 0.25)),
               "promo_reuse": signal({0: -3, 2: -3, 3: -3, 4: -3, 5: -3, 8: -3}, untested=[1]),
               "concentration": signal({0: -3}, lift=2.0), "signup_burst": signal({0: -3, 3: -3, 7: -3, 8: -3})}
    hold_signals(signals, C, alpha=0.01, min_lift=3.0)
    holding = {name: np.flatnonzero(sig["holds"]).tolist() for name, sig in signals.items()}
    assert holding == {"fresh_accounts": [0, 1], "order_burst": [3], "promo_burst": [4], "trade_circle": [7],
                       "devotion": [5], "chargebacks": [8], "promo_reuse": [0, 3], "concentration": [],
                       "signup_burst": [7]}
    bars = signals["promo_reuse"]["bar"]
    assert bars[0] == bars[3] == pytest.approx(math.log10(0.01 / 3)) and bars[2] == pytest.approx(math.log10(0.01 / 999))
    assert np.isnan(bars[1]), "no bar where the signal was not tested"
    assert signals["promo_burst"]["bar"][3] == pytest.approx(-5.0)


def test_a_brushing_star_cut_apart_by_its_buyers_parcel_addresses_is_one_ring(store, tmp_path):
    """Ten new accounts each place three 4.99 orders with a new shop and have them sent to a
    different real family's address (brushing): every fake buyer shares more with its family
    than with the shop, so Leiden/CPM puts it with that family, and only the seller-star stage
    finds the ring."""
    folder = build(tmp_path / "market")
    fakes = [f"bx{i}" for i in range(10)]
    accounts = [["bshop", "seller", "2025-08-01T00:00:00Z", "DE", "active"]]
    devices, addresses, orders = [], [], []
    for i, fake in enumerate(fakes):
        street = f"Am Anger {i + 1}, 0409{i} Leipzig"
        family = [f"bf{i}-{k}" for k in range(3)]
        for k, member in enumerate(family):
            accounts.append([member, "buyer", f"{2015 + k}-02-01T00:00:00Z", "DE", "active"])
            devices.append([member, f"dev-{member}", f"{2015 + k}-02-01T00:00:00Z", "2025-12-01T00:00:00Z", ""])
            addresses.append([member, street, "home", "DE"])
            orders += [[f"{member}-{j}", member, SHOPS[(i + k + j) % 5], f"{15 + 9 * ((i + k + j) % 7)}.50", "EUR",
                        f"2025-{9 + j:02d}-{3 + 2 * k + i:02d}T19:00:00Z", "completed", "", "", "", ""]
                       for j in range(3)]
        accounts.append([fake, "buyer", "2025-10-20T00:00:00Z", "DE", "active"])
        devices.append([fake, f"phone-{fake}", "2025-10-20T00:00:00Z", "2025-10-25T00:00:00Z", ""])
        addresses.append([fake, street, "shipping", "DE"])
        orders += [[f"{fake}-{j}", fake, "bshop", "4.99", "EUR", f"2025-10-{21 + j % 3}T{8 + i:02d}:{5 * j:02d}:00Z",
                    "completed", "", street, "", ""] for j in range(3)]
    for name, rows in (("accounts.csv", accounts), ("account_devices.csv", devices),
                       ("account_addresses.csv", addresses), ("orders.csv", orders)):
        with open(folder / name, "a", newline="") as f:
            csv.writer(f).writerows(rows)
    assert load(store, [folder]).quarantined == 0
    projection = project(store)
    from graphfraud import detect
    cpm = detect.leiden_cpm(projection.n, *detect.linkage(projection))
    at = {a: i for i, a in enumerate(projection.ids.tolist())}
    assert len({int(cpm[at[f]]) for f in fakes}) == len(fakes), "CPM alone puts each fake buyer with its family"
    _, _, by_members = _ring(store)
    star = by_members[frozenset(fakes + ["bshop"])]
    assert star.score >= 50 and star.typology == "brushing"
    families = [m for m, c in by_members.items() if c.score >= 50 and any(a.startswith("bf") for a in m)]
    assert families == [], "no family is flagged"


def _linked_group(folder: Path, prefix: str, disputes: list[int]) -> list[str]:
    """Four established accounts on one family computer, buying as the honest ones do; member
    ``i`` charges back ``disputes[i]`` of its four orders."""
    group = [f"{prefix}{i}" for i in range(4)]
    with open(folder / "accounts.csv", "a", newline="") as f:
        csv.writer(f).writerows([[a, "buyer", f"{2016 + i}-06-01T00:00:00Z", "DE", "active"] for i, a in enumerate(group)])
    with open(folder / "account_devices.csv", "a", newline="") as f:
        csv.writer(f).writerows([[a, f"{prefix}-pc", "2019-06-01T00:00:00Z", "2025-12-01T00:00:00Z", ""] for a in group])
    with open(folder / "orders.csv", "a", newline="") as f:
        csv.writer(f).writerows([[f"{a}-{k}", a, SHOPS[(i + k) % 5], f"{20 + 7 * ((i * 3 + k) % 11)}.00", "EUR",
                                  f"2025-{9 + k:02d}-{3 + 5 * i:02d}T12:00:00Z",
                                  "chargeback" if k < disputes[i] else "completed", "", "", "", ""]
                                 for i, a in enumerate(group) for k in range(4)])
    return group


def test_chargebacks_by_most_of_a_group_are_a_ring_on_their_own(store, tmp_path):
    """Chargebacks are the one family that is, alone, what a ring is, when most of a group's
    buyers (three or more) dispute: 50 with nothing else. Two of four members disputing is 40."""
    folder = build(tmp_path / "market")
    ring = _linked_group(folder, "cb", [2, 2, 2, 0])
    house = _linked_group(folder, "hh", [2, 2, 0, 0])
    assert load(store, [folder]).quarantined == 0
    _, _, by_members = _ring(store)
    disputing, family = by_members[frozenset(ring)], by_members[frozenset(house)]
    assert [r["signal"] for r in disputing.reasons if r["holds"]] == ["chargebacks"]
    assert disputing.score == 50.0 and disputing.typology == "chargeback"
    assert family.score == 40.0, "one strong family, as before"


def _office(folder: Path, created: str) -> list[str]:
    """Six colleagues on one office kiosk, each lunching at the canteen every week from the
    data's first days (the honest market's first order is on 1 September)."""
    office = [f"of{i}" for i in range(6)]
    with open(folder / "accounts.csv", "a", newline="") as f:
        csv.writer(f).writerows([["canteen", "seller", "2020-01-01T00:00:00Z", "DE", "active"]] +
                                [[a, "buyer", created, "DE", "active"] for a in office])
    with open(folder / "account_devices.csv", "a", newline="") as f:
        csv.writer(f).writerows([[a, "office-kiosk", created, "2025-12-01T00:00:00Z", ""] for a in office])
    with open(folder / "orders.csv", "a", newline="") as f:
        csv.writer(f).writerows([[f"{a}-l{k}", a, "canteen", f"{7 + (i + 3 * k) % 9}.{10 * i:02d}", "EUR",
                                  f"2025-09-{2 + (i % 3) + 7 * k:02d}T12:{10 * i:02d}:00Z", "completed", "", "", "", ""]
                                 for i, a in enumerate(office) for k in range(4)])
    return office


@pytest.mark.parametrize("created, starts", [("2020-03-01T00:00:00Z", False), ("2025-08-20T00:00:00Z", True)])
def test_regulars_first_seen_as_the_data_begins_did_not_start_together(store, tmp_path, created, starts):
    """Accounts years old whose first orders fall in the data's first weeks may have bought all
    along: their first orders there are no coordinated start. Accounts opened days before the
    data begins have no such past, and starting together is evidence again."""
    folder = build(tmp_path / "market")
    office = _office(folder, created)
    assert load(store, [folder]).quarantined == 0
    _, _, by_members = _ring(store)
    group = next(c for members, c in by_members.items() if set(office) <= members)
    assert ("order_burst" in {r["signal"] for r in group.held}) is starts
    if not starts:
        assert group.score < 50
        projection = project(store)
        _, scored, _, _ = find_rings(projection)
        c = next(c for c in scored.order() if set(office) <= set(projection.ids[scored.candidate(c).members]))
        burst = _reason(scored.candidate(c, explain=True), "order_burst")
        assert burst["text"].startswith("6 buyers sharing a phone or card with another member, all older accounts "
                                        "whose first order"), burst["text"]
        assert burst["text"].endswith("fell in the data's first 28 days (they may have been ordering before it "
                                      "began): no start to compare"), burst["text"]
        assert burst["evidence"]["not_counted"] == 6 and burst["value"] is None


def test_an_unpublished_run_writes_nothing_and_hands_back_its_final_timings(hand_built):
    before = hand_built.run_cypher("MATCH (n) RETURN count(n) AS n", {})[1]
    result = run_detection(hand_built, publish=False)
    assert hand_built.run_cypher("MATCH (n) RETURN count(n) AS n", {})[1] == before
    names = [name for name, _ in result.writes]
    assert names == ["rings_run_start", "rings_upsert", "rings_clear_members", "rings_members", "rings_run_end"]
    stored = json.loads(result.writes[-1][1]["timings"])
    assert stored == result.timings and "total" in stored


def test_rings_show_lists_an_ip_two_members_share_and_says_when_the_timeline_is_cut(store, tmp_path):
    folder = build(tmp_path / "market")
    devices = list(csv.reader(open(folder / "account_devices.csv", newline="")))
    for row in devices[1:]:
        if row[0] in RING[:2]:
            row[4] = "198.51.100.7"
    _write(folder, "account_devices.csv", devices[0], devices[1:])
    assert load(store, [folder]).quarantined == 0
    ring = run_detection(store).rings[0]
    identifiers = {(i["kind"], i["identifier"]): i["ring_members"] for i in ring_detail(store, ring["id"])["identifiers"]}
    assert identifiers[("IP", "198.51.100.7")] == 2 and identifiers[("Subnet", "198.51.100")] == 2
    shown = CliRunner().invoke(app, ["rings", "show", ring["id"], "--orders", "2"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "size 7 (6 buying and 1 selling inside the group)" in shown.stdout
    assert "order timeline: the first 2 of 30 orders (--orders N for more)" in shown.stdout
    assert "198.51.100.7" in shown.stdout
    none = CliRunner().invoke(app, ["rings", "show", ring["id"], "--orders", "0"], env={"COLUMNS": "200"})
    assert "order timeline: 30 orders (--orders N to list them)" in none.stdout and "order_id" not in none.stdout


def _card_number(middle: str) -> str:
    """A Luhn-valid card number 453914 … 6467 (one fingerprint, 453914:6467, for every ``middle``)."""
    from graphfraud.normalise import luhn_valid

    return next(n for d in "0123456789" if luhn_valid(n := f"453914{middle}{d}6467"))


def test_rings_show_lists_a_building_and_a_card_members_reach_through_orders(store, tmp_path):
    """Two members shipping to two flats of one building that neither holds (a drop detection links),
    paying with two cards of one fingerprint: the identifiers table shows the building and the card."""
    folder = build(tmp_path / "market")
    orders = list(csv.reader(open(folder / "orders.csv", newline="")))
    flats = {RING[0]: "Lindenallee 40, Whg. 17, 50968 Köln", RING[1]: "Lindenallee 40, Whg. 18, 50968 Köln"}
    cards = {RING[0]: _card_number("00000"), RING[1]: _card_number("11111")}
    for row in orders[1:]:
        row[8] = flats.get(row[1], row[8])
        row.append(cards.get(row[1], ""))
    _write(folder, "orders.csv", orders[0] + ["card_number"], orders[1:])
    assert load(store, [folder]).quarantined == 0
    ring = run_detection(store).rings[0]
    identifiers = {(i["kind"], i["identifier"]): i["members"] for i in ring_detail(store, ring["id"])["identifiers"]}
    assert sorted(identifiers[("Building", "lindenallee 40 koln 50968")]) == RING[:2]
    assert sorted(identifiers[("CardFingerprint", "453914:6467")]) == RING[:2]
    _, _, links = investigate.shared(store, RING[0], RING[1])
    assert [link.note for link in links if link.kind == "building"] == [
        "different flats of one building: unit 17 lindenallee 40 koln 50968, unit 18 lindenallee 40 koln 50968"]
    bundle = tmp_path / "bundle"
    exported = CliRunner().invoke(app, ["export", ring["id"], "--out", str(bundle), "--by", "test"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(open(bundle / "identifiers.csv", newline="")))
    assert sorted(r["account_id"] for r in rows if r["type"] == "Building") == RING[:2]


def test_reasons_read_as_sentences_without_placeholder_dates_or_broken_plurals(hand_built):
    """Every candidate explained, rings and dismissed groups alike (a household shares no phone: no burst dates)."""
    _, scored, _, _ = find_rings(project(hand_built))
    texts = [r["text"] for c in scored.order() for r in scored.candidate(c, explain=True).reasons]
    assert len(texts) >= 30
    assert not [t for t in texts if "1970-01-01" in t or " 1 days" in t or " 1 sellers" in t or " 1 buyers" in t]
    assert not [t for t in texts if t.startswith("1 orders") or " 1 member sharing a phone or card with another were" in t
                or "1 seller buy" in t]


def test_a_burst_of_first_orders_with_the_rings_seller_says_so(hand_built):
    """The ring's buyers are measured from their first order with its seller, against buyer-seller
    pairs' first orders: the sentence says what was counted, and a one-day window reads as a day."""
    _, _, by_members = _ring(hand_built)
    burst = _reason(by_members[frozenset(RING + [RING_SHOP])], "order_burst")
    assert burst["text"].startswith("6 buyers sharing a phone or card with another member placed their first order "
                                    "with the ring's seller on 2025-10-01; "), burst["text"]
    assert "of the marketplace's buyer-seller pairs' first orders fell then" in burst["text"]


def test_a_local_shop_on_its_neighbours_network_is_not_linked_to_them(store, tmp_path):
    """A family and the shop round the corner share their provider's /24 and nothing else: that is no
    seller linked to its buyers (a shared phone, address or card is). The hand-built ring's seller
    shares the ring's phone, and stays linked."""
    from graphfraud.score import score_groups

    folder = build(tmp_path / "market")
    family = ["n1", "n2", "n3"]
    with open(folder / "accounts.csv", "a", newline="") as f:
        csv.writer(f).writerows([[a, "buyer" if a != "corner" else "seller", "2022-01-01T00:00:00Z", "DE", "active"]
                                 for a in family + ["corner"]])
    with open(folder / "account_devices.csv", "a", newline="") as f:
        csv.writer(f).writerows([[a, f"dev-{a}", "2022-01-01T00:00:00Z", "2025-12-01T00:00:00Z", f"81.20.30.{i + 10}"]
                                 for i, a in enumerate(family + ["corner"])])
    with open(folder / "orders.csv", "a", newline="") as f:
        csv.writer(f).writerows([[f"n{a}{k}", a, "corner", "12.50", "EUR", f"2025-10-{k + 1:02d}T09:00:00Z",
                                  "completed", "", "", "", ""] for a in family for k in range(4)])
    assert load(store, [folder]).quarantined == 0
    projection = project(store)
    membership = np.full(projection.n, -1)
    membership[np.isin(projection.ids, family + ["corner"])] = 0
    membership[np.isin(projection.ids, RING + [RING_SHOP])] = 1
    scored = score_groups(projection, membership)
    neighbours = _reason(scored.candidate(0, explain=True), "seller_links")
    assert neighbours["evidence"] == {"linked_pairs": 0, "pairs": 3} and not neighbours["holds"]
    assert _reason(scored.candidate(1, explain=True), "seller_links")["evidence"] == {"linked_pairs": 6, "pairs": 6}


def test_a_marketplace_of_accounts_and_orders_alone_is_scored(store, tmp_path):
    """No device, address, card or code anywhere: no identifier group at all, yet groups are still tested."""
    from graphfraud.score import score_groups

    folder = build(tmp_path / "market")
    for table in ("account_devices.csv", "account_addresses.csv"):
        (folder / table).unlink()
    assert load(store, [folder]).quarantined == 0
    projection = project(store)
    assert len(projection.group_kind) == 0
    membership = np.where(np.isin(projection.ids, RING + [RING_SHOP]), 0, -1)
    ring = score_groups(projection, membership).candidate(0, explain=True)
    assert _reason(ring, "concentration")["holds"] and not _reason(ring, "promo_reuse")["holds"]
    run_detection(store)   # and the whole pipeline runs


def test_rings_show_says_when_the_latest_run_no_longer_finds_a_ring(hand_built):
    """The household is stored as a ring by a run with no minimum score, then dropped by the next one:
    showing it says it is the ring as it was last found, not a current one."""
    kept = run_detection(hand_built, min_score=0)
    household = next(r["id"] for r in kept.rings if set(r["members"]) == set(HOUSE))
    run_detection(hand_built)
    shown = CliRunner().invoke(app, ["rings", "show", household], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "not found by the latest run (det-" in shown.stdout
    ring = next(r["id"] for r in run_detection(hand_built).rings)
    assert "not found by the latest run" not in CliRunner().invoke(app, ["rings", "show", ring]).stdout


def test_detect_names_the_groups_it_dismissed_closest_to_the_bar_and_why(hand_built):
    """An investigator sees why the groups that came nearest were not rings (the household here)."""
    shown = CliRunner().invoke(app, ["detect"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "dismissed at " in shown.stderr
    assert "household: 3 accounts, 5 distinct sellers, no concentration; nothing unusual" in shown.stderr
    assert "rings shown" not in shown.stderr, "every ring is in the table"
    strict = CliRunner().invoke(app, ["detect", "--min-score", "100"], env={"COLUMNS": "200"})
    ring = re.search(r"dismissed at ([\d.]+): .*; also .*: ([\d.]+), under the minimum 100\n", strict.stderr)
    assert ring and ring[1] == ring[2], "a ring under a raised minimum is shown with its score against that minimum"
    cut = CliRunner().invoke(app, ["detect", "--top", "0"], env={"COLUMNS": "200"})
    assert "the top 0 of 1 ring shown: graphfraud rings list for all of them" in cut.stderr, cut.output


@pytest.mark.parametrize("bar", ["nan", "inf", "-5", "101"])
def test_a_score_bar_outside_0_to_100_is_refused_saying_so(bar):
    for command in (["detect"], ["rings", "list"]):
        result = CliRunner().invoke(app, [*command, "--min-score", bar])
        assert result.exit_code == 2 and "is not a score from 0 to 100" in result.output, result.output


def _orders_only(ids: list[str], roles: list[int], rows: dict, currencies: list[str]):
    """A projection of accounts and their orders alone (no identifiers): ``rows`` per (buyer, seller,
    currency) as column lists of buyer, seller, currency and orders, 10.00 an order."""
    from graphfraud.project import Projection

    n, k = len(ids), len(rows["orders"])
    orders = {c: np.array(v, np.int64 if c == "orders" else np.int32) for c, v in rows.items()}
    amount = 10.0 * orders["orders"]
    orders |= {"amount": amount, "amount_sq": 10.0 * amount, "first": np.zeros(k, np.int64),
               "chargebacks": np.zeros(k, np.int64), "account_chargebacks": np.zeros(n, np.int64),
               "account_refunds": np.zeros(n, np.int64), "account_cancels": np.zeros(n, np.int64)}
    z = np.zeros(0, np.int64)
    return Projection(ids=np.array(ids), role=np.array(roles, np.int8), created=np.zeros(n, np.int64),
                      country=np.zeros(n, np.int32), countries=["DE"], group_kind=np.zeros(0, np.int8),
                      group_key=np.zeros(0, object), group_ptr=np.zeros(1, np.int64),
                      group_members=np.zeros(0, np.int32), group_held=np.zeros(0, bool),
                      group_silent=np.zeros(0, bool), pair_a=z.astype(np.int32), pair_b=z.astype(np.int32),
                      pair_w=z.astype(float), orders=orders, currencies=currencies, promo_uses={})


def test_a_buyer_devoted_to_one_seller_in_two_currencies_is_devoted():
    """4 of b's 7 orders went to s1, 2 paid in EUR and 2 in GBP, 3 to s2: devoted to s1. The
    projection sums per (buyer, seller, currency); devotion counts per seller."""
    from graphfraud.score import score_groups

    p = _orders_only(["b", "s1", "s2"], [0, 1, 1],
                     {"buyer": [0, 0, 0], "seller": [1, 1, 2], "currency": [0, 1, 0], "orders": [2, 2, 3]},
                     ["EUR", "GBP"])
    devotion = score_groups(p, np.zeros(3, np.int64)).signals["devotion"]
    assert (devotion["k"][0], devotion["n"][0], devotion["baseline"][0]) == (1, 1, 1.0)


def test_a_seller_named_among_equals_says_so():
    """The group's orders went to two outside shops alike (3 each): the lower id is named, with the tie."""
    from graphfraud.score import score_groups

    p = _orders_only(["b1", "b2", "s1", "s2"], [0, 0, 1, 1],
                     {"buyer": [0, 0, 1, 1], "seller": [2, 3, 2, 3], "currency": [0, 0, 0, 0], "orders": [2, 1, 1, 2]},
                     ["EUR"])
    ctx = score_groups(p, np.array([0, 0, -1, -1])).ctx
    assert ctx._seller_label(0) == "one seller (s1; 1 other had as many)"
