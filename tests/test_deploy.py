"""The deploy files name a command that exists and a schedule file that parses, and run
as their shell runs them, passing the SMTP credentials; the web server's unit runs as
written, behind the nginx site, signing a user in over TLS."""

from __future__ import annotations

import base64
import getpass
import http.client
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from grantpool.cli import main
from grantpool.cli.serve import serve_command
from grantpool.scheduled.config import load_schedule
from grantpool.vouchers.store import MAX_BYTES
from grantpool.web.app import REFUSED_HEADER
from tests.servers import (
    SmtpInbox,
    free_port,
    schedule_file,
    self_signed,
    smtp_server,
    wait_for,
)
from tests.webtools import PASSWORD, csrf_of, federation_copy

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_deploy__schedule_example_parses() -> None:
    schedule, errors = load_schedule(DEPLOY / "schedule.yaml")
    assert errors == [] and schedule is not None and schedule.mail is not None
    assert schedule.mail.municipalities["Halsnæs"] == ("borgerservice@halsnaes.example.org",)
    assert schedule.mail.username_env == "GRANTPOOL_SMTP_USER"


def test_deploy__service_runs_the_scheduled_command_as_an_unprivileged_user() -> None:
    unit = (DEPLOY / "grantpool-scheduled.service").read_text(encoding="utf-8")
    assert "User=grantpool" in unit and "SuccessExitStatus=1" in unit
    command = next(line.split("=", 1)[1] for line in unit.splitlines()
                   if line.startswith("ExecStart="))
    args = shlex.split(command)[1:]
    help_text = CliRunner().invoke(main, [*args[:1], "--help"]).output
    assert args[0] == "scheduled" and "--config" in help_text
    assert "OnCalendar=" in (DEPLOY / "grantpool-scheduled.timer").read_text(encoding="utf-8")
    assert "grantpool scheduled" in (DEPLOY / "crontab").read_text(encoding="utf-8")


# The deploy files run as their shell runs them: the crontab line through sh and bash,
# the unit's ExecStart with the environment systemd gives it, both against a real SMTP
# server on loopback that requires a login.  The paths are the test's own folders.

OVER = """
2018-12-01 * "Purchase: clothing" #purchase
  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK
  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-001:Available  -1.00 DKK
"""
LOGIN = ("grantpool-test", "not a real password")
ENV_FILE = f"GRANTPOOL_SMTP_USER={LOGIN[0]}\nGRANTPOOL_SMTP_PASSWORD='{LOGIN[1]}'\n"


def installed(example_copy: Path, port: int) -> tuple[Path, Path]:
    """A server as README installs it: (GRANTPOOL_HOME, GRANTPOOL_ETC) in the test's folder."""
    home = example_copy.parent.parent
    venv = home / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "grantpool").symlink_to(Path(sys.executable).parent / "grantpool")
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a") as books:
        books.write(OVER)  # a new finding, mailed to Kolding
    etc = home / "etc"
    etc.mkdir()
    schedule = schedule_file(etc, port, "tls: none\nusername_env: GRANTPOOL_SMTP_USER\n"
                                        "password_env: GRANTPOOL_SMTP_PASSWORD")
    assert schedule == etc / "schedule.yaml"
    env = etc / "smtp.env"
    env.write_text(ENV_FILE, encoding="utf-8")
    env.chmod(0o600)
    return home, etc


def crontab() -> tuple[dict[str, str], str]:
    """The crontab's variables and its job's command (what cron hands to /bin/sh -c)."""
    variables, jobs = {}, []
    for line in (DEPLOY / "crontab").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            name, value = line.split("=", 1)
            variables[name] = value
        else:
            jobs.append(line.split(None, 5)[5])
    [command] = jobs
    return variables, command


@pytest.fixture
def smtp_login() -> Iterator[tuple[SmtpInbox, int]]:
    inbox = SmtpInbox()
    with smtp_server(inbox, authenticator=inbox.authenticator, auth_required=True,
                     auth_require_tls=False) as port:
        yield inbox, port


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_deploy__the_crontab_line_passes_the_smtp_credentials_and_reports_failure(
    example_copy: Path, smtp_login: tuple[SmtpInbox, int], shell: str
) -> None:
    inbox, port = smtp_login
    home, etc = installed(example_copy, port)
    variables, command = crontab()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh",
           **variables, "GRANTPOOL_HOME": str(home), "GRANTPOOL_ETC": str(etc)}
    done = subprocess.run([shell, "-c", command], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0 and done.stdout == done.stderr == "", done.stderr  # findings
    assert inbox.logins == [LOGIN] and len(inbox.to("kolding@example.org")) == 1
    (etc / "smtp.env").unlink()  # forgotten credentials: a failure cron mails, not a silence
    done = subprocess.run([shell, "-c", command], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 2 and "smtp.env" in done.stderr


def systemd_environment(text: str) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (quotes removed)."""
    env = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip().strip("'\"")
    return env


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_deploy__the_service_passes_the_smtp_credentials_from_its_environment_file(
    example_copy: Path, smtp_login: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp_login
    home, etc = installed(example_copy, port)
    unit = (DEPLOY / "grantpool-scheduled.service").read_text(encoding="utf-8")
    unit = unit.replace("/srv/grantpool", str(home)).replace("/etc/grantpool", str(etc))
    keys = [line.split("=", 1) for line in unit.splitlines() if re.match(r"^[A-Za-z]+=", line)]
    [env_file] = [v for k, v in keys if k == "EnvironmentFile"]
    assert not env_file.startswith("-")  # a missing file fails the unit, never runs bare
    env = {"PATH": "/usr/bin:/bin", **systemd_environment(Path(env_file).read_text())}
    env.update(v.split("=", 1) for k, v in keys if k == "Environment")
    [start] = [v for k, v in keys if k == "ExecStart"]
    [cwd] = [v for k, v in keys if k == "WorkingDirectory"]
    done = subprocess.run(shlex.split(start), env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)
    success = {0} | {int(v) for k, v in keys if k == "SuccessExitStatus"}
    assert done.returncode == 1 and done.returncode in success, done.stderr
    assert inbox.logins == [LOGIN] and len(inbox.to("kolding@example.org")) == 1
    if shutil.which("systemd-analyze"):  # where systemd is at hand, it reads the unit too
        path = home / "grantpool-scheduled.service"
        path.write_text(unit, encoding="utf-8")
        verify = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                                text=True, timeout=60, check=False)
        assert verify.returncode == 0 and "Unknown" not in verify.stderr, verify.stderr


# The web server's unit and nginx site (README "Serving officers: sign-in behind TLS"):
# the unit's command is a `grantpool serve` that click parses, hardened as the daily
# run's; nginx's site proxies the name the server allows, to the port it listens on, with
# the Host header passed; and the two, run as installed, sign a user in over TLS.

SERVE_UNIT = DEPLOY / "grantpool-serve.service"
NGINX_SITE = DEPLOY / "nginx-grantpool.conf"
HARDENING = ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "UMask")


def unit_settings(text: str) -> dict[str, list[str]]:
    """Each ``Key=value`` of a unit, its values in order."""
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        if re.match(r"^[A-Za-z]+=", line):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def serve_arguments(text: str) -> list[str]:
    [start] = unit_settings(text)["ExecStart"]
    program, command, *args = shlex.split(start)
    assert program.endswith("/bin/grantpool") and command == "serve", start
    return args


def nginx_directives(text: str) -> list[tuple[str, str]]:
    """(directive, its arguments) of each simple directive, comments left out."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [(d[0], d[1].strip()) for line in lines if line.endswith(";")
            for d in [[*line[:-1].split(None, 1), ""]]]


def test_deploy__serve_unit_runs_a_grantpool_serve_that_click_parses() -> None:
    unit = SERVE_UNIT.read_text(encoding="utf-8")
    args = serve_arguments(unit)
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    for option in (arg for arg in args if arg.startswith("--")):
        assert option in help_text, option
    params = serve_command.make_context("serve", list(args)).params
    assert params["host"] == "127.0.0.1" and params["behind_tls"] and params["users"]
    assert params["allowed_hosts"] == ("grants.example.dk",) and params["secret_file"]
    assert params["log_file"] and not params["read_write"]
    settings = unit_settings(unit)
    scheduled = unit_settings((DEPLOY / "grantpool-scheduled.service").read_text("utf-8"))
    assert settings["User"] == ["grantpool"] and settings["Restart"] == ["on-failure"]
    assert all(settings[key] == scheduled[key] for key in HARDENING)
    assert settings["ReadWritePaths"] == [str(params["ledger"].parent)]  # officers write
    assert params["log_file"].parent == Path("/var/log") / settings["LogsDirectory"][0]


def test_deploy__nginx_site_proxies_the_allowed_name_to_the_served_port() -> None:
    params = serve_command.make_context(
        "serve", serve_arguments(SERVE_UNIT.read_text(encoding="utf-8"))).params
    directives = nginx_directives(NGINX_SITE.read_text(encoding="utf-8"))
    assert {v for d, v in directives if d == "server_name"} == set(params["allowed_hosts"])
    assert ("proxy_pass", f"http://{params['host']}:{params['port']}") in directives
    assert ("proxy_set_header", "Host $host") in directives  # what --allowed-host checks
    assert ("proxy_set_header", 'X-Forwarded-User ""') in directives  # never from outside
    assert ("ssl_protocols", "TLSv1.2 TLSv1.3") in directives
    [hsts] = [v for d, v in directives if d == "add_header" and "Strict-Transport" in v]
    assert int(re.findall(r"max-age=(\d+)", hsts)[0]) >= 365 * 86400 and "always" in hsts
    [size] = [v for d, v in directives if d == "client_max_body_size"]
    assert int(size.rstrip("m")) * 2**20 > MAX_BYTES * 4 // 3 + 2**16  # a voucher, base64
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if nginx:  # where nginx is at hand, it reads the site too
        assert nginx_check(nginx, NGINX_SITE.read_text(encoding="utf-8")).returncode == 0


def nginx_conf(folder: Path, site: str) -> tuple[Path, Path]:
    """A main nginx.conf in *folder* holding *site*, with a fresh self-signed certificate
    for 127.0.0.1 in place of the shipped one's paths: (the conf, the certificate)."""
    cert, key = self_signed(folder)
    site = re.sub(r"(?m)^(\s*ssl_certificate)\s+\S+;", rf"\1 {cert};", site)
    site = re.sub(r"(?m)^(\s*ssl_certificate_key)\s+\S+;", rf"\1 {key};", site)
    (folder / "grantpool.conf").write_text(site, encoding="utf-8")
    temp = " ".join(f"{kind}_temp_path {folder / kind};"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = folder / "nginx.conf"
    conf.write_text(f"user {getpass.getuser()};\npid {folder / 'nginx.pid'};\n"
                    f"error_log {folder / 'error.log'};\nevents {{}}\n"
                    f"http {{ access_log off; {temp} include {folder / 'grantpool.conf'}; }}\n",
                    encoding="utf-8")
    return conf, cert


def nginx_check(nginx: str, site: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as folder:
        conf, _ = nginx_conf(Path(folder), site)
        done = subprocess.run([nginx, "-t", "-p", folder, "-e", f"{folder}/error.log", "-c",
                               str(conf)], capture_output=True, text=True, timeout=60,
                              check=False)
    assert done.returncode == 0, done.stderr
    return done


@dataclass(frozen=True)
class Served:
    port: int
    logs: Path


@pytest.fixture(scope="module")
def served_unit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The serve unit's ExecStart run as installed (README): the example federation in
    /srv/grantpool/ledger, a users file made by `grantpool user add` and a session key
    in /etc/grantpool/serve, the log in /var/log/grantpool; each of them in the test's
    folder, and a free port for 5000."""
    root = tmp_path_factory.mktemp("installed")
    home, etc, logs = root / "srv", root / "etc", root / "log"
    federation_copy(home)
    venv = home / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "grantpool").symlink_to(Path(sys.executable).parent / "grantpool")
    (etc / "serve").mkdir(parents=True, mode=0o700)
    logs.mkdir()
    added = CliRunner().invoke(main, ["user", "add", "minister", "--role", "ministry",
                                      "--users", str(etc / "serve" / "users.yaml"),
                                      "--password-stdin"], input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    key = etc / "serve" / "session.key"
    key.write_bytes(base64.b64encode(os.urandom(48)))
    key.chmod(0o600)
    port = free_port()
    unit = (SERVE_UNIT.read_text(encoding="utf-8").replace("/srv/grantpool", str(home))
            .replace("/etc/grantpool", str(etc)).replace("/var/log/grantpool", str(logs))
            .replace(" --port 5000 ", f" --port {port} "))
    (root / SERVE_UNIT.name).write_text(unit, encoding="utf-8")
    settings = unit_settings(unit)
    env = {"PATH": "/usr/bin:/bin"}
    env.update(pair.split("=", 1) for line in settings["Environment"]
               for pair in shlex.split(line))
    with (root / "serve.out").open("w") as out:
        proc = subprocess.Popen(shlex.split(settings["ExecStart"][0]), env=env,
                                cwd=settings["WorkingDirectory"][0], stdout=out, stderr=out)
        try:
            wait_for(f"http://127.0.0.1:{port}/signin", proc)  # type: ignore[arg-type]
            yield Served(port, logs)
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def listening(port: int, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nginx is not listening on {port} (exit {proc.poll()})")


def ask(connection: http.client.HTTPConnection, method: str, path: str,
        host: str = "grants.example.dk", **headers: str) -> tuple[Any, str]:
    connection.request(method, path, body=headers.pop("body", None),
                       headers={"Host": host, **headers})
    answer = connection.getresponse()
    return answer, answer.read().decode("utf-8", "replace")


def test_deploy__the_serve_unit_starts_as_written_and_answers_only_its_name(
        served_unit: Served) -> None:
    plain = http.client.HTTPConnection("127.0.0.1", served_unit.port, timeout=30)
    answer, _ = ask(plain, "GET", "/signin")
    assert answer.status == 200
    assert "Secure" in answer.headers["Set-Cookie"]  # --behind-tls: the cookie needs https
    answer, _ = ask(plain, "GET", "/signin", host="evil.example")
    assert answer.status == 400 and REFUSED_HEADER in answer.headers
    assert (served_unit.logs / "serve.log").is_file()
    if shutil.which("systemd-analyze"):  # where systemd is at hand, it reads the unit too
        unit = served_unit.logs.parent / SERVE_UNIT.name
        verify = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                                text=True, timeout=60, check=False)
        assert verify.returncode == 0 and "Unknown" not in verify.stderr, verify.stderr


def test_deploy__behind_the_nginx_site_a_user_signs_in_over_tls(
        served_unit: Served, tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light): the site is "
                    "checked without it")
    tls, plain = free_port(), free_port()
    site = (NGINX_SITE.read_text(encoding="utf-8")
            .replace("listen 443 ssl;", f"listen 127.0.0.1:{tls} ssl;")
            .replace("listen 80;", f"listen 127.0.0.1:{plain};")
            .replace("listen [::]:443 ssl;", "").replace("listen [::]:80;", "")
            .replace("127.0.0.1:5000;", f"127.0.0.1:{served_unit.port};"))
    conf, cert = nginx_conf(tmp_path, site)
    proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                             "-c", str(conf), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        listening(tls, proc)
        https = http.client.HTTPSConnection("127.0.0.1", tls, timeout=60,
                                            context=ssl.create_default_context(cafile=cert))
        page, text = ask(https, "GET", "/signin")
        assert page.status == 200 and "max-age=" in page.headers["Strict-Transport-Security"]
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        form = urlencode({"user": "minister", "password": PASSWORD, "next": "/",
                          "csrf_token": csrf_of(text)})
        signed, _ = ask(https, "POST", "/signin", body=form, Cookie=cookie,
                        **{"Content-Type": "application/x-www-form-urlencoded"})
        assert signed.status == 302 and signed.headers["Location"] == "/"
        cookie = signed.headers["Set-Cookie"].split(";", 1)[0]
        home, _ = ask(https, "GET", "/", Cookie=cookie)
        assert home.headers["Location"].endswith("/grant-pool-dk2017/extension/GrantPool/")
        pool, text = ask(https, "GET", "/grant-pool-dk2017-pool/extension/GrantPool/",
                         Cookie=cookie)
        assert pool.status == 200 and 'data-page="pool"' in text
        foreign, _ = ask(https, "GET", "/signin", host="evil.example")
        assert foreign.status == 400 and REFUSED_HEADER in foreign.headers
        moved, _ = ask(http.client.HTTPConnection("127.0.0.1", plain, timeout=30), "GET", "/")
        assert moved.status == 301 and moved.headers["Location"] == "https://grants.example.dk/"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "signin user=minister" in (served_unit.logs / "serve.log").read_text("utf-8")


def test_deploy__deploy_files_writes_the_serve_unit_for_the_books(tmp_path: Path) -> None:
    books = tmp_path / "books" / "main.beancount"
    done = CliRunner().invoke(main, ["deploy-files", str(tmp_path / "out"), "--ledger",
                                     str(books)])
    assert done.exit_code == 0, done.output
    unit = (tmp_path / "out" / SERVE_UNIT.name).read_text(encoding="utf-8")
    assert serve_arguments(unit)[0] == str(books.resolve())
    assert unit_settings(unit)["ReadWritePaths"] == [str(books.resolve().parent)]
    assert (tmp_path / "out" / NGINX_SITE.name).read_bytes() == NGINX_SITE.read_bytes()
