from search_app.cli import cli

cli(prog_name="policy-search")
