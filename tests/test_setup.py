"""The set-up files agree with each other and with the README."""
import re

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
