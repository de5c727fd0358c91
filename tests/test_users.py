"""The users file and ``grantpool user add|remove|list|passwd``: argon2id hashes, a file
private to its owner, one-line errors naming the line, nothing written on error, and
never a password, a hash or a CPR-looking value repeated back."""

from __future__ import annotations

import os
import stat
import textwrap
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters
from click.testing import CliRunner

from grantpool.cli import main
from grantpool.web import passwords
from grantpool.web.passwords import (
    DUMMY_HASH,
    hash_password,
    needs_rehash,
    password_problem,
    verify,
    verify_or_dummy,
)
from grantpool.web.people import Role, User
from grantpool.web.userfile import UserFileError, Users, check_against, load_users
from grantpool.web.userwrite import add_user, permission_problem, remove_user, render, save_users

PASSWORD = "correct horse battery"
CPR_NAME = "010190-1234"


@pytest.fixture(scope="module")
def hashed() -> str:
    return hash_password(PASSWORD)


def run(*args: str, stdin: str | None = None,
        env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    done = CliRunner().invoke(main, list(args), input=stdin,
                              env={"GRANTPOOL_USERS": None, **(env or {})})
    return done.exit_code, done.stdout, done.stderr


def add(path: Path, name: str, *extra: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return run("user", "add", name, "--users", str(path), "--password-stdin", *extra,
               stdin=password + "\n")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def write(path: Path, text: str, hashed: str) -> Path:
    path.write_text(text.replace("HASH", hashed), encoding="utf-8")
    path.chmod(0o600)
    return path


def only_error(path: Path) -> UserFileError:
    errors = load_users(path)[1]
    assert len(errors) == 1, errors
    return errors[0]


GOOD = textwrap.dedent("""\
    users:
      - user: minister
        role: ministry
        password: "HASH"
      - user: aarhus-officer
        role: officer
        municipality: Aarhus
        author: "Anne Officer <anne@aarhus.example>"
        password: "HASH"
      - user: revisor
        role: auditor
        entities: [pool, Aarhus]
        password: "HASH"
""")


# --- passwords -------------------------------------------------------------------------

def test_users__verify_is_true_for_the_password_false_for_another_and_for_a_bad_hash(
        hashed: str) -> None:
    assert hashed.startswith("$argon2id$")
    assert verify(hashed, PASSWORD)
    assert not verify(hashed, PASSWORD + "!")
    assert not verify("not a hash", PASSWORD)
    assert not verify("$argon2id$v=19$m=65536,t=3,p=4$broken", PASSWORD)
    assert verify_or_dummy(hashed, PASSWORD)
    assert not verify_or_dummy(None, PASSWORD)
    assert not needs_rehash(hashed)
    assert needs_rehash("not a hash")


def test_users__the_dummy_hash_costs_what_a_real_one_does() -> None:
    hasher = PasswordHasher()
    assert extract_parameters(DUMMY_HASH) == extract_parameters(hash_password("x" * 12))
    assert not hasher.check_needs_rehash(DUMMY_HASH)
    assert not verify(DUMMY_HASH, "")  # a well-formed hash: checked (False), not refused


def test_users__a_new_password_is_at_least_12_characters() -> None:
    assert password_problem("a" * 11) is not None
    assert password_problem("a" * 12) is None
    assert password_problem("a" * (passwords.MAX_LENGTH + 1)) is not None


# --- the commands --------------------------------------------------------------------

def test_users__add_list_passwd_remove_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    assert add(path, "minister", "--role", "ministry")[0] == 0
    assert add(path, "aarhus-officer", "--role", "officer", "--municipality", "Aarhus",
               "--author", "Anne Officer <anne@aarhus.example>")[0] == 0
    assert add(path, "revisor", "--role", "auditor", "--entity", "pool", "--entity",
               "Aarhus")[0] == 0
    code, out, _ = run("user", "list", "--users", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split()[:3] == ["aarhus-officer", "officer", "Aarhus"]
    assert lines[2].split() == ["minister", "ministry", "every", "entity"]
    assert lines[3].split() == ["revisor", "auditor", "pool,", "Aarhus"]
    assert "argon2" not in out

    users, errors = load_users(path)
    assert errors == []
    assert users["aarhus-officer"] == User(
        "aarhus-officer", Role.OFFICER, users["aarhus-officer"].password_hash, "Aarhus",
        None, "Anne Officer <anne@aarhus.example>")
    assert users["revisor"].entities == ("pool", "Aarhus")
    assert verify(users["minister"].password_hash, PASSWORD)

    assert run("user", "passwd", "minister", "--users", str(path), "--password-stdin",
               stdin="a brand new secret\n")[0] == 0
    changed = load_users(path)[0]["minister"].password_hash
    assert verify(changed, "a brand new secret") and not verify(changed, PASSWORD)

    assert run("user", "remove", "aarhus-officer", "--users", str(path))[0] == 0
    assert sorted(load_users(path)[0]) == ["minister", "revisor"]
    assert "aarhus-officer" not in run("user", "list", "--users", str(path))[1]


def test_users__the_password_is_asked_twice_at_a_hidden_prompt(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    code, out, err = run("user", "add", "minister", "--role", "ministry", "--users", str(path),
                         stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, err
    assert PASSWORD not in out + err
    assert verify(load_users(path)[0]["minister"].password_hash, PASSWORD)


def test_users__a_created_file_is_0600_and_a_rewrite_makes_a_0644_file_0600(
        tmp_path: Path, hashed: str) -> None:
    path = tmp_path / "users.yaml"
    assert add(path, "minister", "--role", "ministry")[0] == 0
    assert mode(path) == 0o600
    path.chmod(0o644)
    assert add(path, "revisor", "--role", "auditor")[0] == 0
    assert mode(path) == 0o600
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".users.yaml.lock", "users.yaml"]  # the lock, and no temporary file


def test_users__the_file_is_users_yaml_here_or_the_one_grantpool_users_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("user", "add", "minister", "--role", "ministry", "--password-stdin",
               stdin=PASSWORD + "\n")[0] == 0
    assert (tmp_path / "users.yaml").is_file()
    other = tmp_path / "elsewhere.yaml"
    assert run("user", "add", "revisor", "--role", "auditor", "--password-stdin",
               stdin=PASSWORD + "\n", env={"GRANTPOOL_USERS": str(other)})[0] == 0
    assert list(load_users(other)[0]) == ["revisor"]
    assert list(load_users(tmp_path / "users.yaml")[0]) == ["minister"]


@pytest.mark.parametrize(("args", "password", "said"), [
    (("--role", "boss"), PASSWORD, "--role"),
    (("--role", "officer"), PASSWORD, "--municipality: an officer needs"),
    (("--role", "ministry", "--municipality", "Aarhus"), PASSWORD, "only an officer"),
    (("--role", "officer", "--municipality", "Aarhus", "--entity", "pool"), PASSWORD,
     "--entity: only an auditor"),
    (("--role", "ministry", "--author", "nobody"), PASSWORD, "--author"),
    (("--role", "ministry"), "short pw", "at least 12 characters"),
    (("--role", "ministry"), "", "no password on standard input"),
])
def test_users__bad_input_is_one_line_exit_2_and_nothing_is_written(
        tmp_path: Path, args: tuple[str, ...], password: str, said: str) -> None:
    path = tmp_path / "users.yaml"
    code, out, err = add(path, "minister", *args, password=password)
    assert code == 2 and out == ""
    assert said in err and err.count("\n") == 1 and err.startswith("grantpool: ")
    assert not path.exists()
    if password:
        assert password not in err


def test_users__add_refuses_an_existing_name_and_says_use_passwd(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    assert add(path, "minister", "--role", "ministry")[0] == 0
    before = path.read_bytes()
    code, _, err = add(path, "minister", "--role", "auditor", password="another password")
    assert code == 2 and "grantpool user passwd minister" in err
    assert path.read_bytes() == before


def test_users__remove_and_passwd_refuse_an_unknown_name(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    assert add(path, "minister", "--role", "ministry")[0] == 0
    before = path.read_bytes()
    code, _, err = run("user", "remove", "nobody", "--users", str(path))
    assert code == 2 and "no user 'nobody'" in err
    code, _, err = run("user", "passwd", "nobody", "--users", str(path), "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert code == 2 and "no user 'nobody'" in err
    assert path.read_bytes() == before


def test_users__a_cpr_looking_user_name_is_refused_and_never_repeated(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    code, out, err = add(path, CPR_NAME, "--role", "ministry")
    assert code == 2 and "CPR" in err
    assert "1234" not in out + err
    assert not path.exists()
    assert add(path, "minister", "--role", "ministry")[0] == 0
    before = path.read_bytes()
    for args in (("remove", CPR_NAME), ("passwd", CPR_NAME, "--password-stdin")):
        code, out, err = run("user", *args, "--users", str(path), stdin=PASSWORD + "\n")
        assert code == 2 and "1234" not in out + err
    assert path.read_bytes() == before


def test_users__commands_refuse_a_file_with_an_error_and_leave_it_as_it_was(
        tmp_path: Path, hashed: str) -> None:
    path = write(tmp_path / "users.yaml", GOOD.replace("role: auditor", "role: boss"), hashed)
    before = path.read_bytes()
    code, _, err = add(path, "another", "--role", "ministry")
    assert code == 2 and f"{path}:11: role: must be ministry, officer or auditor" in err
    assert run("user", "remove", "minister", "--users", str(path))[0] == 2
    assert run("user", "list", "--users", str(path))[0] == 2
    assert path.read_bytes() == before


def test_users__list_of_a_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    code, _, err = run("user", "list", "--users", str(path))
    assert code == 2 and str(path) in err and "no such file" in err


# --- reading the file ----------------------------------------------------------------

def test_users__a_good_file_loads_with_each_users_line(tmp_path: Path, hashed: str) -> None:
    path = write(tmp_path / "users.yaml", GOOD, hashed)
    users, errors = load_users(path)
    assert errors == []
    assert users["minister"] == User("minister", Role.MINISTRY, hashed)
    assert users["revisor"] == User("revisor", Role.AUDITOR, hashed, entities=("pool", "Aarhus"))
    assert isinstance(users, Users)
    assert users.lines == {"minister": 2, "aarhus-officer": 5, "revisor": 10}


@pytest.mark.parametrize(("change", "line", "said"), [
    (("    role: ministry", "    role: ministry\n    colour: blue"), 4,
     "'colour' is not a key of a user"),
    (("entities: [pool, Aarhus]", "entities: Aarhus"), 12, "entities: must be a list"),
    (("role: officer", "role: [officer]"), 6, "role: must be one text value"),
    (("    municipality: Aarhus\n", ""), 5, "municipality: an officer needs"),
    (("role: ministry", "role: ministry\n    municipality: Aarhus"), 4,
     "municipality: only an officer"),
    (("role: ministry", "role: ministry\n    entities: [pool]"), 4, "entities: only an auditor"),
    (("entities: [pool, Aarhus]", "entities:"), 12, "entities: must be a list"),
    (("user: revisor", "user: minister"), 10, "'minister' is listed twice (first at line 2)"),
    (("user: minister", "user: Minister"), 2, "user: must be 1 to 64 of a-z"),
    (('author: "Anne Officer <anne@aarhus.example>"', "author: Anne"), 8, "author: must be"),
    (("role: ministry\n    password: \"HASH\"", "role: ministry"), 2, "password: missing"),
    (("user: minister", "user: minister\n    user: again"), 3, "written twice"),
])
def test_users__each_mistake_in_the_file_is_named_with_its_line(
        tmp_path: Path, hashed: str, change: tuple[str, str], line: int, said: str) -> None:
    assert change[0] in GOOD
    path = write(tmp_path / "users.yaml", GOOD.replace(change[0], change[1], 1), hashed)
    error = only_error(path)
    assert error.line == line and said in error.message, error
    assert str(error).startswith(f"{path}:{line}: ")
    assert hashed not in str(error)


def test_users__a_password_or_a_cpr_number_in_the_file_is_never_repeated(
        tmp_path: Path, hashed: str) -> None:
    text = GOOD.replace('password: "HASH"', "password: hunter2hunter2", 1).replace(
        "user: revisor", "user: 0101901234").replace("Aarhus\n", "Aarhus 010190-1234\n", 1)
    path = write(tmp_path / "users.yaml", text, hashed)
    users, errors = load_users(path)
    said = "\n".join(map(str, errors))
    assert [e.line for e in errors] == [4, 7, 10]
    assert "hunter2" not in said and "1234" not in said and hashed not in said
    assert "not an argon2id hash" in said and "CPR" in said
    assert list(users) == []


@pytest.mark.parametrize(("text", "line", "said"), [
    ("users:\n  - user: minister\n   role: ministry\n", 3, "malformed YAML"),
    ("users:\n  - user: [minister\n", 3, "malformed YAML"),
    ("", 0, "empty"),
    ("people: []\n", 1, "one key, users:"),
    ("users: []\nextra: 1\n", 2, "'extra' is not a key of the file"),
    ("users:\n  - minister\n", 1, "each user is a mapping"),
    ("users:\n  - user: minister\n    role: !!python/name:os.system ministry\n", 3, "tag"),
])
def test_users__a_file_that_is_no_users_list_is_one_error_naming_it(
        tmp_path: Path, text: str, line: int, said: str) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(text, encoding="utf-8")
    error = only_error(path)
    assert error.path == path and error.line == line and said in error.message, error


def test_users__a_missing_or_unreadable_file_is_one_error(tmp_path: Path) -> None:
    error = only_error(tmp_path / "users.yaml")
    assert "no such file" in error.message and error.line == 0
    assert str(error) == f"{tmp_path / 'users.yaml'}: {error.message}"
    (tmp_path / "folder.yaml").mkdir()
    assert "cannot read" in only_error(tmp_path / "folder.yaml").message


def test_users__check_against_names_what_the_federation_does_not_have(
        tmp_path: Path, hashed: str) -> None:
    path = write(tmp_path / "users.yaml", GOOD.replace("[pool, Aarhus]", "[pool, Kolding]"),
                 hashed)
    users = load_users(path)[0]
    assert check_against(users, {"Aarhus", "Kolding"}, {"Aarhus", "Kolding"}) == []
    wrong = check_against(users, {"aarhus", "Lejre"}, {"aarhus", "Lejre"})
    assert [(e.line, e.message.split(":")[0]) for e in wrong] == [
        (5, "user 'aarhus-officer'"), (10, "user 'revisor'")]
    assert "did you mean 'aarhus'?" in wrong[0].message
    assert "the municipalities are Lejre, aarhus" in wrong[0].message
    assert "'Kolding' is none of this federation's" in wrong[1].message


# --- writing the file ------------------------------------------------------------------

def test_users__add_and_remove_are_pure_and_save_is_stable_and_private(
        tmp_path: Path, hashed: str) -> None:
    one, two = User("b-user", Role.MINISTRY, hashed), User("a-user", Role.AUDITOR, hashed)
    empty: dict[str, User] = {}
    both = add_user(add_user(empty, one), two)
    assert empty == {} and list(both) == ["b-user", "a-user"]
    with pytest.raises(ValueError, match="passwd"):
        add_user(both, one)
    assert remove_user(both, "b-user") == {"a-user": two} and len(both) == 2
    with pytest.raises(ValueError, match="no user"):
        remove_user(both, "c-user")
    assert render(both) == render({"a-user": two, "b-user": one})
    assert render(both).startswith("#")
    path = tmp_path / "users.yaml"
    save_users(path, both)
    assert mode(path) == 0o600
    assert load_users(path) == (both, [])
    assert load_users(path)[0] == {"a-user": two, "b-user": one}


def test_users__permission_problem_when_group_or_others_may_read_or_write(
        tmp_path: Path, hashed: str) -> None:
    path = write(tmp_path / "users.yaml", GOOD, hashed)
    assert permission_problem(path) is None
    path.chmod(0o644)
    problem = permission_problem(path)
    assert problem == (f"{path} is readable by its group and other users; run chmod 600 "
                       f"{path}")
    path.chmod(0o620)
    assert "writable by its group" in (permission_problem(path) or "")
    path.chmod(0o604)
    assert "readable by other users" in (permission_problem(path) or "")
    if os.geteuid() != 0:  # root reads anything: only an ordinary user sees a 000 file
        path.chmod(0o000)
        assert load_users(path)[1][0].message.startswith("cannot read")


def test_users__adds_at_the_same_time_all_land(tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    path = tmp_path / "users.yaml"
    names = [f"officer-{n}" for n in range(6)]
    runs = [subprocess.Popen([sys.executable, "-m", "grantpool", "user", "add", name,
                              "--role", "auditor", "--users", str(path), "--password-stdin"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for name in names]
    for run in runs:
        run.communicate(PASSWORD + "\n", timeout=120)
        assert run.returncode == 0
    users, errors = load_users(path)
    assert errors == [] and sorted(users) == names
