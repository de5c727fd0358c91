"""The main README job: check the books, then serve them read-only in a real Fava."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tests.servers import free_port, serving


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    with serving(EXAMPLE / "main.beancount", "grant-pool-dk2017") as (base, proc):
        yield base.rsplit("/", 1)[0], proc


def test_serve__fava_shows_the_books_on_loopback(served: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = served
    with urllib.request.urlopen(f"{base}/grant-pool-dk2017/api/errors") as response:
        body = response.read().decode()
    assert '"data":[]' in body.replace(" ", "")
    with urllib.request.urlopen(f"{base}/grant-pool-dk2017/balance_sheet/") as response:
        page = response.read().decode()
    assert "Grant pool dk2017" in page


def test_serve__books_are_read_only(served: tuple[str, subprocess.Popen[str]]) -> None:
    base, _ = served
    request = urllib.request.Request(
        f"{base}/grant-pool-dk2017/api/source", method="PUT",
        data=b'{"file_path": "x", "source": "", "sha256sum": ""}',
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request)
    assert info.value.code == 403  # Fava's own editing is refused by grantpool's gate


def test_serve__a_federation_is_served_read_only_under_every_entitys_slug(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    base, proc = served
    printed = []
    while proc.stdout and sum(line.startswith("  http://") for line in printed) < 6:
        printed.append(proc.stdout.readline())
    slugs = [line.split("/")[3] for line in printed if line.startswith("  http://")]
    assert slugs == ["grant-pool-dk2017", "grant-pool-dk2017-pool", "grant-pool-dk2017-aarhus",
                     "grant-pool-dk2017-halsnæs", "grant-pool-dk2017-kolding",
                     "grant-pool-dk2017-lejre"]
    assert "OK:" in printed[0] and "0 error(s)" in printed[0]  # the federation's check
    for slug in slugs:
        path = urllib.parse.quote(slug)
        with urllib.request.urlopen(f"{base}/{path}/api/errors") as response:
            assert '"data":[]' in response.read().decode().replace(" ", ""), slug
        request = urllib.request.Request(
            f"{base}/{path}/api/source", method="PUT",
            data=b'{"file_path": "x", "source": "", "sha256sum": ""}',
            headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request)
        assert info.value.code == 403, slug


def test_serve__no_overview_serves_every_entity_but_not_the_consolidated_books() -> None:
    with serving(EXAMPLE, "grant-pool-dk2017-pool", "--no-overview") as (base, proc):
        printed = []
        while proc.stdout and sum(line.startswith("  http://") for line in printed) < 5:
            printed.append(proc.stdout.readline())
        slugs = [line.split("/")[3] for line in printed if line.startswith("  http://")]
        assert slugs == ["grant-pool-dk2017-pool", "grant-pool-dk2017-aarhus",
                         "grant-pool-dk2017-halsnæs", "grant-pool-dk2017-kolding",
                         "grant-pool-dk2017-lejre"]
        root = base.rsplit("/", 1)[0]
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{root}/grant-pool-dk2017/income_statement/")
        assert info.value.code == 404
        with urllib.request.urlopen(f"{base}/extension/GrantPool/?time=2019") as response:
            page = response.read().decode()
        # the pool's figures drill down into the municipalities' own ledgers instead
        assert 'href="/grant-pool-dk2017-aarhus/account/' in page
        assert 'href="/grant-pool-dk2017/' not in page


def test_serve__missing_books_exit_2_without_serving(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "grantpool", "serve", str(tmp_path / "none.beancount"),
         "--port", str(free_port())],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2 and "no such file" in result.stderr
