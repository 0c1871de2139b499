"""Scenario files: readable values that read back exactly, and the combination report."""

from __future__ import annotations

import random

from ocop_helpers.core import vnformat
from ocop_helpers.model import params
from ocop_helpers.runs import scenarios


def test_money_and_share_text_read_back_exactly():
    rng = random.Random(13)
    amounts = [0, 500, 999_000, 1_234_567, 500_000_000, 4_500_000_000, 4_512_345_678, 20_900_000_000]
    amounts += [rng.randrange(0, 10**12) for _ in range(2000)]
    amounts += [rng.randrange(0, 10**6) * 10 ** rng.randrange(0, 7) for _ in range(2000)]
    for vnd in amounts:
        text = scenarios.money_text(vnd)
        assert vnformat.parse_money(text, "đồng") == vnd, (vnd, text)
        assert params.coerce(params.specs()["envelope_vnd"], text) == vnd
    assert scenarios.money_text(4_500_000_000) == "4,5 tỷ" and scenarios.money_text(500_000_000) == "500 triệu"
    assert scenarios.money_text(1_234_567) == "1.234.567"
    for _ in range(2000):
        share = round(rng.random(), rng.randrange(1, 7))
        assert vnformat.parse_share(scenarios.share_text(share)) == share, share
    assert scenarios.share_text(0.355) == "35,5%" and scenarios.share_text(1.0) == "100%"


def test_command_line_shows_what_a_combination_gives(tmp_path, capsys):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("scenario: muc-tieu\npass_rate_new: 55%\n", encoding="utf-8")
    b.write_text("scenario: kinh-phi\npass_rate_new: '0,45'\nenvelope_vnd: 4,5 tỷ\n", encoding="utf-8")
    assert scenarios.main([str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "b.yaml ghi đè 'pass_rate_new': 55% (a.yaml) → 45%" in out
    assert "Kịch bản: muc-tieu+kinh-phi" in out and "envelope_vnd = 4,5 tỷ đồng" in out
    b.write_text("envelope_vnd: 1.5\n", encoding="utf-8")
    assert scenarios.main([str(a), str(b)]) == 2
    assert "1.5" in capsys.readouterr().err
