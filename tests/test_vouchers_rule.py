"""The ``voucher`` rule kind: which entries need a voucher, and a recorded voucher that is
missing, altered, pruned (fine after its retention, a finding before), under the real
loader and the rules plugin."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from grantpool.books.loading import load
from grantpool.rules import engine
from tests import rulebooks

PDF = b"%PDF-1.4\n% synthetic test receipt\n"


def rules_requiring(tmp_path: Path, above: str = "1000.00") -> Path:
    """dk2017's rules (no bank rule) with vouchers required over *above*, from any day."""
    text = rulebooks.RULES_NO_BANK.read_text(encoding="utf-8")
    text = text.replace("    above: 0.00 DKK", f"    above: {above} DKK")
    text = "\n".join(line for line in text.splitlines() if "required_from:" not in line)
    path = tmp_path / "rules.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def voucher_meta(folder: Path, name: str, data: bytes = PDF, sha: str | None = None) -> str:
    """Store *data* as documents/<name> under *folder*; the metadata lines naming it."""
    target = folder / "documents" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    digest = sha or hashlib.sha256(data).hexdigest()
    return f'\n  document: "documents/{name}"\n  voucher_sha256: "{digest}"'


def findings(tmp_path: Path, *extra: str, rules: Path | None = None,
             as_of: str = "2018-12-31") -> list[Any]:
    main = tmp_path / "main.beancount"
    main.write_text(rulebooks.books(*extra, as_of=as_of, rules=rules or rules_requiring(
        tmp_path)), encoding="utf-8")
    _, errors, _ = load(main)
    return [e for e in errors if getattr(e, "rule", "") == "vouchers"]


def test_purchase_at_the_amount_needs_no_voucher(tmp_path: Path) -> None:
    assert findings(tmp_path, rulebooks.purchase("2018-04-02", "1000.00")) == []


def test_purchase_a_krone_over_the_amount_without_voucher_is_an_error_at_its_line(
        tmp_path: Path) -> None:
    found = findings(tmp_path, rulebooks.purchase("2018-04-02", "1000.01"))
    assert len(found) == 1 and found[0].severity == "error"
    assert "has no voucher" in found[0].message
    assert found[0].source["filename"].endswith("main.beancount")
    assert found[0].entry.date.isoformat() == "2018-04-02"


def test_purchase_over_the_amount_with_its_voucher_is_fine(tmp_path: Path) -> None:
    meta = voucher_meta(tmp_path, "a.pdf")
    assert findings(tmp_path, rulebooks.purchase("2018-04-02", "5000.00", meta=meta)) == []


def test_untagged_kind_is_not_required(tmp_path: Path) -> None:
    assert findings(tmp_path, rulebooks.commitment("2018-04-02", "15000.00")) == []


def test_missing_voucher_file_is_an_error_at_the_purchase(tmp_path: Path) -> None:
    meta = voucher_meta(tmp_path, "a.pdf")
    (tmp_path / "documents" / "a.pdf").unlink()
    found = findings(tmp_path, rulebooks.purchase("2018-04-02", "5000.00", meta=meta))
    assert len(found) == 1 and "is missing" in found[0].message


def test_voucher_altered_after_recording_is_an_error(tmp_path: Path) -> None:
    meta = voucher_meta(tmp_path, "a.pdf")
    (tmp_path / "documents" / "a.pdf").write_bytes(PDF + b"edited")
    found = findings(tmp_path, rulebooks.purchase("2018-04-02", "5000.00", meta=meta))
    assert len(found) == 1 and "was altered" in found[0].message


def test_altered_voucher_is_found_even_under_the_amount(tmp_path: Path) -> None:
    meta = voucher_meta(tmp_path, "a.pdf", sha="0" * 64)
    found = findings(tmp_path, rulebooks.purchase("2018-04-02", "100.00", meta=meta))
    assert len(found) == 1 and "was altered" in found[0].message


def test_voucher_pruned_after_its_retention_is_accepted(tmp_path: Path) -> None:
    meta = voucher_meta(tmp_path, "a.pdf")
    (tmp_path / "documents" / "a.pdf").unlink()
    pruned = '\n2024-01-01 event "voucher_pruned" "documents/a.pdf"\n'
    assert findings(tmp_path, rulebooks.purchase("2018-04-02", "5000.00", meta=meta), pruned,
                    as_of="2024-06-30") == []


def test_voucher_pruned_before_its_retention_ended_is_an_error_at_the_event(
        tmp_path: Path) -> None:
    meta = voucher_meta(tmp_path, "a.pdf")
    pruned = '\n2023-12-31 event "voucher_pruned" "documents/a.pdf"\n'
    found = findings(tmp_path, rulebooks.purchase("2018-04-02", "5000.00", meta=meta), pruned,
                     as_of="2024-06-30")
    assert len(found) == 1 and "must be kept until 2023-12-31" in found[0].message
    assert found[0].entry.type == "voucher_pruned"


def test_required_from_leaves_earlier_entries_alone(tmp_path: Path) -> None:
    rules = rules_requiring(tmp_path)
    text = rules.read_text(encoding="utf-8").replace(
        "    above: 1000.00 DKK", "    above: 1000.00 DKK\n    required_from: 2018-05-01")
    rules.write_text(text, encoding="utf-8")
    found = findings(tmp_path, rulebooks.purchase("2018-04-30", "5000.00"),
                     rulebooks.purchase("2018-05-01", "5000.00"), rules=rules)
    assert [f.entry.date.isoformat() for f in found] == ["2018-05-01"]


def test_voucher_rule_with_a_bad_amount_or_date_is_a_rules_file_error(tmp_path: Path) -> None:
    text = rules_requiring(tmp_path).read_text(encoding="utf-8")
    for bad in ("    above: 1000.00 EUR", "    above: 1000.001 DKK",
                "    above: 1000.00 DKK\n    required_from: 2300-01-01"):
        path = tmp_path / "bad.yaml"
        path.write_text(text.replace("    above: 1000.00 DKK", bad), encoding="utf-8")
        ruleset, problems = engine.load(path)
        assert ruleset is None and "rule 'vouchers'" in problems[0].message
