"""The set-up files agree with each other and with the README."""
import re
import subprocess
import sys

from support import ROOT
def pins(text, pattern):
    return dict(re.findall(pattern, text, flags=re.M))


def test_requirements_and_environment_pin_the_same_versions():
    req = pins((ROOT / "requirements.txt").read_text(), r"^([A-Za-z0-9_.-]+)==([^\s#]+)")
    env = pins((ROOT / "environment.yml").read_text(), r"^\s*-\s*([A-Za-z0-9_.-]+)=([^\s#=]+)")
    env.pop("python")
    assert {k.lower(): v for k, v in req.items()} == {k.lower(): v for k, v in env.items()}


def test_every_pin_is_commented():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line:
            assert "#" in line, line
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.strip().startswith("- "):
            assert "#" in line, line


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make demo" in readme
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), flags=re.M)


def test_no_grammar_is_built_when_nbgrader_starts():
    """jsonschema 4.25 and later pull rfc3987-syntax (through jupyter-events' extra
    format-nongpl), which builds 39 parsers whenever nbformat's validator is imported: over a
    second more for every nbgrader, nbconvert and Jupyter process (bench/startup.py measures
    it; requirements.txt pins jsonschema)."""
    code = ("import sys, nbformat, nbgrader.apps, jupyter_server.serverapp; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rfc3987_syntax', 'lark')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", proc.stdout
