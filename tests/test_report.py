"""The weekly trend report: numbers, patterns, masking, self-contained HTML rendered in Chromium."""

import json
import os
import re
import shutil
import subprocess

import pytest

from graphfraud.report import (ReportData, WeekMetrics, charts, convert, find_patterns, headline_rows, mask, render,
                               write_report)

SELLER = "seller_004821"
PROMO = "SPRING25OFF"


def week(day: str, **kw) -> WeekMetrics:
    base = dict(active_rings=10, rings_on_file=12, new_rings=2, accounts=60, gmv=10_000.0, promo_spend=500.0,
                chargeback=800.0, actioned=1, new_by_typology={"brushing": 1, "chargeback": 1},
                money_by_typology={"brushing": 6000.0, "chargeback": 4000.0}, ttd_days=[4, 6],
                countries={"DE": 30, "GB": 30}, identifier_kinds={"device": 5, "address": 3},
                new_identifier_kinds={"device": 2})
    base.update(kw)
    return WeekMetrics(as_of=day, run_id=f"weekly-{day}", **base)


def weeks_with_a_surge() -> list[WeekMetrics]:
    days = ["2025-11-03", "2025-11-10", "2025-11-17", "2025-11-24", "2025-12-01"]
    out = [week(d) for d in days[:-1]]
    out.append(week(days[-1], active_rings=16, new_rings=7, accounts=110, gmv=25_000.0,
                    new_by_typology={"brushing": 1, "promo_abuse": 6},
                    money_by_typology={"brushing": 6000.0, "chargeback": 4000.0, "promo_abuse": 15_000.0},
                    ttd_days=[2, 3, 5, 5, 6, 9, 12], countries={"DE": 30, "GB": 30, "PL": 50},
                    identifier_kinds={"device": 6, "address": 3, "fingerprint": 4},
                    new_identifier_kinds={"fingerprint": 4, "device": 1}))
    return out


def report_data() -> ReportData:
    return ReportData(
        weeks=weeks_with_a_surge(),
        top_new=[{"ring_id": "R-0123456789", "typology": "promo_abuse", "size": 9, "score": 93.0, "money": 4200.0,
                  "explanation": "9 new accounts used one welcome code from 2 devices"}],
        fastest_growing=[{"ring_id": "R-abcdefabcd", "typology": "brushing", "size": 14, "added": 5, "money": 900.0,
                          "explanation": "83 % of orders to 2 ring sellers"}],
        hubs=[{"kind": "seller", "id": SELLER, "rings": ["R-1", "R-2", "R-3"]},
              {"kind": "promo", "id": PROMO, "rings": ["R-4", "R-5"]}],
        lineage={"new": 7, "grown": 3, "unchanged": 6})


def test_amounts_are_converted_with_stated_rates_and_unknown_currencies_are_kept_apart():
    total, missing = convert({"EUR": 100.0, "USD": 100.0, "ZZZ": 3.0}, {"EUR": 1.0, "USD": 0.9})
    assert total == 190.0 and missing == {"ZZZ": 3.0}


def test_headline_compares_with_last_week_and_the_average_of_the_four_weeks_before():
    weeks = weeks_with_a_surge()
    weeks[-2].active_rings = 12  # last week
    rows = {r["key"]: r for r in headline_rows(weeks)}
    assert rows["active_rings"]["value"] == 16
    assert rows["active_rings"]["last"] == 12
    assert rows["active_rings"]["avg4"] == pytest.approx((10 + 10 + 10 + 12) / 4)
    assert rows["active_rings"]["delta"] == "+33%" and rows["active_rings"]["trend"] == "worse"
    assert rows["actioned"]["trend"] == "flat"


def test_first_run_says_there_is_nothing_to_compare_with_and_keeps_the_four_week_label():
    rows = headline_rows([week("2025-11-03")])
    assert all(r["last"] is None and r["avg4"] is None and r["delta"] == "first run" for r in rows)
    data = report_data()
    data.weeks = [week("2025-11-03")]
    html, md = render(data)
    for text in (html, md):
        assert "First run: nothing to compare with." in text
        assert "4-week avg" in text and "1-week avg" not in text
        assert "no earlier run" not in text
    assert "vs last week (" not in html  # no "vs last week (–)" on the cards
    assert "| Active rings | **10** | first run | – | – |" in md


def test_a_run_after_months_without_one_is_not_compared_with_the_old_run_as_last_week():
    old, this = week("2026-03-01", active_rings=4), week("2026-12-04", active_rings=16)
    assert headline_rows([old, this])[0] | {"label": None} == {
        "key": "active_rings", "label": None, "kind": "count", "value": 16, "last": None, "avg4": None,
        "compared": False, "delta": "no run last week", "trend": "flat"}
    data = report_data()
    for weeks, previous in (([old, this], None), ([this], "2026-03-01")):  # the job trims the old run away
        data.weeks, data.previous_as_of = weeks, previous
        html, md = render(data)
        for text in (html, md):
            assert "No run last week (previous run 2026-03-01, 39 weeks earlier)." in text
            assert "Last week" not in text.split("How to read")[0].replace("| Last week |", "")
        assert "| Active rings | **16** | no run last week | – | – |" in md
        assert "vs last week (" not in html
    assert "Trends over the last 41 weeks, 39 of them without a run" in render(
        ReportData(weeks=[old, this], previous_as_of="2026-03-01"))[0]


@pytest.mark.parametrize("days, compared", [(4, False), (5, True), (6, True), (7, True), (8, True), (9, True),
                                             (10, False), (14, False)])
def test_last_week_is_a_run_five_to_nine_days_earlier(days, compared):
    from datetime import date, timedelta

    from graphfraud.report import last_week

    this = date(2026, 3, 9)
    weeks = [week((this - timedelta(days=days)).isoformat()), week(this.isoformat())]
    assert (last_week(weeks) is weeks[0]) == compared
    assert (headline_rows(weeks)[0]["last"] is not None) == compared


def test_a_run_only_days_after_the_previous_one_says_why_it_is_not_compared():
    rows = headline_rows([week("2025-11-06")], "2025-11-03")
    assert {r["delta"] for r in rows} == {"not compared"}
    assert "Not compared: the previous run (2025-11-03) is only 3 days earlier." in \
        render(ReportData(weeks=[week("2025-11-06")], previous_as_of="2025-11-03"))[1]


def test_the_average_covers_the_four_weeks_before_not_older_runs():
    weeks = [week("2025-09-01", active_rings=100), week("2025-10-27", active_rings=2), week("2025-11-10"),
             week("2025-11-17")]
    rows = {r["key"]: r for r in headline_rows(weeks)}
    assert rows["active_rings"]["avg4"] == pytest.approx((2 + 10) / 2)  # 3 and 1 weeks before, not 11
    assert "2-week avg" in render(ReportData(weeks=weeks))[1]


def test_pattern_sentences_name_their_baseline_in_plain_english():
    weeks = [week("2025-11-24", money_by_typology={"brushing": 6000.0}),
             week("2025-12-01", money_by_typology={"brushing": 6000.0, "chargeback": 4000.0},
                  new_by_typology={"promo_abuse": 3})]
    text = "\n".join(find_patterns(weeks, []))
    assert "Promo abuse is growing fast: 3 new rings this week against 0 a week on average over the previous week." \
        in text
    assert "Money at risk in chargeback rings: €4,000 this week, against none in the previous week." in text
    for garbled in ("week'", "1 week", "none before", "jumped", "Chargeback money at risk"):
        assert garbled not in text

    # Down on last week, up on the 4-week average: the sentence says which it compares with.
    surge = [week(d, money_by_typology={"chargeback": m}) for d, m in
             (("2025-11-03", 1000.0), ("2025-11-10", 1000.0), ("2025-11-17", 1000.0), ("2025-11-24", 9000.0),
              ("2025-12-01", 6000.0))]
    text = "\n".join(find_patterns(surge, []))
    assert ("Money at risk in chargeback rings: €6,000 this week, 2.0 times its weekly average over the previous "
            "4 weeks (€3,000).") in text


def test_a_link_kind_is_new_only_against_weeks_that_had_rings():
    quiet = week("2025-11-24", active_rings=0, rings_on_file=0, new_rings=0, accounts=0, identifier_kinds={},
                 new_identifier_kinds={}, new_by_typology={}, money_by_typology={}, countries={})
    second = week("2025-12-01", identifier_kinds={"device": 2}, new_identifier_kinds={"device": 2})
    assert not any(p.startswith("New kind of link") for p in find_patterns([quiet, second], []))
    ringed = week("2025-11-24", identifier_kinds={"address": 1})
    assert any(p.startswith("New kind of link: 2 of this week's new rings share a device")
               for p in find_patterns([ringed, second], []))


def test_caveats_are_shown_above_the_headline():
    data = report_data()
    data.caveats = ["This week is not over yet: its figures are partial."]
    html, md = render(data)
    assert "<li>This week is not over yet: its figures are partial.</li>" in html.split("Headline")[0]
    assert "**Note:** This week is not over yet: its figures are partial." in md.split("## Headline")[0]


def test_a_report_with_two_weeks_says_its_average_is_over_one_week_and_counts_one_day_right():
    data = report_data()
    data.weeks = [week("2025-11-24"), week("2025-12-01", ttd_days=[1])]
    html, md = render(data)
    assert "1-week avg" in md and "1-week avg" in html and "4-week avg" not in md + html
    assert "**1 day**" in md and "<strong>1 day</strong>" in html


def test_patterns_name_a_fast_growing_typology_a_new_link_kind_hubs_and_a_country_shift():
    patterns = find_patterns(weeks_with_a_surge(), report_data().hubs)
    text = "\n".join(patterns)
    assert "Promo abuse is growing fast: 6 new rings this week against 0 a week" in text
    assert "4 of this week's new rings share a card fingerprint" in text
    assert f"Seller {mask(SELLER)} is the main seller of 3 rings (R-1, R-2, R-3)" in text
    assert f"Promo code {mask(PROMO)} is the main promo code of 2 rings" in text
    assert ("Shift between countries: the share of active rings' accounts rose in PL to 45% (from 0%), and fell in DE to 27% "
            "(from 50%) and GB to 27% (from 50%), against the average of the previous 4 weeks.") in text
    assert SELLER not in text and PROMO not in text


def test_a_steady_week_has_no_pattern():
    weeks = [week(d) for d in ("2025-11-03", "2025-11-10", "2025-11-17")]
    assert find_patterns(weeks, []) == []


def test_charts_are_inline_svg_with_text_kept_as_text():
    svgs = charts(weeks_with_a_surge())
    assert set(svgs) == {"new_rings", "money", "ttd"}
    for svg in svgs.values():
        assert svg.startswith("<svg") and "<?xml" not in svg
        assert "<text" in svg  # svg.fonttype = none: labels stay text, not glyph paths
    assert "promo abuse" in svgs["new_rings"]


def test_charts_of_weeks_without_rings_say_so_on_a_plain_axis():
    svgs = charts([WeekMetrics("2026-03-01", "a"), WeekMetrics("2026-03-08", "b")])
    for name in ("new_rings", "money"):
        assert "no rings in these weeks" in svgs[name]
        assert not re.search(r">\s*(€\s*)?0\.[0-9]+\s*<", svgs[name]), "no fractional ticks for an empty chart"


def test_report_is_self_contained_masked_printable_and_deterministic(tmp_path):
    html_path, md_path = write_report(report_data(), tmp_path)
    html, md = html_path.read_text(), md_path.read_text()
    assert html.count("<svg") == 3
    assert "@media print" in html
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|url\((?!#)", html, re.I)  # nothing fetched, no script
    assert not re.search(r"https?://(?!www\.w3\.org/)", html)  # only SVG namespace URIs
    for text in (html, md):
        assert SELLER not in text and PROMO not in text
        assert "R-0123456789" in text and "R-abcdefabcd" in text  # ring ids stay whole for investigators
        assert "How to read this" in text or "How to read this".lower() in text.lower()
        assert "1 USD = 0.92" in text  # the rates are stated
    assert "| Active rings | **16** | new |" not in md and "| Active rings | **16** | +60% | 10 | 10 |" in md
    assert render(report_data()) == (html, md)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _need_chromium() -> str:
    found = _chromium()
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed, and CI must render the report (.ci/run installs Debian's chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium); CI installs it and runs this test")


def _chromium_args(browser: str, profile) -> list[str]:
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}"]


def test_report_renders_in_headless_chromium_with_its_charts(tmp_path):
    browser = _need_chromium()
    html_path, _ = write_report(report_data(), tmp_path / "report")
    url = html_path.resolve().as_uri()

    dom = subprocess.run(_chromium_args(browser, tmp_path / "p1") + ["--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for chart in ("chart-new-rings", "chart-money", "chart-ttd"):
        match = re.search(rf'<div class="chart" id="{chart}">\s*<svg[^>]*>(.*?)</svg>', dom.stdout, re.S)
        assert match, f"{chart} has no svg in the rendered DOM"
        assert match.group(1).count("<path") >= 5, f"{chart} draws nothing"

    shot = tmp_path / "shot.png"
    run = subprocess.run(_chromium_args(browser, tmp_path / "p2") + [f"--screenshot={shot}", "--window-size=1200,2000",
                                                                      url],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    ink = (pixels.sum(axis=2) < 2.7).mean()  # share of pixels that are not (near) white
    assert ink > 0.03, f"screenshot is almost blank ({ink:.1%} ink)"
    # The charts sit in the middle of the page: their band must carry ink of several colours.
    band = pixels[700:1500]
    colours = {tuple((p * 8).astype(int)) for p in band.reshape(-1, 3)[::97]}
    assert len(colours) > 8, "the chart area looks empty"


def test_restated_rates_show_at_most_four_significant_figures_with_their_currency():
    data = report_data()
    data.currency, data.rates = "USD", {"USD": 1.0, "EUR": 1 / 0.92, "GBP": 1.17 / 0.92}
    html, md = render(data)
    for text in (html, md):
        assert "1 EUR = 1.087 USD; 1 GBP = 1.272 USD." in text
        assert "1.0869" not in text


def test_a_baseline_week_is_not_a_zero_in_new_ring_comparisons_and_averages():
    base = week("2025-11-03", new_rings=0, baseline=True, new_by_typology={}, ttd_days=[])
    rows = {r["key"]: r for r in headline_rows([base, week("2025-11-10", new_rings=2)])}
    assert (rows["new_rings"]["last"], rows["new_rings"]["avg4"], rows["new_rings"]["delta"]) == \
        (None, None, "last week: baseline")
    assert rows["active_rings"]["last"] == 10, "the rings themselves are compared"
    later = {r["key"]: r for r in headline_rows([base, week("2025-11-10", new_rings=2), week("2025-11-17")])}
    assert later["new_rings"]["avg4"] == 2
    surge = week("2025-11-10", new_by_typology={"promo_abuse": 3})
    assert not any("growing fast" in p for p in find_patterns([base, surge], []))
    assert WeekMetrics.from_dict({"as_of": "2025-11-03", "run_id": "old"}).baseline is False  # stored by older versions


def test_a_country_shift_lists_its_countries_in_plain_english():
    before = [week(d, countries={"GB": 31, "US": 41, "DE": 28}) for d in ("2025-11-17", "2025-11-24")]
    this = week("2025-12-01", countries={"GB": 21, "US": 27, "DE": 52})
    [shift] = [p for p in find_patterns(before + [this], []) if p.startswith("Shift")]
    assert ("the share of active rings' accounts rose in DE to 52% (from 28%), and fell in GB to 21% (from 31%) and US to 27% "
            "(from 41%), against") in shift


def test_top_new_rings_say_how_many_of_the_new_rings_they_show():
    data = report_data()
    ring = data.top_new[0]
    data.top_new = [{**ring, "ring_id": f"R-{i:010d}"} for i in range(5)]
    data.weeks[-1].new_rings = 6
    html, md = render(data)
    assert "## Top new rings (5 of 6)\n" in md and "<h2>Top new rings (5 of 6)</h2>" in html
    data.weeks[-1].new_rings = 5
    assert "## Top new rings\n" in render(data)[1]


def test_weeks_stored_before_active_rings_were_counted_by_the_week_are_not_compared_with_them():
    """Metrics stored by an older version counted every ring on file as active: after an upgrade the
    headline does not call the new count a drop, nor average the two, nor read a country shift from them."""
    old = WeekMetrics.from_dict({"as_of": "2025-11-03", "run_id": "old", "active_rings": 41, "accounts": 281,
                                 "new_rings": 3, "countries": {"DE": 200, "GB": 81}})
    new = week("2025-11-10", active_rings=29, accounts=190, new_rings=3, countries={"GB": 150, "DE": 40})
    rows = {r["key"]: r for r in headline_rows([old, new])}
    for key in ("active_rings", "accounts"):
        assert (rows[key]["last"], rows[key]["avg4"], rows[key]["delta"]) == (None, None, "last week: counted otherwise")
    assert rows["new_rings"]["delta"] == "=" and rows["new_rings"]["avg4"] == 3, "new rings meant the same"
    assert not [p for p in find_patterns([old, new], []) if p.startswith("Shift")]
    assert new.version == 3 and WeekMetrics.from_dict(json.loads(new.to_json())).version == 3
    data = report_data()
    data.weeks = [old, new]
    trend = [line for line in render(data)[1].splitlines() if line.startswith(("| 2025-11-03", "| 2025-11-10"))]
    assert [line.split(" | ")[1] for line in trend] == ["–", "29"], "the trend shows no fall that did not happen"


def test_a_week_stored_before_rings_actioned_meant_left_actioned_compares_all_but_that():
    """Version 2 counted a ring set actioned and dismissed in its week as actioned; its other figures
    (active rings counted by the week already) still compare."""
    v2 = WeekMetrics.from_dict({"as_of": "2025-11-03", "run_id": "v2", "version": 2, "active_rings": 20,
                                "actioned": 4})
    rows = {r["key"]: r for r in headline_rows([v2, week("2025-11-10", active_rings=25, actioned=1)])}
    assert (rows["actioned"]["last"], rows["actioned"]["delta"]) == (None, "last week: counted otherwise")
    assert (rows["active_rings"]["last"], rows["active_rings"]["delta"]) == (20, "+25%")


def test_promo_spend_estimated_at_another_discount_is_not_compared():
    """The team lead changed the assumed discount from 15 % to 25 %: last week's promo spend is
    another figure, while its other figures compare as before."""
    last = week("2025-11-03", promo_spend=300.0, promo_discount=0.15)
    rows = {r["key"]: r for r in headline_rows([last, week("2025-11-10", promo_spend=500.0, promo_discount=0.25)])}
    assert (rows["promo_spend"]["last"], rows["promo_spend"]["delta"]) == (None, "last week: counted otherwise")
    assert rows["gmv"]["compared"]
    same = {r["key"]: r for r in headline_rows([last, week("2025-11-10", promo_spend=500.0, promo_discount=0.15)])}
    assert (same["promo_spend"]["last"], same["promo_spend"]["delta"]) == (300.0, "+67%")

