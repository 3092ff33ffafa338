"""The policy-search command through click's CliRunner."""

import json

import pytest

from search_app.cli import cli


def test_index_and_query(runner, corpus, tmp_path):
    index = tmp_path / "index"
    result = runner.invoke(cli, ["index", str(corpus), "--index-dir", str(index), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "3 documents" in result.output
    result = runner.invoke(cli, ["query", "闽宁协作", "--index-dir", str(index)])
    assert result.exit_code == 0, result.output
    assert "1 results" in result.output
    assert "福州東西部協作簡報" in result.output
    assert "[閩寧協作]" in result.output  # matches bracketed when not on a terminal
    again = runner.invoke(cli, ["index", str(corpus), "--index-dir", str(index)])
    assert "up to date" in again.output


def test_environment_variables_set_the_folders(runner, corpus, tmp_path):
    env = {"POLICY_SEARCH_CORPUS": str(corpus), "POLICY_SEARCH_INDEX": str(tmp_path / "ix")}
    assert runner.invoke(cli, ["index", "--jobs", "1"], env=env).exit_code == 0
    result = runner.invoke(cli, ["query", "林盘"], env=env)
    assert result.exit_code == 0 and "林盘" in result.output


def test_query_json_is_the_api_object(runner, docs_index):
    result = runner.invoke(cli, ["query", "扶贫车间", "--json", "--index-dir", str(docs_index)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"query", "total", "took_ms", "page", "per_page", "hits", "facets", "next"} <= set(data)
    assert data["total"] == len(data["hits"]) == 2
    assert all("<mark>" in h["snippet"] for h in data["hits"])


def test_query_paging_and_limit(runner, seeds_index):
    result = runner.invoke(cli, ["query", "扶贫", "-n", "2", "-p", "2", "--json",
                                 "--index-dir", str(seeds_index)])
    data = json.loads(result.output)
    assert data["page"] == 2 and data["per_page"] == 2 and len(data["hits"]) == 2
    assert data["next"].startswith("/api/search?") and "page=3" in data["next"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["query", "扶贫"], "run `policy-search index`"),
        (["index", "/nonexistent/corpus"], "does not exist"),
    ],
)
def test_clear_errors_exit_2(runner, tmp_path, args, message):
    result = runner.invoke(cli, args + ["--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_empty_query_exits_2(runner, docs_index):
    result = runner.invoke(cli, ["query", "  ", "--index-dir", str(docs_index)])
    assert result.exit_code == 2 and "type a word" in result.output


def test_foreign_index_folder_exits_2_and_keeps_files(runner, corpus, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    result = runner.invoke(cli, ["index", str(corpus), "--index-dir", str(foreign)])
    assert result.exit_code == 2 and "not a policy-search index" in result.output
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_skipped_files_get_one_warning_line(runner, corpus, tmp_path):
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = runner.invoke(cli, ["index", str(corpus), "--index-dir", str(tmp_path / "ix"),
                                 "--jobs", "1"])
    assert result.exit_code == 0
    assert "warning: skipped blob.txt: binary file" in result.output
    assert "skipped 1 files" in result.output


@pytest.mark.parametrize("command", [[], ["index"], ["query"]])
def test_help_has_an_example(runner, command):
    result = runner.invoke(cli, command + ["--help"])
    assert result.exit_code == 0 and "Example" in result.output
