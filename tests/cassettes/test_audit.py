"""``orchestrator-kit audit-cassettes``: the kit's cassettes pass; each planted kind fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from cassettes import CASSETTE_ROOT
from cassettes.audit import main
from orchestrator_kit.cli import main as kit_main

CLEAN = CASSETTE_ROOT / "test_recorded" / "test_identity_refresh_rotation.yaml"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl"

#: (what is planted, the line added to a clean cassette, the kind the audit must name)
PLANTED = [
    ("jwt", f"# seen: {JWT}", "jwt"),
    ("bearer", "      - Bearer abcdefgh12345", "bearer credential"),
    ("proxy-authorization", "      Proxy-Authorization: [Basic dXNlcjpwYXNzd29yZA==]", "bearer"),
    ("access token (JSON)", '    body: \'{"access_token":"abc.def"}\'', "secret field (JSON)"),
    ("array of secrets", '    body: \'{"client_secret":["s1","s2"]}\'', "secret field (JSON)"),
    ("upper-case name", '    body: \'{"CLIENT_SECRET":"s3cret"}\'', "secret field (JSON)"),
    ("revocation token", "    body: token=abc123&token_type_hint=refresh_token", "(form)"),
    ("id_token_hint", "    uri: https://x/connect/endsession?id_token_hint=abc123", "(form)"),
    ("assertion", "    body: assertion=abc123&grant_type=jwt", "(form)"),
    ("client_assertion", "    body: client_assertion=abc123", "(form)"),
    ("subject_token", "    body: subject_token=abc123", "(form)"),
    ("password (form)", "    body: Password=hunter2", "(form)"),
    ("user key (YAML)", "    user_key: my-user-key-value", "secret field (YAML)"),
    ("code in a URL", "      - https://x/cb?code=abcdef123&state=s", "authorization code"),
    ("long hex", "    Key: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "long hex"),
    ("opaque token", "    value: Rt7kQ2mZx9LwP4vN8sJ3hB6yC1dF5gTe", "opaque token"),
]


def test_the_kits_own_cassettes_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert kit_main(["audit-cassettes"]) == 0
    assert "no secret found" in capsys.readouterr().out


@pytest.mark.parametrize(("what", "line", "kind"), PLANTED, ids=[p[0] for p in PLANTED])
def test_each_planted_kind_fails_with_file_line_and_kind(
    tmp_path: Path, what: str, line: str, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = CLEAN.read_text(encoding="utf-8").splitlines()
    at = len(lines) // 2
    lines.insert(at, line)
    planted = tmp_path / "planted.yaml"
    planted.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "clean.yaml").write_text(CLEAN.read_text(encoding="utf-8"), encoding="utf-8")
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    found = [o for o in out if o.startswith(f"{planted}:")]
    assert found, out
    assert all(o.startswith(f"{planted}:{at + 1}: ") for o in found), found
    assert any(kind in o for o in found), found
    assert not any(o.startswith(str(tmp_path / "clean.yaml")) for o in out)
    secret = line.split("=")[-1].split(":")[-1].strip(" '\"[]}")
    assert not any(secret in o for o in out if len(secret) > 8), "the report leaks the value"


def test_placeholders_are_not_findings(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "body: token=<token-1>&client_secret=<client_secret-2>\n"
        'string: \'{"access_token":"<access_token-1>","CLIENT_SECRET":["<secret-1>"]}\'\n'
        "- Bearer <access_token-1>\n",
        encoding="utf-8",
    )
    assert main([str(path)]) == 0


def test_unreadable_paths_are_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main([str(binary)]) == 2
    assert capsys.readouterr().out.splitlines() == [f"{binary}: cannot audit: UnicodeDecodeError"]
    for argv, message in (
        ([str(tmp_path / "missing.yaml")], "no such file or directory"),
        ([str(tmp_path / "empty")], "no cassette"),
    ):
        (tmp_path / "empty").mkdir(exist_ok=True)
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.strip().splitlines()[-1].startswith("orchestrator-kit audit-cassettes: error:")
        assert message in err
