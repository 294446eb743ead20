"""The weekly trend report: numbers, patterns, masking, self-contained HTML rendered in Chromium."""

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
    base = dict(active_rings=10, new_rings=2, accounts=60, gmv=10_000.0, promo_spend=500.0, chargeback=800.0,
                actioned=1, new_by_typology={"brushing": 1, "chargeback": 1},
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


def test_first_week_has_nothing_to_compare_with():
    rows = headline_rows([week("2025-11-03")])
    assert all(r["last"] is None and r["avg4"] is None and r["delta"] == "no earlier run" for r in rows)


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
    assert "Shift between countries: the share of ring accounts rose in PL to 45% (from 0%) and fell in DE to 27% (from 50%)" in text
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
