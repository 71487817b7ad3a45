"""The deployment recipes in docs/deploy/: they parse, and the build command
each runs is one the command line accepts and that publishes the sample site."""

from __future__ import annotations

import shlex
import tomllib

import yaml
from conftest import REPO

from archive_site.cli import make_parser

RECIPES = REPO / "docs" / "deploy"


def build_command(line: str) -> list[str]:
    """The `archive-site build …` part of a shell line, as arguments."""
    words = shlex.split(line.replace("$URL/", "https://archive.example.org/"))
    start = words.index("archive-site")
    end = words.index("&&", start) if "&&" in words[start:] else len(words)
    return words[start + 1:end]


def test_github_pages_workflow(cli, tmp_path):
    workflow = yaml.safe_load((RECIPES / "github-pages.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0  # the whole history
    run = next(step["run"] for step in steps if "archive-site build" in step.get("run", ""))
    args = build_command(run)
    assert make_parser().parse_args(args).base_url.startswith("https://")
    upload = next(step for step in steps if "upload-pages-artifact" in step.get("uses", ""))
    assert upload["with"]["path"] == "build"
    args[1] = str(REPO)
    assert cli(*args, "-o", tmp_path / "out", "--no-search").status == 0


def test_netlify_config(cli, tmp_path):
    config = tomllib.loads((RECIPES / "netlify.toml").read_text(encoding="utf-8"))
    args = build_command(config["build"]["command"])
    assert make_parser().parse_args(args).base_url == "https://archive.example.org/"
    assert config["build"]["publish"] == "build"
    assert config["redirects"][0]["to"] == "/404.html"
    args[1] = str(REPO)
    assert cli(*args, "-o", tmp_path / "out", "--no-search").status == 0
