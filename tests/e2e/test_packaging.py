"""Release check: wheel and sdist build, pass ``twine check``, install into a fresh environment and
register the provider there."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.e2e


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload]


def test_wheel_and_sdist_install_and_register(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # --no-isolation: build with the locked setuptools instead of fetching a build environment.
    built = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)])
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels, sdists = list(dist.glob("*.whl")), list(dist.glob("*.tar.gz"))
    assert len(wheels) == 1
    assert len(sdists) == 1
    checked = _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels + sdists)])
    assert checked.returncode == 0, checked.stdout + checked.stderr

    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "airflow_provider_mediajobs/py.typed" in names
    assert "airflow_provider_mediajobs/emulator/server.py" in names
    assert not [n for n in names if n.startswith("tests/")]
    # Repository tooling stays out of the wheel: the throwaway Airflow of the demo and e2e tests.
    assert not [n for n in names if n.startswith("scripts/") or "local_airflow" in n]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    entry_points_text = zipfile.ZipFile(wheels[0]).read(entry_points).decode()
    assert "apache_airflow_provider" in entry_points_text
    # The pytest plugin is opt-in (-p airflow_provider_mediajobs.testing), not loaded by every run.
    assert "airflow_provider_mediajobs/testing.py" in names
    assert "pytest11" not in entry_points_text

    # A fresh venv that gets the provider only from the wheel. Its dependencies come from the
    # project environment through a .pth path entry (no download, and that directory's own .pth
    # files, such as the editable install's finder, are not run).
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(site), str(wheels[0])]
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["AIRFLOW_HOME"] = str(tmp_path / "home")
    # Run from tmp_path: from the checkout, ``python -c`` would import the source tree instead.
    where = _run(
        [str(python), "-c", "import airflow_provider_mediajobs as p; print(p.__file__)"], env=env, cwd=tmp_path
    )
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    provider = _run(
        [str(python), "-m", "airflow", "providers", "get", "airflow-provider-mediajobs", "-o", "json"], env=env
    )
    assert provider.returncode == 0, provider.stdout[-3000:] + provider.stderr[-3000:]
    assert "airflow-provider-mediajobs" in provider.stdout
    assert "0.1.0" in provider.stdout


def _fresh_venv(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A venv whose dependencies come from the project environment (no download); returns its
    python and its site-packages."""
    venv = tmp_path / name
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, site


# pip installs a git URL through a partial clone (--filter=blob:none), which fetches the files of
# the checkout one by one: about 200 s on an idle 2-core machine for this repository, past the
# suite's 300 s timeout once the machine is busy.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("form", ["checkout", "git-url"])
def test_the_documented_install_commands_work(tmp_path: Path, form: str) -> None:
    """docs/getting-started.md: ``pip install ./checkout`` and ``pip install "name @ git+URL"``."""
    if form == "checkout":
        source = str(ROOT)
    else:
        # A clone of what is committed, reached the way a git URL is; nothing leaves the machine.
        clone = tmp_path / "clone"
        cloned = _run(["git", "clone", "--quiet", "--depth", "1", f"file://{ROOT}", str(clone)])
        if cloned.returncode != 0:
            pytest.skip(f"no git history to clone here: {cloned.stderr[-300:]}")
        # The documented "name @ git+URL" form; file://localhost/ (a URL with a host, as an
        # https one has) is what pip's requirement parser accepts for a local repository.
        source = f"airflow-provider-mediajobs @ git+file://localhost{clone}"
    python, site = _fresh_venv(tmp_path, f"venv-{form}")
    # --no-build-isolation: build with the locked setuptools instead of fetching one.
    installed = _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--no-build-isolation",
                      "--target", str(site), source], cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["AIRFLOW_HOME"] = str(tmp_path / f"home-{form}")
    provider = _run(
        [str(python), "-m", "airflow", "providers", "get", "airflow-provider-mediajobs", "-o", "json"], env=env,
        cwd=tmp_path,
    )
    assert provider.returncode == 0, provider.stdout[-3000:] + provider.stderr[-3000:]
    assert "airflow-provider-mediajobs" in provider.stdout
