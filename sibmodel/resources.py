"""Where sibmodel's files live: the one module that knows.

An installed wheel carries the repository's ``data/``, ``templates/`` and the notebooks the package runs inside the
package (``sibmodel/_data``, ``sibmodel/_templates``, ``sibmodel/_notebooks``); a source checkout or an editable
install reads them from the top of the repository. Both are found through ``importlib.resources``.
``$SIBMODEL_DATA`` names another data folder (unit costs, price index, studies) and wins over both.
"""
from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from .errors import CaseError, Problem

#: Environment variable that names a data folder to use instead of the shipped one.
DATA_ENV = "SIBMODEL_DATA"

# packaged folder name -> folder at the top of a source checkout
_LAYOUT = {"_data": "data", "_templates": "templates", "_notebooks": "notebooks"}


def _shipped(packaged: str) -> Path:
    """A shipped folder: inside the installed package, else at the top of the source checkout."""
    package = Path(str(files("sibmodel")))
    inside = package / packaged
    return inside if inside.is_dir() else package.parent / _LAYOUT[packaged]


def _existing(path: Path, what: str) -> Path:
    if path.exists():
        return path
    raise CaseError(Problem(what, str(path), "file not found", code="resource.missing", params={"path": str(path)}))


def data_dir() -> Path:
    """The data folder: ``$SIBMODEL_DATA`` when set, else the shipped ``data/``."""
    override = os.environ.get(DATA_ENV)
    return Path(override) if override else _shipped("_data")


def data_file(name: str) -> Path:
    """A file in the data folder, e.g. ``data_file("unit_costs.csv")`` or ``data_file("studies/bcg.csv")``.

    Raises ``CaseError`` (code ``resource.missing``) naming the path when it does not exist.
    """
    return _existing(data_dir() / name, "data file")


def templates_dir() -> Path:
    """The folder of template case files (``*.yaml``) and the Voilà and nbconvert templates."""
    return _shipped("_templates")


def template_files() -> dict[str, Path]:
    """The template case files by stem (``"family_violence"`` -> path), sorted by stem."""
    return {p.stem: p for p in sorted(templates_dir().glob("*.yaml"))}


def template_file(name: str) -> Path:
    """A template case file by area name, with or without ``.yaml`` (e.g. ``"family_violence"``)."""
    stem = name[:-5] if name.endswith(".yaml") else name
    found = template_files().get(stem)
    if found is None:
        raise CaseError(Problem("template", name, "no such template; allowed: " + ", ".join(template_files()),
                                code="resource.no_template", params={"allowed": list(template_files())}))
    return found


def notebooks_dir() -> Path:
    """The folder of the notebooks the package runs (the business case for reports, the app)."""
    return _shipped("_notebooks")


def business_case_notebook() -> Path:
    """The business-case notebook that reports are built from (``notebooks/01_business_case.ipynb``)."""
    return _existing(notebooks_dir() / "01_business_case.ipynb", "notebook")


def app_notebook() -> Path:
    """The app's notebook that Voilà serves (``notebooks/apps/app.ipynb``)."""
    return _existing(notebooks_dir() / "apps" / "app.ipynb", "notebook")


def voila_config_dir() -> Path:
    """The folder holding Voilà's configuration ``voila.py`` (pass it as ``--Voila.config_file_paths``)."""
    return templates_dir() / "voila"


def nbconvert_template_dir() -> Path:
    """The folder holding the report's nbconvert template (``sibmodel_report``)."""
    return templates_dir() / "nbconvert"


def resolve_case_path(path: str | os.PathLike[str], notebook_dir: str | os.PathLike[str] | None = None) -> Path:
    """The case file ``path`` resolved as a user means it: as given (absolute, or relative to the working
    directory), else relative to ``notebook_dir`` (a notebook's own folder), else (for a bare file name or a path
    in a ``templates/`` folder) the shipped template of that name.

    Raises ``CaseError`` (code ``resource.case_not_found``) listing every path tried.
    """
    given = Path(path).expanduser()
    tried = [given if given.is_absolute() else Path.cwd() / given]
    if not given.is_absolute() and notebook_dir is not None:
        tried.append(Path(notebook_dir) / given)
    if not given.is_absolute() and (len(given.parts) == 1 or given.parent.name == "templates"):
        tried.append(templates_dir() / (given.stem + ".yaml"))
    for candidate in tried:
        if candidate.is_file():
            return candidate.resolve()
    shown = ", ".join(str(p) for p in dict.fromkeys(tried))
    raise CaseError(Problem("case_path", str(path), f"no such case file; tried {shown}",
                            code="resource.case_not_found", params={"tried": [str(p) for p in tried]}))
