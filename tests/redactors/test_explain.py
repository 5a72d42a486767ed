"""`loomcore explain` shows the exchange as redacted, never its secrets."""

import json

from click.testing import CliRunner

from loomcore.cli import cli

TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0" * 2


def test_explain_prints_placeholders_not_secrets(tmp_path):
    src = tmp_path / "chats.jsonl"
    reply = (
        f"Set the header to use the token {TOKEN} and mail ops.lead@acme-mail.io. "
        "A token without the repo scope causes a 403 error."
    )
    record = {
        "messages": [
            {"role": "user", "content": "Why does my push fail with 403?"},
            {"role": "assistant", "content": reply},
        ]
    }
    src.write_text(json.dumps(record) + "\n")
    result = CliRunner().invoke(cli, ["explain", str(src), "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    assert TOKEN not in result.output and "ops.lead@acme-mail.io" not in result.output
    report = json.loads(result.output)
    first = report["segments"][0]["sentences"][0]
    assert first == "Set the header to use the token [GITHUB_TOKEN] and mail [EMAIL]."
