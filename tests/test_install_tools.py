"""The test command's installer: it waits for a package manager that holds
the lock, and says what it needs where it cannot install."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

SCRIPT = REPO / "tests" / "install-tools.sh"
TOOLS = ("sh", "dirname", "id", "grep", "cat", "rm", "sleep", "echo", "java", "npm")


def fake_path(tmp_path: Path, apt_get: str | None) -> dict[str, str]:
    """An environment whose PATH has the usual tools but no chromium, and
    `apt-get` as given (None: no apt-get at all)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    if apt_get is not None:
        (bin_dir / "apt-get").write_text(apt_get)
        (bin_dir / "apt-get").chmod(0o755)
    # As another user the script runs apt-get through sudo: a sudo that just runs it.
    (bin_dir / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
    (bin_dir / "sudo").chmod(0o755)
    return {"PATH": str(bin_dir), "HOME": str(tmp_path), "APT_LOCK_TIMEOUT": "20"}


@pytest.mark.slow
def test_it_waits_while_another_package_manager_holds_the_lock(tmp_path):
    calls = tmp_path / "calls"
    apt_get = f"""#!/bin/sh
echo "$@" >> {calls}
case "$*" in
  *update*)
    n=$(grep -c update {calls})
    if [ "$n" -lt 2 ]; then
      echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
      exit 100
    fi ;;
esac
exit 0
"""
    env = fake_path(tmp_path, apt_get)
    run = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "waiting for another package manager to finish (0s of 20s)" in run.stdout
    assert "installing Debian packages: chromium" in run.stdout
    log = calls.read_text()
    assert log.count("update") == 2 and "install -y -qq --no-install-recommends chromium" in log


def test_it_gives_up_on_a_lock_held_too_long_and_says_what_to_install(tmp_path):
    apt_get = "#!/bin/sh\necho 'E: Could not get lock /var/lib/apt/lists/lock' >&2\nexit 100\n"
    env = {**fake_path(tmp_path, apt_get), "APT_LOCK_TIMEOUT": "0"}
    run = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "install-tools.sh: apt-get update failed (see above)" in run.stderr
    assert "On Debian or Ubuntu: apt-get install chromium" in run.stderr


def test_without_apt_it_says_what_to_install(tmp_path):
    run = subprocess.run(["sh", str(SCRIPT)], env=fake_path(tmp_path, None), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 1
    assert "install-tools.sh: apt-get is not available to install: chromium" in run.stderr
    assert "Fedora: dnf install chromium" in run.stderr
