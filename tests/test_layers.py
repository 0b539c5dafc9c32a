"""The layers are enforced: an import that crosses one makes `lint-imports` (part of `make test`) fail.

Each case copies the package to a temporary directory, adds one forbidden import
to one module, and runs `lint-imports` there with the project's own contracts
(the `[tool.importlinter]` section of pyproject.toml): it must exit non-zero,
name the contract and show the new import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "surveyapp"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def contract_name(contract_id: str) -> str:
    return next(c["name"] for c in CONTRACTS if c["id"] == contract_id)


def lint_imports_with(tmp_path: Path, module: str, added_import: str) -> subprocess.CompletedProcess:
    """Copy surveyapp/ and pyproject.toml into tmp_path, append `added_import` to `module`, run lint-imports."""
    shutil.copytree(PACKAGE, tmp_path / "surveyapp", ignore=shutil.ignore_patterns("static", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = tmp_path / module.replace(".", "/") / "__init__.py"
    path.write_text(path.read_text() + f"\n{added_import}  # noqa\n")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", "pyproject.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


CASES = [
    # (contract id, module that gains the import, the import, the chain lint-imports must show)
    (
        "engine",
        "surveyapp.questionnaires.runtime",
        "from ..admin import routes",
        "surveyapp.questionnaires.runtime -> surveyapp.admin.routes",
    ),
    ("engine", "surveyapp.questionnaires.loader", "import flask", "surveyapp.questionnaires.loader -> flask"),
    (
        "engine",
        "surveyapp.questionnaires.definition",
        "from ..models import Survey",
        "surveyapp.questionnaires.definition -> surveyapp.models",
    ),
    (
        "models",
        "surveyapp.models.responses",
        "from ..mail import worker",
        "surveyapp.models.responses -> surveyapp.mail",
    ),
    (
        "below-blueprints",
        "surveyapp.cli",
        "from .dashboards import routes",
        "surveyapp.cli -> surveyapp.dashboards.routes",
    ),
    (
        "below-blueprints",
        "surveyapp.mail.outbox",
        "from ..respond import routes",
        "surveyapp.mail.outbox -> surveyapp.respond.routes",
    ),
    (
        "blueprints",
        "surveyapp.admin.responses",
        "from ..interviews import routes",
        "surveyapp.admin.responses -> surveyapp.interviews.routes",
    ),
    (
        "blueprints",
        "surveyapp.api.routes",
        "from ..dashboards import routes as views",
        "surveyapp.api.routes -> surveyapp.dashboards.routes",
    ),
]


@pytest.mark.parametrize(("contract", "module", "added_import", "chain"), CASES, ids=[c[0] + ":" + c[1] for c in CASES])
def test_a_forbidden_import_breaks_its_contract(tmp_path, contract, module, added_import, chain):
    result = lint_imports_with(tmp_path, module, added_import)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    broken = output.split("Broken contracts", 1)[-1]
    assert contract_name(contract) in broken, output
    assert chain in output, output


def test_every_package_has_an_init_file_so_the_contracts_see_it():
    """grimp (behind lint-imports) skips namespace packages: a folder of modules without __init__.py is unchecked."""
    missing = [
        str(folder.relative_to(ROOT))
        for folder in [PACKAGE, *PACKAGE.rglob("*")]
        if folder.is_dir() and any(folder.glob("*.py")) and not (folder / "__init__.py").exists()
    ]
    assert not missing, f"add __init__.py to: {missing}"


def test_the_contracts_cover_the_layers_of_the_architecture():
    ids = {c["id"]: c for c in CONTRACTS}
    assert set(ids) >= {"engine", "models", "below-blueprints", "blueprints"}
    assert "flask" in ids["engine"]["forbidden_modules"]
    assert set(ids["below-blueprints"]["source_modules"]) == {
        "surveyapp.analysis",
        "surveyapp.mail",
        "surveyapp.services",
        "surveyapp.cli",
        "surveyapp.demo",
    }
