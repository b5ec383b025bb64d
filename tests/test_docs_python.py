"""The code blocks of docs/python.md run, in order, in one namespace, from the repository root."""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_code_block_of_the_python_api_page_runs(monkeypatch, capsys):
    text = (ROOT / "docs" / "python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/python.md", "exec"), namespace)      # noqa: S102 (our own documentation)
    printed = capsys.readouterr().out
    assert "heat_symmetric_1d" in printed and "method.space weno7" in printed
    assert namespace["again"].case_name == "heat_symmetric_1d"
    assert namespace["page"].exists() and os.path.getsize(namespace["page"]) > 0
