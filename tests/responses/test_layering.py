"""The respondent's app depends on no app that reads its data."""

import ast
from pathlib import Path

import meldcode_survey.responses

RESPONSES = Path(meldcode_survey.responses.__file__).parent
READERS = (
    "meldcode_survey.dashboard",
    "meldcode_survey.exports",
    "meldcode_survey.review",
)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_responses_never_imports_the_dashboard_nor_other_readers():
    found = {
        f"{path.relative_to(RESPONSES)}: {name}"
        for path in RESPONSES.rglob("*.py")
        for name in _imports(path)
        if name.startswith(READERS)
    }
    assert not found
