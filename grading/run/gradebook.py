"""Where the course's gradebook is: nbgrader's SQLite file, or a database server.

``c.CourseDirectory.db_url`` in ``nbgrader_config.py`` (set from EM_PRANKSTER_DB_URL there)
names a server, such as PostgreSQL; without it the gradebook is ``gradebook.db`` in the
course folder, as nbgrader's default. A server takes concurrent writers, so
``grading/run/parallel.py`` lets its workers write to it directly instead of merging copies.
"""
from pathlib import Path


def url(course):
    """The gradebook's SQLAlchemy URL for the course folder ``course`` (a folder without
    ``nbgrader_config.py`` has nbgrader's default)."""
    from traitlets.config import PyFileConfigLoader

    config = {}
    if (Path(course) / "nbgrader_config.py").exists():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return config.get("CourseDirectory", {}).get("db_url") or sqlite_url(course)


def sqlite_url(folder):
    """nbgrader's default gradebook in ``folder``: the SQLite file ``gradebook.db`` there."""
    return f"sqlite:///{Path(folder) / 'gradebook.db'}"


def on_server(db_url):
    """True if ``db_url`` is a database server (not an SQLite file)."""
    return not db_url.startswith("sqlite")
